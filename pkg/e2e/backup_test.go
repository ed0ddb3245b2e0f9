package e2e

import (
	"crypto/rand"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/dispatch/linesim"
)

// A hub is backed up while people act and faxes go out, then stopped and
// put back from that backup and started again: the restored hub finishes
// the work its journal holds, and nobody is faxed twice (the relay's own
// record), although the backup did not know of faxes sent after it.
func TestHubBackupUnderLoadRestoredFaxesNobodyTwice(t *testing.T) {
	const n = 60
	w := newWorkspace(t)
	camp, c := w.writeCampaign(map[string]any{"quiet_hours": nil, "per_number_per_hour": nil})
	// Faxes slower than the actions come: the backup holds work still
	// queued, which the restored hub must finish without faxing anyone again.
	r := startRelay(t, linesim.Config{Duration: 150 * time.Millisecond}, 0)
	db := w.path("hub.db")
	h := w.startHub("127.0.0.1:0", "--campaign", camp, "--gateway", r.url, "--db", db)

	list := people(n)
	var mu sync.Mutex
	var acts []acted
	posted := make(chan int, n)
	go func() {
		for i, s := range list {
			a, _, err := postAction(t.Context(), h.url, c.ID, rand.Text(), s)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			acts = append(acts, a)
			mu.Unlock()
			posted <- i
			time.Sleep(5 * time.Millisecond)
		}
		close(posted)
	}()
	for i := range posted {
		if i == n/2 {
			// Half way, with faxes going out: the backup.
			res := w.run(time.Minute, "hub", "backup", "--db", db, "-o", w.path("copy.db"))
			if res.code != 0 {
				t.Fatalf("hub backup under load: %v", res)
			}
		}
	}
	waitAllFinal(t, h.url, acts)
	// Restore refuses while the hub runs, and over a journal without --force.
	if res := w.run(time.Minute, "hub", "restore", w.path("copy.db"), "--db", db, "--force"); res.code == 0 || !strings.Contains(res.stderr, "stop the hub") {
		t.Fatalf("restore while the hub runs: %v", res)
	}
	h.stop(t)
	if res := w.run(time.Minute, "hub", "restore", w.path("copy.db"), "--db", db); res.code != 2 || !strings.Contains(res.stderr, "--force") {
		t.Fatalf("restore over a journal without --force: %v", res)
	}
	if res := w.run(time.Minute, "hub", "restore", w.path("copy.db"), "--db", db, "--force"); res.code != 0 {
		t.Fatalf("restore: %v", res)
	}
	if _, err := os.Stat(db + ".before-restore"); err != nil {
		t.Errorf("the replaced journal was not kept: %v", err)
	}
	st := w.run(time.Minute, "status", "--journal", db, "--json", "--campaign", camp)
	if !strings.Contains(st.stdout, `"queued":`) {
		t.Fatalf("the backup holds no queued work to finish, so the test proves nothing:\n%s", st.stdout)
	}
	before := len(r.sim.Received())
	h2 := w.startHub("127.0.0.1:0", "--campaign", camp, "--gateway", r.url, "--db", db)
	// The restored journal's work comes to an end: nothing queued, nothing
	// on a line.
	deadline := time.Now().Add(time.Minute)
	for {
		res := w.run(time.Minute, "status", "--hub", h2.url, "--json", "--campaign", camp)
		if strings.Contains(res.stdout, `"queue":0,"sending":0`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the restored hub did not finish its queue:\n%s", res.stdout)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// The restored hub asked the relay before each signer's first fax
	// (the journal says so after a restore), so it posted none again.
	if rep := r.h.Repeats(); len(rep) > 0 {
		t.Errorf("the restored hub posted %d faxes the relay already had: %v", len(rep), rep)
	}
	for signer, k := range r.faxesBySigner() {
		if k != 1 {
			t.Errorf("signer %s faxed %d times", signer, k)
		}
	}
	if got := len(r.faxesBySigner()); got != n || len(r.sim.Received()) != before {
		t.Errorf("%d signers faxed (want %d); the restored hub sent %d new faxes (want 0)", got, n, len(r.sim.Received())-before)
	}
}

// waitAllFinal waits until every action is delivered.
func waitAllFinal(t *testing.T, base string, acts []acted) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for _, a := range acts {
		for {
			st, err := actionState(base, a)
			if err != nil {
				t.Fatal(err)
			}
			if st == "delivered" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("action %s still %q", a.id, st)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}
