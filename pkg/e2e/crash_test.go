package e2e

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/dispatch/linesim"
	"github.com/faxjam/faxjam/pkg/journal"
)

// The crash-safety requirement, through the real binary: a bulk
// send killed with SIGKILL at random instants and run again each time
// reaches every signer exactly once — by fax, or on the petition once every
// line is switched off halfway — and its journal agrees.
func TestSendKilledAtRandomInstantsReachesEverySignerOnce(t *testing.T) {
	t.Parallel()
	const signers, kills = 500, 20
	sd := seed(t)
	rng := rand.New(rand.NewPCG(sd, sd^0x5eed))
	w := newWorkspace(t)
	camp, c := w.writeCampaign(map[string]any{"quiet_hours": nil, "per_number_per_hour": 100000})
	list := people(signers)
	want := keys(c.ID, list)
	w.writeSigners("signers.csv", list)

	// The relay takes 5 ms before and 5 ms after taking each fax, so kills
	// land inside sends too: before the gateway has the fax, and after it
	// took it but before faxjam heard so.
	r := startRelay(t, linesim.Config{Duration: 30 * time.Millisecond, Seed: sd}, 10*time.Millisecond)
	p := startPetition(t, c, w.path("petition.db"))
	args := []string{"--campaign", camp, "send", "--signers", "signers.csv",
		"--gateway", r.url, "--petition", p.url, "--journal", "journal.db",
		"--yes", "--json", "--poll", "20ms"}

	// Kill instants: while the lines are on, uniform over a run's first
	// 50–400 ms (a run needs ~50 ms to start and queue 500 signers). Then
	// every line goes dead and the rest go to the petition, which takes
	// well under a second, so those kills land on progress instead: right
	// after the n-th name a run put on the petition, n uniform in 1–10.
	// (A killed run may leave many more names on the server than in its
	// journal: the next run posts them again, as duplicates.)
	start := time.Now()
	landed, off := 0, false
	for run := 1; landed < kills; run++ {
		k := kill{after: uniform(rng, 50*time.Millisecond, 400*time.Millisecond)}
		if landed == kills*3/5 && !off {
			for _, f := range c.Target.Fax {
				r.sim.SetLine(f.Number, linesim.NotAFax)
			}
			off = true
			t.Logf("run %d: every line switched off after %d faxes", run, len(r.sim.Received()))
		}
		if off {
			n, seen := 1+rng.IntN(10), 0
			k = kill{on: func(line string) bool {
				if strings.Contains(line, `"type":"petitioned"`) {
					seen++
				}
				return seen == n
			}}
		}
		res := w.runKilled(time.Minute, k, args...)
		evs := events(t, res.stdout, !res.killed)
		switch {
		case res.killed:
			landed++
		case res.code == 0 && off:
			// Nothing was left to interrupt; the final run below checks it.
			t.Logf("run %d finished before its kill: the work was done", run)
		default:
			t.Fatalf("run %d ended before its kill: %v", run, res)
		}
		if !res.killed {
			break
		}
		t.Logf("run %d: killed after %s, %d events; lines received %d faxes, petition %d",
			run, res.took.Round(time.Millisecond), len(evs), len(r.sim.Received()), len(p.signatures(t, c.ID)))
	}

	final := w.run(time.Minute, args...)
	if final.code != 0 {
		t.Fatalf("the final run: %v", final)
	}
	evs := events(t, final.stdout, true)
	if last := evs[len(evs)-1]; last.Type != "summary" || last.Summary == nil {
		t.Errorf("the final run's last event is %+v, want the summary", last)
	}
	faxed, petitioned := checkOnce(t, w, camp, c, want, r, p, w.path("journal.db"))
	// Where the kills landed, as far as the records tell: intents whose fax
	// the gateway never got, and names posted again after a run died
	// between the server's answer and the journal.
	_, attempts := journalStates(t, w.path("journal.db"), c.ID)
	byState := map[journal.AttemptState]int{}
	for _, as := range attempts {
		for _, a := range as {
			byState[a.State]++
		}
	}
	reposted := 0
	for _, n := range p.postsByKey() {
		if n > 1 {
			reposted++
		}
	}
	t.Logf("attempts by state %v; %d names posted to the petition more than once (one signature each)", byState, reposted)
	t.Logf("%d kills; %d faxed, %d petitioned; %s in all", landed, faxed, petitioned, time.Since(start).Round(time.Millisecond))
	if landed <= kills*3/5 {
		t.Errorf("%d kills landed, none after the lines went dead", landed)
	}
	if faxed == 0 || petitioned == 0 {
		t.Errorf("%d faxed and %d petitioned: the test is meant to cover both", faxed, petitioned)
	}
}
