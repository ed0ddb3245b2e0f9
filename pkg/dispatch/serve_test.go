package dispatch

import (
	"context"
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
