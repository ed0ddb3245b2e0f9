package e2e

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
)

// onPTY runs faxjam with args with stdin, stdout and stderr on a fresh
// pseudo-terminal, as at a person's terminal, and returns what it printed.
// Nothing answers on the terminal's side: a program that queried the
// terminal (OSC 11, cursor position) would wait for its own time-out.
func onPTY(tb testing.TB, w *workspace, args ...string) (string, time.Duration) {
	tb.Helper()
	bin := binary
	if other := os.Getenv("FAXJAM_START_BINARY"); other != "" {
		bin = other // another build, to compare (BENCHMARKS.md)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = w.dir
	cmd.Env = append(w.env[:len(w.env):len(w.env)], "TERM=xterm-256color", "COLUMNS=") // the later TERM wins
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: 100, Rows: 30})
	if err != nil {
		tb.Fatalf("start faxjam on a pty: %v", err)
	}
	var out bytes.Buffer
	io.Copy(&out, f) // ends with EIO when faxjam exits and the pty closes
	f.Close()
	if err := cmd.Wait(); err != nil {
		tb.Fatalf("faxjam %s on a pty: %v\n%s", strings.Join(args, " "), err, out.String())
	}
	return out.String(), cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
}

// BenchmarkStartOnATerminal is faxjam's start-up on a terminal, from exec
// to exit, for the commands a person types first: the target is 5 ms or
// less (BENCHMARKS.md), and no terminal query (none is answered here).
// Besides the wall time (ns/op, which on a busy machine is mostly waiting
// for a core: see BenchmarkStartHelloOnATerminal) it reports cpu-ms/op,
// the CPU time faxjam itself used, and fastest-ms, the quickest start of
// the run: the closest a loaded machine gets to an idle one.
func BenchmarkStartOnATerminal(b *testing.B) {
	w := newWorkspace(b)
	for _, args := range [][]string{{"version"}, {"--help"}, {"status"}} {
		b.Run(strings.Join(args, " "), func(b *testing.B) {
			var cpu time.Duration
			fastest := time.Hour
			for b.Loop() {
				start := time.Now()
				out, took := onPTY(b, w, args...)
				fastest = min(fastest, time.Since(start))
				if strings.Contains(out, "]11;?") || strings.Contains(out, "\x1b[6n") {
					b.Fatalf("faxjam %v queried the terminal: %q", args, out)
				}
				cpu += took
			}
			b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
			b.ReportMetric(float64(fastest.Microseconds())/1000, "fastest-ms")
		})
	}
}

// BenchmarkStartHelloOnATerminal is the floor: a Go program that prints one
// line, under the same pty, on the same machine (FAXJAM_HELLO names it).
func BenchmarkStartHelloOnATerminal(b *testing.B) {
	hello := os.Getenv("FAXJAM_HELLO")
	if hello == "" {
		b.Skip("FAXJAM_HELLO=/path/to/a/hello-world binary measures the floor")
	}
	var cpu time.Duration
	fastest := time.Hour
	for b.Loop() {
		start := time.Now()
		cmd := exec.Command(hello)
		f, err := pty.Start(cmd)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, f)
		f.Close()
		if err := cmd.Wait(); err != nil {
			b.Fatal(err)
		}
		cpu += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
		fastest = min(fastest, time.Since(start))
	}
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(fastest.Microseconds())/1000, "fastest-ms")
}
