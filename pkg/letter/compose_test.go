package letter

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/faxjam/faxjam/pkg/campaign"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

func bundled(t testing.TB) *campaign.Campaign {
	t.Helper()
	c, err := campaign.Load(t.Context(), campaign.Default())
	if err != nil {
		t.Fatalf("load bundled campaign: %v", err)
	}
	return c
}

func fixedSigner() Signer {
	return Signer{
		Name:    "José Pérez",
		City:    "Sevilla",
		Country: "España",
		Email:   "jose@example.org",
		Note:    "Conocí el trabajo de la Fundación Sobrevivientes en 2011.\nNo están solas.",
	}
}

// 2026-11-28 03:00 UTC is still 27 November in Guatemala (UTC-6).
var fixedNow = time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC)

func TestComposeMatchesGolden(t *testing.T) {
	c := bundled(t)
	for _, lang := range []string{"es", "en"} {
		t.Run(lang, func(t *testing.T) {
			l, err := Compose(c, lang, fixedSigner(), fixedNow)
			if err != nil {
				t.Fatal(err)
			}
			got := l.Body + "\n--\n" + l.Footer + "\n" + l.PageLabel + "\n"
			path := filepath.Join("testdata", "norma-cruz-2012."+lang+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("letter differs from %s (go test -update rewrites it):\n%s", path, got)
			}
		})
	}
}

func TestComposeDefaultsToTargetLanguage(t *testing.T) {
	l, err := Compose(bundled(t), "", fixedSigner(), fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	if l.Lang != "es" || l.Date != "27 de noviembre de 2026" {
		t.Errorf("lang %q date %q, want es and 27 de noviembre de 2026", l.Lang, l.Date)
	}
	if want := "norma-cruz-2012 · enviado por José Pérez con faxjam · ¿número equivocado? escriba a faxjam-campaigns@example.org"; l.Footer != want {
		t.Errorf("footer %q, want %q", l.Footer, want)
	}
	if l.PageLabel != "Página %d/%d" {
		t.Errorf("page label %q", l.PageLabel)
	}
}

func TestComposeUnknownLanguageListsAvailable(t *testing.T) {
	_, err := Compose(bundled(t), "fr", fixedSigner(), fixedNow)
	if err == nil || !strings.Contains(err.Error(), "available: es, en") {
		t.Fatalf("err = %v, want one listing es, en", err)
	}
}

func TestEveryBundledTemplateComposes(t *testing.T) {
	all, err := campaign.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	long := fixedSigner()
	long.Note = strings.Repeat("a", MaxNote)
	for _, c := range all {
		for _, lang := range c.Languages {
			for _, s := range []Signer{fixedSigner(), {Name: "Ана", City: "Київ", Country: "Україна"}, long} {
				l, err := Compose(c, lang.Code, s, fixedNow)
				if err != nil {
					t.Errorf("%s/%s: %v", c.ID, lang.Code, err)
					continue
				}
				if !strings.Contains(l.Body, Normalize(s).Name) || !strings.Contains(l.Body, l.Date) {
					t.Errorf("%s/%s: body lacks the signer's name or the date", c.ID, lang.Code)
				}
				if s.Note != "" && !strings.Contains(l.Body, Normalize(s).Note) {
					t.Errorf("%s/%s: body lacks the note", c.ID, lang.Code)
				}
				if strings.Contains(l.Body, "<no value>") || strings.Contains(l.Body, "\n\n\n") {
					t.Errorf("%s/%s: body has <no value> or a double blank line", c.ID, lang.Code)
				}
			}
		}
	}
}

func TestLetterFitsOnePageBudget(t *testing.T) {
	c := bundled(t)
	for _, lang := range c.Languages.Codes() {
		l, err := Compose(c, lang, Signer{Name: "A", City: "B", Country: "C"}, fixedNow)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(strings.Fields(l.Body)); n < 200 || n > 320 {
			t.Errorf("%s: %d words; keep the letter near 230-280 so a %d-character note fits one page", lang, n, MaxNote)
		}
		if n := utf8.RuneCountInString(l.Body); n > 2200 {
			t.Errorf("%s: %d characters before the note", lang, n)
		}
	}
}

func TestSignerTemplateSyntaxIsNeverExecuted(t *testing.T) {
	c := bundled(t)
	for _, field := range []string{"name", "city", "country", "note"} {
		s := fixedSigner()
		v := "Ana {{.Campaign}}"
		switch field {
		case "name":
			s.Name = v
		case "city":
			s.City = v
		case "country":
			s.Country = v
		case "note":
			s.Note = v
		}
		l, err := Compose(c, "es", s, fixedNow)
		var fe *FieldErrors
		if err == nil {
			// Accepted: it must be there literally, not evaluated.
			if !strings.Contains(l.Body, v) {
				t.Errorf("%s: {{.Campaign}} was interpreted: %q", field, l.Body)
			}
			continue
		}
		if !errors.As(err, &fe) || fe.Reason(field) == "" {
			t.Errorf("%s: err = %v, want a FieldErrors naming %s", field, err, field)
		}
	}
}

func TestTemplateDataIsInsertedLiterally(t *testing.T) {
	// Bypass the input rules to check the second line of defence: values are
	// data to text/template even when they look like code.
	c := bundled(t)
	tmpl, err := campaign.ParseTemplate("t", "{{.Sender.Name}}|{{.Note}}")
	if err != nil {
		t.Fatal(err)
	}
	got, err := tmpl.Execute(t.Context(), Data{Sender: Sender{Name: "{{.Campaign}}"}, Note: `{{template "x"}}`, Campaign: c})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{{.Campaign}}|{{template "x"}}`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestDateIsInTargetTimeZone(t *testing.T) {
	c := bundled(t)
	// 05:59 UTC on 1 January is still 31 December in Guatemala.
	l, err := Compose(c, "en", fixedSigner(), time.Date(2027, 1, 1, 5, 59, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if l.Date != "31 December 2026" {
		t.Errorf("date %q, want 31 December 2026", l.Date)
	}
}

func TestFormatDate(t *testing.T) {
	d := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	first := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		lang string
		t    time.Time
		want string
	}{
		{"es", d, "27 de noviembre de 2026"},
		{"es-GT", d, "27 de noviembre de 2026"},
		{"en", d, "27 November 2026"},
		{"fr", d, "27 novembre 2026"},
		{"fr", first, "1er mars 2026"},
		{"de", d, "27. November 2026"},
		{"pt-BR", d, "27 de novembro de 2026"},
		{"sw", d, "2026-11-27"},
	}
	for _, tt := range tests {
		if got := FormatDate(tt.lang, tt.t); got != tt.want {
			t.Errorf("FormatDate(%s) = %q, want %q", tt.lang, got, tt.want)
		}
	}
}

func TestFooterWithoutContactOmitsWrongNumberHint(t *testing.T) {
	if got, want := Footer("en", "x", "Ana", ""), "x · sent by Ana with faxjam"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestCheckFindsTemplateNamingMissingField(t *testing.T) {
	c := bundled(t)
	if err := Check(t.Context(), c, fixedNow); err != nil {
		t.Fatalf("bundled campaign: %v", err)
	}
	broken := *c
	broken.Templates = map[string]string{"es": c.Templates["es"], "en": "Dear {{.Sender.Phone}}"}
	err := Check(t.Context(), &broken, fixedNow)
	if err == nil || !strings.Contains(err.Error(), "languages.en") || !strings.Contains(err.Error(), "Phone") {
		t.Errorf("err = %v, want languages.en naming Phone", err)
	}
}

// TestRightToLeftValueEndsWithTheLettersDirection: in a Spanish letter an
// Arabic city ends with an LRM, so ", 5 de diciembre" after it stays left
// to right; a value alone on its line (the name) carries no mark, and a
// Latin value none either.
func TestRightToLeftValueEndsWithTheLettersDirection(t *testing.T) {
	c := bundled(t)
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	l, err := Compose(c, "es", Signer{Name: "فاطمة الزهراء", City: "بيروت", Country: "Lebanon"}, now)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(l.Body, "بيروت\u200e, 5 de diciembre de 2026\n") {
		t.Errorf("first line %q, want the city closed by an LRM", strings.SplitN(l.Body, "\n", 2)[0])
	}
	if !strings.Contains(l.Body, "\nفاطمة الزهراء\n") {
		t.Errorf("the signature line carries a mark:\n%q", l.Body)
	}
	if l.Sender.City != "بيروت" {
		t.Errorf("Sender.City = %q: the signer's own value changed", l.Sender.City)
	}
	l, _ = Compose(c, "es", Signer{Name: "Ana", City: "Lima", Country: "Perú"}, now)
	if strings.ContainsAny(l.Body, "\u200e\u200f") {
		t.Errorf("a Latin letter carries a mark")
	}
}
