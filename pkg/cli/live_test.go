package cli

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/faxjam/faxjam/pkg/testtool"
)

var update = flag.Bool("update", false, "rewrite testdata/live/*.golden")

var measured = regexp.MustCompile(`"(utilisation|duration_s|line_time_s)":[0-9.e-]+`)

// golden compares got with testdata/live/name, rewriting it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	testtool.Golden(t, filepath.Join("testdata", "live", name), got, *update)
}

// TestPipedOutputUnchanged: into a pipe, and with --json, a bulk send and
// status print byte for byte what they printed before the live view
// existed. The golden files were recorded from the code before it
// (commit "cli: record the piped output of send and status").
func TestPipedOutputUnchanged(t *testing.T) {
	for _, asJSON := range []bool{false, true} {
		name := "piped"
		if asJSON {
			name = "json"
		}
		t.Run(name, func(t *testing.T) {
			opts, f := sendOpts(t, false, &fakePrompter{})
			f.JSON = asJSON
			f.sendOptions(opts)
			list := filepath.Join(t.TempDir(), "people.csv")
			csv := "name,city,country\nAna Gómez,Lima,Perú\nLuis Rojas,Quito,Ecuador\nbad row,,\nMarta Díaz,Bogotá,Colombia\n"
			if err := os.WriteFile(list, []byte(csv), 0o644); err != nil {
				t.Fatal(err)
			}
			opts.SignersFile = list
			opts.Parallel = 1
			out, errOut := f.IO.Out.(interface{ String() string }), f.IO.ErrOut.(interface{ String() string })
			err := sendRun(context.Background(), opts)
			if ExitCode(err) != ExitPartial {
				t.Fatalf("send: %v (exit %d), want exit 3 for the rejected row", err, ExitCode(err))
			}
			so := &StatusOptions{}
			f.sendOptions(&so.Send)
			if err := statusRun(context.Background(), so); err != nil {
				t.Fatalf("status: %v", err)
			}
			got := "-- stdout --\n" + out.String() + "-- stderr --\n" + errOut.String()
			got = strings.ReplaceAll(got, opts.DataDir, "$DATA")
			// Measured, not printed from the clock: the only bytes that vary.
			got = measured.ReplaceAllString(got, `"$1":0`)
			golden(t, "send-"+name+".golden", got)
		})
	}
}

// TestLiveViewOnlyOnAColourTerminal: a bulk send on a terminal with colour
// shows the live view of the lines (synchronized redraws, the table);
// NO_COLOR and --json on the same terminal keep today's output.
func TestLiveViewOnlyOnAColourTerminal(t *testing.T) {
	for _, tt := range []struct {
		name    string
		noColor bool
		json    bool
		live    bool
	}{
		{"colour", false, false, true},
		{"NO_COLOR", true, false, false},
		{"json", false, true, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			opts, f := sendOpts(t, true, &fakePrompter{})
			env := map[string]string{}
			if tt.noColor {
				env["NO_COLOR"] = "1"
			}
			f.IO.Getenv = func(k string) string { return env[k] }
			f.JSON = tt.json
			f.sendOptions(opts)
			list := filepath.Join(t.TempDir(), "people.csv")
			if err := os.WriteFile(list, []byte("name,city,country\nAna Gómez,Lima,Perú\nLuis Rojas,Quito,Ecuador\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			opts.SignersFile = list
			if err := sendRun(context.Background(), opts); err != nil {
				t.Fatal(err)
			}
			errOut := f.IO.ErrOut.(interface{ String() string }).String()
			plain := ansi.Strip(errOut)
			gotLive := strings.Contains(errOut, "\x1b[?2026h") && strings.Contains(plain, "IN FLIGHT")
			if gotLive != tt.live {
				t.Fatalf("live view %v, want %v:\n%q", gotLive, tt.live, errOut)
			}
			// Nothing asks the terminal anything (background colour, cursor
			// position, device attributes): no answer would come in a pipe.
			for _, q := range []string{"]11;?", "\x1b[6n", "\x1b[c", "\x1b[>c", "\x1b[14t", "\x1b[16t"} {
				if strings.Contains(errOut, q) {
					t.Errorf("the output queries the terminal (%q)", q)
				}
			}
			switch {
			case tt.live:
				for _, want := range []string{"test-send · lines", "A ", "up", "Total 2: 2 delivered · 0 queued", "Done: 2 written"} {
					if !strings.Contains(plain, want) {
						t.Errorf("no %q in the live view:\n%s", want, plain)
					}
				}
			case tt.json:
				if !strings.Contains(f.IO.Out.(interface{ String() string }).String(), `"type":"summary"`) {
					t.Errorf("no JSON summary on stdout")
				}
			default:
				if !strings.Contains(plain, "delivered Ana Gómez → +12025550142") {
					t.Errorf("no event lines:\n%s", plain)
				}
			}
		})
	}
}
