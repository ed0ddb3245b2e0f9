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

	// The engine stops a run when one fax's status fails 9 times in a row
	// (0.3^9 per poll: about one run in a hundred here) and says so; the
	// organizer's answer is to run it again, and so is the test's.
	var res result
	start := time.Now()
	for try := 1; ; try++ {
		res = w.run(2*time.Minute, args...)
		if res.code == 0 {
			break
		}
		if try == 3 || res.code != 1 || !strings.Contains(res.stderr, "keeps failing") {
			t.Fatalf("run %d: %v", try, res)
		}
		t.Logf("run %d stopped as designed on a run of gateway faults, run again: %s", try, tail(res.stderr, 1))
	}
	evs := events(t, res.stdout, true)
	retries, failures := 0, 0
	for _, ev := range evs {
		switch ev.Type {
		case "retry":
			retries++
		case "failed":
			failures++
		}
	}
	sends, faults := r.sim.Sends()
	faxed, petitioned := checkOnce(t, w, camp, c, want, r, p, w.path("journal.db"))
	t.Logf("%d faxed, %d petitioned in %s; %d sends, %d faults injected, %d retry and %d failed events",
		faxed, petitioned, time.Since(start).Round(time.Millisecond), sends, faults, retries, failures)
	if faults < signers/5 {
		t.Errorf("only %d faults injected over %d sends: the test did not test much", faults, sends)
	}
	if retries == 0 {
		t.Errorf("no retry event although %d faults were injected", faults)
	}
}
