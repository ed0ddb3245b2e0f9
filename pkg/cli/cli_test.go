package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/faxjam/faxjam/pkg/campaign"
	"github.com/faxjam/faxjam/pkg/letter"
	"github.com/faxjam/faxjam/pkg/render"
	"github.com/faxjam/faxjam/pkg/testtool"
)

func TestExitCodeTable(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"nil is ok", nil, ExitOK},
		{"plain error", errors.New("disk full"), ExitError},
		{"usage", usagef("bad flag"), ExitUsage},
		{"wrapped usage", fmt.Errorf("x: %w", usagef("bad")), ExitUsage},
		{"invalid campaign", &campaign.ValidationError{Problems: []campaign.Problem{{Path: "id", Reason: "required"}}}, ExitUsage},
		{"rejected signer", &letter.FieldErrors{Fields: []letter.FieldError{{Field: "name", Reason: "required"}}}, ExitUsage},
		{"overflow", &render.OverflowError{Chars: 12}, ExitUsage},
		{"missing glyph", &render.GlyphError{Rune: '王'}, ExitUsage},
		{"partial", &PartialError{Failed: 1}, ExitPartial},
		{"Ctrl-C during a run", fmt.Errorf("dispatch: %w", context.Canceled), ExitInterrupted},
		{"Ctrl-D at a question", errAborted, ExitInterrupted},
		{"partial beats usage", fmt.Errorf("%w %w", &PartialError{Queued: 1}, usagef("x")), ExitPartial},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ExitCode(tt.err); got != tt.want {
				t.Errorf("ExitCode(%v) = %d, want %d", tt.err, got, tt.want)
			}
		})
	}
}

func TestPrintErrorSaysWhatFirst(t *testing.T) {
	forBoth(t, func(t *testing.T, tty bool) {
		f, _, errOut := testFactory(t, tty)
		printError(f.IO, "faxjam campaign show", &campaign.ValidationError{Source: "c.yaml", Problems: []campaign.Problem{
			{Path: "id", Reason: "required"}, {Path: "target.fax[0].number", Reason: "not E.164"}}}, f.secrets.scrub)
		lines := strings.Split(strings.TrimSpace(errOut.String()), "\n")
		if len(lines) != 3 || !strings.Contains(lines[0], "Error:") || !strings.Contains(lines[0], "campaign c.yaml has 2 problem(s)") {
			t.Fatalf("want one line first then a line per problem, got %q", errOut.String())
		}
		if lines[2] != "  target.fax[0].number: not E.164" {
			t.Errorf("problem line = %q", lines[2])
		}
		if hasANSI := strings.Contains(lines[0], "\x1b["); hasANSI != tty {
			t.Errorf("escape codes on stderr: %v, want %v", hasANSI, tty)
		}
	})
}

func TestAboutRun(t *testing.T) {
	forBoth(t, func(t *testing.T, tty bool) {
		f, out, _ := testFactory(t, tty)
		f.IO.SetWidth(60)
		if err := aboutRun(context.Background(), &AboutOptions{IO: f.IO, Campaign: f.Campaign}); err != nil {
			t.Fatal(err)
		}
		got := out.String()
		for _, want := range []string{"Background", "Key facts", "What we ask", "Fundación Sobrevivientes"} {
			if !strings.Contains(got, want) {
				t.Errorf("about lacks %q", want)
			}
		}
		if hasANSI := strings.Contains(got, "\x1b["); hasANSI != tty {
			t.Errorf("escape codes: %v, want %v", hasANSI, tty)
		}
		if !tty {
			for _, l := range strings.Split(got, "\n") {
				if n := len([]rune(l)); n > 60 {
					t.Errorf("line wider than the terminal (%d): %q", n, l)
				}
			}
		}
	})
}

func TestBannerRunSaysWhatNext(t *testing.T) {
	tests := []struct {
		name      string
		sender    bool
		gateway   string
		want, not []string
	}{
		{"first run: read first, nothing is dialled", false, "",
			[]string{"Defend Norma Cruz", "3 fax numbers (fictitious)", "Gateway: outbox:// (writes faxes to a folder, dials nothing)",
				"Next: faxjam about — why this matters, then `faxjam letter` and `faxjam send`"}, []string{"Next: faxjam send"}},
		{"configured: send, through the gateway, redacted", true, "telnyx://SECRETKEY@conn?from=%2B12025550100",
			[]string{"Gateway: telnyx://***@conn", "Next: faxjam send — sends your letter"}, []string{"SECRETKEY", "outbox"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			forBoth(t, func(t *testing.T, tty bool) {
				f, out, _ := testFactory(t, tty)
				noJSON := false
				opts := &BannerOptions{IO: f.IO, Campaign: f.Campaign, JSON: &noJSON,
					HasSender: func() bool { return tt.sender }, Gateway: func() string { return tt.gateway }}
				if err := bannerRun(context.Background(), opts); err != nil {
					t.Fatal(err)
				}
				got := ansi.Strip(out.String())
				for _, w := range tt.want {
					if !strings.Contains(got, w) {
						t.Errorf("banner lacks %q:\n%s", w, got)
					}
				}
				for _, n := range tt.not {
					if strings.Contains(got, n) {
						t.Errorf("banner has %q:\n%s", n, got)
					}
				}
			})
		})
	}
}

func letterOpts(f *Factory) *LetterOptions {
	return &LetterOptions{IO: f.IO, Campaign: f.Campaign, Now: f.Now, Format: "text", Paper: "a4",
		Signer: letter.Signer{Name: "José Pérez", City: "Berlín", Country: "Alemania"}}
}

func TestLetterRunText(t *testing.T) {
	forBoth(t, func(t *testing.T, tty bool) {
		f, out, _ := testFactory(t, tty)
		if err := letterRun(context.Background(), letterOpts(f)); err != nil {
			t.Fatal(err)
		}
		got := out.String()
		if !strings.Contains(got, "José Pérez") || !strings.Contains(got, "8 de marzo de 2026") {
			t.Errorf("letter lacks the sender or the localized date:\n%s", got)
		}
		if framed := strings.Contains(got, "╭"); framed != tty {
			t.Errorf("framed preview: %v, want %v", framed, tty)
		}
	})
}

func TestLetterRunBinaryNeverToATerminal(t *testing.T) {
	forBoth(t, func(t *testing.T, tty bool) {
		f, out, _ := testFactory(t, tty)
		opts := letterOpts(f)
		opts.Format = "pdf"
		err := letterRun(context.Background(), opts)
		if tty {
			if ExitCode(err) != ExitUsage || !strings.Contains(err.Error(), "-o FILE") {
				t.Fatalf("PDF to a terminal: err = %v, want a usage error naming -o FILE", err)
			}
			if out.Len() != 0 {
				t.Errorf("wrote %d bytes to the terminal", out.Len())
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(out.String(), "%PDF-") {
			t.Errorf("piped PDF starts %q", out.String()[:min(8, out.Len())])
		}
	})
}

func TestLetterRunMissingSender(t *testing.T) {
	f, _, _ := testFactory(t, false)
	opts := letterOpts(f)
	opts.Signer.City, opts.Signer.Country = "", ""
	err := letterRun(context.Background(), opts)
	if ExitCode(err) != ExitUsage || !strings.Contains(err.Error(), "missing city, country") {
		t.Errorf("err = %v, want usage error naming city, country", err)
	}
}

// TestLetterPDFIsOnePageWithTheSender checks the PDF with poppler, as a
// reader (or a fax gateway) sees it.
func TestLetterPDFIsOnePageWithTheSender(t *testing.T) {
	pdfinfo := testtool.Need(t, "pdfinfo", "poppler-utils")
	pdftotext := testtool.Need(t, "pdftotext", "poppler-utils")
	f, _, _ := testFactory(t, false)
	opts := letterOpts(f)
	opts.Format, opts.Output = "pdf", filepath.Join(t.TempDir(), "carta.pdf")
	if err := letterRun(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	info, err := exec.Command(pdfinfo, opts.Output).Output()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(info), "Pages:") || !strings.Contains(strings.Join(strings.Fields(string(info)), " "), "Pages: 1") {
		t.Errorf("pdfinfo:\n%s", info)
	}
	text, err := exec.Command(pdftotext, opts.Output, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"José Pérez", "Norma Cruz"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("pdftotext lacks %q:\n%s", want, text)
		}
	}
	if st, err := os.Stat(opts.Output); err != nil || st.Size() == 0 {
		t.Errorf("output: %v", err)
	}
}

func TestSetYAMLKeyKeepsComments(t *testing.T) {
	tests := []struct {
		name, in, key, value string
		want                 []string
	}{
		{"new file", "", "sender.name", "José", []string{"sender:\n  name: José"}},
		{"keeps comments", "# mine\nsender:\n  city: Lima # home\n", "sender.name", "Ana", []string{"# mine", "city: Lima # home", "name: Ana"}},
		{"replaces a value", "gateway: outbox://\n", "gateway", "telnyx://k@c", []string{"gateway: telnyx://k@c"}},
		{"numbers stay strings", "", "parallel", "4", []string{`parallel: "4"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := setYAMLKey([]byte(tt.in), strings.Split(tt.key, "."), tt.value)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(got), w) {
					t.Errorf("got\n%s\nwant it to contain %q", got, w)
				}
			}
		})
	}
}

func TestConfigShowRedacts(t *testing.T) {
	forBoth(t, func(t *testing.T, tty bool) {
		f, out, _ := testFactory(t, tty)
		path := f.ConfigPath()
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		cfg := "gateway: sinch://KEYID:SECRETKEY@proj\npetition_token: SECRETTOKEN\napi_password: SECRETPW\nsender:\n  name: Ana\n"
		if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
		opts := &ConfigOptions{}
		f.configOptions(opts)
		if err := configShowRun(context.Background(), opts); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(out.String(), "SECRET") || strings.Contains(out.String(), "KEYID") {
			t.Errorf("secret shown:\n%s", out.String())
		}
		if !strings.Contains(out.String(), "Ana") {
			t.Errorf("plain value missing:\n%s", out.String())
		}
	})
}

func TestVersionRun(t *testing.T) {
	f, out, _ := testFactory(t, false)
	if err := versionRun(context.Background(), &VersionOptions{IO: f.IO, Build: f.Build, JSON: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), `{"type":"version","version":"1.2.3","commit":"abc","date":"2026-01-02"`) {
		t.Errorf("version --json = %s", out.String())
	}
}

// TestInterruptedExits130: a run stopped by Ctrl-C (its context cancelled)
// exits 130, as shells expect of SIGINT, and says so without "Error:".
func TestInterruptedExits130(t *testing.T) {
	f, _, errOut := testFactory(t, false)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	code := run(ctx, f, []string{"--campaign", testCampaign(t), "send", "--name", "Ana", "--city", "Lima", "--country", "Perú", "--yes"})
	if code != ExitInterrupted {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, ExitInterrupted, errOut)
	}
	if got := errOut.String(); !strings.Contains(got, "Interrupted: nothing is lost") || strings.Contains(got, "Error:") {
		t.Errorf("stderr:\n%s", got)
	}
}

// TestJSONErrors: a command that fails under --json ends its stdout with
// one {"type":"error"} object (message, exit code, hint) and writes nothing
// to stderr, whatever the error: a usage error with its hint, a bad flag
// found before --json was read, a run stopped by Ctrl-C.
func TestJSONErrors(t *testing.T) {
	for _, tt := range []struct {
		name      string
		args      []string
		cancelled bool
		want      errorJSON
	}{
		{"unknown command", []string{"campaign", "bogus", "--json"}, false,
			errorJSON{Message: `unknown command "bogus" for "faxjam campaign"`, ExitCode: 2, Hint: "see 'faxjam campaign --help'"}},
		{"flag before --json", []string{"--bogus", "--json"}, false, errorJSON{Message: "unknown flag: --bogus", ExitCode: 2}},
		{"missing details", []string{"letter", "--json"}, false,
			errorJSON{Message: "missing name, city, country: give --name, --city, --country (or set sender.name in config)", ExitCode: 2}},
		{"interrupted", []string{"send", "--json", "--name", "Ana", "--city", "Lima", "--country", "Perú", "--yes"}, true,
			errorJSON{Message: "interrupted", ExitCode: 130, Hint: "nothing is lost: re-run the same command to carry on"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, out, errOut := testFactory(t, false)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.cancelled {
				cancel()
			}
			code := run(ctx, f, append([]string{"--campaign", testCampaign(t)}, tt.args...))
			lines := strings.Split(strings.TrimSpace(out.String()), "\n")
			var got struct {
				Type string `json:"type"`
				errorJSON
			}
			if err := json.Unmarshal([]byte(lines[len(lines)-1]), &got); err != nil {
				t.Fatalf("last line of stdout %q: %v", lines[len(lines)-1], err)
			}
			if got.Type != "error" || got.errorJSON != tt.want || code != tt.want.ExitCode {
				t.Errorf("exit %d, last line %+v; want %+v", code, got, tt.want)
			}
			if errOut.Len() != 0 {
				t.Errorf("stderr under --json: %q", errOut)
			}
		})
	}
}
