package campaign

import (
	"context"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func TestTextFallsBackPartByPart(t *testing.T) {
	c := validCampaign(t) // languages fr, es, en
	c.TextLanguage = "en"
	c.Facts, c.Asks = []string{"fact one", "fact two"}, []string{"ask one"}
	c.Translations = map[string]Translation{
		"es": {Title: "Una prueba", Facts: []string{"hecho uno", "hecho dos"}, Asks: []string{"petición uno"}},
		"fr": {Title: " ", Summary: "Un résumé", Facts: []string{"un seul fait"}}, // blank title, facts of the wrong length
	}
	c.Summary = "A summary"
	tests := []struct {
		lang string
		want Text
	}{
		{"es", Text{Title: "Una prueba", TitleLang: "es", Summary: "A summary", SummaryLang: "en",
			Facts: []string{"hecho uno", "hecho dos"}, FactsLang: "es", Asks: []string{"petición uno"}, AsksLang: "es"}},
		{"fr", Text{Title: "A test", TitleLang: "en", Summary: "Un résumé", SummaryLang: "fr",
			Facts: c.Facts, FactsLang: "en", Asks: c.Asks, AsksLang: "en"}},
		{"en", Text{Title: "A test", TitleLang: "en", Summary: "A summary", SummaryLang: "en", Facts: c.Facts, FactsLang: "en", Asks: c.Asks, AsksLang: "en"}},
		{"de", Text{Title: "A test", TitleLang: "en", Summary: "A summary", SummaryLang: "en", Facts: c.Facts, FactsLang: "en", Asks: c.Asks, AsksLang: "en"}},
		{"", Text{Title: "A test", TitleLang: "en", Summary: "A summary", SummaryLang: "en", Facts: c.Facts, FactsLang: "en", Asks: c.Asks, AsksLang: "en"}},
	}
	for _, tt := range tests {
		got := c.Text(tt.lang)
		if got.Title != tt.want.Title || got.TitleLang != tt.want.TitleLang || got.Summary != tt.want.Summary || got.SummaryLang != tt.want.SummaryLang ||
			!slices.Equal(got.Facts, tt.want.Facts) || got.FactsLang != tt.want.FactsLang || !slices.Equal(got.Asks, tt.want.Asks) || got.AsksLang != tt.want.AsksLang {
			t.Errorf("Text(%q) = %+v\nwant %+v", tt.lang, got, tt.want)
		}
	}
}

// TestMainLanguageIsTheTargetsByDefault: without text_language the main
// text is taken to be in the language the target reads.
func TestMainLanguageIsTheTargetsByDefault(t *testing.T) {
	c := validCampaign(t)
	if got := c.MainLanguage(); got != "fr" {
		t.Errorf("MainLanguage() = %q, want the target's fr", got)
	}
	if got := c.Text("fr").TitleLang; got != "fr" {
		t.Errorf("Text(fr).TitleLang = %q, want fr", got)
	}
	c.TextLanguage = "es"
	if got := c.Text("fr").TitleLang; got != "es" {
		t.Errorf("with text_language es, Text(fr).TitleLang = %q, want es", got)
	}
}

func TestBundledCampaignHasSpanishText(t *testing.T) {
	c, err := Load(context.Background(), Default())
	if err != nil {
		t.Fatal(err)
	}
	if c.MainLanguage() != "en" {
		t.Fatalf("main language %q: the bundled campaign's text is English", c.MainLanguage())
	}
	es := c.Text("es")
	if es.TitleLang != "es" || es.SummaryLang != "es" || es.FactsLang != "es" || es.AsksLang != "es" {
		t.Errorf("Text(es) falls back somewhere: %+v", es)
	}
	if !strings.Contains(es.Title, "Norma Cruz") || es.Title == c.Title || len(es.Facts) != len(c.Facts) || len(es.Asks) != len(c.Asks) {
		t.Errorf("Text(es) = %+v", es)
	}
	if en := c.Text("en"); en.Title != c.Title || en.TitleLang != "en" {
		t.Errorf("Text(en) = %+v, want the main text", en)
	}
}

// TestStarterTranslationExampleValidates: the commented translations block
// of the starter, uncommented, is a valid translation.
func TestStarterTranslationExampleValidates(t *testing.T) {
	files := Starter("river-keepers", []string{"es", "en"}, time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC))
	y := files[FileName]
	start := strings.Index(y, "# translations:")
	end := strings.Index(y[start:], "\n\n")
	if start < 0 || end < 0 {
		t.Fatal("starter has no commented translations block")
	}
	block := strings.ReplaceAll(y[start:start+end], "\n# ", "\n")
	y = y[:start] + strings.TrimPrefix(block, "# ") + y[start+end:]
	fsys := fstest.MapFS{}
	for name, body := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(body)}
	}
	fsys[FileName] = &fstest.MapFile{Data: []byte(y)}
	c, err := LoadFS(fsys, FileName)
	if err != nil {
		t.Fatalf("%v\n%s", err, y)
	}
	if es := c.Text("es"); es.TitleLang != "es" || es.AsksLang != "es" || es.FactsLang != "es" || es.SummaryLang != "es" {
		t.Errorf("Text(es) = %+v", es)
	}
}
