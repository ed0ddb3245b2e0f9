package campaign

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func problemsOf(t *testing.T, err error) *ValidationError {
	t.Helper()
	var v *ValidationError
	if !errors.As(err, &v) {
		t.Fatalf("err = %v (%T), want *ValidationError", err, err)
	}
	return v
}

// TestSchemaProblemsAreAllListedByPath: an unknown key no longer hides the
// other problems of the file, and no Go type name reaches the user.
func TestSchemaProblemsAreAllListedByPath(t *testing.T) {
	in := strings.Replace(validYAML, "title: A test\n", "title: A test\ncolour: blue\n", 1)
	in = strings.Replace(in, "started: 2024-05-01", "started: 2024-05-01\nasks: {one: two}", 1)
	in = strings.Replace(in, "  timezone: America/Guatemala", "  timezone: Mars/Olympus\n  fax_numbers: 3", 1)
	in = strings.Replace(in, `{number: "+12025550142", label: One, fictitious: true}`, `{number: "+12025550142", label: One, fictitious: maybe}`, 1)
	in = strings.Replace(in, `  quiet_hours: "20:00-08:00"`, "  quiet_hours: \"20:00-08:00\"\n  calls_per_number: blue\n  per_numbr_per_hour: 3", 1)
	in = strings.Replace(in, "contact: org@example.org", "contact: call us\ntranslations:\n  es: {titel: Una prueba, facts: uno}\n  en: {title: A test}", 1)
	c, err := Parse([]byte(in), "t.yaml")
	if c == nil {
		t.Fatalf("no campaign: %v", err)
	}
	problemsOf(t, err)
	c.Templates = map[string]string{"fr": "x", "es": "x", "en": "x"}
	v := problemsOf(t, c.Validate())
	want := map[string]string{
		"colour":                    "unknown key",
		"asks":                      "want a list",
		"target.fax_numbers":        "unknown key",
		"target.fax[0].fictitious":  "want true or false",
		"limits.calls_per_number":   `want a whole number, got "blue"`,
		"limits.per_numbr_per_hour": "did you mean per_number_per_hour?",
		"target.timezone":           "unknown time zone", // a content problem, not hidden
		"contact":                   "want an email address",
		"translations.es.titel":     "did you mean title?",
		"translations.es.facts":     `want a list (lines starting with -), got "uno"`,
	}
	for path, reason := range want {
		found := false
		for _, p := range v.Problems {
			found = found || p.Path == path && strings.Contains(p.Reason, reason)
		}
		if !found {
			t.Errorf("no problem at %s saying %q in:\n%s", path, reason, v)
		}
	}
	if len(v.Problems) != len(want) {
		t.Errorf("%d problems, want %d:\n%s", len(v.Problems), len(want), v)
	}
	for _, bad := range []string{"campaign.", "int", "bool", "[]string", "unmarshal"} {
		if strings.Contains(v.Error(), bad) {
			t.Errorf("message shows %q: %s", bad, v)
		}
	}
	if !strings.Contains(v.Error(), "(line 3)") {
		t.Errorf("problems do not name lines: %s", v)
	}
}

func TestParseSyntaxErrorNamesTheLine(t *testing.T) {
	_, err := Parse([]byte("id: x\ntitle: [unclosed\n"), "t.yaml")
	v := problemsOf(t, err)
	if len(v.Problems) != 1 || !strings.HasPrefix(v.Problems[0].Path, "line ") || !strings.Contains(v.Problems[0].Reason, "not valid YAML") {
		t.Errorf("got %v", v)
	}
}

// TestParseRefusesAliasBomb: a 700 KB file whose aliases stand for far more
// is refused before it is decoded.
func TestParseRefusesAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString(validYAML)
	b.WriteString("facts:\n")
	// One 7 KB anchored fact, then 100 aliases of a list of 100 aliases:
	// 700 KB of file, 70 MB expanded.
	fmt.Fprintf(&b, "  - &f %q\n", strings.Repeat("a", 7000))
	b.WriteString("summary: &l [")
	for i := range 100 {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("*f")
	}
	b.WriteString("]\n")
	pad := strings.Repeat("x", 700<<10-b.Len())
	b.WriteString("# " + pad + "\n")
	bomb := strings.Replace(b.String(), "summary: &l [", "background: &l [", 1)
	bomb += "organizer: [" + strings.Repeat("*l, ", 99) + "*l]\n"
	bomb = strings.Replace(bomb, "organizer: Tester\n", "", 1)
	_, err := Parse([]byte(bomb), "bomb.yaml")
	v := problemsOf(t, err)
	if !v.Has("file") || !strings.Contains(v.Error(), "aliases expand it") {
		t.Errorf("got %v, want the expanded-size bound", err)
	}
	// Aliases within the bound are fine.
	ok := validYAML + "facts: [&f one, *f, *f]\n"
	c, err := Parse([]byte(ok), "ok.yaml")
	if err != nil || len(c.Facts) != 3 || c.Facts[2] != "one" {
		t.Errorf("small aliases: %v %v", c, err)
	}
}
