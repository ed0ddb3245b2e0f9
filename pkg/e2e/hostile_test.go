package e2e

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// setTemplates replaces the letters of the campaign writeCampaign wrote.
func (w *workspace) setTemplates(es, en string) {
	w.t.Helper()
	for name, text := range map[string]string{"es.tmpl": es, "en.tmpl": en} {
		if err := os.WriteFile(filepath.Join(w.path("campaign"), name), []byte(text), 0o600); err != nil {
			w.t.Fatal(err)
		}
	}
}

// TestTemplateBombsAreBoundedInTheBinary: each template bomb of issue 8 is
// refused by `campaign show` (and `send --dry-run`) within a second, and
// the process's peak RSS stays small. Before the bounds, the first of them
// ran `send --dry-run` for 458 s to 21.8 GB.
func TestTemplateBombsAreBoundedInTheBinary(t *testing.T) {
	bombs := map[string]string{
		"range":       `{{range 3000000000}}x{{end}}`,
		"empty range": `{{range 3000000000}}{{end}}`,
		"recursion":   `{{define "a"}}{{template "a"}}{{end}}{{template "a"}}`,
		"printf":      `{{printf "%999999d" 1}}{{printf "%*d" 1000000 1}}`,
		"output":      `{{define "a"}}{{.Campaign.Background}}{{.Campaign.Background}}{{end}}{{range 100000}}{{template "a" $}}{{end}}`,
	}
	for name, bomb := range bombs {
		for _, cmdline := range [][]string{
			{"campaign", "show"},
			{"send", "--dry-run", "--name", "Ana", "--city", "Lima", "--country", "Perú"},
		} {
			t.Run(name+"/"+cmdline[0], func(t *testing.T) {
				w := newWorkspace(t)
				camp, _ := w.writeCampaign(nil)
				w.setTemplates("Hola {{.Sender.Name}}", bomb)
				args := append([]string{"--campaign", camp}, cmdline...)
				cmd, peakRSS := w.measured(t.Context(), args...)
				var out, errb bytes.Buffer
				cmd.Stdout, cmd.Stderr = &out, &errb
				start := time.Now()
				err := cmd.Run()
				took := time.Since(start)
				if cmd.ProcessState == nil {
					t.Fatalf("faxjam %v: %v", args, err)
				}
				if code := cmd.ProcessState.ExitCode(); code != 2 {
					t.Errorf("exit %d, want 2\n%s", code, tail(errb.String(), 10))
				}
				if !strings.Contains(errb.String(), "languages.en") || !strings.Contains(errb.String(), "bounds") {
					t.Errorf("stderr does not name languages.en and the bound:\n%s", tail(errb.String(), 10))
				}
				if took > time.Second {
					t.Errorf("took %s, want under a second", took)
				}
				if peak := peakRSS(t); peak > 100 {
					t.Errorf("peak RSS %.1f MiB, want under 100 MiB", peak)
				} else {
					t.Logf("refused in %s, peak RSS %.1f MiB", took.Round(time.Millisecond), peak)
				}
			})
		}
	}
}

// TestSignalStopsDryRunWithinASecond: SIGTERM (and SIGINT) to a `send
// --dry-run` busy composing slow letters ends it within a second.
func TestSignalStopsDryRunWithinASecond(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			w := newWorkspace(t)
			camp, _ := w.writeCampaign(map[string]any{"quiet_hours": nil})
			// Each letter takes tens of milliseconds: thousands of them
			// take minutes.
			slow := `{{range 5000}}{{if $.Campaign.Digest}}{{end}}{{end}}Hola {{.Sender.Name}}`
			w.setTemplates(slow, slow)
			w.writeSigners("people.csv", people(3000))
			args := []string{"--campaign", camp, "send", "--signers", "people.csv", "--dry-run", "--json"}
			cmd := w.command(t.Context(), args...)
			planned := make(chan struct{}, 1)
			out := &lineWatcher{on: func(l string) bool { return strings.HasPrefix(l, `{"type":"planned"`) }, fire: planned}
			var errb bytes.Buffer
			cmd.Stdout, cmd.Stderr = out, &errb
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case <-planned:
			case err := <-done:
				t.Fatalf("faxjam ended before the signal: %v\n%s", err, tail(errb.String(), 10))
			case <-time.After(30 * time.Second):
				cmd.Process.Kill()
				t.Fatalf("no planned event in 30 s\n%s", tail(errb.String(), 10))
			}
			sent := time.Now()
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				cmd.Process.Kill()
				<-done
				t.Fatalf("still running 10 s after %v", sig)
			}
			took := time.Since(sent)
			if took > time.Second {
				t.Errorf("exited %s after %v, want within a second", took.Round(time.Millisecond), sig)
			}
			if code := cmd.ProcessState.ExitCode(); code == 0 {
				t.Errorf("exit 0 after %v", sig)
			}
			if strings.Contains(out.buf.String(), `"type":"summary"`) && strings.Contains(out.buf.String(), `"planned":3000`) {
				t.Errorf("all 3000 planned: the signal came too late to test anything")
			}
			t.Logf("exit %d %s after %v; stderr: %s", cmd.ProcessState.ExitCode(), took.Round(time.Millisecond), sig, tail(errb.String(), 3))
		})
	}
}
