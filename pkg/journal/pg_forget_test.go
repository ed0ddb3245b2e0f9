package journal

import (
	"errors"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/testtool"
)

// Scrub, Forget, Confirm, Expire and Compact on a real PostgreSQL: the one
// SQL implementation must hold there too.
func TestPostgresForgetScrubConfirm(t *testing.T) {
	ctx := t.Context()
	j, err := OpenDSN(ctx, testtool.Postgres(t))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if _, _, err := j.Enqueue(ctx, secretSubs()); err != nil {
		t.Fatal(err)
	}
	finish(t, j, "key-ana", "key-bo")
	if s, err := j.Scrub(ctx, time.Now().Add(time.Minute)); err != nil || s.Submissions != 2 {
		t.Fatalf("Scrub: %d %v", s.Submissions, err)
	}
	if s, err := j.Forget(ctx, Person{Name: "CY QUEUED", City: "rome"}); err != nil || s.Submissions != 1 || len(s.Keys) != 1 {
		t.Fatalf("Forget: %+v %v", s, err)
	}
	if err := j.Compact(ctx); err != nil {
		t.Fatalf("Compact: %v", err)
	}
	ana, err := j.Submission(ctx, "c", "key-ana")
	if err != nil || ana.Email != "" || ana.Note != "" || ana.Name != "Ana Secreta" {
		t.Errorf("Ana: %+v %v", ana, err)
	}
	cy, err := j.Submission(ctx, "c", "key-cy")
	if err != nil || cy.Name != "" || cy.State != Failed {
		t.Errorf("Cy: %+v %v", cy, err)
	}
	_, u, _, err := j.Accept(ctx, Action{ID: "u1", Campaign: "c", KeyHash: "h1"},
		Submission{Campaign: "c", Key: "key-unconfirmed", Name: "U", City: "X", Country: "Y", Email: "u@example.org", State: Unconfirmed})
	if err != nil || u.State != Unconfirmed {
		t.Fatalf("Accept unconfirmed: %s %v", u.State, err)
	}
	if _, err := j.Confirm(ctx, u.ID, time.Now().Add(time.Minute)); !errors.Is(err, ErrExpired) {
		t.Errorf("late Confirm: %v", err)
	}
	if _, u, found, err := j.Accept(ctx, Action{ID: "u2", Campaign: "c", KeyHash: "h1"},
		Submission{Campaign: "c", Key: "key-unconfirmed", Name: "U", City: "X", Country: "Y", Email: "u@example.org", State: Unconfirmed}); err != nil || found != New || u.State != Unconfirmed {
		t.Fatalf("Accept after expiry: %v %s %v", found, u.State, err)
	}
	if st, err := j.Confirm(ctx, u.ID, time.Now().Add(-time.Hour)); err != nil || st != Queued {
		t.Errorf("Confirm: %s %v", st, err)
	}
	if n, err := j.Expire(ctx, time.Now().Add(time.Minute)); err != nil || n != 0 {
		t.Errorf("Expire with nothing unconfirmed: %d %v", n, err)
	}
}
