package leader_test

import (
	"context"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/leader"
	"github.com/faxjam/faxjam/pkg/testtool"
)

// TestElectionLeadsOneHubPerNameAndHandsOver: two hub processes of one
// campaign on a database: one leads, the other waits until it releases;
// another campaign's hub leads at once beside them.
func TestElectionLeadsOneHubPerNameAndHandsOver(t *testing.T) {
	dsn := testtool.Postgres(t)
	ctx := context.Background()
	elect := func(name string) *leader.Election {
		e, err := leader.Elect(dsn, name)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { e.Close() })
		return e
	}
	a, b, other := elect("faxjam hub one"), elect("faxjam hub one"), elect("faxjam hub two")
	_, release, err := a.Lead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, rel, err := other.Lead(ctx); err != nil {
		t.Fatalf("another campaign's hub: %v", err)
	} else {
		defer rel()
	}
	waiting, cancel := context.WithTimeout(ctx, 3*leader.DefaultInterval)
	defer cancel()
	if _, rel, err := b.Lead(waiting); err == nil {
		rel()
		t.Fatal("a second hub of the same campaign leads beside the first")
	}
	release()
	got := make(chan error, 1)
	go func() {
		_, rel, err := b.Lead(ctx)
		if err == nil {
			rel()
		}
		got <- err
	}()
	select {
	case err := <-got:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the second hub did not take over once the first released")
	}
}
