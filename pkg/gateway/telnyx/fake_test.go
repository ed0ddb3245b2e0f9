package telnyx

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/gateway/gatewaytest"
)

const (
	fakeKey        = "KEYfake0123456789"
	fakeConnection = "1293384261075731499"
	fakeFrom       = "+12025550100"
)

var e164Pattern = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

// failureReasons says each reason the way Telnyx does (failure_reason).
var failureReasons = map[gateway.Reason]string{
	gateway.ReasonBusy:          "user_busy",
	gateway.ReasonNoAnswer:      "receiver_no_answer",
	gateway.ReasonNotAFax:       "receiver_incompatible_destination",
	gateway.ReasonInvalidNumber: "receiver_unallocated_number",
	gateway.ReasonRejected:      "receiver_decline",
	gateway.ReasonLineError:     "receiver_call_dropped",
	gateway.ReasonDocument:      "file_format_invalid",
	gateway.ReasonGatewayError:  "service_unavailable",
}

// fake is Telnyx API v2 as docs/gateways.md §1 documents it: Bearer
// auth, Media Storage upload (multipart, `media` part, 201), fax create
// (JSON SendFaxRequest with media_name and base64 client_state, 202
// {"data": Fax}), GET /faxes/{id}, and the fax list with
// filter[direction][eq] and page[number]/page[size]. Errors come in
// Telnyx's {"errors":[{code,title,detail}]} shape.
type fake struct {
	gatewaytest.Script
	t *testing.T

	mu    sync.Mutex
	media map[string]upload // media_name → what was uploaded
	seq   int
}

type upload struct {
	pdf     []byte
	outcome gatewaytest.Outcome
}

func startFake(t *testing.T) (string, *fake) {
	f := &fake{t: t, media: map[string]upload{}}
	srv := gatewaytest.StartHTTP(t, f)
	raw := "telnyx://" + fakeKey + "@" + fakeConnection + "?from=" + url.QueryEscape(fakeFrom) +
		"&endpoint=" + url.QueryEscape(srv.URL+"/v2")
	return raw, f
}

func telnyxError(w http.ResponseWriter, status int, code, title string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"errors":[{"code":%q,"title":%q,"detail":%q}]}`, code, title, title)
}

func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !gatewaytest.CheckBearer(f.t, r, fakeKey) {
		telnyxError(w, http.StatusUnauthorized, "10009", "Authentication failed")
		return
	}
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/v2/media":
		f.upload(w, r)
	case r.Method == http.MethodPost && r.URL.Path == "/v2/faxes":
		f.create(w, r)
	case r.Method == http.MethodGet && r.URL.Path == "/v2/faxes":
		f.list(w, r)
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/v2/faxes/"):
		f.get(w, strings.TrimPrefix(r.URL.Path, "/v2/faxes/"))
	default:
		f.t.Errorf("fake telnyx: %s %s is not part of the contract", r.Method, r.URL.Path)
		telnyxError(w, http.StatusNotFound, "10005", "Resource not found")
	}
}

// answerProtocol answers a scripted protocol-level outcome in Telnyx's
// error shape (Hang and Malformed via the shared helper).
func answerProtocol(w http.ResponseWriter, r *http.Request, o gatewaytest.Outcome) bool {
	return gatewaytest.HTTPProtocolAs(w, r, o, `{"data": {"media_name": `, func(w http.ResponseWriter, status int) {
		switch status {
		case http.StatusUnauthorized:
			telnyxError(w, status, "10009", "Authentication failed")
		case http.StatusTooManyRequests:
			telnyxError(w, status, "10011", "Too many requests")
		default:
			telnyxError(w, status, "10007", "Unexpected error")
		}
	})
}

func (f *fake) upload(w http.ResponseWriter, r *http.Request) {
	fields, files, readable := gatewaytest.ReadMultipart(f.t, r)
	if !readable {
		telnyxError(w, http.StatusUnprocessableEntity, "10015", "Invalid multipart body")
		return
	}
	if ttl := fields["ttl_secs"]; ttl != "" {
		if n, err := strconv.Atoi(ttl); err != nil || n <= 0 {
			f.t.Errorf("fake telnyx: ttl_secs %q, want a positive integer", ttl)
		}
	}
	pdf, one := gatewaytest.OneFile(f.t, files, "media", "")
	if !one {
		telnyxError(w, http.StatusUnprocessableEntity, "10015", "media is required")
		return
	}
	o := f.Take()
	if answerProtocol(w, r, o) {
		return
	}
	f.mu.Lock()
	f.seq++
	name := fmt.Sprintf("media-%d", f.seq)
	f.media[name] = upload{pdf: pdf, outcome: o}
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	fmt.Fprintf(w, `{"data":{"media_name":%q,"content_type":"application/pdf","created_at":"2026-01-02T03:04:05Z","expires_at":"2026-01-03T03:04:05Z","updated_at":"2026-01-02T03:04:05Z"}}`, name)
}

func (f *fake) create(w http.ResponseWriter, r *http.Request) {
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		f.t.Errorf("fake telnyx: create Content-Type %q, want application/json", ct)
	}
	var req map[string]any
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		f.t.Errorf("fake telnyx: create body: %v", err)
		telnyxError(w, http.StatusUnprocessableEntity, "10015", "Invalid JSON")
		return
	}
	str := func(k string) string { s, _ := req[k].(string); return s }
	for k := range req {
		switch k {
		case "connection_id", "to", "from", "media_name", "client_state", "webhook_url": // webhook_url: SendFaxRequest documents it
		default:
			f.t.Errorf("fake telnyx: create has field %q faxjam does not send", k)
		}
	}
	if str("connection_id") != fakeConnection {
		f.t.Errorf("fake telnyx: connection_id %q, want %q", str("connection_id"), fakeConnection)
	}
	if !e164Pattern.MatchString(str("to")) || !e164Pattern.MatchString(str("from")) {
		f.t.Errorf("fake telnyx: to %q / from %q, want E.164", str("to"), str("from"))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnprocessableEntity)
		fmt.Fprint(w, `{"errors":[{"code":"10016","title":"Invalid phone number","source":{"pointer":"/to"}}]}`)
		return
	}
	key, err := base64.StdEncoding.DecodeString(str("client_state"))
	if err != nil {
		f.t.Errorf("fake telnyx: client_state %q is not base64", str("client_state"))
	}
	f.mu.Lock()
	up, ok := f.media[str("media_name")]
	f.mu.Unlock()
	if !ok {
		f.t.Errorf("fake telnyx: media_name %q was never uploaded", str("media_name"))
		telnyxError(w, http.StatusUnprocessableEntity, "10015", "media_name not found")
		return
	}
	job := f.Accept("fax-", gatewaytest.Received{To: str("to"), PDF: up.pdf, Key: string(key)}, up.outcome)
	gatewaytest.WriteJSON(w, http.StatusAccepted, map[string]any{"data": f.faxJSON(*job, "queued", str("client_state"))})
}

func (f *fake) faxJSON(j gatewaytest.Job, status, clientState string) map[string]any {
	m := map[string]any{
		"record_type": "fax", "id": j.ID, "connection_id": fakeConnection, "direction": "outbound",
		"from": fakeFrom, "to": gatewaytest.Number, "quality": "high", "status": status,
		"client_state": clientState, "created_at": "2026-01-02T03:04:05Z", "updated_at": "2026-01-02T03:04:09Z",
		"failure_reason": nil,
	}
	if status == "failed" {
		m["failure_reason"] = failureReasons[j.Outcome.Reason]
	}
	return m
}

func (f *fake) get(w http.ResponseWriter, id string) {
	j, ok := f.Poll(id)
	if !ok {
		telnyxError(w, http.StatusNotFound, "10005", "Resource not found")
		return
	}
	gatewaytest.WriteJSON(w, http.StatusOK, map[string]any{"data": f.faxJSON(j, gatewaytest.Phase(j, "sending", "failed", "delivered"), clientStateOf(j.Key))})
}

func clientStateOf(key string) string {
	if key == "" {
		return ""
	}
	return base64.StdEncoding.EncodeToString([]byte(key))
}

func (f *fake) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	for k := range q {
		switch k {
		case "filter[direction][eq]", "filter[to][eq]", "page[number]", "page[size]":
		default:
			f.t.Errorf("fake telnyx: list query %q is not a documented filter", k)
		}
	}
	size, number, inRange := gatewaytest.Paging(f.t, q, "page[size]", "page[number]", 20, 250)
	if !inRange {
		telnyxError(w, http.StatusUnprocessableEntity, "10015", "Invalid page")
		return
	}
	jobs := f.Jobs()
	// Telnyx lists newest first.
	for i, k := 0, len(jobs)-1; i < k; i, k = i+1, k-1 {
		jobs[i], jobs[k] = jobs[k], jobs[i]
	}
	var data []map[string]any
	for i := (number - 1) * size; i < len(jobs) && i < number*size; i++ {
		data = append(data, f.faxJSON(jobs[i], "queued", clientStateOf(jobs[i].Key)))
	}
	if data == nil {
		data = []map[string]any{}
	}
	pages := (len(jobs) + size - 1) / size
	gatewaytest.WriteJSON(w, http.StatusOK, map[string]any{"data": data,
		"meta": map[string]int{"page_number": number, "page_size": size, "total_pages": pages, "total_results": len(jobs)}})
}
