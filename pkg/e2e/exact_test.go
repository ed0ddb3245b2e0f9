package e2e

import (
	"database/sql"
	"encoding/json"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/dispatch/linesim"
	"github.com/faxjam/faxjam/pkg/journal"
)

// The run that broke "nobody is faxed twice": a slow relay (0–0.6 s before
// it records a fax, and it finishes a POST whose client was killed), 10% of
// POSTs answered 500 before taking the fax and 5% after, faxjam SIGKILLed at
// random instants and started again at once. Interrupted attempts are found
// not yet at the relay when the next run looks: they are sent again with the
// same key to the same number (the relay dedupes by key), never as a new
// attempt. From the relay's own record every signer is faxed exactly once,
// and the journal and `status --export` agree with it fax for fax.
func TestKilledAndRestartedAtOnceThroughASlowFlakyRelayFaxesEachSignerOnce(t *testing.T) {
	t.Parallel()
	const signers, kills = 300, 10
	sd := seed(t)
	rng := rand.New(rand.NewPCG(sd, sd^0xe4ac7))
	w := newWorkspace(t)
	camp, c := w.writeCampaign(map[string]any{"quiet_hours": nil, "per_number_per_hour": 100000})
	list := people(signers)
	want := keys(c.ID, list)
	w.writeSigners("signers.csv", list)

	sim := linesim.New(linesim.Config{Duration: 30 * time.Millisecond, Seed: sd})
	h := linesim.Handler(sim)
	h.Flaky(sd, 600*time.Millisecond, 0.10, 0.05)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	r := &relay{sim: sim, h: h, url: "webhook+" + srv.URL + "/fax", resends: true}
	p := startPetition(t, c, w.path("petition.db"))
	args := []string{"--campaign", camp, "send", "--signers", "signers.csv",
		"--gateway", r.url, "--petition", p.url, "--journal", "journal.db",
		"--yes", "--json", "--poll", "20ms"}

	start := time.Now()
	resent := killAtRandom(t, w, rng, kills, sim, func(ev event) bool {
		return ev.Type == "retry" && strings.Contains(ev.Message, "same key")
	}, args...)
	faxed, _ := checkOnce(t, w, camp, c, want, r, p, w.path("journal.db"))
	checkReceipts(t, w, camp, r, w.path("journal.db"))
	before, after := h.Failed()
	received := 0
	for _, n := range sim.Received() {
		received += n
	}
	t.Logf("%d signers, %d kills: the relay received %d faxes (%d signers faxed once); %d POSTs failed before taking, %d after; %d interrupted attempts resent with the same key, %d keys posted again; %s in all",
		signers, kills, received, faxed, before, after, resent, len(h.Repeats()), time.Since(start).Round(time.Millisecond))
	if received != signers {
		t.Errorf("the relay received %d faxes for %d signers", received, signers)
	}
	if before == 0 || after == 0 {
		t.Errorf("%d failures before and %d after taking: the test did not test them", before, after)
	}
}

// killAtRandom runs faxjam with args kills times, each SIGKILLed at a
// random instant 0.3–3 s after its start and started again at once, then
// once more to its end, which must succeed. It returns how many events of
// the killed runs count.
func killAtRandom(t *testing.T, w *workspace, rng *rand.Rand, kills int, sim *linesim.Sim, count func(event) bool, args ...string) int {
	t.Helper()
	counted := 0
	for run := 1; run <= kills; run++ {
		res := w.runKilled(2*time.Minute, kill{after: uniform(rng, 300*time.Millisecond, 3*time.Second)}, args...)
		if !res.killed {
			t.Fatalf("run %d ended before its kill: %v", run, res)
		}
		for _, ev := range events(t, res.stdout, false) {
			if count(ev) {
				counted++
			}
		}
		t.Logf("run %d: killed after %s; the network has received %d faxes", run, res.took.Round(time.Millisecond), len(sim.Received()))
	}
	if final := w.run(5*time.Minute, args...); final.code != 0 {
		t.Fatalf("the final run: %v", final)
	}
	return counted
}

// checkReceipts holds `faxjam status --export json` and the journal's
// attempts against the relay's own record: every fax the lines received is
// exported as delivered under the relay's id, nothing else is, and no
// attempt whose fax arrived is recorded not-sent.
func checkReceipts(t *testing.T, w *workspace, campaignFile string, r *relay, journalPath string) {
	t.Helper()
	res := w.run(time.Minute, "--campaign", campaignFile, "status", "--export", "json", "--journal", journalPath)
	if res.code != 0 {
		t.Fatalf("status --export json: %v", res)
	}
	var exported []string
	for _, l := range strings.Split(strings.TrimSpace(res.stdout), "\n") {
		var rc journal.Receipt
		if err := json.Unmarshal([]byte(l), &rc); err != nil {
			t.Fatalf("status --export json line %q: %v", l, err)
		}
		if rc.State == journal.AttemptDelivered {
			exported = append(exported, rc.VendorID)
		}
	}
	var placed []string
	delivered := r.sim.Delivered()
	for _, ids := range delivered {
		placed = append(placed, ids...)
	}
	slices.Sort(exported)
	slices.Sort(placed)
	if !slices.Equal(exported, placed) {
		t.Errorf("status --export has %d delivered faxes, the relay %d; they differ (exported %v…, relay %v…)",
			len(exported), len(placed), exported[:min(5, len(exported))], placed[:min(5, len(placed))])
	}
	_, attempts := journalStates(t, journalPath, "")
	for k, as := range attempts {
		for _, a := range as {
			if a.State == journal.AttemptNotSent && len(delivered[a.Key]) > 0 {
				t.Errorf("%s: attempt %d (key %s) is recorded not-sent, and the relay received it", k, a.N, a.Key)
			}
		}
	}
}

// A journal that is not what it was — truncated to 0 bytes, with a page
// zeroed, or another campaign's — is refused by send, which sends nothing;
// a journal lost outright is replaced by a new one, which looks every
// signer's first attempt up at the relay before faxing and so faxes none
// of them again.
func TestSendRefusesAJournalThatIsNotWhatItWasAndInsuresALostOne(t *testing.T) {
	t.Parallel()
	const signers = 8
	w := newWorkspace(t)
	camp, c := w.writeCampaign(map[string]any{"quiet_hours": nil, "per_number_per_hour": 100000})
	list := people(signers)
	w.writeSigners("signers.csv", list)
	r := startRelay(t, linesim.Config{Duration: 5 * time.Millisecond}, 0)
	send := func(journalFile string) result {
		return w.run(time.Minute, "--campaign", camp, "send", "--signers", "signers.csv", "--gateway", r.url,
			"--journal", journalFile, "--yes", "--json", "--poll", "10ms")
	}
	if res := send("journal.db"); res.code != 0 {
		t.Fatalf("first run: %v", res)
	}
	faxes := func() int {
		n := 0
		for _, k := range r.sim.Received() {
			n += k
		}
		return n
	}
	if faxes() != signers {
		t.Fatalf("the first run faxed %d, want %d", faxes(), signers)
	}
	orig, err := os.ReadFile(w.path("journal.db"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, file, want string
		spoil            func(path string)
	}{
		{"truncated", "truncated.db", "is empty (0 bytes)", func(p string) { os.Truncate(p, 0) }},
		{"zeroed page", "zeroed.db", "is damaged", func(p string) {
			f, err := os.OpenFile(p, os.O_RDWR, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if _, err := f.WriteAt(make([]byte, 4096), 4096); err != nil { // page 2 (4 KiB pages)
				t.Fatal(err)
			}
		}},
		{"another campaign's", "other.db", "is the journal of campaign other-campaign-2020, not of " + c.ID, func(p string) {
			db, err := sql.Open("sqlite", p)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Exec("UPDATE campaigns SET campaign = 'other-campaign-2020'; UPDATE submissions SET campaign = 'other-campaign-2020'"); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tc := range cases {
		p := w.path(tc.file)
		if err := os.WriteFile(p, orig, 0o600); err != nil {
			t.Fatal(err)
		}
		tc.spoil(p)
		res := send(tc.file)
		// Under --json the error is the last line of stdout.
		if res.code != 1 || !strings.Contains(res.stdout, `"type":"error"`) || !strings.Contains(res.stdout, tc.want) {
			t.Errorf("send with a %s journal: exit %d, want 1 and %q:\n%s", tc.name, res.code, tc.want, res.stdout)
		}
		if faxes() != signers {
			t.Errorf("send with a %s journal faxed %d more", tc.name, faxes()-signers)
		}
	}

	// Lost outright: a new journal, the same list.
	res := send("new.db")
	if res.code != 0 {
		t.Fatalf("send with a new journal: %v", res)
	}
	found := 0
	for _, ev := range events(t, res.stdout, true) {
		if ev.Type == "submitted" && strings.Contains(ev.Message, "already had") {
			found++
		}
	}
	if faxes() != signers || found != signers {
		t.Errorf("with a new journal: %d faxes more, %d of %d signers found at the relay first", faxes()-signers, found, signers)
	}
	states, _ := journalStates(t, w.path("new.db"), c.ID)
	for k, st := range states {
		if st != journal.Delivered {
			t.Errorf("%s: the new journal says %s, the relay delivered it", k, st)
		}
	}
}
