package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/letter"
)

// An interrupted bulk send, run again and again: every summary's totals add
// up to the rows of the run (this run's outcomes, what is left queued, what
// earlier runs did), in --json and in the text summary. Before, a 50-row
// run cut off by --wait said 15 written and 20 queued (the 15 its feed had
// not reached were in no count), and a re-run counted the rows it resumed
// twice.
func TestResumedRunsTotalsAddUpToTheRows(t *testing.T) {
	w := newWorkspace(t)
	var list []letter.Signer
	for i := range 50 {
		list = append(list, letter.Signer{Name: fmt.Sprintf("Persona %d", i), City: "Lima", Country: "Perú"})
	}
	file := w.writeSigners("people.csv", list)
	args := []string{"send", "--signers", file, "--gateway", "outbox:" + w.path("ob"), "--journal", w.path("j.db"), "--yes", "--rate", "10/s"}
	type summary struct {
		Run      map[string]int `json:"run"`
		Already  int            `json:"already"`
		Rejected int            `json:"rejected"`
		Held     map[string]int `json:"held"`
	}
	for round := 0; ; round++ {
		res := w.run(2*time.Minute, append(args, "--json", "--wait", "1500ms")...)
		var sum summary
		for line := range strings.Lines(res.stdout) {
			var ev struct {
				Type    string  `json:"type"`
				Summary summary `json:"summary"`
			}
			if json.Unmarshal([]byte(line), &ev) == nil && ev.Type == "summary" {
				sum = ev.Summary
			}
		}
		total := sum.Already + sum.Rejected
		for _, n := range sum.Run {
			total += n
		}
		for _, n := range sum.Held {
			total += n
		}
		if total != len(list) {
			t.Fatalf("round %d: the summary adds up to %d of %d rows: %+v\n%v", round, total, len(list), sum, res)
		}
		if sum.Run["queued"] == 0 {
			if res.code != 0 || sum.Already == 0 {
				t.Fatalf("round %d: done with exit %d, %+v", round, res.code, sum)
			}
			break
		}
		if res.code != 3 || round > 10 {
			t.Fatalf("round %d: exit %d with %d queued\n%v", round, res.code, sum.Run["queued"], res)
		}
		// The text summary of the same state says the same.
		text := w.run(time.Minute, "status", "--journal", w.path("j.db"), "--json")
		var st struct{ Counts map[string]int }
		for line := range strings.Lines(text.stdout) {
			json.Unmarshal([]byte(line), &st)
		}
		if st.Counts["queued"]+st.Counts["sending"] != sum.Run["queued"]+sum.Run["sending"] {
			t.Fatalf("round %d: the run says %d queued, status %d", round, sum.Run["queued"], st.Counts["queued"])
		}
	}
}
