package campaign

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"
)

type bombData struct {
	Name  string
	Big   string
	Count int
}

// TestTemplateBombsAreCutOff runs each template bomb in-process and holds
// it to a second and a bound on the memory it allocates (the process-wide
// peak RSS is asserted on the binary in pkg/e2e).
func TestTemplateBombsAreCutOff(t *testing.T) {
	data := bombData{Name: "Ana", Big: strings.Repeat("x", 1<<20), Count: 3_000_000_000}
	bombs := map[string]string{
		"range over a huge number":   `{{range 3000000000}}x{{end}}`,
		"empty range":                `{{range 3000000000}}{{end}}`,
		"range over a data number":   `{{range .Count}}{{end}}`,
		"nested ranges":              `{{range 100000}}{{range 100000}}{{end}}{{end}}`,
		"deep recursion":             `{{define "a"}}{{template "a"}}{{end}}{{template "a"}}`,
		"wide recursion":             `{{define "a"}}{{end}}{{define "b"}}{{template "a"}}{{template "a"}}{{template "a"}}{{template "a"}}{{end}}{{define "c"}}{{template "b"}}{{template "b"}}{{template "b"}}{{template "b"}}{{end}}{{define "d"}}{{template "c"}}{{template "c"}}{{template "c"}}{{template "c"}}{{end}}{{range 1000000}}{{template "d"}}{{end}}`,
		"huge printf width":          `{{printf "%999999d" 1}}`,
		"printf width from argument": `{{printf "%*d" 1000000 1}}`,
		"huge printf precision":      `{{printf "%.999999f" 1.0}}`,
		"many printf verbs":          `{{printf "%1000d%1000d%1000d%1000d%1000d%1000d%1000d%1000d%1000d%1000d%1000d%1000d%1000d%1000d%1000d%1000d%1000d%1000d%1000d%1000d%1000d%1000d%1000d%1000d%1000d%1000d%1000d%1000d%1000d%1000d%1000d%1000d%1000d%1000d%1000d%1000d%1000d%1000d%1000d%1000d%1000d%1000d%1000d%1000d%1000d%1000d%1000d%1000d%1000d%1000d%1000d%1000d%1000d%1000d%1000d%1000d%1000d%1000d%1000d%1000d%1000d%1000d%1000d%1000d%1000d%1000d%1000d%1000d%1000d" 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 60 61 62 63 64 65 66 67 68 69}}`,
		"print of big data":          `{{print .Big .Big .Big .Big .Big .Big .Big .Big}}`,
		"html of big data":           `{{html .Big .Big .Big .Big .Big .Big .Big .Big}}`,
		"output past the cap":        `{{range 1000}}{{$.Big}}{{end}}`,
		"exponential output":         `{{define "a"}}xxxxxxxxxxxxxxxx{{end}}{{define "b"}}{{template "a"}}{{template "a"}}{{template "a"}}{{template "a"}}{{template "a"}}{{template "a"}}{{template "a"}}{{template "a"}}{{end}}{{define "c"}}{{template "b"}}{{template "b"}}{{template "b"}}{{template "b"}}{{template "b"}}{{template "b"}}{{template "b"}}{{template "b"}}{{end}}{{define "d"}}{{template "c"}}{{template "c"}}{{template "c"}}{{template "c"}}{{template "c"}}{{template "c"}}{{template "c"}}{{template "c"}}{{end}}{{range 100}}{{template "d"}}{{end}}`,
	}
	for name, text := range bombs {
		t.Run(name, func(t *testing.T) {
			tmpl, err := ParseTemplate("bomb", text)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			start := time.Now()
			out, err := tmpl.Execute(t.Context(), data)
			took := time.Since(start)
			runtime.ReadMemStats(&after)
			if !errors.Is(err, ErrTemplateBounds) {
				t.Errorf("err = %v (output %d bytes), want ErrTemplateBounds", err, len(out))
			}
			if took > wallSlack*time.Second {
				t.Errorf("took %s, want under a second", took)
			}
			// TotalAlloc counts every byte allocated, freed or not: a bound
			// on it bounds the peak. The data itself is 1 MiB.
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
				t.Errorf("allocated %d MiB, want under 64 MiB", alloc>>20)
			}
		})
	}
}

func TestTemplateWithinBoundsRuns(t *testing.T) {
	tmpl, err := ParseTemplate("ok", `{{define "s"}}[{{.}}]{{end}}{{range $i, $e := .}}{{if $i}}, {{end}}{{template "s" $e}}{{end}} {{printf "%05d|%-8s|%.2f" 42 "x" 3.14159}}`)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // a Template runs again with a fresh budget
		out, err := tmpl.Execute(t.Context(), []string{"a", "b", "c"})
		if err != nil {
			t.Fatal(err)
		}
		if want := "[a], [b], [c] 00042|x       |3.14"; out != want {
			t.Errorf("got %q, want %q", out, want)
		}
	}
	// The budget allows exactly MaxTemplateSteps steps (counted directly:
	// executing them takes longer than the timeout under -race).
	b := &budget{ctx: t.Context()}
	for i := range MaxTemplateSteps {
		if _, err := b.step(); err != nil {
			t.Fatalf("step %d: %v", i+1, err)
		}
	}
	if _, err := b.step(); !errors.Is(err, ErrTemplateBounds) {
		t.Errorf("step %d: err = %v, want ErrTemplateBounds", MaxTemplateSteps+1, err)
	}
	// And a loop counts one step per iteration.
	tmpl, _ = ParseTemplate("n", `{{range .}}{{end}}`)
	if _, err := tmpl.Execute(t.Context(), 1000); err != nil {
		t.Errorf("1000 steps: %v", err)
	}
	if tmpl.b.steps != 1000+1 { // and one for entering the template
		t.Errorf("%d steps counted, want 1001", tmpl.b.steps)
	}
}

// TestTemplateSlowStepsAreCutOff: steps that each cost data-sized work
// (comparing two 1 MiB strings) are stopped by the time bound, within a
// second.
func TestTemplateSlowStepsAreCutOff(t *testing.T) {
	tmpl, err := ParseTemplate("slow", `{{range 99999}}{{if eq $.Big $.Name}}{{end}}{{end}}`)
	if err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat("x", 1<<20)
	start := time.Now()
	_, err = tmpl.Execute(t.Context(), bombData{Big: big, Name: strings.Clone(big)})
	if !errors.Is(err, ErrTemplateBounds) || !strings.Contains(err.Error(), "runs longer than") {
		t.Errorf("err = %v, want the time bound", err)
	}
	if took := time.Since(start); took > wallSlack*time.Second {
		t.Errorf("took %s", took)
	}
}

func TestTemplateStopsWhenContextIsDone(t *testing.T) {
	tmpl, err := ParseTemplate("slow", `{{range 90000}}{{if $.Big}}{{end}}{{end}}`)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := tmpl.Execute(ctx, bombData{Big: "x"}); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}
