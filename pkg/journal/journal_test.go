package journal

import (
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func open(t *testing.T) *Journal {
	t.Helper()
	j, err := Open(filepath.Join(t.TempDir(), "sub", "journal.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	return j
}

func signers(campaign string, n int) []Submission {
	out := make([]Submission, n)
	for i := range out {
		out[i] = Submission{Campaign: campaign, Key: fmt.Sprintf("k%05d", i), Name: fmt.Sprintf("Signer %d", i), City: "Lyon", Country: "France"}
	}
	return out
}

func TestOpenCreatesPrivateFileAndReopens(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.db")
	j, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := j.Enqueue(t.Context(), signers("c", 3)); err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("journal file mode = %v, want 0600", perm)
	}
	j, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	c, err := j.Counts(t.Context(), "c")
	if err != nil {
		t.Fatal(err)
	}
	if c[Queued] != 3 {
		t.Errorf("after reopen: %d queued, want 3", c[Queued])
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(fmt.Sprintf("PRAGMA user_version = %d", SchemaVersion+1)); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if j, err := Open(path); err == nil {
		j.Close()
		t.Fatal("Open of a journal from a newer faxjam succeeded, want an error")
	}
}

func TestEnqueueReportsExistingSigners(t *testing.T) {
	j := open(t)
	ctx := t.Context()
	first := signers("c", 5)
	added, existing, err := j.Enqueue(ctx, first)
	if err != nil || added != 5 || len(existing) != 0 {
		t.Fatalf("first Enqueue = %d, %v, %v; want 5 added", added, existing, err)
	}
	if err := j.SetState(ctx, first[1].ID, Delivered, "", ""); err != nil {
		t.Fatal(err)
	}
	again := append(signers("c", 7)[1:], signers("other", 1)...) // k1..k6 on c, k0 on other
	added, existing, err = j.Enqueue(ctx, again)
	if err != nil {
		t.Fatal(err)
	}
	if added != 3 {
		t.Errorf("second Enqueue added %d, want 3 (k5, k6 and the other campaign's k0)", added)
	}
	if fmt.Sprint(existing) != "[0 1 2 3]" {
		t.Errorf("existing = %v, want [0 1 2 3]", existing)
	}
	if again[0].State != Delivered || again[0].ID != first[1].ID {
		t.Errorf("existing k1 = %+v, want the journal's delivered record", again[0])
	}
	c, _ := j.Counts(ctx, "c")
	if c[Queued] != 6 || c[Delivered] != 1 {
		t.Errorf("counts = %v, want 6 queued, 1 delivered", c)
	}
}

func TestQueuedFollowsSeqAndRequeueMovesToEnd(t *testing.T) {
	j := open(t)
	ctx := t.Context()
	subs := signers("c", 4)
	if _, _, err := j.Enqueue(ctx, subs); err != nil {
		t.Fatal(err)
	}
	if err := j.SetState(ctx, subs[0].ID, Delivered, "", ""); err != nil {
		t.Fatal(err)
	}
	if err := j.Requeue(ctx, subs[0].ID, ""); err != nil {
		t.Fatal(err)
	}
	q, err := j.Queued(ctx, "c", subs[1].Seq, 10)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, s := range q {
		keys = append(keys, s.Key)
	}
	if fmt.Sprint(keys) != "[k00002 k00003 k00000]" {
		t.Errorf("queue after k00001 = %v, want [k00002 k00003 k00000]", keys)
	}
}

func TestAttemptLifecycle(t *testing.T) {
	j := open(t)
	ctx := t.Context()
	subs := signers("c", 1)
	if _, _, err := j.Enqueue(ctx, subs); err != nil {
		t.Fatal(err)
	}
	s := subs[0]
	a, err := j.StartAttempt(ctx, Attempt{SubmissionID: s.ID, N: 1, Key: "k-1", Number: "+12025550142", Driver: "linesim"}, "abc", 1)
	if err != nil {
		t.Fatal(err)
	}
	got, err := j.Submission(ctx, "c", s.Key)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != Sending || got.Number != "+12025550142" || got.DocSHA256 != "abc" || got.Attempts != 1 {
		t.Errorf("after StartAttempt submission = %+v, want sending to +12025550142", got)
	}
	pending, err := j.Pending(ctx, "c")
	if err != nil || len(pending) != 1 || pending[0].State != AttemptIntent || pending[0].VendorID != "" {
		t.Fatalf("Pending = %+v, %v; want the one intent", pending, err)
	}
	if err := j.Accepted(ctx, a.ID, "job-7"); err != nil {
		t.Fatal(err)
	}
	a.State, a.Reason = AttemptFailed, "busy"
	h := NumberHealth{Campaign: "c", Number: "+12025550142", ConsecutiveFailures: 1, LastResult: "busy", Attempts: 1}
	if err := j.FinishAttempt(ctx, Outcome{Attempt: a, Next: Queued, Health: &h}); err != nil {
		t.Fatal(err)
	}
	if pending, _ := j.Pending(ctx, "c"); len(pending) != 0 {
		t.Errorf("Pending after outcome = %+v, want none", pending)
	}
	as, err := j.Attempts(ctx, s.ID)
	if err != nil || len(as) != 1 || as[0].VendorID != "job-7" || as[0].State != AttemptFailed || as[0].Finished.IsZero() {
		t.Errorf("Attempts = %+v, %v; want one failed attempt job-7 with a finish time", as, err)
	}
	nums, err := j.Numbers(ctx, "c")
	if err != nil || len(nums) != 1 || nums[0].ConsecutiveFailures != 1 || nums[0].LastResult != "busy" {
		t.Errorf("Numbers = %+v, %v", nums, err)
	}
	var receipts []Receipt
	for r, err := range j.Receipts(ctx, "c") {
		if err != nil {
			t.Fatal(err)
		}
		receipts = append(receipts, r)
	}
	if len(receipts) != 1 || receipts[0].VendorID != "job-7" || receipts[0].DocSHA256 != "abc" {
		t.Errorf("Receipts = %+v", receipts)
	}
	if err := j.Petitioned(ctx, PetitionRecord{SubmissionID: s.ID, Campaign: "c", Key: s.Key, ID: "sig-1"}); err != nil {
		t.Fatal(err)
	}
	ps, err := j.Petitions(ctx, "c")
	if err != nil || len(ps) != 1 || ps[0].ID != "sig-1" {
		t.Errorf("Petitions = %+v, %v", ps, err)
	}
	if c, _ := j.Counts(ctx, "c"); c[Petitioned] != 1 {
		t.Errorf("counts = %v, want 1 petitioned", c)
	}
}

func TestFinishAttemptRefusesNonOutcome(t *testing.T) {
	j := open(t)
	err := j.FinishAttempt(t.Context(), Outcome{Attempt: Attempt{ID: 1, State: AttemptIntent}})
	if err == nil {
		t.Fatal("FinishAttempt with state intent succeeded")
	}
}

func TestFailedWriteInGroupLeavesOthersCommitted(t *testing.T) {
	j := open(t)
	ctx := t.Context()
	subs := signers("c", 50)
	if _, _, err := j.Enqueue(ctx, subs); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, len(subs)+1)
	for i, s := range subs {
		wg.Go(func() {
			_, errs[i] = j.StartAttempt(ctx, Attempt{SubmissionID: s.ID, N: 1, Key: s.Key, Number: "+1", Driver: "x"}, "", 1)
		})
	}
	wg.Go(func() { errs[len(subs)] = j.SetState(ctx, 999999, Delivered, "", "") })
	wg.Wait()
	for i, err := range errs[:len(subs)] {
		if err != nil {
			t.Errorf("StartAttempt %d: %v", i, err)
		}
	}
	if !errors.Is(errs[len(subs)], ErrNotFound) {
		t.Errorf("SetState of a missing submission = %v, want ErrNotFound", errs[len(subs)])
	}
	if p, _ := j.Pending(ctx, "c"); len(p) != len(subs) {
		t.Errorf("%d pending attempts, want %d", len(p), len(subs))
	}
}

func TestSubmissionLookup(t *testing.T) {
	j := open(t)
	ctx := t.Context()
	subs := []Submission{
		{Campaign: "c", Key: "abcdef0001", Name: "A"},
		{Campaign: "c", Key: "abcdef0002", Name: "B"},
		{Campaign: "c", Key: "fedcba0001", Name: "C"},
		{Campaign: "c", Key: "1234560001", Name: "D"},
	}
	if _, _, err := j.Enqueue(ctx, subs); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		ref     string
		want    string
		wantErr error
	}{
		{ref: fmt.Sprint(subs[1].ID), want: "B"},
		{ref: "fedcba", want: "C"},
		{ref: "abcdef0001", want: "A"},
		{ref: "123456", want: "D"},                  // digits, no such id: a key prefix
		{ref: "abcdef", wantErr: ErrAmbiguous},      // two keys start so
		{ref: "abc", wantErr: ErrAmbiguous},         // too short for a key
		{ref: "000000", wantErr: ErrNotFound},       // no such id nor key
		{ref: "999", wantErr: ErrNotFound},          // no such id, too short for a key
		{ref: "fedcba0001ff", wantErr: ErrNotFound}, // no such key
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			s, err := j.Submission(ctx, "c", tt.ref)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Submission(%q) = %+v, %v; want an error wrapping %v", tt.ref, s, err, tt.wantErr)
				}
				return
			}
			if err != nil || s.Name != tt.want {
				t.Fatalf("Submission(%q) = %q, %v; want %q", tt.ref, s.Name, err, tt.want)
			}
		})
	}
}

func TestSubmissionDatabaseErrorIsNotAMiss(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.db")
	j, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if _, _, err := j.Enqueue(t.Context(), signers("c", 1)); err != nil {
		t.Fatal(err)
	}
	// Break the file under the open journal, as a damaged or foreign
	// database would be.
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("ALTER TABLE submissions RENAME TO gone"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	for _, ref := range []string{"1", "999", "k00000"} {
		_, err := j.Submission(t.Context(), "c", ref)
		if err == nil || errors.Is(err, ErrNotFound) || errors.Is(err, ErrAmbiguous) {
			t.Errorf("Submission(%q) on a broken database = %v, want a database error, not a miss", ref, err)
		}
	}
}

func TestSubmissionsIteratesAllPagesInOrder(t *testing.T) {
	j := open(t)
	ctx := t.Context()
	if _, _, err := j.Enqueue(ctx, signers("c", 3*pageSize+7)); err != nil {
		t.Fatal(err)
	}
	var n int
	var last int64
	for s, err := range j.Submissions(ctx, Filter{Campaign: "c", States: []State{Queued}}) {
		if err != nil {
			t.Fatal(err)
		}
		if s.Seq <= last {
			t.Fatalf("seq %d after %d: not in queue order", s.Seq, last)
		}
		last = s.Seq
		n++
	}
	if n != 3*pageSize+7 {
		t.Errorf("iterated %d submissions, want %d", n, 3*pageSize+7)
	}
	n = 0
	for _, err := range j.Submissions(ctx, Filter{Campaign: "c", Limit: 10}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 10 {
		t.Errorf("Limit 10 yielded %d", n)
	}
}

func TestStartedSince(t *testing.T) {
	j := open(t)
	ctx := t.Context()
	subs := signers("c", 2)
	if _, _, err := j.Enqueue(ctx, subs); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for i, s := range subs {
		if _, err := j.StartAttempt(ctx, Attempt{SubmissionID: s.ID, N: 1, Key: s.Key, Number: "+1", Driver: "x", Started: now.Add(time.Duration(-i) * 2 * time.Hour)}, "", 1); err != nil {
			t.Fatal(err)
		}
	}
	got, err := j.StartedSince(ctx, "c", now.Add(-time.Hour))
	if err != nil || len(got["+1"]) != 1 {
		t.Errorf("StartedSince(1h ago) = %v, %v; want one start on +1", got, err)
	}
}

func TestOpenMigratesV1JournalWithEmptyRedirect(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.db")
	ctx := t.Context()
	oldJournal(t, path, 1, "c")
	j, err := Open(path)
	if err != nil {
		t.Fatalf("Open of a v1 journal: %v", err)
	}
	defer j.Close()
	q, err := j.Queued(ctx, "c", 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(q) != 1 || q[0].Key != "k1" || q[0].Redirect != "" {
		t.Fatalf("queued after migration = %+v, want k1 with no redirect", q)
	}
}

func TestRedirectIsRecordedAtEnqueueAndRequeue(t *testing.T) {
	j := open(t)
	ctx := t.Context()
	subs := signers("c", 2)
	subs[0].Redirect = "+15555550100"
	if _, _, err := j.Enqueue(ctx, subs); err != nil {
		t.Fatal(err)
	}
	got := func(id int64) string {
		t.Helper()
		s, err := j.Submission(ctx, "c", fmt.Sprint(id))
		if err != nil {
			t.Fatal(err)
		}
		return s.Redirect
	}
	if r0, r1 := got(subs[0].ID), got(subs[1].ID); r0 != "+15555550100" || r1 != "" {
		t.Fatalf("redirects = %q, %q; want +15555550100 and none", r0, r1)
	}
	if err := j.Requeue(ctx, subs[0].ID, ""); err != nil {
		t.Fatal(err)
	}
	if err := j.Requeue(ctx, subs[1].ID, "+15555550199"); err != nil {
		t.Fatal(err)
	}
	if r0, r1 := got(subs[0].ID), got(subs[1].ID); r0 != "" || r1 != "+15555550199" {
		t.Fatalf("after Requeue redirects = %q, %q; want none and +15555550199", r0, r1)
	}
}

// oldJournal writes a journal of schema version v (as an older faxjam left
// it) with one queued submission k1 of campaign.
func oldJournal(t *testing.T, path string, v int, campaign string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := t.Context()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range migrations[:v] {
		if err := m(ctx, &txn{Tx: tx}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := tx.Exec(`INSERT INTO submissions (campaign, key, seq, name, city, country, state, created, updated)
		VALUES (?, 'k1', 1, 'Ana', 'Lima', 'PE', 'queued', 1, 1)`, campaign); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(fmt.Sprintf("PRAGMA user_version = %d", v)); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}
