package dispatch

import (
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/dispatch/linesim"
	"github.com/faxjam/faxjam/pkg/journal"
	"github.com/faxjam/faxjam/pkg/testtool"
)

// The engine on a journal in PostgreSQL (a real server, started by
// testtool): every signer through a faulty gateway exactly once, and a
// second run finds them all done.
func TestEngineOnAPostgresJournal(t *testing.T) {
	j, err := journal.OpenPostgres(t.Context(), testtool.Postgres(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	h := newHarness(t, linesim.Config{Duration: 2 * time.Millisecond, Faults: linesim.Faults{Rate: 0.2}}, numA, numB, numC)
	h.j = j
	ss := signerList(60)
	sum, err := h.run(t.Context(), h.config(), ss)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Counts[journal.Delivered] != len(ss) {
		t.Errorf("counts = %v, want %d delivered", sum.Counts, len(ss))
	}
	h.assertEachOnce(ss)
	again, err := h.run(t.Context(), h.config(), ss)
	if err != nil {
		t.Fatal(err)
	}
	if again.Already != len(ss) {
		t.Errorf("second run: %d already, want %d", again.Already, len(ss))
	}
	h.assertEachOnce(ss)
}
