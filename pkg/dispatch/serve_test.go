package dispatch

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/dispatch/linesim"
	"github.com/faxjam/faxjam/pkg/journal"
	"github.com/faxjam/faxjam/pkg/letter"
)

// TestServePicksUpWorkEnqueuedWhileRunning: Serve does not end with an
// empty queue; what is enqueued later and notified is dispatched, each
// once, and cancelling ends it with the summary.
func TestServePicksUpWorkEnqueuedWhileRunning(t *testing.T) {
	h := newHarness(t, linesim.Config{}, numA, numB)
	e, err := New(h.config())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	notify := make(chan struct{}, 1)
	done := make(chan error, 1)
	go func() { _, err := e.Serve(ctx, notify); done <- err }()

	ss := signerList(30)
	for i, s := range ss {
		sub := journal.Submission{Campaign: h.c.ID, Key: letter.SignerKey(h.c.ID, s), Name: s.Name, City: s.City, Country: s.Country}
		if _, _, err := h.j.Enqueue(ctx, []journal.Submission{sub}); err != nil {
			t.Fatal(err)
		}
		select {
		case notify <- struct{}{}:
		default:
		}
		if i%10 == 9 {
			time.Sleep(20 * time.Millisecond) // the queue runs dry between bursts
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := h.j.Counts(ctx, h.c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if c[journal.Delivered] == len(ss) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("counts %v: not all %d delivered while serving", c, len(ss))
		}
		select {
		case err := <-done:
			t.Fatalf("Serve returned before it was cancelled: %v", err)
		case <-time.After(10 * time.Millisecond):
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != context.Canceled {
			t.Errorf("Serve: %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after cancel")
	}
	h.assertEachOnce(ss)
}

// TestServeRescanFindsWorkCommittedBehindTheFeed: another process may
// commit a submission whose queue place is behind what the feed has read
// (PostgreSQL, several hubs). With Rescan, Serve reads the queue again and
// sends it, once; without, it would wait for the next Serve.
func TestServeRescanFindsWorkCommittedBehindTheFeed(t *testing.T) {
	for _, rescan := range []time.Duration{0, 20 * time.Millisecond} {
		t.Run(fmt.Sprint("rescan ", rescan), func(t *testing.T) {
			h := newHarness(t, linesim.Config{}, numA)
			cfg := h.config()
			cfg.Rescan = rescan
			e, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			notify := make(chan struct{}, 1)
			done := make(chan error, 1)
			go func() { _, err := e.Serve(ctx, notify); done <- err }()
			ss := signerList(4)
			enqueue := func(s letter.Signer) journal.Submission {
				subs := []journal.Submission{{Campaign: h.c.ID, Key: letter.SignerKey(h.c.ID, s), Name: s.Name, City: s.City, Country: s.Country}}
				if _, _, err := h.j.Enqueue(ctx, subs); err != nil {
					t.Fatal(err)
				}
				return subs[0]
			}
			poke := func() {
				select {
				case notify <- struct{}{}:
				default:
				}
			}
			delivered := func(n int, within time.Duration) bool {
				for deadline := time.Now().Add(within); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
					c, err := h.j.Counts(ctx, h.c.ID)
					if err != nil {
						t.Fatal(err)
					}
					if c[journal.Delivered] == n {
						return true
					}
				}
				return false
			}
			for _, s := range ss[:3] {
				enqueue(s)
			}
			poke()
			if !delivered(3, 5*time.Second) {
				t.Fatal("the first three were not delivered")
			}
			// The fourth is committed with its queue place behind what the
			// feed has read, as another process's late commit is.
			late := enqueue(ss[3])
			db, err := sql.Open("sqlite", "file:"+h.j.Path()+"?_pragma=busy_timeout(10000)")
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Exec("UPDATE submissions SET seq = 1 WHERE id = ?", late.ID); err != nil {
				t.Fatal(err)
			}
			poke()
			if got := delivered(4, time.Second); got != (rescan > 0) {
				t.Errorf("with Rescan %s the late submission delivered: %v", rescan, got)
			}
			if rescan > 0 {
				h.assertEachOnce(ss)
			} else {
				h.assertEachOnce(ss[:3])
			}
			for k, n := range h.faxesPerSigner() {
				if n > 1 {
					t.Errorf("%s faxed %d times", k, n)
				}
			}
			cancel()
			<-done
		})
	}
}
