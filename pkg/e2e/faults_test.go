package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/dispatch/linesim"
)

// A gateway that fails 30% of calls — 429 with Retry-After, 500, resets,
// connections dropped after the fax was taken — and status polls that fail
// as often: the binary still gets every signer through exactly once. (The
// engine's backoff starts at 1 s and a 429's Retry-After is whole seconds,
// so each fault costs a line about a second: 100 signers take ~15 s.)
func TestSendThroughAFaultyGatewayReachesEverySignerOnce(t *testing.T) {
	t.Parallel()
	const signers = 100
	sd := seed(t)
	w := newWorkspace(t)
	camp, c := w.writeCampaign(map[string]any{"quiet_hours": nil, "per_number_per_hour": 100000})
	list := people(signers)
	want := keys(c.ID, list)
	w.writeSigners("signers.csv", list)

	r := startRelay(t, linesim.Config{Duration: 30 * time.Millisecond, Seed: sd,
		Faults: linesim.Faults{Rate: 0.3, RetryAfter: 10 * time.Millisecond}}, 0)
	p := startPetition(t, c, w.path("petition.db"))
	args := []string{"--campaign", camp, "send", "--signers", "signers.csv",
		"--gateway", r.url, "--petition", p.url, "--journal", "journal.db",
		"--yes", "--json", "--poll", "20ms"}

	// A status poll that fails is asked again later, however long the
	// streak: one run gets everyone through.
	start := time.Now()
	res := w.run(2*time.Minute, args...)
	if res.code != 0 {
		t.Fatalf("send through a faulty gateway: %v", res)
	}
	evs := events(t, res.stdout, true)
	retries, polls, failures := 0, 0, 0
	for _, ev := range evs {
		switch ev.Type {
		case "retry":
			retries++
			if strings.HasPrefix(ev.Message, "status of fax") {
				polls++
			}
		case "failed":
			failures++
		}
	}
	sends, faults := r.sim.Sends()
	faxed, petitioned := checkOnce(t, w, camp, c, want, r, p, w.path("journal.db"))
	t.Logf("%d faxed, %d petitioned in %s; %d sends, %d faults injected, %d retry events (%d of them status polls) and %d failed events",
		faxed, petitioned, time.Since(start).Round(time.Millisecond), sends, faults, retries, polls, failures)
	if faults < signers/5 {
		t.Errorf("only %d faults injected over %d sends: the test did not test much", faults, sends)
	}
	if retries == 0 || polls == 0 {
		t.Errorf("%d retry events, %d of them status polls, although %d faults were injected in sends and polls", retries, polls, faults)
	}
}
