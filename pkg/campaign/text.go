package campaign

import "strings"

// Text is the campaign's public text as shown in one language: each part
// with the language it is actually in, since a translation may leave a
// part out (a page marks each with its own lang attribute).
type Text struct {
	Title, TitleLang     string
	Summary, SummaryLang string
	Facts                []string
	FactsLang            string
	Asks                 []string
	AsksLang             string
}

// MainLanguage is the language of the campaign's own text: TextLanguage,
// else the target's.
func (c *Campaign) MainLanguage() string {
	if c.TextLanguage != "" {
		return c.TextLanguage
	}
	return c.TargetLanguage()
}

// Text returns title, summary, facts and asks in lang where Translations
// has them, and the main text (in MainLanguage) for every part it has not.
// A list whose length differs from the main one (Validate refuses it) is
// not used.
func (c *Campaign) Text(lang string) Text {
	main := c.MainLanguage()
	t := Text{Title: c.Title, TitleLang: main, Summary: c.Summary, SummaryLang: main,
		Facts: c.Facts, FactsLang: main, Asks: c.Asks, AsksLang: main}
	tr, ok := c.Translations[lang]
	if !ok || lang == main {
		return t
	}
	if strings.TrimSpace(tr.Title) != "" {
		t.Title, t.TitleLang = tr.Title, lang
	}
	if strings.TrimSpace(tr.Summary) != "" {
		t.Summary, t.SummaryLang = tr.Summary, lang
	}
	if len(tr.Facts) > 0 && len(tr.Facts) == len(c.Facts) {
		t.Facts, t.FactsLang = tr.Facts, lang
	}
	if len(tr.Asks) > 0 && len(tr.Asks) == len(c.Asks) {
		t.Asks, t.AsksLang = tr.Asks, lang
	}
	return t
}
