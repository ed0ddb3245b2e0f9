package webhook

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/faxjam/faxjam/pkg/petition"
	"github.com/faxjam/faxjam/pkg/petition/petitiontest"
)

const fakeToken = "hook-token-91ab"

// fake is a receiver of the generic webhook: one JSON signature per POST,
// the bearer token from the URL, {id, duplicate} back.
type fake struct {
	t    *testing.T
	kind petitiontest.Kind
	rec  petitiontest.Recorder
}

func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/hooks/petition" {
		f.t.Errorf("fake: %s %s, want POST /hooks/petition", r.Method, r.URL.Path)
	}
	if petitiontest.Answer(w, r, f.kind) {
		return
	}
	if got := r.Header.Get("Authorization"); got != "Bearer "+fakeToken {
		f.t.Errorf("fake: Authorization %q, want the bearer token from the URL", got)
	}
	var s petition.Signature
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		f.t.Errorf("fake: body is not one signature: %v", err)
	}
	if f.kind == petitiontest.Reject || strings.TrimSpace(s.Name) == "" {
		w.WriteHeader(http.StatusUnprocessableEntity)
		w.Write([]byte(`{"error":"name is required"}`))
		return
	}
	id, dup := f.rec.Add(s)
	if !dup {
		w.WriteHeader(http.StatusCreated)
	}
	json.NewEncoder(w).Encode(petition.Receipt{ID: id, Duplicate: dup})
}

func (f *fake) Received() []petition.Signature { return f.rec.Received() }

func TestConformance(t *testing.T) {
	petitiontest.Run(t, petitiontest.Harness{
		Driver: Driver(),
		Start: func(t *testing.T, k petitiontest.Kind) (string, petitiontest.Endpoint) {
			f := &fake{t: t, kind: k}
			srv := httptest.NewServer(f)
			t.Cleanup(srv.Close)
			return "webhook+http://" + fakeToken + "@" + strings.TrimPrefix(srv.URL, "http://") + "/hooks/petition", f
		},
	})
}
