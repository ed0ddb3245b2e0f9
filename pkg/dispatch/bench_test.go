package dispatch

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/dispatch/linesim"
	"github.com/faxjam/faxjam/pkg/journal"
)

func benchEngine(b *testing.B, sim *linesim.Sim, mod func(*Config)) (*Engine, *journal.Journal) {
	b.Helper()
	j, err := journal.Open(filepath.Join(b.TempDir(), "journal.db"))
	if err != nil {
		b.Fatal(err)
	}
	cfg := Config{Campaign: testCampaign(numA, numB, numC), Gateway: sim, Driver: linesim.Driver, Journal: j,
		Compose: cheapCompose, Poll: 5 * time.Millisecond, Petition: linesim.NewPetition()}
	mod(&cfg)
	e, err := New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	return e, j
}

// BenchmarkLineUtilisation: 3 numbers, each fax holding its line 200 ms,
// 60 signers. The ideal is 60/3 × 200 ms = 4 s; ratio is the run's time
// over that (the target is ≤ 1.1).
// Run: go test -run '^$' -bench LineUtilisation -benchtime 1x ./pkg/dispatch/
func BenchmarkLineUtilisation(b *testing.B) {
	const signers, d = 60, 200 * time.Millisecond
	ideal := time.Duration(signers/3) * d
	for b.Loop() {
		e, j := benchEngine(b, linesim.New(linesim.Config{Duration: d}), func(*Config) {})
		sum, err := e.Run(b.Context(), seq(signerList(signers)))
		j.Close()
		if err != nil || sum.Run[journal.Delivered] != signers {
			b.Fatalf("run: %v, %v", err, sum.Run)
		}
		b.ReportMetric(float64(sum.Duration)/float64(ideal), "x-ideal")
		b.ReportMetric(sum.Utilisation, "utilisation")
	}
}

// BenchmarkEngineOverhead: 10,000 signers through a network that answers
// at once (no line time) with room for many calls per number: what the
// engine and its journal writes cost per submission.
// Run: go test -run '^$' -bench EngineOverhead -benchtime 1x ./pkg/dispatch/
func BenchmarkEngineOverhead(b *testing.B) {
	const signers = 10_000
	for b.Loop() {
		e, j := benchEngine(b, linesim.New(linesim.Config{}), func(c *Config) {
			c.Campaign.Limits.CallsPerNumber = 1000
		})
		sum, err := e.Run(b.Context(), seq(signerList(signers)))
		j.Close()
		if err != nil || sum.Run[journal.Delivered] != signers {
			b.Fatalf("run: %v, %v", err, sum.Run)
		}
		b.ReportMetric(signers/sum.Duration.Seconds(), "submissions/s")
	}
}
