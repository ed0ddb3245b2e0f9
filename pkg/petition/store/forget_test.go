package store

import (
	"context"
	"testing"
	"time"
)

// forgetSuite runs in runSuite, against SQLite and PostgreSQL alike.
func forgetSuite(t *testing.T, st Store, c string) {
	ctx := context.Background()
	f, ok := st.(Forgetter)
	if !ok {
		t.Fatalf("%T is not a Forgetter", st)
	}
	add := func(key, person, email, note string) {
		t.Helper()
		if _, dup, err := st.Add(ctx, Signature{Campaign: c, Key: key, Person: person, EmailKey: email, Email: email, Note: note,
			Name: "Name " + key, City: "Xela", Country: "Guatemala"}); err != nil || dup {
			t.Fatalf("Add %s: %v %v", key, dup, err)
		}
	}
	add("k1", "p1", "ana@example.org", "note 1")
	add("k2", "p2", "bo@example.org", "note 2")
	add("k3", "p3", "", "note 3")
	if n, err := f.Forget(ctx, c, []string{"k3"}, "ANA@example.org"); err != nil || n != 2 {
		t.Fatalf("Forget: %d %v; want k1 (by e-mail) and k3 (by key)", n, err)
	}
	if n, err := f.Forget(ctx, c, nil, ""); err != nil || n != 0 {
		t.Errorf("Forget of nobody: %d %v", n, err)
	}
	// The same person may sign again after being forgotten.
	add("k1", "p1", "ana@example.org", "again")
	if n, err := f.Scrub(ctx, c, time.Now().Add(-time.Hour)); err != nil || n != 0 {
		t.Errorf("Scrub of the last hour: %d %v", n, err)
	}
	if n, err := f.Scrub(ctx, c, time.Now().Add(time.Minute)); err != nil || n != 2 {
		t.Fatalf("Scrub: %d %v; want 2", n, err)
	}
	var names []string
	err := st.Each(ctx, c, func(s Signature) error {
		if s.Email != "" || s.Note != "" || s.EmailKey != "" {
			t.Errorf("signature %s keeps %q %q %q", s.Key, s.Email, s.Note, s.EmailKey)
		}
		names = append(names, s.Name)
		return nil
	})
	if err != nil || len(names) != 2 {
		t.Errorf("after scrub: %v %v", names, err)
	}
	if err := f.Compact(ctx); err != nil {
		t.Errorf("Compact: %v", err)
	}
}
