package hub_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/gateway/all"
	"github.com/faxjam/faxjam/pkg/hub"
)

// A hub through the outbox is a rehearsal, and says so: the lines view
// flags it and shows no quiet hours while faxes are written (the outbox
// writes through them), no "ideal" from file writes, and every page and
// receipt says nothing was faxed.
func TestOutboxHubIsLabelledARehearsalAndItsLinesAreNotQuiet(t *testing.T) {
	// 03:00 UTC is 21:00 in Guatemala: the bundled campaign's quiet hours.
	night := time.Date(2026, 1, 15, 3, 0, 0, 0, time.UTC)
	origin := time.Now()
	th := start(t, nil, func(c *hub.Config) {
		c.Campaign.Limits.QuietHours = "20:00-08:00"
		gw, d, err := all.Registry().Open("outbox://"+t.TempDir(), gateway.Env{})
		if err != nil {
			t.Fatal(err)
		}
		c.Gateway, c.Driver = gw, d
		c.Now = func() time.Time { return night.Add(time.Since(origin)) }
	})
	a := th.act(t, "rehearsal-key-0123456789abcdef", "Ana Ensayo")
	if a.status != http.StatusAccepted {
		t.Fatalf("act: %d %s", a.status, a.body)
	}
	m := a.json(t)
	th.waitFinal(t, m["id"].(string), m["receipt"].(string))

	var lv hub.Lines
	if err := json.Unmarshal(do(t, "GET", th.url+"/v1/campaigns/"+th.c.ID+"/lines", "").body, &lv); err != nil {
		t.Fatal(err)
	}
	if !lv.Rehearsal {
		t.Error("the lines view of an outbox hub does not say rehearsal")
	}
	for _, l := range lv.Lines {
		if l.State == "quiet" {
			t.Errorf("line %s reads quiet while the outbox writes", l.Label)
		}
	}
	if lv.IdealPerHour != 0 {
		t.Errorf("ideal per hour %v from an outbox's file writes, want none", lv.IdealPerHour)
	}

	home := do(t, "GET", th.url+"/?lang=en", "")
	if !strings.Contains(string(home.body), `id="rehearsal"`) || !strings.Contains(string(home.body), "not faxed to the target") ||
		!strings.Contains(string(home.body), "Letters written today (rehearsal, not faxed): 1.") {
		t.Error("the signing page of an outbox hub has no rehearsal banner")
	}
	receipt := do(t, "GET", th.url+"/r/"+url.PathEscape(m["id"].(string))+"?t="+url.QueryEscape(m["receipt"].(string))+"&lang=en", "")
	body := string(receipt.body)
	if !strings.Contains(body, "Written (rehearsal)") || strings.Contains(body, ">Delivered<") {
		t.Errorf("the receipt of a rehearsal does not say written (rehearsal):\n%s", body)
	}
}
