package journal

import (
	"bytes"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// filesContain reports which of the journal's files (the database, its
// write-ahead log and shared memory, free pages included: the files are
// read whole) hold s.
func filesContain(t *testing.T, path, s string) []string {
	t.Helper()
	var found []string
	for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
		b, err := os.ReadFile(path + suffix)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(s)) {
			found = append(found, filepath.Base(path+suffix))
		}
	}
	return found
}

// secretSubs are three people; the note is long enough to need SQLite
// overflow pages.
func secretSubs() []Submission {
	long := strings.Repeat("NOTE-OF-ANA-", 600)
	return []Submission{
		{Campaign: "c", Key: "key-ana", Name: "Ana Secreta", City: "Lima", Country: "Perú", Email: "ana.secret@example.org", Note: long},
		{Campaign: "c", Key: "key-bo", Name: "Bo Hidden", City: "Oslo", Country: "Norge", Email: "bo.hidden@example.org", Note: "note-of-bo"},
		{Campaign: "c", Key: "key-cy", Name: "Cy Queued", City: "Rome", Country: "Italia", Email: "cy.queued@example.org", Note: "note-of-cy"},
	}
}

func finish(t *testing.T, j *Journal, keys ...string) {
	t.Helper()
	for _, k := range keys {
		s, err := j.Submission(t.Context(), "c", k)
		if err != nil {
			t.Fatal(err)
		}
		if err := j.SetState(t.Context(), s.ID, Delivered, "", ""); err != nil {
			t.Fatal(err)
		}
	}
}

// secretJournal is a journal of secretSubs, Ana and Bo delivered.
func secretJournal(t *testing.T) (string, *Journal) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "journal.db")
	j, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	if _, _, err := j.Enqueue(t.Context(), secretSubs()); err != nil {
		t.Fatal(err)
	}
	finish(t, j, "key-ana", "key-bo")
	return path, j
}

func TestScrubLeavesNoTrace(t *testing.T) {
	path, j := secretJournal(t)
	ctx := t.Context()
	// The search can find them before: the test can fail.
	if got := filesContain(t, path, "ana.secret@example.org"); len(got) == 0 {
		t.Fatal("the e-mail is not in the journal's files before scrubbing: the search is broken")
	}
	// Not yet final for long enough: nothing scrubbed.
	if n, err := j.Scrub(ctx, time.Now().Add(-time.Hour)); err != nil || n.Submissions != 0 {
		t.Fatalf("Scrub of the last hour: %d, %v", n.Submissions, err)
	}
	n, err := j.Scrub(ctx, time.Now().Add(time.Minute))
	if err != nil || n.Submissions != 2 {
		t.Fatalf("Scrub: %d, %v; want the 2 final submissions", n.Submissions, err)
	}
	if err := j.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"ana.secret@example.org", "NOTE-OF-ANA", "bo.hidden@example.org", "note-of-bo"} {
		if got := filesContain(t, path, s); len(got) > 0 {
			t.Errorf("%q is still in %v after Scrub and Compact", s, got)
		}
	}
	// What stays: the name and city (for the petition), the state, the
	// queued one's e-mail.
	ana, err := j.Submission(ctx, "c", "key-ana")
	if err != nil || ana.Name != "Ana Secreta" || ana.City != "Lima" || ana.Email != "" || ana.Note != "" || ana.State != Delivered {
		t.Errorf("Ana after scrub: %+v, %v", ana, err)
	}
	cy, err := j.Submission(ctx, "c", "key-cy")
	if err != nil || cy.Email != "cy.queued@example.org" || cy.Note != "note-of-cy" {
		t.Errorf("the queued submission was scrubbed: %+v, %v", cy, err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"ana.secret@example.org", "NOTE-OF-ANA"} {
		if got := filesContain(t, path, s); len(got) > 0 {
			t.Errorf("%q is in %v after closing", s, got)
		}
	}
}

func TestForgetLeavesNoTrace(t *testing.T) {
	path, j := secretJournal(t)
	ctx := t.Context()
	if _, err := j.Forget(ctx, Person{}); err == nil {
		t.Error("Forget of nobody accepted")
	}
	// By e-mail, whatever its case.
	if n, err := j.Forget(ctx, Person{Email: " ANA.Secret@example.org"}); err != nil || n.Submissions != 1 {
		t.Fatalf("Forget by e-mail: %d, %v", n.Submissions, err)
	}
	// By name and city (Unicode case folding), a queued one: cancelled.
	if n, err := j.Forget(ctx, Person{Name: "cy queued", City: "ROME"}); err != nil || n.Submissions != 1 {
		t.Fatalf("Forget by name and city: %d, %v", n.Submissions, err)
	}
	// Nobody else of the same city.
	if n, err := j.Forget(ctx, Person{Name: "Nobody", City: "Oslo"}); err != nil || n.Submissions != 0 {
		t.Fatalf("Forget of nobody in Oslo: %d, %v", n.Submissions, err)
	}
	if err := j.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"Ana Secreta", "ana.secret@example.org", "NOTE-OF-ANA", "Cy Queued", "cy.queued@example.org", "note-of-cy", "Rome"} {
		if got := filesContain(t, path, s); len(got) > 0 {
			t.Errorf("%q is still in %v after Forget and Compact", s, got)
		}
	}
	if got := filesContain(t, path, "bo.hidden@example.org"); len(got) == 0 {
		t.Error("Bo, not forgotten, lost the e-mail")
	}
	ana, err := j.Submission(ctx, "c", "key-ana")
	if err != nil || ana.Name != "" || ana.State != Delivered {
		t.Errorf("Ana after forget: %+v, %v", ana, err)
	}
	cy, err := j.Submission(ctx, "c", "key-cy")
	if err != nil || cy.State != Failed || cy.Reason != ForgottenReason {
		t.Errorf("Cy after forget: %+v, %v", cy, err)
	}
	// The same person enqueued again is recognized by key: not faxed again.
	added, existing, err := j.Enqueue(ctx, secretSubs()[:1])
	if err != nil || added != 0 || len(existing) != 1 {
		t.Errorf("Enqueue of a forgotten person: added %d existing %v, %v", added, existing, err)
	}
	// A whole campaign.
	if n, err := j.Forget(ctx, Person{Campaign: "c"}); err != nil || n.Submissions != 1 {
		t.Fatalf("Forget of the campaign: %d, %v (only Bo is left)", n.Submissions, err)
	}
}

func TestForgetRefusesInFlight(t *testing.T) {
	j := open(t)
	ctx := t.Context()
	if _, _, err := j.Enqueue(ctx, secretSubs()); err != nil {
		t.Fatal(err)
	}
	s, err := j.Submission(ctx, "c", "key-bo")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := j.StartAttempt(ctx, Attempt{SubmissionID: s.ID, N: 1, Key: "a1", Number: "+1", Driver: "outbox", Started: time.Now()}, "", 1); err != nil {
		t.Fatal(err)
	}
	if _, err := j.Forget(ctx, Person{Email: "bo.hidden@example.org"}); !errors.Is(err, ErrInFlight) {
		t.Fatalf("Forget of a sending submission: %v, want ErrInFlight", err)
	}
	if s, _ := j.Submission(ctx, "c", "key-bo"); s.Name != "Bo Hidden" {
		t.Errorf("a refused Forget changed the submission: %+v", s)
	}
}

// TestForgottenKeysCannotBeGuessed: after Forget the journal keeps no
// signer key (a plain hash anyone can make of a guessed name, city,
// country and e-mail) in the submission, its finished attempts or its
// petition record, only a tombstone keyed with the journal's secret; the
// person is still known when they come back, so not faxed twice (issue
// 16.3).
func TestForgottenKeysCannotBeGuessed(t *testing.T) {
	path, j := secretJournal(t)
	ctx := t.Context()
	ana, err := j.Submission(ctx, "c", "key-ana")
	if err != nil {
		t.Fatal(err)
	}
	a, err := j.StartAttempt(ctx, Attempt{SubmissionID: ana.ID, N: 1, Key: "key-ana-+15550100-1", Number: "+15550100", Driver: "outbox", Started: time.Now()}, "", 1)
	if err != nil {
		t.Fatal(err)
	}
	a.State, a.Finished = AttemptDelivered, time.Now()
	if err := j.FinishAttempt(ctx, Outcome{Attempt: a, Next: Delivered}); err != nil {
		t.Fatal(err)
	}
	if err := j.Petitioned(ctx, PetitionRecord{SubmissionID: ana.ID, Campaign: "c", Key: "key-ana", ID: "sig-1"}); err != nil {
		t.Fatal(err)
	}
	if got := filesContain(t, path, "key-ana"); len(got) == 0 {
		t.Fatal("the signer key is not in the journal's files before forget: the search is broken")
	}
	if _, err := j.Forget(ctx, Person{Email: "ana.secret@example.org"}); err != nil {
		t.Fatal(err)
	}
	if err := j.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	if got := filesContain(t, path, "key-ana"); len(got) > 0 {
		t.Errorf("the forgotten person's signer key is still in %v", got)
	}
	if got := filesContain(t, path, "key-bo"); len(got) == 0 {
		t.Error("Bo, not forgotten, lost the key")
	}
	// Known again by the key, through the tombstone.
	added, existing, err := j.Enqueue(ctx, secretSubs()[:1])
	if err != nil || added != 0 || len(existing) != 1 {
		t.Errorf("Enqueue of a forgotten person: added %d existing %v, %v; want 0 added", added, existing, err)
	}
	_, sub, found, err := j.Accept(ctx, Action{ID: "act-ana", Campaign: "c", KeyHash: "kh-ana"}, secretSubs()[0])
	if err != nil || sub.ID != ana.ID || sub.State == Queued {
		t.Errorf("Accept of a forgotten person: %v, submission %d %s (want %d, not queued again), %v", found, sub.ID, sub.State, ana.ID, err)
	}
	if got, err := j.Submission(ctx, "c", "key-ana"); err != nil || got.ID != ana.ID {
		t.Errorf("Submission by the forgotten key: %+v, %v", got, err)
	}
	// Another journal has another secret: the tombstones differ.
	_, j2 := secretJournal(t)
	if _, err := j2.Forget(ctx, Person{Email: "ana.secret@example.org"}); err != nil {
		t.Fatal(err)
	}
	t1, _ := j.Submission(ctx, "c", "key-ana")
	t2, _ := j2.Submission(ctx, "c", "key-ana")
	if !strings.HasPrefix(t1.Key, "~") || t1.Key == t2.Key {
		t.Errorf("tombstones %q and %q: want keyed, and different per journal", t1.Key, t2.Key)
	}
}

// TestMigrationEntombsPeopleForgottenBefore: a journal of an older faxjam
// (schema v4, no secret) whose forgotten people kept their plain keys gets
// a secret and tombstones when opened.
func TestMigrationEntombsPeopleForgottenBefore(t *testing.T) {
	path, j := secretJournal(t)
	ctx := t.Context()
	if _, err := j.Forget(ctx, Person{Email: "ana.secret@example.org"}); err != nil {
		t.Fatal(err)
	}
	j.Close()
	// Back to how v4 left it.
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"UPDATE submissions SET key = 'key-ana' WHERE key LIKE '~%'",
		"DELETE FROM settings WHERE name = 'journal.person-secret'",
		"DROP TABLE ledger", "DROP TABLE ledger_seals", // v6
		"ALTER TABLE numbers DROP COLUMN held", // v7
		"PRAGMA user_version = 4",
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(q, err)
		}
	}
	raw.Close()
	j, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if err := j.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	if got := filesContain(t, path, "key-ana"); len(got) > 0 {
		t.Errorf("after migration the forgotten signer key is still in %v", got)
	}
	added, _, err := j.Enqueue(ctx, secretSubs()[:2])
	if err != nil || added != 0 {
		t.Errorf("Enqueue after migration: added %d, %v; want 0", added, err)
	}
}
