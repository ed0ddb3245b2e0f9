package cli

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/letter"
	"github.com/faxjam/faxjam/pkg/testtool"
	"github.com/faxjam/faxjam/pkg/ui"
)

// promptStreams are fake streams with input typed in advance: stdin a
// terminal, stderr a pipe (so questions come plain).
func promptStreams(input string) (*ui.IOStreams, *strings.Builder) {
	ios, in, _, errOut := ui.Test()
	ios.SetStdinTTY(true)
	in.WriteString(input)
	var log strings.Builder
	ios.ErrOut = io.MultiWriter(errOut, &log)
	return ios, &log
}

func TestPrompterSigner(t *testing.T) {
	full := letter.Signer{Name: "José Pérez", City: "Berlín", Country: "Alemania"}
	tests := []struct {
		name        string
		have        letter.Signer
		requireNote bool
		input       string
		want        letter.Signer
		wantErr     error
		asked       []string // questions, in order, each as often as asked
		stderr      string   // also on stderr
	}{
		{"asks every missing field and trims answers", letter.Signer{}, false,
			"  José Pérez \nBerlín\r\nAlemania\nUn saludo.\n",
			letter.Signer{Name: "José Pérez", City: "Berlín", Country: "Alemania", Note: "Un saludo."}, nil,
			[]string{"Your name", "Your city", "Your country", "A personal note"}, "as it goes under the letter"},
		{"asks only what is missing", letter.Signer{Name: "Ana", Country: "Perú", Note: "Hola."}, false,
			"Lima\n", letter.Signer{Name: "Ana", City: "Lima", Country: "Perú", Note: "Hola."}, nil,
			[]string{"Your city"}, ""},
		{"an empty optional note is none", full, false, "\n", full, nil,
			[]string{"A personal note"}, "optional"},
		{"an invalid name is refused with the reason and asked again", letter.Signer{City: "Lima", Country: "Perú", Note: "x"}, false,
			"{{.Evil}}\nAna Gómez\n", letter.Signer{Name: "Ana Gómez", City: "Lima", Country: "Perú", Note: "x"}, nil,
			[]string{"Your name", "Your name"}, "✗ must not contain template syntax"},
		{"a required note is asked again when left empty", full, true,
			"\nCon ustedes.\n", letter.Signer{Name: "José Pérez", City: "Berlín", Country: "Alemania", Note: "Con ustedes."}, nil,
			[]string{"A personal note", "A personal note"}, "required by this campaign"},
		{"a note over MaxNote is refused", full, false,
			strings.Repeat("a", letter.MaxNote+1) + "\nBien.\n", letter.Signer{Name: "José Pérez", City: "Berlín", Country: "Alemania", Note: "Bien."}, nil,
			[]string{"A personal note", "A personal note"}, "at most 600"},
		{"a line over ui.MaxLine is refused and the next line taken", letter.Signer{City: "Lima", Country: "Perú", Note: "x"}, false,
			strings.Repeat("a", ui.MaxLine+10) + "\nAna\n", letter.Signer{Name: "Ana", City: "Lima", Country: "Perú", Note: "x"}, nil,
			[]string{"Your name", "Your name"}, "more than 16384 bytes"},
		{"end of input cancels", letter.Signer{}, false, "José Pérez\n", letter.Signer{Name: "José Pérez"}, errAborted,
			[]string{"Your name", "Your city"}, ""},
		{"a last line without a line ending counts", letter.Signer{Name: "Ana", City: "Lima", Note: "x"}, false,
			"Perú", letter.Signer{Name: "Ana", City: "Lima", Country: "Perú", Note: "x"}, nil,
			[]string{"Your country"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, log := promptStreams(tt.input)
			s := tt.have
			err := linePrompter{ios: ios}.Signer(t.Context(), &s, tt.requireNote)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if s != tt.want {
				t.Errorf("signer = %+v, want %+v", s, tt.want)
			}
			if got := askedQuestions(log.String()); strings.Join(got, "|") != strings.Join(tt.asked, "|") {
				t.Errorf("asked %q, want %q\nstderr:\n%s", got, tt.asked, log)
			}
			if !strings.Contains(log.String(), tt.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tt.stderr, log)
			}
		})
	}
}

// askedQuestions lists the question lines: each is followed by its help
// (if any) and then "> ".
func askedQuestions(stderr string) []string {
	var qs []string
	for l := range strings.SplitSeq(stderr, "\n") {
		for _, q := range []string{"Your name", "Your city", "Your country", "A personal note"} {
			if l == q {
				qs = append(qs, q)
			}
		}
	}
	return qs
}

func TestPrompterGivesUpAfterMaxTries(t *testing.T) {
	ios, log := promptStreams(strings.Repeat("1\n", maxTries+1))
	s := letter.Signer{City: "Lima", Country: "Perú"}
	err := linePrompter{ios: ios}.Signer(t.Context(), &s, false)
	if err == nil {
		t.Fatal("no error after refusing every answer")
	}
	if ExitCode(err) != ExitUsage {
		t.Errorf("exit code %d, want %d (bad input)", ExitCode(err), ExitUsage)
	}
	for _, want := range []string{"name: must contain a letter", "asked 5 times", "--name"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if n := strings.Count(log.String(), "Your name"); n != maxTries {
		t.Errorf("asked %d times, want %d", n, maxTries)
	}
}

func TestPrompterConfirm(t *testing.T) {
	tests := []struct {
		input   string
		want    bool
		wantErr error
		refused int
	}{
		{"\n", false, nil, 0}, // the default is not to send: a fax costs money
		{"y\n", true, nil, 0},
		{"YES\n", true, nil, 0},
		{"s\n", true, nil, 0},
		{"Sí\n", true, nil, 0},
		{"si\n", true, nil, 0},
		{"send\n", true, nil, 0}, // the yes label
		{"n\n", false, nil, 0},
		{"No\n", false, nil, 0},
		{"cancel\n", false, nil, 0},
		{"maybe\ny\n", true, nil, 1},
		{"", false, errAborted, 0},
		{"ja\n", false, errAborted, 1}, // refused, then input ends
	}
	for _, tt := range tests {
		name := strings.ReplaceAll(strings.TrimSpace(tt.input), "\n", " then ")
		switch {
		case tt.input == "":
			name = "end of input cancels"
		case name == "":
			name = "Enter is no"
		}
		t.Run(name, func(t *testing.T) {
			ios, log := promptStreams(tt.input)
			got, err := linePrompter{ios: ios}.Confirm(t.Context(), "Fax this letter?", "Send", "Cancel")
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("Confirm(%q) = %v, want %v", tt.input, got, tt.want)
			}
			if !strings.Contains(log.String(), "Fax this letter? [y/N]\ny: Send · n or Enter: Cancel\n> ") {
				t.Errorf("question not as expected:\n%s", log)
			}
			if n := strings.Count(log.String(), "is neither yes nor no"); n != tt.refused {
				t.Errorf("refused %d answers, want %d:\n%s", n, tt.refused, log)
			}
		})
	}
}

func TestPrompterCancelledWhileWaiting(t *testing.T) {
	ios, _, _, errOut := ui.Test()
	ios.SetStdinTTY(true)
	ios.SetStderrTTY(true)
	r, w := io.Pipe() // a person who types nothing
	defer w.Close()
	ios.In = r
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	s := letter.Signer{}
	err := linePrompter{ios: ios}.Signer(ctx, &s, false)
	if !errors.Is(err, errAborted) {
		t.Fatalf("err = %v, want %v", err, errAborted)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("took %v to notice the cancel", d)
	}
	// Ctrl-C ends no line on the terminal: the prompter does, so the
	// error is not printed after "> ".
	if !strings.HasSuffix(errOut.String(), "\n") {
		t.Errorf("stderr does not end its line after the cancel: %q", errOut)
	}
}

func TestPrompterStyles(t *testing.T) {
	tests := []struct {
		name    string
		tty     bool
		env     map[string]string
		escapes bool
	}{
		{"terminal", true, nil, true},
		{"terminal with NO_COLOR", true, map[string]string{"NO_COLOR": "1"}, false},
		{"pipe", false, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, in, _, errOut := ui.Test()
			ios.Getenv = func(k string) string { return tt.env[k] }
			ios.SetStdinTTY(true)
			ios.SetStderrTTY(tt.tty)
			in.WriteString("<x>\nAna\n")
			s := letter.Signer{City: "Lima", Country: "Perú", Note: "x"}
			if err := (linePrompter{ios: ios}).Signer(t.Context(), &s, false); err != nil {
				t.Fatal(err)
			}
			if got := strings.Contains(errOut.String(), "\x1b["); got != tt.escapes {
				t.Errorf("escape codes %v, want %v: %q", got, tt.escapes, errOut)
			}
			// On a terminal its echo ends the answer's line; elsewhere
			// the prompter does.
			if got, want := strings.Contains(errOut.String(), "> \n"), !tt.tty; got != want {
				t.Errorf("newline after the prompt: %v, want %v: %q", got, want, errOut)
			}
		})
	}
}

// TestStartsWithoutQueryingTheTerminal runs the built faxjam on a pty (under
// util-linux `script`), as a person at a terminal would. bubbletea v1, which
// huh brought in, asked the terminal for its background colour (OSC 11) and
// cursor position from its init(): every start on a terminal waited up to
// 5 s and, where nothing answered, printed the query as junk. lipgloss does
// the same when a style needs the background and nobody set it.
func TestStartsWithoutQueryingTheTerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds faxjam")
	}
	scriptBin := testtool.Need(t, "script", "util-linux (or bsdutils on Debian)")
	bin := filepath.Join(t.TempDir(), "faxjam")
	build := exec.CommandContext(t.Context(), "go", "build", "-o", bin, "github.com/faxjam/faxjam/cmd/faxjam")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	home := t.TempDir()
	tests := []struct {
		args   string
		styled bool // colours on a terminal: the styles did render
	}{
		{"version", false},
		{"about", true},
		{"--help", false},
	}
	for _, tt := range tests {
		t.Run(tt.args, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, scriptBin, "-qec", "'"+bin+"' "+tt.args, "/dev/null")
			cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, "config"),
				"XDG_DATA_HOME=" + filepath.Join(home, "data"), "TERM=xterm-256color"}
			start := time.Now()
			out, err := cmd.CombinedOutput()
			took := time.Since(start)
			if err != nil {
				t.Fatalf("faxjam %s: %v\n%q", tt.args, err, out)
			}
			if took > time.Second {
				t.Errorf("faxjam %s on a terminal took %v, want < 1s (waiting for a terminal query?)", tt.args, took)
			}
			for _, query := range []string{"]11;?", "\x1b[6n"} {
				if strings.Contains(string(out), query) {
					t.Errorf("faxjam %s queried the terminal (%q): %q", tt.args, query, out)
				}
			}
			if got := strings.Contains(string(out), "\x1b["); got != tt.styled {
				t.Errorf("faxjam %s: escape codes %v, want %v: %q", tt.args, got, tt.styled, out)
			}
		})
	}
}
