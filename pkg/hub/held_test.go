package hub_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/alert"
	"github.com/faxjam/faxjam/pkg/dispatch/linesim"
	"github.com/faxjam/faxjam/pkg/hub"
	"github.com/faxjam/faxjam/pkg/journal"
)

// A number that is not in service is held after three calls (issue 20):
// /lines shows it held with its record (counts only), the organizer is
// alerted once, and the admin page's button releases it.
func TestAHeldNumberIsShownAlertedAndReleasedOnAdmin(t *testing.T) {
	in := &alertInbox{}
	srv := httptest.NewServer(in)
	defer srv.Close()
	th := start(t, &linesim.Config{Duration: 2 * time.Millisecond}, func(c *hub.Config) {
		c.Alerts = []alert.Sender{alert.Webhook{URL: srv.URL}}
		c.AlertEvery = 20 * time.Millisecond
	})
	dead := th.c.Target.Fax[0].Number
	th.sim.SetLine(dead, linesim.Invalid)
	for i := range 12 {
		if a := th.act(t, fmt.Sprint("held-", i), fmt.Sprintf("Persona %d", i)); a.status != http.StatusAccepted {
			t.Fatalf("act: %d %s", a.status, a.body)
		}
	}
	waitFor(t, func() bool {
		n, _ := th.j.Counts(t.Context(), th.c.ID)
		return n[journal.Delivered] == 12
	}, "12 deliveries on the other lines")
	var v hub.Lines
	waitFor(t, func() bool {
		a := do(t, "GET", th.url+"/v1/campaigns/"+th.c.ID+"/lines", "")
		v = hub.Lines{}
		json.Unmarshal(a.body, &v)
		return len(v.Lines) > 0 && v.Lines[0].Held != ""
	}, "the held number in /lines")
	l := v.Lines[0]
	if l.Number != dead || l.State != "down" || l.Held != "invalid-number" || l.Health == nil || l.Health.Attempts != 3 || l.Health.Failed != 3 || l.Health.Rate24h != 0 {
		t.Errorf("/lines shows the dead number as %+v (health %+v)", l, l.Health)
	}
	if h := v.Lines[1].Health; h == nil || h.Delivered == 0 || h.Rate24h != 1 {
		t.Errorf("/lines: the working number's health %+v", h)
	}
	waitFor(t, func() bool { return in.count(alert.NumberHeld, "firing") == 1 }, "a number-held alert")
	time.Sleep(100 * time.Millisecond)
	if n := in.count(alert.NumberHeld, "firing"); n != 1 {
		t.Errorf("%d number-held alerts, want 1", n)
	}
	// The organizer looks, and releases it on /admin.
	cookie := adminSession(t, th.url)
	if a := do(t, "GET", th.url+"/admin?lang=en", "", "Cookie", cookie); !strings.Contains(string(a.body), "held: invalid-number") {
		t.Errorf("/admin does not show the hold")
	}
	resp := formPost(t, noRedirect(), th.url+"/admin/release", url.Values{"number": {dead}, "ui": {"en"}}, "Cookie", cookie)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("release: %d", resp.StatusCode)
	}
	hs, err := th.j.Numbers(t.Context(), th.c.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hs {
		if h.Number == dead && h.Held != "" {
			t.Errorf("after release the number is still held: %+v", h)
		}
	}
	waitFor(t, func() bool { return in.count(alert.NumberHeld, "resolved") == 1 }, "the number-held alert resolved")
	// The running dispatcher dials it again (it works now).
	th.sim.SetLine(dead, linesim.On)
	for i := range 6 {
		if a := th.act(t, fmt.Sprint("after-release-", i), fmt.Sprintf("Otra Persona %d", i)); a.status != http.StatusAccepted {
			t.Fatalf("act: %d %s", a.status, a.body)
		}
	}
	waitFor(t, func() bool { return th.sim.ReceivedOn(dead) > 0 }, "a fax on the released number")
}
