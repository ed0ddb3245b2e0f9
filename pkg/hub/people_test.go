package hub_test

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/dispatch/linesim"
	"github.com/faxjam/faxjam/pkg/hub"
	"github.com/faxjam/faxjam/pkg/journal"
)

// adminSession signs in to the admin page and returns its cookie.
func adminSession(t *testing.T, base string) string {
	t.Helper()
	resp := formPost(t, noRedirect(), base+"/admin/login", url.Values{"token": {adminToken}})
	c := strings.Split(resp.Header.Get("Set-Cookie"), ";")[0]
	if resp.StatusCode != http.StatusSeeOther || c == "" {
		t.Fatalf("sign in: %d", resp.StatusCode)
	}
	return c
}

// TestAdminPeopleSearchHistoryForgetAndExport: behind the admin sign-in
// the organizer finds a person by name or e-mail, sees their action and
// its fax attempts, forgets them only after a confirming second step, and
// exports every action; signed out, none of it answers (issue 18).
func TestAdminPeopleSearchHistoryForgetAndExport(t *testing.T) {
	th := start(t, &linesim.Config{Duration: time.Millisecond}, nil)
	var ana string
	for i, name := range []string{"Ana Buscada", "Bo Otro", "Cy Tercero"} {
		b, _ := json.Marshal(map[string]string{"key": testKey(fmt.Sprint("people-", i)), "name": name, "city": "Xela", "country": "Guatemala",
			"email": strings.ToLower(strings.Fields(name)[0]) + "@example.org"})
		a := do(t, "POST", th.url+"/v1/campaigns/"+th.c.ID+"/actions", string(b), "Content-Type", "application/json")
		m := a.json(t)
		if i == 0 {
			ana = m["id"].(string)
		}
		if got := th.waitFinal(t, m["id"].(string), m["receipt"].(string)); got["state"] != "delivered" {
			t.Fatalf("setup: %v", got)
		}
	}
	// Signed out: the sign-in form, never the people.
	for _, p := range []string{"/admin/people?q=ana", "/admin/people/" + ana, "/admin/export.csv"} {
		if a := do(t, "GET", th.url+p, ""); a.status != http.StatusUnauthorized || strings.Contains(string(a.body), "Buscada") {
			t.Errorf("%s signed out: %d", p, a.status)
		}
	}
	cookie := adminSession(t, th.url)
	get := func(p string) string {
		a := do(t, "GET", th.url+p, "", "Cookie", cookie)
		if a.status != 200 {
			t.Fatalf("GET %s: %d %s", p, a.status, a.body)
		}
		return string(a.body)
	}
	if a := get("/admin?lang=en"); !strings.Contains(a, `id="leader"`) || !strings.Contains(a, "This server is the one dialling") {
		t.Error("the admin page does not say who is dialling")
	}
	// By name (case ignored) and by e-mail.
	for _, q := range []string{"BUSCADA", "ana@example"} {
		p := get("/admin/people?lang=en&q=" + url.QueryEscape(q))
		if !strings.Contains(p, "/admin/people/"+ana) || strings.Contains(p, "Bo Otro") {
			t.Errorf("search %q: want Ana alone", q)
		}
	}
	if p := get("/admin/people?lang=en&q=nobody-at-all"); !strings.Contains(p, `id="no-results"`) {
		t.Error("a search that matches nobody does not say so")
	}
	hist := get("/admin/people/" + ana + "?lang=en")
	if !strings.Contains(hist, "ana@example.org") || !strings.Contains(hist, `id="attempts"`) || !strings.Contains(hist, "delivered") {
		t.Errorf("the history lacks the e-mail, the attempts or the state:\n%s", hist)
	}
	// Forget: the first post only asks.
	resp := formPost(t, noRedirect(), th.url+"/admin/people/"+ana+"/forget", url.Values{"ui": {"en"}}, "Cookie", cookie)
	if resp.StatusCode != 200 {
		t.Fatalf("forget, first step: %d", resp.StatusCode)
	}
	a, s, err := th.j.Action(t.Context(), ana)
	if err != nil || s.Name != "Ana Buscada" {
		t.Fatalf("the first step forgot already: %+v %+v %v", a, s, err)
	}
	// A cross-site post is refused (CSRF).
	if resp := formPost(t, noRedirect(), th.url+"/admin/people/"+ana+"/forget", url.Values{"confirm": {"yes"}}, "Cookie", cookie, "Sec-Fetch-Site", "cross-site"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a cross-site forget: %d, want 403", resp.StatusCode)
	}
	if resp := formPost(t, noRedirect(), th.url+"/admin/people/"+ana+"/forget", url.Values{"ui": {"en"}, "confirm": {"yes"}}, "Cookie", cookie); resp.StatusCode != 200 {
		t.Fatalf("forget, confirmed: %d", resp.StatusCode)
	}
	if _, s, _ := th.j.Action(t.Context(), ana); s.Name != "" || s.Email != "" {
		t.Errorf("after forget the journal keeps %q %q", s.Name, s.Email)
	}
	if p := get("/admin/people?lang=en&q=buscada"); strings.Contains(p, "/admin/people/"+ana) {
		t.Error("a forgotten person is still found")
	}
	// The export, with the session cookie.
	rows, err := csv.NewReader(strings.NewReader(get("/admin/export.csv"))).ReadAll()
	if err != nil || len(rows) != 4 || rows[0][0] != "id" {
		t.Fatalf("export.csv: %d rows, %v", len(rows), err)
	}
	var js []hub.ExportRow
	if err := json.Unmarshal([]byte(get("/admin/export.json")), &js); err != nil || len(js) != 3 {
		t.Fatalf("export.json: %d rows, %v", len(js), err)
	}
	n := 0
	for _, r := range js {
		if r.State == journal.Delivered {
			n++
		}
	}
	if n != 3 {
		t.Errorf("export.json: %d delivered, want 3", n)
	}
}
