package hub_test

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/faxjam/faxjam/pkg/dispatch"
	"github.com/faxjam/faxjam/pkg/dispatch/linesim"
	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/hub"
	"github.com/faxjam/faxjam/pkg/hub/hubtest"
	"github.com/faxjam/faxjam/pkg/leader"
	"github.com/faxjam/faxjam/pkg/testtool"
)

// TestTwoHubsOneLeaderAndATakeover: two hubs share one journal and elect
// their dispatcher through PostgreSQL (package leader). Both accept; only
// the leader dials. The leader dies mid-run (stopped, its database session
// ended): the other takes over, and every action is faxed exactly once
// with never two calls at once on a line.
func TestTwoHubsOneLeaderAndATakeover(t *testing.T) {
	dsn := testtool.Postgres(t)
	c := testCampaign(t)
	sim := linesim.New(linesim.Config{Duration: 60 * time.Millisecond})
	key := leader.Key("faxjam hub " + c.ID)
	type proc struct {
		url  string
		h    *hub.Hub
		db   *sql.DB
		stop func()
	}
	var procs []*proc
	shared := hub.Config{Campaign: c, Gateway: sim, Driver: gateway.Driver{Scheme: linesim.Driver},
		Dispatch: dispatch.Config{Poll: 2 * time.Millisecond, Backoff: dispatch.Backoff{Base: time.Millisecond, Max: 5 * time.Millisecond, Retries: 30}}}
	hubtest.Fill(t, &shared) // one journal and store for both: one database
	for range 2 {
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		cfg := shared
		cfg.Lead = func(ctx context.Context) (<-chan struct{}, func(), error) {
			l, err := leader.Acquire(ctx, db, key, 100*time.Millisecond)
			if err != nil {
				return nil, nil, err
			}
			return l.Lost(), l.Release, nil
		}
		ht := hubtest.Start(t, cfg)
		procs = append(procs, &proc{url: ht.URL, h: ht.Hub, db: db, stop: ht.Stop})
	}
	j := shared.Journal
	// Wait for a leader.
	var lead, standby *proc
	for deadline := time.Now().Add(10 * time.Second); lead == nil; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no hub leads")
		}
		for i, p := range procs {
			if p.h.Leader() {
				lead, standby = p, procs[1-i]
			}
		}
	}
	const n = 90
	ids := make([][2]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			th := &testHub{url: procs[i%2].url, c: c} // both hubs accept
			a := th.act(t, fmt.Sprintf("lead-%d", i), fmt.Sprintf("Leader Person %d", i))
			if a.status != 202 {
				t.Errorf("%d %s", a.status, a.body)
				return
			}
			m := a.json(t)
			ids[i] = [2]string{m["id"].(string), m["receipt"].(string)}
		})
	}
	wg.Wait()
	if standby.h.Leader() {
		t.Fatal("two leaders")
	}
	for len(sim.Received()) < n/3 {
		time.Sleep(time.Millisecond)
	}
	if !lead.h.Leader() {
		t.Fatal("the leader gave up its lease before its session ended")
	}
	// The leader dies: the database ends its session (as the kernel closes
	// a killed process's socket) and its process stops.
	if _, err := standby.db.Exec(`SELECT pg_terminate_backend(pid) FROM pg_locks
		WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()`); err != nil {
		t.Fatal(err)
	}
	lost := time.Now()
	go lead.stop()
	for lead.h.Leader() {
		if time.Since(lost) > 10*time.Second {
			t.Fatal("the leader did not step down")
		}
		time.Sleep(time.Millisecond)
	}
	t.Logf("the leader stepped down %s after its session ended", time.Since(lost).Round(time.Millisecond))
	for !standby.h.Leader() {
		if time.Since(lost) > 10*time.Second {
			t.Fatal("the standby did not take over")
		}
		time.Sleep(5 * time.Millisecond)
	}
	at := len(sim.Received())
	t.Logf("takeover %s after the leader's session ended, at %d faxes", time.Since(lost).Round(time.Millisecond), at)
	for len(sim.Received()) == at && time.Since(lost) < 10*time.Second {
		time.Sleep(time.Millisecond)
	}
	t.Logf("first fax from the new leader %s after the old one's session ended", time.Since(lost).Round(time.Millisecond))
	th := &testHub{url: standby.url, c: c}
	for _, id := range ids {
		if m := th.waitFinal(t, id[0], id[1]); m["state"] != "delivered" {
			t.Errorf("%s: %v", id[0], m)
		}
	}
	for k, got := range sim.Received() {
		if got != 1 {
			t.Errorf("fax %s arrived %d times", k, got)
		}
	}
	if len(sim.Received()) != n {
		t.Errorf("%d faxes, want %d", len(sim.Received()), n)
	}
	busy := 0
	for row, err := range j.Actions(context.Background(), c.ID) {
		if err != nil {
			t.Fatal(err)
		}
		as, err := j.Attempts(context.Background(), row.Submission.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range as {
			if a.Reason == string(gateway.ReasonBusy) {
				busy++
			}
		}
	}
	if busy > 0 {
		t.Errorf("%d calls met a busy line: two calls at once on a line", busy)
	}
}
