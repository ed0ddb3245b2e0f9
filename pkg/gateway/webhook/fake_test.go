package webhook

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/faxjam/faxjam/pkg/gateway/gatewaytest"
)

const (
	fakeToken = "relay-token-7f3a9c"
	fakePath  = "/hooks/fax"
)

// relayFake is a relay speaking the protocol in the package doc, checking
// every request against it.
type relayFake struct {
	gatewaytest.Script
	t *testing.T
}

func startRelay(t *testing.T) (string, gatewaytest.Fake) {
	f := &relayFake{t: t}
	srv := gatewaytest.StartHTTP(t, f)
	return "webhook+" + srv.URL + fakePath + "?token=" + fakeToken, f
}

func (f *relayFake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !gatewaytest.CheckBearer(f.t, r, fakeToken) {
		http.Error(w, `{"message":"who are you"}`, http.StatusUnauthorized)
		return
	}
	if strings.Contains(r.URL.RawQuery, fakeToken) {
		f.t.Errorf("%s %s: the token travels in the URL query %q", r.Method, r.URL.Path, r.URL.RawQuery)
	}
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == http.MethodPost && r.URL.Path == fakePath:
		f.send(w, r)
	case r.Method == http.MethodGet && r.URL.Path == fakePath && r.URL.Query().Has("key"):
		j, ok := f.ByKey(r.URL.Query().Get("key"))
		if !ok {
			http.Error(w, `{"message":"no fax with that key"}`, http.StatusNotFound)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"id": j.ID, "status": "queued"})
	case r.Method == http.MethodGet && r.URL.Path == fakePath:
		w.WriteHeader(http.StatusNotFound) // check: this relay does not list
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, fakePath+"/"):
		f.status(w, strings.TrimPrefix(r.URL.Path, fakePath+"/"))
	default:
		f.t.Errorf("unexpected request %s %s", r.Method, r.URL)
		http.Error(w, `{"message":"no such route"}`, http.StatusNotFound)
	}
}

func (f *relayFake) send(w http.ResponseWriter, r *http.Request) {
	fields, files, readable := gatewaytest.ReadMultipart(f.t, r)
	if !readable {
		http.Error(w, `{"message":"bad body"}`, http.StatusBadRequest)
		return
	}
	o := f.Take()
	if gatewaytest.HTTPProtocol(w, r, o, `{"id":`) {
		return
	}
	for name := range files {
		if name != "file" {
			f.t.Errorf("unexpected file part %q", name)
		}
	}
	var pdf []byte
	if ps := files["file"]; len(ps) > 0 {
		if p := ps[0]; p.Filename != "fax.pdf" || p.ContentType != "application/pdf" {
			f.t.Errorf("file part %q %q, want fax.pdf application/pdf", p.Filename, p.ContentType)
		}
		pdf = ps[0].Data
	}
	for _, name := range []string{"to", "from", "key", "campaign", "pages", "sender"} {
		if _, ok := fields[name]; !ok {
			f.t.Errorf("POST lacks field %q (got %v)", name, fields)
		}
	}
	if to := fields["to"]; !strings.HasPrefix(to, "+") {
		f.t.Errorf("to %q is not E.164", to)
	}
	if _, err := strconv.Atoi(fields["pages"]); err != nil {
		f.t.Errorf("pages %q is not a number", fields["pages"])
	}
	if v, ok := fields["fictitious"]; ok && v != "true" {
		f.t.Errorf("fictitious = %q, want true or absent", v)
	}
	if pdf == nil {
		f.t.Errorf("POST without the file part")
	}
	if j, ok := f.ByKey(fields["key"]); ok && fields["key"] != "" {
		json.NewEncoder(w).Encode(map[string]any{"id": j.ID, "status": "queued"}) // same key, same fax
		return
	}
	j := f.Accept("wh-", gatewaytest.Received{To: fields["to"], PDF: pdf, Key: fields["key"]}, o)
	w.WriteHeader(http.StatusAccepted)
	json.NewEncoder(w).Encode(map[string]any{"id": j.ID, "status": "queued"})
}

func (f *relayFake) status(w http.ResponseWriter, id string) {
	j, ok := f.Poll(id)
	if !ok {
		http.Error(w, `{"message":"no such fax"}`, http.StatusNotFound)
		return
	}
	a := map[string]any{"id": j.ID, "status": "sending"}
	switch {
	case !j.Done():
	case j.Outcome.Kind == gatewaytest.Fail:
		a["status"], a["reason"], a["message"] = "failed", string(j.Outcome.Reason), fmt.Sprintf("relay: %s", j.Outcome.Reason)
	default:
		a["status"], a["pages"] = "delivered", 1
	}
	json.NewEncoder(w).Encode(a)
}
