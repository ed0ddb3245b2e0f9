package journal

import (
	"fmt"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// BenchmarkRetain100k: retention over a journal of 100,000 delivered
// submissions with an e-mail and a note each: Scrub blanks them all and
// Compact rewrites the file (checkpoint, VACUUM, truncate). This is what
// `send` and `status` pay at start with config retain when a whole
// campaign's worth comes due at once; on later runs little is due and
// Compact is skipped when nothing was scrubbed.
// Run: go test -run '^$' -bench Retain100k -benchtime 1x -count 3 ./pkg/journal/
func BenchmarkRetain100k(b *testing.B) {
	const total, batch = 100_000, 1000
	for b.Loop() {
		b.StopTimer()
		j, err := Open(filepath.Join(b.TempDir(), "j.db"))
		if err != nil {
			b.Fatal(err)
		}
		subs := make([]Submission, batch)
		for i := 0; i < total; i += batch {
			for k := range subs {
				n := i + k
				subs[k] = Submission{Campaign: "c", Key: fmt.Sprintf("%032x", n), Name: "Signer " + strconv.Itoa(n),
					City: "Xela", Country: "Guatemala", Email: "signer" + strconv.Itoa(n) + "@example.org",
					Note: "A personal note of about eighty characters, as many signers write them here."}
			}
			if _, _, err := j.Enqueue(b.Context(), subs); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := j.wdb.Exec(`UPDATE submissions SET state = 'delivered'`); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		s, err := j.Scrub(b.Context(), time.Now().Add(time.Minute))
		if err != nil || s.Submissions != total {
			b.Fatalf("Scrub: %d, %v", s.Submissions, err)
		}
		scrub := time.Since(start)
		if err := j.Compact(b.Context()); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(scrub.Seconds(), "scrub-s")
		b.ReportMetric((time.Since(start) - scrub).Seconds(), "compact-s")
		b.StopTimer()
		j.Close()
		b.StartTimer()
	}
}
