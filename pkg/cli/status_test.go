package cli

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/journal"
)

// TestStatusOneSubmissionExitCodes: a submission that is not there is the
// user's to fix (2); a journal that cannot be read is an error (1).
func TestStatusOneSubmissionExitCodes(t *testing.T) {
	tests := []struct {
		name   string
		ref    string
		broken bool
		want   int
		msg    string
	}{
		{name: "present", ref: "1", want: ExitOK},
		{name: "no such id", ref: "999", want: ExitUsage, msg: "no submission 999 in campaign test-send"},
		{name: "no such key", ref: "ffffffffff", want: ExitUsage, msg: "no submission ffffffffff"},
		{name: "short key", ref: "ab", want: ExitUsage, msg: "at least 6 characters"},
		{name: "broken journal", ref: "999", broken: true, want: ExitError, msg: "no such table"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _, _ := testFactory(t, false)
			f.CampaignRef = testCampaign(t)
			opts := &StatusOptions{Ref: tt.ref}
			f.sendOptions(&opts.Send)
			path := filepath.Join(opts.Send.DataDir, "journal.db")
			j, err := journal.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := j.Enqueue(t.Context(), []journal.Submission{{Campaign: "test-send", Key: "abcdef0001", Name: "Ana"}}); err != nil {
				t.Fatal(err)
			}
			j.Close()
			if tt.broken {
				// A journal whose tables are not what faxjam wrote: a
				// database error, not a miss.
				db, err := sql.Open("sqlite", "file:"+path)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := db.Exec("ALTER TABLE submissions RENAME TO gone"); err != nil {
					t.Fatal(err)
				}
				db.Close()
			}
			err = statusRun(context.Background(), opts)
			if got := ExitCode(err); got != tt.want {
				t.Fatalf("status %s: exit %d (%v), want %d", tt.ref, got, err, tt.want)
			}
			if tt.msg != "" && (err == nil || !strings.Contains(err.Error(), tt.msg)) {
				t.Errorf("status %s: error %v, want it to say %q", tt.ref, err, tt.msg)
			}
		})
	}
}

// status says each number's state in the lines vocabulary (pkg/lines), as
// the hub and the live view do: a number the breaker holds is down (not
// "up"), one with a fax of ours on it is sending, one whose last call was
// engaged is busy.
func TestStatusSaysEachLineInTheOneVocabulary(t *testing.T) {
	now := time.Date(2026, 3, 4, 15, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name   string
		health *journal.NumberHealth
		flying bool
		want   string
	}{
		{name: "held down", health: &journal.NumberHealth{DownUntil: now.Add(time.Hour), LastResult: "no-answer", ConsecutiveFailures: 3}, want: "down"},
		{name: "hold over", health: &journal.NumberHealth{DownUntil: now.Add(-time.Minute), LastResult: "no-answer"}, want: "up"},
		{name: "engaged", health: &journal.NumberHealth{LastResult: "busy", ConsecutiveFailures: 1}, want: "busy"},
		{name: "a fax on it", flying: true, want: "sending"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, out, _ := testFactory(t, false)
			f.CampaignRef = testCampaign(t)
			f.JSON = true
			f.Now = func() time.Time { return now }
			opts := &StatusOptions{}
			f.sendOptions(&opts.Send)
			j, err := journal.Open(filepath.Join(opts.Send.DataDir, "journal.db"))
			if err != nil {
				t.Fatal(err)
			}
			subs := []journal.Submission{{Campaign: "test-send", Key: "abcdef0001", Name: "Ana"}}
			if _, _, err := j.Enqueue(t.Context(), subs); err != nil {
				t.Fatal(err)
			}
			a, err := j.StartAttempt(t.Context(), journal.Attempt{SubmissionID: subs[0].ID, N: 1, Key: "k1", Number: "+12025550142"}, "00", 1)
			if err != nil {
				t.Fatal(err)
			}
			if !tt.flying {
				h := tt.health
				h.Campaign, h.Number = "test-send", "+12025550142"
				a.State = journal.AttemptFailed
				if err := j.FinishAttempt(t.Context(), journal.Outcome{Attempt: a, Next: journal.Queued, Health: h}); err != nil {
					t.Fatal(err)
				}
			}
			j.Close()
			if err := statusRun(t.Context(), opts); err != nil {
				t.Fatal(err)
			}
			if want := `"state":"` + tt.want + `"`; !strings.Contains(out.String(), want) {
				t.Errorf("status --json says %s, want %s", out, want)
			}
		})
	}
}
