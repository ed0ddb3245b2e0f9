package journal

import (
	"errors"
	"testing"
	"time"
)

func TestConfirmAndExpire(t *testing.T) {
	j := open(t)
	ctx := t.Context()
	accept := func(id, key, email string) Submission {
		t.Helper()
		_, s, found, err := j.Accept(ctx, Action{ID: id, Campaign: "c", KeyHash: "h-" + id},
			Submission{Campaign: "c", Key: key, Name: "N " + id, City: "Xela", Country: "GT", Email: email, State: Unconfirmed})
		if err != nil || found != New || s.State != Unconfirmed {
			t.Fatalf("Accept %s: %v %v %s", id, err, found, s.State)
		}
		return s
	}
	a := accept("a", "key-a", "same@example.org")
	b := accept("b", "key-b", "SAME@example.org")
	c := accept("c", "key-c", "c@example.org")
	// Unconfirmed is not queued: the dispatcher does not see it.
	if q, err := j.Queued(ctx, "c", 0, 10); err != nil || len(q) != 0 {
		t.Fatalf("queued before confirmation: %v %v", q, err)
	}
	if Unconfirmed.Terminal() || !Expired.Terminal() {
		t.Error("unconfirmed must not be terminal, expired must")
	}
	long := time.Now().Add(-time.Hour)
	if st, err := j.Confirm(ctx, a.ID, long); err != nil || st != Queued {
		t.Fatalf("Confirm a: %s %v", st, err)
	}
	if st, err := j.Confirm(ctx, a.ID, long); err != nil || st != Queued {
		t.Errorf("Confirm a again: %s %v", st, err)
	}
	if q, _ := j.Queued(ctx, "c", 0, 10); len(q) != 1 || q[0].ID != a.ID {
		t.Errorf("queued after confirmation: %v", q)
	}
	if _, err := j.Confirm(ctx, b.ID, long); !errors.Is(err, ErrAddressUsed) {
		t.Errorf("Confirm b with a's address: %v", err)
	}
	if _, err := j.Confirm(ctx, 999, long); !errors.Is(err, ErrNotFound) {
		t.Errorf("Confirm of nothing: %v", err)
	}
	// Too late: expired, and its details gone.
	if st, err := j.Confirm(ctx, c.ID, time.Now().Add(time.Minute)); !errors.Is(err, ErrExpired) || st != Expired {
		t.Errorf("late Confirm: %s %v", st, err)
	}
	if n, err := j.Expire(ctx, time.Now().Add(time.Minute)); err != nil || n != 1 {
		t.Errorf("Expire: %d %v; want b", n, err)
	}
	for _, id := range []string{"b", "c"} {
		_, s, err := j.Action(ctx, id)
		if err != nil || s.State != Expired || s.Name != "" || s.Email != "" {
			t.Errorf("expired action %s: %+v %v", id, s, err)
		}
	}
	// An expired person may act again: a fresh, unconfirmed action.
	again := accept("c2", "key-c", "c@example.org")
	if again.ID != c.ID || again.Name != "N c2" {
		t.Errorf("the expired person again: %+v", again)
	}
	if _, _, err := j.Action(ctx, "c"); !errors.Is(err, ErrNotFound) {
		t.Errorf("the expired action's id still answers: %v", err)
	}
	if st, err := j.Confirm(ctx, again.ID, long); err != nil || st != Queued {
		t.Errorf("Confirm of the fresh action: %s %v", st, err)
	}
}
