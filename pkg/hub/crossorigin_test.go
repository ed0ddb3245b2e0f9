package hub_test

import (
	"bytes"
	"net/http"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/dispatch/linesim"
)

// The JSON API is not a target for another site's page: a cross-origin
// browser request is refused (403), and so is a POST whose body is not
// JSON (415, naming Content-Type; before, `Origin: http://evil.example`
// with no Content-Type got 202). Scripts, which send neither Origin nor
// Sec-Fetch-Site, are served as before.
func TestJSONAPIRefusesCrossOriginAndNonJSONBodies(t *testing.T) {
	th := start(t, &linesim.Config{Duration: time.Millisecond}, nil)
	actions := th.url + "/v1/campaigns/" + th.c.ID + "/actions"
	signatures := th.url + "/v1/campaigns/" + th.c.ID + "/signatures"
	body := actionJSON("cross-origin-key-0123456789abcdef", "Eve Evil")
	for _, c := range []struct {
		name, url string
		header    []string
		want      int
	}{
		{"evil origin, no content type", actions, []string{"Origin", "http://evil.example"}, http.StatusForbidden},
		{"cross-site fetch", actions, []string{"Sec-Fetch-Site", "cross-site", "Content-Type", "application/json"}, http.StatusForbidden},
		{"no content type", actions, nil, http.StatusUnsupportedMediaType},
		{"text/plain", actions, []string{"Content-Type", "text/plain"}, http.StatusUnsupportedMediaType},
		{"a form", actions, []string{"Content-Type", "application/x-www-form-urlencoded"}, http.StatusUnsupportedMediaType},
		{"signatures from another site", signatures, []string{"Origin", "http://evil.example", "Content-Type", "application/json"}, http.StatusForbidden},
		{"signatures as text", signatures, []string{"Content-Type", "text/plain"}, http.StatusUnsupportedMediaType},
		{"forget from another site", th.url + "/v1/campaigns/" + th.c.ID + "/actions?email=a@example.org", []string{"Sec-Fetch-Site", "cross-site", "Authorization", "Bearer " + adminToken}, http.StatusForbidden},
	} {
		method := "POST"
		if c.name == "forget from another site" {
			method = "DELETE"
		}
		a := do(t, method, c.url, body, c.header...)
		if a.status != c.want {
			t.Errorf("%s: %d %s, want %d", c.name, a.status, a.body, c.want)
		}
	}
	// Nothing of Eve's was taken.
	export := do(t, "GET", actions, "", "Authorization", "Bearer "+adminToken)
	if bytes.Contains(export.body, []byte("Eve Evil")) {
		t.Errorf("a refused request was taken: %s", export.body)
	}
	// A script, and the same site's own page, are served.
	if a := do(t, "POST", actions, body, "Content-Type", "application/json; charset=utf-8"); a.status != http.StatusAccepted {
		t.Errorf("a script's action: %d %s", a.status, a.body)
	}
	if a := do(t, "POST", actions, actionJSON("same-origin-key-0123456789abcdef", "Ana Same"), "Content-Type", "application/json", "Sec-Fetch-Site", "same-origin"); a.status != http.StatusAccepted {
		t.Errorf("a same-origin action: %d %s", a.status, a.body)
	}
}
