package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/faxjam/faxjam/pkg/dispatch/linesim"
	"github.com/faxjam/faxjam/pkg/testtool"
)

// tmuxTerm is a real terminal emulator (tmux, detached) that faxjam runs
// in; the test reads its screen as a person would see it.
type tmuxTerm struct {
	t      *testing.T
	bin    string
	socket string
}

func newTmux(t *testing.T, width, height int, script string) *tmuxTerm {
	t.Helper()
	bin := testtool.Need(t, "tmux", "tmux")
	// A private server (its own socket, no config), killed at the end.
	tm := &tmuxTerm{t: t, bin: bin, socket: filepath.Join(t.TempDir(), "tmux.sock")}
	tm.run("-f", "/dev/null", "new-session", "-d", "-s", "live", "-x", fmt.Sprint(width), "-y", fmt.Sprint(height), "sh "+script)
	tm.run("set-option", "-t", "live", "remain-on-exit", "on")
	t.Cleanup(func() { exec.Command(bin, "-S", tm.socket, "kill-server").Run() })
	return tm
}

func (tm *tmuxTerm) run(args ...string) string {
	tm.t.Helper()
	out, err := exec.Command(tm.bin, append([]string{"-S", tm.socket}, args...)...).CombinedOutput()
	if err != nil {
		tm.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// screen is what the terminal shows now.
func (tm *tmuxTerm) screen() string { return tm.run("capture-pane", "-p", "-t", "live") }

// history is everything the terminal printed, scrolled off or not.
func (tm *tmuxTerm) history() string {
	return tm.run("capture-pane", "-p", "-t", "live", "-S", "-", "-E", "-")
}

func (tm *tmuxTerm) exited() bool {
	return strings.TrimSpace(tm.run("display-message", "-p", "-t", "live", "#{pane_dead}")) == "1"
}

// terminalScript writes a shell script that runs faxjam with args (shell
// words) in the workspace as a person's terminal would: the workspace's
// environment with TERM=xterm-256color and colour on, then the exit code.
func (w *workspace) terminalScript(args string) string {
	w.t.Helper()
	var env []string
	for _, kv := range w.env {
		if k, _, _ := strings.Cut(kv, "="); k != "NO_COLOR" && k != "TERM" {
			env = append(env, "export '"+strings.ReplaceAll(kv, "'", `'\''`)+"'")
		}
	}
	script := w.path("run.sh")
	body := strings.Join(env, "\n") + "\nexport TERM=xterm-256color\ncd '" + w.dir + "'\n'" + binary + "' " + args + "\necho \"exit $?\"\n"
	if err := os.WriteFile(script, []byte(body), 0o700); err != nil {
		w.t.Fatal(err)
	}
	return script
}

// TestLiveViewInATerminal runs a real bulk send through the simulated fax
// network inside a terminal (tmux) and reads its screen: the live view of
// the lines is drawn in place (its header is on the screen once, not once
// per redraw), the lines' states change as the run goes (a fax in flight
// on an up line, a line that never answers taken down), a narrower
// terminal reflows it, and the run ends with the plain summary.
func TestLiveViewInATerminal(t *testing.T) {
	w := newWorkspace(t)
	camp, c := w.writeCampaign(map[string]any{"quiet_hours": nil, "per_number_per_hour": 100000})
	w.writeSigners("signers.csv", people(24))
	r := startRelay(t, linesim.Config{Duration: 300 * time.Millisecond, Ring: time.Second, Seed: seed(t)}, 0)
	r.sim.SetLine(c.Target.Fax[2].Number, linesim.NoAnswer)

	tm := newTmux(t, 100, 30, w.terminalScript(fmt.Sprintf("--campaign '%s' send --signers signers.csv --gateway '%s' --journal journal.db --poll 50ms", camp, r.url)))

	var sawFlight, sawUp, sawDown, sawNarrow, resized bool
	deadline := time.Now().Add(2 * time.Minute)
	for !tm.exited() {
		if time.Now().After(deadline) {
			t.Fatalf("faxjam still running after 2 minutes; screen:\n%s", tm.screen())
		}
		scr := tm.screen()
		for _, l := range strings.Split(scr, "\n") {
			f := strings.Fields(l)
			if len(f) >= 5 && f[0] == "Despacho" && f[1] == "sending" && strings.HasSuffix(f[len(f)-5], "s") && f[len(f)-5] != "-" {
				sawFlight = true // a name and how long it has been on the line (then DELIV FAIL 7 DAYS HOUR)
			}
			if strings.HasPrefix(l, "Fiscal") && strings.Contains(l, " down until ") {
				sawDown = true
			}
			if strings.HasPrefix(l, "Fiscal") && (strings.Contains(l, " up ") || strings.Contains(l, " sending ")) && !sawDown {
				sawUp = true // before it was taken down: the state changed
			}
		}
		if resized && strings.Contains(scr, " HOUR") && !strings.Contains(scr, "LAST HOUR") {
			sawNarrow = true
			for _, l := range strings.Split(scr, "\n") {
				if ansi.StringWidth(l) > 60 {
					t.Errorf("a line wider than the 60-column terminal: %q", l)
				}
			}
		}
		if sawFlight && sawDown && !resized {
			// Dozens of frames so far, and the header on the terminal once.
			if n := strings.Count(tm.history(), "IN FLIGHT"); n != 1 {
				t.Errorf("before the resize the table header was printed %d times, want once (redrawn in place):\n%s", n, tm.history())
			}
			tm.run("resize-window", "-t", "live", "-x", "60", "-y", "30")
			resized = true
		}
		time.Sleep(50 * time.Millisecond)
	}
	final, hist := tm.screen(), tm.history()
	t.Logf("the terminal at the end:\n%s", hist)
	if !sawFlight {
		t.Errorf("never saw a fax in flight on a line (sending); last screen:\n%s", final)
	}
	if !sawUp {
		t.Errorf("never saw the line that does not answer up before it went down; last screen:\n%s", final)
	}
	if !sawDown {
		t.Errorf("never saw the line that does not answer taken down; last screen:\n%s", final)
	}
	if !sawNarrow {
		t.Errorf("the view did not reflow to 60 columns; last screen:\n%s", final)
	}
	// Once at 100 columns (left in the history by the resize), once at 60.
	if n := strings.Count(hist, "IN FLIGHT"); n != 2 {
		t.Errorf("the table header was printed %d times, want twice (once per width):\n%s", n, hist)
	}
	for _, want := range []string{"Total 24:", "Done: 24 delivered", "exit 0"} {
		if !strings.Contains(hist, want) {
			t.Errorf("no %q at the end:\n%s", want, hist)
		}
	}
	if got := r.faxesBySigner(); len(got) != 24 {
		t.Errorf("%d signers' faxes arrived, want 24", len(got))
	}
}

// TestStatusFollowIsLiveInATerminal: work left queued by a send that ran
// out of --wait is carried on by status --follow in a terminal, shown in
// the live view, which counts it down to nothing left.
func TestStatusFollowIsLiveInATerminal(t *testing.T) {
	w := newWorkspace(t)
	camp, _ := w.writeCampaign(map[string]any{"quiet_hours": nil, "per_number_per_hour": 100000})
	w.writeSigners("signers.csv", people(12))
	r := startRelay(t, linesim.Config{Duration: 200 * time.Millisecond, Seed: seed(t)}, 0)
	first := w.run(time.Minute, "--campaign", camp, "send", "--signers", "signers.csv", "--gateway", r.url,
		"--journal", "journal.db", "--poll", "20ms", "--wait", "300ms", "--json")
	if first.code != 3 {
		t.Fatalf("the first send should leave work queued (exit 3): %v", first)
	}
	tm := newTmux(t, 100, 30, w.terminalScript(fmt.Sprintf("--campaign '%s' status --follow --gateway '%s' --journal journal.db --poll 20ms", camp, r.url)))
	sawQueued := false
	deadline := time.Now().Add(time.Minute)
	for !tm.exited() {
		if time.Now().After(deadline) {
			t.Fatalf("status --follow still running after a minute:\n%s", tm.screen())
		}
		if scr := tm.screen(); strings.Contains(scr, "IN FLIGHT") && regexp.MustCompile(`[1-9][0-9]* queued`).MatchString(scr) {
			sawQueued = true
		}
		time.Sleep(30 * time.Millisecond)
	}
	hist := tm.history()
	if !sawQueued {
		t.Errorf("never saw the live view with work queued:\n%s", hist)
	}
	for _, want := range []string{"0 queued", "nothing left", "exit 0"} {
		if !strings.Contains(hist, want) {
			t.Errorf("no %q at the end:\n%s", want, hist)
		}
	}
	if got := r.faxesBySigner(); len(got) != 12 {
		t.Errorf("%d signers' faxes arrived, want 12", len(got))
	}
	for k, n := range r.faxesBySigner() {
		if n != 1 {
			t.Errorf("signer %s faxed %d times", k, n)
		}
	}
}
