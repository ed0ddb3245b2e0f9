package hub_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/faxjam/faxjam/pkg/dispatch/linesim"
)

// TestBadInputIsA4xxNamingWhatIsWrong: every endpoint, every kind of bad
// input: a 4xx with a JSON error that names the field or what is wrong,
// never a 5xx or a panic.
func TestBadInputIsA4xxNamingWhatIsWrong(t *testing.T) {
	th := start(t, &linesim.Config{}, nil)
	c := "/v1/campaigns/" + th.c.ID
	ok := th.act(t, "good-key", "Good Person").json(t)
	id, receipt := ok["id"].(string), ok["receipt"].(string)
	long := strings.Repeat("x", 20<<10)
	tests := []struct {
		name, method, path, body string
		header                   []string
		status                   int
		field, says              string
	}{
		{"empty body", "POST", c + "/actions", "", nil, 400, "", "body: empty"},
		{"not JSON", "POST", c + "/actions", "{name:", nil, 400, "", "not valid JSON"},
		{"an array", "POST", c + "/actions", "[]", nil, 400, "", "want a JSON object"},
		{"two objects", "POST", c + "/actions", `{"key":"a","name":"A B","city":"C","country":"D"}{}`, nil, 400, "", "nothing after it"},
		{"unknown field", "POST", c + "/actions", `{"key":"a","pdf":"JVBERi0="}`, nil, 400, "pdf", "unknown field"},
		{"a number for a name", "POST", c + "/actions", `{"key":"a","name":5}`, nil, 400, "name", "want a string"},
		{"no key", "POST", c + "/actions", `{"name":"A B","city":"C","country":"D"}`, nil, 400, "key", "key: want 16 to 128 random characters"},
		{"key with a space", "POST", c + "/actions", `{"key":"a b","name":"A B","city":"C","country":"D"}`, nil, 400, "key", "key: want 16 to 128 random characters"},
		{"key too long", "POST", c + "/actions", `{"key":"` + strings.Repeat("k", 201) + `","name":"A B","city":"C","country":"D"}`, nil, 400, "key", "key: want 16 to 128 random characters"},
		{"a short key", "POST", c + "/actions", `{"key":"abc","name":"A B","city":"C","country":"D"}`, nil, 400, "key", "key: want 16 to 128 random characters"},
		{"a patterned key", "POST", c + "/actions", `{"key":"aaaaaaaaaaaaaaaaaaaa","name":"A B","city":"C","country":"D"}`, nil, 400, "key", "key: want 16 to 128 random characters"},
		{"no name", "POST", c + "/actions", `{"key":"a","city":"C","country":"D"}`, nil, 400, "name", "name"},
		{"markup in the city", "POST", c + "/actions", `{"key":"a","name":"A B","city":"<b>C</b>","country":"D"}`, nil, 400, "city", "city"},
		{"template in the note", "POST", c + "/actions", `{"key":"a","name":"A B","city":"C","country":"D","note":"{{.Target}}"}`, nil, 400, "note", "note"},
		{"note too long", "POST", c + "/actions", `{"key":"a","name":"A B","city":"C","country":"D","note":"` + strings.Repeat("word ", 200) + `"}`, nil, 400, "note", "note"},
		{"bad email", "POST", c + "/actions", `{"key":"a","name":"A B","city":"C","country":"D","email":"not-an-email"}`, nil, 400, "email", "email"},
		{"bad lang", "POST", c + "/actions", `{"key":"a","name":"A B","city":"C","country":"D","lang":"no such language!"}`, nil, 400, "lang", "lang"},
		{"a Cyrillic look-alike in a name", "POST", c + "/actions", `{"key":"a","name":"\u0410na Unicode","city":"Porto","country":"PT"}`, nil, 400, "name", "mixes Cyrillic and Latin"},
		{"an invisible joiner in a name", "POST", c + "/actions", `{"key":"a","name":"An\u034fa Unicode","city":"Porto","country":"PT"}`, nil, 400, "name", "invisible character U+034F"},
		{"control character", "POST", c + "/actions", `{"key":"a","name":"A\u0007B","city":"C","country":"D"}`, nil, 400, "name", "name"},
		{"body too large", "POST", c + "/actions", `{"key":"a","note":"` + long + `"}`, nil, 413, "", "larger than"},
		{"wrong content type", "POST", c + "/actions", `{}`, []string{"Content-Type", "text/plain"}, 415, "", "Content-Type"},
		{"unknown campaign", "POST", "/v1/campaigns/nope/actions", `{}`, nil, 404, "", "unknown campaign"},
		{"PUT actions", "PUT", c + "/actions", `{}`, nil, 405, "", "not allowed"},
		{"POST a status", "POST", "/v1/actions/" + id, "", []string{"Authorization", "Bearer " + receipt}, 405, "", "not allowed"},
		{"fax.png page 0", "GET", "/v1/actions/" + id + "/fax.png?page=0", "", []string{"Authorization", "Bearer " + receipt}, 400, "page", "page"},
		{"fax.png page word", "GET", "/v1/actions/" + id + "/fax.png?page=one", "", []string{"Authorization", "Bearer " + receipt}, 400, "page", "page"},
		{"status, huge id", "GET", "/v1/actions/" + strings.Repeat("z", 5000), "", []string{"Authorization", "Bearer x"}, 404, "", "receipt"},
		{"lines of another campaign", "GET", "/v1/campaigns/nope/lines", "", nil, 404, "", "unknown campaign"},
		{"POST lines", "POST", c + "/lines", "", nil, 405, "", "not allowed"},
		{"GET pause", "GET", c + "/pause", "", nil, 405, "", "not allowed"},
		{"resume without token", "POST", c + "/resume", "", nil, 401, "", "admin token"},
		{"export with the receipt", "GET", c + "/actions", "", []string{"Authorization", "Bearer " + receipt}, 401, "", "admin token"},
		{"DELETE campaign", "DELETE", c, "", nil, 405, "", "not allowed"},
		{"petition: no key", "POST", c + "/signatures", `{"name":"A B","city":"C","country":"D"}`, nil, 400, "", "key"},
		{"unknown path", "GET", "/v2/anything", "", nil, 404, "", "not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hdr := tt.header
			if tt.method == "POST" && len(hdr) == 0 {
				hdr = []string{"Content-Type", "application/json"}
			}
			a := do(t, tt.method, th.url+tt.path, tt.body, hdr...)
			if a.status != tt.status {
				t.Fatalf("%d %s, want %d", a.status, a.body, tt.status)
			}
			var e struct {
				Error string `json:"error"`
				Field string `json:"field"`
			}
			if err := json.Unmarshal(a.body, &e); err != nil {
				t.Fatalf("not a JSON error: %q", a.body)
			}
			if !strings.Contains(e.Error, tt.says) || e.Field != tt.field {
				t.Errorf("error %q field %q; want it to say %q, field %q", e.Error, e.Field, tt.says, tt.field)
			}
			if a.status >= http.StatusInternalServerError {
				t.Errorf("a 5xx for bad input")
			}
		})
	}
}
