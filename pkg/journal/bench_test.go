package journal

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// BenchmarkEnqueueMillion queues 1,000,000 signers in batches of 1000, as
// `faxjam send --signers` does, and reports the process's peak RSS (VmHWM,
// Linux) and the Go heap's peak: the journal must stream, never hold the
// list. Run: go test -run '^$' -bench EnqueueMillion -benchtime 1x ./pkg/journal/
func BenchmarkEnqueueMillion(b *testing.B) {
	const total, batch = 1_000_000, 1000
	for b.Loop() {
		j, err := Open(filepath.Join(b.TempDir(), "j.db"))
		if err != nil {
			b.Fatal(err)
		}
		subs := make([]Submission, batch)
		var peakHeap uint64
		var ms runtime.MemStats
		for i := 0; i < total; i += batch {
			for k := range subs {
				n := i + k
				subs[k] = Submission{Campaign: "norma-cruz-2012", Key: fmt.Sprintf("%032x", n),
					Name: "Signer " + strconv.Itoa(n), City: "Ciudad de Guatemala", Country: "Guatemala",
					Email: "signer" + strconv.Itoa(n) + "@example.org"}
			}
			if _, _, err := j.Enqueue(b.Context(), subs); err != nil {
				b.Fatal(err)
			}
			if i%(100*batch) == 0 {
				runtime.ReadMemStats(&ms)
				peakHeap = max(peakHeap, ms.HeapInuse)
			}
		}
		c, err := j.Counts(b.Context(), "norma-cruz-2012")
		if err != nil || c[Queued] != total {
			b.Fatalf("counts = %v, %v; want %d queued", c, err, total)
		}
		j.Close()
		b.ReportMetric(float64(peakHeap)/(1<<20), "heap-MB")
		if hwm, ok := peakRSS(); ok {
			b.ReportMetric(float64(hwm)/(1<<20), "peak-RSS-MB")
		}
		b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "signers/s")
	}
}

// peakRSS reads the process's resident-set high-water mark from
// /proc/self/status, in bytes.
func peakRSS() (uint64, bool) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10, err == nil
		}
	}
	return 0, false
}

// BenchmarkOpen100k opens a journal of 100,000 submissions, each with an
// attempt: what every `faxjam send` and `status` pays before it starts,
// SQLite's quick_check (the refusal of a damaged journal) included. Run:
// go test -run '^$' -bench Open100k -benchtime 5x ./pkg/journal/
func BenchmarkOpen100k(b *testing.B) {
	const total, batch = 100_000, 1000
	path := filepath.Join(b.TempDir(), "j.db")
	j, err := Open(path)
	if err != nil {
		b.Fatal(err)
	}
	subs := make([]Submission, batch)
	for i := 0; i < total; i += batch {
		for k := range subs {
			n := i + k
			subs[k] = Submission{Campaign: "c", Key: fmt.Sprintf("%032x", n), Name: "Signer " + strconv.Itoa(n), City: "Lima", Country: "Perú"}
		}
		if _, _, err := j.Enqueue(b.Context(), subs); err != nil {
			b.Fatal(err)
		}
		for _, s := range subs {
			if _, err := j.StartAttempt(b.Context(), Attempt{SubmissionID: s.ID, N: 1, Key: s.Key + "-1", Number: "+12025550142", Driver: "x"}, "sha", 1); err != nil {
				b.Fatal(err)
			}
		}
	}
	j.Close()
	if fi, err := os.Stat(path); err == nil {
		b.ReportMetric(float64(fi.Size())/(1<<20), "file-MB")
	}
	for b.Loop() {
		j, err := Open(path)
		if err != nil {
			b.Fatal(err)
		}
		j.Close()
	}
}
