package actionnetwork

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/faxjam/faxjam/pkg/petition"
	"github.com/faxjam/faxjam/pkg/petition/petitiontest"
)

const (
	fakeToken    = "an-token-5f3c9e"
	fakePetition = "7f1d9c0e-petition"
)

// fake is Action Network's record-signature helper as documented
// (docs/gateways.md §8): it checks path, method, token header and body
// shape, dedupes by email like Action Network, and answers the signature
// with its identifiers.
type fake struct {
	t    *testing.T
	kind petitiontest.Kind
	rec  petitiontest.Recorder
}

func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/api/v2/petitions/"+fakePetition+"/signatures/" {
		f.t.Errorf("fake: %s %s, want POST /api/v2/petitions/%s/signatures/", r.Method, r.URL.Path, fakePetition)
		http.Error(w, `{"error":"not found"}`, http.StatusNotFound)
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		f.t.Errorf("fake: Content-Type %q, want application/json", ct)
	}
	if petitiontest.Answer(w, r, f.kind) {
		return
	}
	if tok := r.Header.Get("OSDI-API-Token"); tok != fakeToken {
		f.t.Errorf("fake: OSDI-API-Token %q, want the token from the URL", tok)
		http.Error(w, `{"error":"API Key invalid or not present"}`, http.StatusUnauthorized)
		return
	}
	var body struct {
		Identifiers []string `json:"identifiers"`
		Comments    string   `json:"comments"`
		Person      struct {
			GivenName      string `json:"given_name"`
			FamilyName     string `json:"family_name"`
			EmailAddresses []struct {
				Address string `json:"address"`
			} `json:"email_addresses"`
			PostalAddresses []struct {
				Locality string `json:"locality"`
				Country  string `json:"country"`
			} `json:"postal_addresses"`
		} `json:"person"`
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		f.t.Errorf("fake: body does not decode as a record-signature helper request: %v", err)
		http.Error(w, `{"error":"bad request"}`, http.StatusBadRequest)
		return
	}
	p := body.Person
	if f.kind == petitiontest.Reject || p.GivenName == "" {
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte(`{"error":"person: given_name must not be empty"}`))
		return
	}
	if len(body.Identifiers) != 1 || !strings.HasPrefix(body.Identifiers[0], "faxjam:") {
		f.t.Errorf("fake: identifiers %q, want one faxjam:<key>", body.Identifiers)
	}
	if len(p.EmailAddresses) != 1 || p.EmailAddresses[0].Address == "" || len(p.PostalAddresses) != 1 {
		f.t.Errorf("fake: person %+v, want one email and one postal address", p)
		http.Error(w, `{"error":"person needs an email address or a phone number"}`, http.StatusBadRequest)
		return
	}
	name := strings.TrimSpace(p.GivenName + " " + p.FamilyName)
	s := petition.Signature{
		Name: name, City: p.PostalAddresses[0].Locality, Country: p.PostalAddresses[0].Country,
		Email: p.EmailAddresses[0].Address, Note: body.Comments,
		Key: strings.TrimPrefix(body.Identifiers[0], "faxjam:"),
	}
	id, _ := f.rec.Add(s)
	w.Header().Set("Content-Type", "application/hal+json")
	json.NewEncoder(w).Encode(map[string]any{
		"identifiers":                  []string{"action_network:" + id, body.Identifiers[0]},
		"created_date":                 "2012-01-23T10:00:00Z",
		"comments":                     body.Comments,
		"action_network:petition_id":   fakePetition,
		"_links":                       map[string]any{"self": map[string]string{"href": "https://actionnetwork.org/api/v2/petitions/" + fakePetition + "/signatures/" + id}},
		"action_network:person_id":     "person-" + id,
		"action_network:referrer_data": map[string]string{"source": "faxjam"},
	})
}

func (f *fake) Received() []petition.Signature { return f.rec.Received() }

func TestConformance(t *testing.T) {
	petitiontest.Run(t, petitiontest.Harness{
		Driver:        Driver(),
		RequiresEmail: true,
		Start: func(t *testing.T, k petitiontest.Kind) (string, petitiontest.Endpoint) {
			f := &fake{t: t, kind: k}
			srv := httptest.NewServer(f)
			t.Cleanup(srv.Close)
			return "actionnetwork://" + fakeToken + "@" + fakePetition + "?endpoint=" + url.QueryEscape(srv.URL+"/api/v2"), f
		},
	})
}

func TestSplitName(t *testing.T) {
	tests := []struct{ name, given, family string }{
		{"José Pérez García", "José", "Pérez García"},
		{"Norma de la Cruz", "Norma", "de la Cruz"},
		{"  Ludwig   van Beethoven ", "Ludwig", "van Beethoven"},
		{"Pérez García, José", "José", "Pérez García"},
		{"Madonna", "Madonna", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		g, f := SplitName(tt.name)
		if g != tt.given || f != tt.family {
			t.Errorf("SplitName(%q) = %q, %q; want %q, %q", tt.name, g, f, tt.given, tt.family)
		}
	}
}
