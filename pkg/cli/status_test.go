package cli

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

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
