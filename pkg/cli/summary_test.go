package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/faxjam/faxjam/pkg/dispatch"
	"github.com/faxjam/faxjam/pkg/journal"
	"github.com/faxjam/faxjam/pkg/letter"
	"github.com/faxjam/faxjam/pkg/ui"
)

func TestSummaryTextSaysWhatAFirstSendNeeds(t *testing.T) {
	one := dispatch.Summary{Run: map[journal.State]int{journal.Delivered: 1}, Faxes: 1, Duration: time.Second}
	bulk := dispatch.Summary{Run: map[journal.State]int{journal.Delivered: 40}, Faxes: 42, Duration: time.Hour, LineTime: 50 * time.Minute, Utilisation: 0.83}
	idle := dispatch.Summary{Run: map[journal.State]int{journal.Queued: 3}, Faxes: 3, Duration: time.Minute}
	tests := []struct {
		name      string
		sum       dispatch.Summary
		ri        runInfo
		want, not []string
	}{
		{"one fax into the outbox: where it is and how to preview it", one,
			runInfo{Offline: true, Outbox: "/d/outbox", LastFax: "abc123", Preview: "faxjam letter --format png -o preview.png"},
			[]string{"Done: 1 written · 0 petitioned", "the fax is /d/outbox/abc123.pdf", "(fax image /d/outbox/abc123.tif, manifest /d/outbox/abc123.json)", "faxjam letter --format png -o preview.png"},
			[]string{"utilisation", "attempt", "delivered"}},
		{"many faxes into the outbox: the folder", dispatch.Summary{Run: map[journal.State]int{journal.Delivered: 3}, Faxes: 3},
			runInfo{Offline: true, Outbox: "/d/outbox", LastFax: "abc123"},
			[]string{"3 faxes are in /d/outbox"}, []string{"abc123", "utilisation", "Preview"}},
		{"a real bulk run: line utilisation", bulk, runInfo{},
			[]string{"Done: 40 delivered", "42 fax attempt(s) in 1h0m0s; line time 50m0s (utilisation 83%)"}, []string{"outbox"}},
		{"one real fax: no utilisation", one, runInfo{}, []string{"1 fax attempt(s) in 1s"}, []string{"utilisation"}},
		{"no line time: no utilisation", idle, runInfo{}, []string{"3 queued", "3 fax attempt(s)"}, []string{"utilisation"}},
		{"dry run: the preview, nothing sent", dispatch.Summary{Planned: 1}, runInfo{DryRun: true, Preview: "faxjam letter --format png -o preview.png"},
			[]string{"Dry run: 1 letter(s) composed and planned; nothing was sent", "Preview the fax page: faxjam letter"}, []string{"Done"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			forBoth(t, func(t *testing.T, tty bool) {
				ios, _, _, _ := ui.Test()
				ios.SetStderrTTY(tty)
				got := summaryText(ios.ErrStyles(), tt.sum, tt.ri)
				if styled := strings.Contains(got, "\x1b["); styled != tty {
					t.Errorf("styled = %v, want %v:\n%q", styled, tty, got)
				}
				plain := ansi.Strip(got)
				for _, w := range tt.want {
					if !strings.Contains(plain, w) {
						t.Errorf("summary lacks %q:\n%s", w, plain)
					}
				}
				for _, n := range tt.not {
					if strings.Contains(plain, n) {
						t.Errorf("summary has %q:\n%s", n, plain)
					}
				}
			})
		})
	}
}

func TestPreviewCommandRepeatsWhatConfigDoesNotKnow(t *testing.T) {
	tests := []struct {
		name   string
		before letter.Signer // from flags and config
		typed  []string
		after  letter.Signer // after prompts
		want   string
	}{
		{"all from config", letter.Signer{Name: "Ana", City: "Lima", Country: "Perú"}, nil,
			letter.Signer{Name: "Ana", City: "Lima", Country: "Perú"}, "faxjam letter --format png -o preview.png"},
		{"typed flags, quoted for the shell", letter.Signer{Name: "José O'Neil", City: "Berlín", Country: "Alemania"}, []string{"name", "city"},
			letter.Signer{Name: "José O'Neil", City: "Berlín", Country: "Alemania"}, `faxjam letter --name 'José O'\''Neil' --city Berlín --format png -o preview.png`},
		{"prompted values", letter.Signer{}, nil,
			letter.Signer{Name: "Ana", City: "La Paz", Country: "Bolivia", Note: "¡Fuerza!"}, "faxjam letter --name Ana --city 'La Paz' --country Bolivia --note '¡Fuerza!' --format png -o preview.png"},
		{"the campaign and paper typed", letter.Signer{Name: "Ana", City: "Lima", Country: "Perú"}, []string{"campaign", "paper"},
			letter.Signer{Name: "Ana", City: "Lima", Country: "Perú"}, "faxjam --campaign ./c.yaml letter --paper letter --format png -o preview.png"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := &SendOptions{Signer: tt.before, Typed: tt.typed, CampaignRef: "./c.yaml", Paper: "letter"}
			if got := previewCommand(opts, tt.after); got != tt.want {
				t.Errorf("previewCommand =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// TestSendJSONStreamIsAContract checks `send --signers --json`: one object
// per line, a type on each, snake_case fields, the summary last, nothing on
// stderr.
func TestSendJSONStreamIsAContract(t *testing.T) {
	opts, f := sendOpts(t, false, &fakePrompter{})
	opts.JSON = true
	list := filepath.Join(t.TempDir(), "people.csv")
	if err := os.WriteFile(list, []byte("name,city,country\nAna Gómez,Lima,Perú\nLuis Díaz,Quito,Ecuador\n<b>x</b>,Lima,Perú\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	opts.SignersFile = list
	err := sendRun(context.Background(), opts)
	if ExitCode(err) != ExitPartial {
		t.Fatalf("err = %v, want partial (one rejected row)", err)
	}
	out := f.IO.Out.(*bytes.Buffer).String()
	if e := f.IO.ErrOut.(*bytes.Buffer).String(); e != "" {
		t.Errorf("stderr with --json: %q", e)
	}
	snake := regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	var checkKeys func(path string, v any)
	checkKeys = func(path string, v any) {
		m, ok := v.(map[string]any)
		if !ok {
			return
		}
		for k, sub := range m {
			// counts and run are keyed by journal state names, which are values.
			if !snake.MatchString(k) && !strings.HasSuffix(path, ".counts") && !strings.HasSuffix(path, ".run") {
				t.Errorf("field %s.%s is not snake_case", path, k)
			}
			checkKeys(path+"."+k, sub)
		}
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	types := map[string]int{}
	for i, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("line %d is not one JSON object: %v\n%s", i+1, err, l)
		}
		typ, _ := m["type"].(string)
		if typ == "" {
			t.Errorf("line %d has no type: %s", i+1, l)
		}
		types[typ]++
		checkKeys(typ, m)
	}
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, `{"type":"summary"`) {
		t.Errorf("last line is not the summary: %s", last)
	}
	if types["summary"] != 1 || types["delivered"] != 2 || types["rejected"] != 1 {
		t.Errorf("event types %v, want 2 delivered, 1 rejected, 1 summary", types)
	}
}
