package e2e

import (
	"crypto/rand"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/dispatch/linesim"
)

// A hub that drains a queue of 30 in seconds says the pace it went at,
// not the last hour's count: status --hub's figures are the lines model's
// (pkg/lines), the same formulas as a local run's. Before, the view read
// "30/h" (the last hour's deliveries taken as a rate) for a queue that
// went at thousands an hour.
func TestHubThroughputIsThePaceNotTheLastHoursCount(t *testing.T) {
	const n, d = 30, 50 * time.Millisecond
	w := newWorkspace(t)
	camp, c := w.writeCampaign(map[string]any{"quiet_hours": nil, "per_number_per_hour": nil})
	r := startRelay(t, linesim.Config{Duration: d}, 0)
	h := w.startHub("127.0.0.1:0", "--campaign", camp, "--gateway", r.url, "--db", w.path("hub.db"))
	var acts []acted
	for _, s := range people(n) {
		a, _, err := postAction(t.Context(), h.url, c.ID, rand.Text(), s)
		if err != nil {
			t.Fatal(err)
		}
		acts = append(acts, a)
	}
	waitAllFinal(t, h.url, acts)
	res := w.run(time.Minute, "status", "--hub", h.url, "--json")
	var out struct {
		Lines struct {
			PerHour      float64 `json:"per_hour"`
			IdealPerHour float64 `json:"ideal_per_hour"`
			Delivered    int     `json:"delivered"`
			Rehearsal    bool    `json:"rehearsal"`
			Lines        []struct {
				State         string  `json:"state"`
				SecondsPerFax float64 `json:"seconds_per_fax"`
			} `json:"lines"`
		} `json:"lines"`
	}
	if err := json.Unmarshal([]byte(strings.TrimSpace(res.stdout)), &out); err != nil {
		t.Fatalf("%v: %v\n%s", res, err, res.stdout)
	}
	l := out.Lines
	// 30 faxes of 50 ms on 3 lines took well under a minute: hundreds an
	// hour at least, never the 30 of the last hour.
	if l.Delivered != n || l.PerHour < 1000 {
		t.Errorf("per_hour = %.0f for %d faxes delivered in seconds, want the pace (> 1000/h)", l.PerHour, l.Delivered)
	}
	if l.IdealPerHour <= l.PerHour/2 || l.Rehearsal {
		t.Errorf("ideal %.0f/h against %.0f/h (rehearsal %v): want the measured lines' capacity", l.IdealPerHour, l.PerHour, l.Rehearsal)
	}
	for _, ln := range l.Lines {
		if ln.State != "up" || ln.SecondsPerFax <= 0 || ln.SecondsPerFax > 5 {
			t.Errorf("line %+v: want up with its measured line time", ln)
		}
	}
}
