package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/dispatch/linesim"
	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/journal"
	"github.com/faxjam/faxjam/pkg/testtool"
)

// dispatching asks a hub whether it is the process dialling; false while
// it does not answer.
func dispatching(base, campaignID string) bool {
	resp, err := http.Get(base + "/v1/campaigns/" + campaignID + "/lines")
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	var v struct{ Dispatching bool }
	return json.NewDecoder(resp.Body).Decode(&v) == nil && v.Dispatching
}

// TestTwoHubsOnPostgresLeaderKilledMidRun: two `faxjam serve` processes on
// one PostgreSQL database serve one campaign. Both accept; exactly one
// dials. The leader is killed with SIGKILL mid-run: the other takes over,
// every action is faxed exactly once (the relay's own record), and no call
// ever met a busy line (never two calls at once on a number).
func TestTwoHubsOnPostgresLeaderKilledMidRun(t *testing.T) {
	const n = 120
	dsn := testtool.Postgres(t)
	w := newWorkspace(t)
	camp, c := w.writeCampaign(map[string]any{"quiet_hours": nil, "per_number_per_hour": nil})
	r := startRelay(t, linesim.Config{Duration: 50 * time.Millisecond}, 5*time.Millisecond)
	args := []string{"--campaign", camp, "--gateway", r.url, "--db", dsn}
	hubs := []*hubProc{w.startHub("127.0.0.1:0", args...), w.startHub("127.0.0.1:0", args...)}
	var lead, standby *hubProc
	for deadline := time.Now().Add(20 * time.Second); lead == nil; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no hub dispatches")
		}
		for i, h := range hubs {
			if dispatching(h.url, c.ID) {
				lead, standby = h, hubs[1-i]
			}
		}
	}
	list := people(n)
	res := make([]acted, n)
	var wg sync.WaitGroup
	for i, s := range list {
		wg.Go(func() {
			a, code, err := postAction(t.Context(), hubs[i%2].url, c.ID, fmt.Sprintf("pg-%d", i), s)
			if err != nil || code != 202 {
				t.Errorf("POST %d: %d %v", i, code, err)
			}
			res[i] = a
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	if dispatching(standby.url, c.ID) {
		t.Fatal("both hubs dispatch")
	}
	for len(r.sim.Received()) < n/3 {
		time.Sleep(time.Millisecond)
	}
	at := len(r.sim.Received())
	lead.kill9()
	killed := time.Now()
	for len(r.sim.Received()) == at && time.Since(killed) < 30*time.Second {
		time.Sleep(time.Millisecond)
	}
	t.Logf("leader killed at %d faxes; the first fax from the new leader %s later", at, time.Since(killed).Round(time.Millisecond))
	states := waitFinal(t, standby.url, res, 2*time.Minute)
	faxes := r.faxesBySigner()
	for _, a := range res {
		if states[a.key] != "delivered" || faxes[a.key] != 1 {
			t.Errorf("signer %s: %s, faxed %d times; want delivered once", a.key, states[a.key], faxes[a.key])
		}
	}
	if len(faxes) != n {
		t.Errorf("%d signers faxed, want %d", len(faxes), n)
	}
	standby.stop(t)
	j, err := journal.OpenPostgres(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	for row, err := range j.Actions(t.Context(), c.ID) {
		if err != nil {
			t.Fatal(err)
		}
		as, err := j.Attempts(t.Context(), row.Submission.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range as {
			if a.Reason == string(gateway.ReasonBusy) {
				t.Errorf("signer %s met a busy line on %s: two calls at once", row.Submission.Key, a.Number)
			}
		}
	}
}
