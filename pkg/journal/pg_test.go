package journal

import (
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/testtool"
)

// The journal's one SQL implementation on a real PostgreSQL (testtool
// starts a throwaway server): every kind of write and read, two processes'
// worth of opens on one database, and a database that is not what it was
// refused.
func TestPostgresJournal(t *testing.T) {
	dsn := testtool.Postgres(t)
	ctx := t.Context()
	j, err := OpenDSN(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if !j.fresh {
		t.Error("a journal in an empty database is not fresh")
	}
	if check, err := j.CheckKeys(ctx); err != nil || !check {
		t.Errorf("CheckKeys of a new journal = %v, %v", check, err)
	}
	if err := j.Claim(ctx, "c", false); err != nil {
		t.Fatal(err)
	}
	var ce *CampaignError
	if err := j.Claim(ctx, "other", false); !errors.As(err, &ce) {
		t.Errorf("Claim for another campaign: %v", err)
	}
	subs := append(signers("c", 5), signers("c", 1)...) // the first signer twice in one batch
	added, existing, err := j.Enqueue(ctx, subs)
	if err != nil || added != 5 || len(existing) != 1 || subs[5].ID != subs[0].ID {
		t.Fatalf("Enqueue = %d, %v, %v; ids %d, %d", added, existing, err, subs[0].ID, subs[5].ID)
	}

	// Two processes on one database: the second open finds the schema done.
	j2, err := OpenPostgres(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer j2.Close()
	if j2.fresh {
		t.Error("the second open of a journal reports it fresh")
	}
	if q, err := j2.Queued(ctx, "c", 0, 10); err != nil || len(q) != 5 {
		t.Fatalf("the other process reads %d queued, %v", len(q), err)
	}

	a, err := j.StartAttempt(ctx, Attempt{SubmissionID: subs[0].ID, N: 1, Key: "k-1", Number: "+12025550142", Driver: "x"}, "sha", 1)
	if err != nil {
		t.Fatal(err)
	}
	later := a.Started.Add(time.Second)
	if err := j.Tried(ctx, a.ID, later); err != nil {
		t.Fatal(err)
	}
	if p, err := j2.Pending(ctx, "c"); err != nil || len(p) != 1 || !p[0].Tried.Equal(later.UTC()) {
		t.Fatalf("Pending = %+v, %v; want the attempt tried at %s", p, err, later)
	}
	if err := j.Accepted(ctx, a.ID, "v-1"); err != nil {
		t.Fatal(err)
	}
	a.State, a.VendorID = AttemptDelivered, "v-1"
	h := NumberHealth{Campaign: "c", Number: a.Number, Delivered: 1, Attempts: 1, LastResult: "delivered", LastAt: time.Now()}
	if err := j.FinishAttempt(ctx, Outcome{Attempt: a, Next: Delivered, Health: &h}); err != nil {
		t.Fatal(err)
	}
	if err := j.Petitioned(ctx, PetitionRecord{SubmissionID: subs[1].ID, Campaign: "c", Key: subs[1].Key, ID: "p-1", Duplicate: true}); err != nil {
		t.Fatal(err)
	}
	if err := j.Requeue(ctx, subs[2].ID, "+12025550100"); err != nil {
		t.Fatal(err)
	}
	counts, err := j2.Counts(ctx, "c")
	if err != nil || counts[Delivered] != 1 || counts[Petitioned] != 1 || counts[Queued] != 3 {
		t.Errorf("Counts = %v, %v", counts, err)
	}
	var receipts []Receipt
	for rc, err := range j2.Receipts(ctx, "c") {
		if err != nil {
			t.Fatal(err)
		}
		receipts = append(receipts, rc)
	}
	if len(receipts) != 1 || receipts[0].VendorID != "v-1" || receipts[0].State != AttemptDelivered {
		t.Errorf("Receipts = %+v", receipts)
	}
	if ps, err := j2.Petitions(ctx, "c"); err != nil || len(ps) != 1 || !ps[0].Duplicate {
		t.Errorf("Petitions = %+v, %v", ps, err)
	}
	if ns, err := j2.Numbers(ctx, "c"); err != nil || len(ns) != 1 || ns[0].Delivered != 1 {
		t.Errorf("Numbers = %+v, %v", ns, err)
	}
	if st, err := j2.StartedSince(ctx, "c", time.Now().Add(-time.Hour)); err != nil || len(st[a.Number]) != 1 {
		t.Errorf("StartedSince = %v, %v", st, err)
	}
	if s, err := j2.Submission(ctx, "c", subs[3].Key[:6]); err != nil || s.ID != subs[3].ID {
		t.Errorf("Submission by key prefix = %+v, %v", s, err)
	}
	act, sub, found, err := j.Accept(ctx, Action{ID: "a-1", Campaign: "c", KeyHash: "h-1"},
		Submission{Campaign: "c", Key: "hub-k1", Name: "Ana", City: "Lima", Country: "Perú"})
	if err != nil || found != New || sub.ID == 0 {
		t.Fatalf("Accept = %+v, %+v, %v, %v", act, sub, found, err)
	}
	if _, _, found, err := j2.Accept(ctx, Action{ID: "a-2", Campaign: "c", KeyHash: "h-1"},
		Submission{Campaign: "c", Key: "hub-k1", Name: "Ana", City: "Lima", Country: "Perú"}); err != nil || found != SameKey {
		t.Errorf("the same action again from the other process: %v, %v", found, err)
	}
	if v, err := j.InitSetting(ctx, "secret", "s1"); err != nil || v != "s1" {
		t.Errorf("InitSetting = %q, %v", v, err)
	}
	if n, err := j.Forget(ctx, Person{Name: subs[4].Name, City: subs[4].City}); err != nil || n.Submissions != 1 {
		t.Errorf("Forget = %+v, %v", n, err)
	}
	if err := j.Compact(ctx); err != nil {
		t.Errorf("Compact: %v", err)
	}
	if err := j.KeysChecked(ctx); err != nil {
		t.Fatal(err)
	}

	// Not what it was: the schema version gone, the tables still there.
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "DROP TABLE journal_schema"); err != nil {
		t.Fatal(err)
	}
	var re *RefusedError
	if j3, err := OpenPostgres(ctx, dsn); !errors.As(err, &re) {
		if j3 != nil {
			j3.Close()
		}
		t.Errorf("a journal without its schema version: %v; want it refused", err)
	}
}
