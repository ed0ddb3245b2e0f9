package journal

import (
	"slices"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/ledger"
	"github.com/faxjam/faxjam/pkg/pack"
	"github.com/faxjam/faxjam/pkg/testtool"
)

func TestLedgerRecordsEveryFinalOutcome(t *testing.T) { ledgerOutcomes(t, open(t)) }

func TestPostgresLedger(t *testing.T) {
	j, err := OpenDSN(t.Context(), testtool.Postgres(t))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	ledgerOutcomes(t, j)
}

// ledgerOutcomes records each way a submission ends — delivered and failed
// by an attempt, submitted, failed before any attempt, petitioned, gave up
// — and a retry on another number that is not an end, and checks the
// ledger has one chained entry per end with what each knows, and that
// forgetting the petitioner blanks their name but keeps the chain.
func ledgerOutcomes(t *testing.T, j *Journal) {
	ctx := t.Context()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	j.SetClock(func() time.Time { now = now.Add(time.Second); return now })
	j.Label("c", map[string]string{"+12025550142": "front desk"})
	subs := signers("c", 6)
	if _, _, err := j.Enqueue(ctx, subs); err != nil {
		t.Fatal(err)
	}
	attempt := func(i, n int, number string, st AttemptState, next State) {
		t.Helper()
		a, err := j.StartAttempt(ctx, Attempt{SubmissionID: subs[i].ID, N: n, Key: subs[i].Key, Number: number, Driver: "outbox"}, "sha-"+subs[i].Key, 2)
		if err != nil {
			t.Fatal(err)
		}
		a.State, a.VendorID, a.Finished = st, "job-"+subs[i].Key, a.Started.Add(40*time.Second)
		if err := j.FinishAttempt(ctx, Outcome{Attempt: a, Next: next, NextReason: map[State]string{Failed: "rejected"}[next]}); err != nil {
			t.Fatal(err)
		}
	}
	attempt(0, 1, "+12025550199", AttemptFailed, Queued) // busy: tried again elsewhere, not an end
	attempt(0, 2, "+12025550142", AttemptDelivered, Delivered)
	attempt(1, 1, "+12025550142", AttemptSubmitted, Submitted)
	attempt(2, 1, "+12025550142", AttemptFailed, Failed)
	if err := j.SetState(ctx, subs[3].ID, Failed, "document", "could not be made"); err != nil {
		t.Fatal(err)
	}
	if err := j.Petitioned(ctx, PetitionRecord{SubmissionID: subs[4].ID, Campaign: "c", Key: subs[4].Key, ID: "sig-77"}); err != nil {
		t.Fatal(err)
	}
	if err := j.SetState(ctx, subs[5].ID, GaveUp, "petition", "refused"); err != nil {
		t.Fatal(err)
	}
	if err := j.SetState(ctx, subs[5].ID, Unknown, "unknown", ""); err != nil { // not an outcome the ledger records
		t.Fatal(err)
	}

	es, err := j.Ledger(ctx, "c")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range es {
		got = append(got, e.Outcome)
	}
	if want := []string{"delivered", "submitted", "failed", "failed", "petitioned", "gave-up"}; !slices.Equal(got, want) {
		t.Fatalf("outcomes %v, want %v", got, want)
	}
	d := es[0]
	if d.Seq != 1 || d.Number != "+12025550142" || d.NumberLabel != "front desk" || d.JobID != "job-"+subs[0].Key ||
		d.Pages != 2 || d.DocSHA256 != "sha-"+subs[0].Key || d.Driver != "outbox" || d.TransmitMS != 40000 || d.Name != "" {
		t.Errorf("delivered entry %+v", d)
	}
	if f := es[3]; f.Number != "" || f.Reason != "document" || f.JobID != "" {
		t.Errorf("an entry without an attempt names one: %+v", f)
	}
	p := es[4]
	if p.SignatureID != "sig-77" || p.Name != subs[4].Name || p.City != "Lyon" || p.Number != "" || p.PersonHash == "" {
		t.Errorf("petitioned entry %+v", p)
	}
	if r := ledger.Verify(ledger.Export{Entries: es}, nil); !r.OK() || r.HeadSeq != 6 {
		t.Fatalf("the journal's chain: %+v", r)
	}
	seq, head, _, err := j.LedgerHead(ctx, "c")
	if err != nil || seq != 6 || head != es[5].Hash {
		t.Fatalf("head %d %s, %v", seq, head, err)
	}

	_, priv, err := pack.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	s := ledger.Sign(priv, "c", seq, head, now)
	if err := j.AddSeal(ctx, s); err != nil {
		t.Fatal(err)
	}
	if _, err := j.Forget(ctx, Person{Name: subs[4].Name, City: "Lyon"}); err != nil {
		t.Fatal(err)
	}
	es, err = j.Ledger(ctx, "c")
	if err != nil {
		t.Fatal(err)
	}
	seals, err := j.Seals(ctx, "c")
	if err != nil || len(seals) != 1 || seals[0].Signature != s.Signature || !seals[0].Time.Equal(s.Time) || seals[0].Head != head {
		t.Fatalf("seals %v, %v", seals, err)
	}
	if p := es[4]; p.Name != "" || p.City != "" || p.Salt != "" || !p.Forgotten() {
		t.Errorf("forgotten petitioner still in the ledger: %+v", p)
	}
	if r := ledger.Verify(ledger.Export{Entries: es, Seals: seals}, nil); !r.OK() || r.Sealed != 6 {
		t.Fatalf("after forget: %+v", r)
	}
}
