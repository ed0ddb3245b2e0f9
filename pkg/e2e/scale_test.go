package e2e

import (
	"bytes"
	"encoding/json"
	"os"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// Scale, for BENCHMARKS.md ("End to end"): a dry run of 100,000 signers
// through the binary composes and renders every letter on all cores; the
// figures are its rows per second and its peak RSS. Every run holds the
// memory bound on 5,000 rows; FAXJAM_SCALE=1 runs 100,000 (minutes), and
// FAXJAM_SCALE_ROWS sets any count.
//
//	FAXJAM_SCALE=1 go test -run Scale -v -timeout 30m ./pkg/e2e/
func TestScaleDryRun(t *testing.T) {
	// By default a 5,000-row list (seconds), so the memory bound is held in
	// every run; FAXJAM_SCALE=1 runs the 100,000 rows (minutes).
	rows := 5_000
	if os.Getenv("FAXJAM_SCALE") == "1" {
		rows = 100_000
	}
	if v := os.Getenv("FAXJAM_SCALE_ROWS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			t.Fatalf("FAXJAM_SCALE_ROWS=%q: want a positive number", v)
		}
		rows = n
	}
	w := newWorkspace(t)
	camp, _ := w.writeCampaign(map[string]any{"quiet_hours": nil})
	w.writeSigners("big.csv", people(rows))
	st, err := os.Stat(w.path("big.csv"))
	if err != nil {
		t.Fatal(err)
	}

	for _, mode := range []struct {
		name string
		args []string
	}{
		{"json", []string{"--json"}},
		{"text", nil},
	} {
		t.Run(mode.name, func(t *testing.T) {
			args := append([]string{"--campaign", camp, "send", "--signers", "big.csv", "--dry-run"}, mode.args...)
			cmd, peakRSS := w.measured(t.Context(), args...)
			planned := &typeCounter{want: []byte(`{"type":"planned"`)}
			var errb bytes.Buffer
			cmd.Stdout, cmd.Stderr = planned, &errb
			start := time.Now()
			if err := cmd.Run(); err != nil {
				t.Fatalf("faxjam %v: %v\n%s", args, err, tail(errb.String(), 10))
			}
			took := time.Since(start)
			ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
			if !ok {
				t.Fatalf("no rusage on %s", runtime.GOOS)
			}
			peak := peakRSS(t)
			cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
			if mode.name == "json" && planned.n != rows {
				t.Errorf("%d planned events, want %d", planned.n, rows)
			}
			var sum struct {
				Summary struct {
					Planned int `json:"planned"`
				} `json:"summary"`
			}
			if mode.name == "json" {
				if err := json.Unmarshal(planned.last, &sum); err != nil || sum.Summary.Planned != rows {
					t.Errorf("last line %q: planned %d, want %d (%v)", planned.last, sum.Summary.Planned, rows, err)
				}
			}
			t.Logf("%s: %d rows (%.1f MB CSV) in %s on %d CPUs: %.0f rows/s, peak RSS %.1f MiB, CPU %s (%.2f cores busy)",
				mode.name, rows, float64(st.Size())/1e6, took.Round(time.Millisecond), runtime.NumCPU(),
				float64(rows)/took.Seconds(), peak, cpu.Round(time.Millisecond), cpu.Seconds()/took.Seconds())
			if peak > 100 {
				t.Errorf("peak RSS %.1f MiB, target < 100 MiB", peak)
			}
		})
	}
}

// typeCounter counts JSON lines starting with want, keeping the last line,
// so 100,000 events are never held.
type typeCounter struct {
	want    []byte
	n       int
	partial []byte
	last    []byte
}

func (c *typeCounter) Write(p []byte) (int, error) {
	data := append(c.partial, p...)
	for {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			break
		}
		line := data[:i]
		if bytes.HasPrefix(line, c.want) {
			c.n++
		}
		c.last = append(c.last[:0], line...)
		data = data[i+1:]
	}
	c.partial = append(c.partial[:0], data...)
	return len(p), nil
}
