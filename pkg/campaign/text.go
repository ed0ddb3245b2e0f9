package campaign

import "strings"

// Text is the campaign's public text as shown in one language: each part
// with the language it is actually in, since a translation may leave a
// part out (a page marks each with its own lang attribute).
type Text struct {
	Title, TitleLang     string
	Summary, SummaryLang string
	// Background is trimmed of surrounding space.
	Background, BackgroundLang string
	Facts                      []string
	FactsLang                  string
	Asks                       []string
	AsksLang                   string
}

// MainLanguage is the language of the campaign's own text: TextLanguage,
// else the target's.
func (c *Campaign) MainLanguage() string {
	if c.TextLanguage != "" {
		return c.TextLanguage
	}
	return c.TargetLanguage()
}

// Text returns title, summary, background, facts and asks in lang where Translations
// has them, and the main text (in MainLanguage) for every part it has not.
// A list whose length differs from the main one (Validate refuses it) is
// not used.
func (c *Campaign) Text(lang string) Text {
	main := c.MainLanguage()
	t := Text{Title: c.Title, TitleLang: main, Summary: c.Summary, SummaryLang: main,
		Background: strings.TrimSpace(c.Background), BackgroundLang: main,
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
	if b := strings.TrimSpace(tr.Background); b != "" {
		t.Background, t.BackgroundLang = b, lang
	}
	if len(tr.Facts) > 0 && len(tr.Facts) == len(c.Facts) {
		t.Facts, t.FactsLang = tr.Facts, lang
	}
	if len(tr.Asks) > 0 && len(tr.Asks) == len(c.Asks) {
		t.Asks, t.AsksLang = tr.Asks, lang
	}
	return t
}

// Untranslated names the parts of the campaign's text, among parts
// ("title", "summary", "background", "facts", "asks"), that would reach a
// reader of lang in another language: the campaign has them but no
// translation into lang. A page or fax in lang that shows them mixes
// languages.
func (c *Campaign) Untranslated(lang string, parts ...string) []string {
	t := c.Text(lang)
	var out []string
	for _, p := range parts {
		var has bool
		var in string
		switch p {
		case "title":
			has, in = strings.TrimSpace(t.Title) != "", t.TitleLang
		case "summary":
			has, in = strings.TrimSpace(t.Summary) != "", t.SummaryLang
		case "background":
			has, in = t.Background != "", t.BackgroundLang
		case "facts":
			has, in = len(t.Facts) > 0, t.FactsLang
		case "asks":
			has, in = len(t.Asks) > 0, t.AsksLang
		}
		if has && !sameLanguage(in, lang) {
			out = append(out, p)
		}
	}
	return out
}

// sameLanguage compares language codes by their base ("pt-BR" is "pt").
func sameLanguage(a, b string) bool {
	return base(a) == base(b)
}

// In is the campaign as a letter in lang sees it: a copy whose title,
// summary, background, facts and asks are Text(lang), so a Portuguese
// template's {{.Campaign.Asks}} are the Portuguese asks where the campaign
// has them.
func (c *Campaign) In(lang string) *Campaign {
	t := c.Text(lang)
	cc := *c
	cc.Title, cc.Summary, cc.Background, cc.Facts, cc.Asks = t.Title, t.Summary, t.Background, t.Facts, t.Asks
	return &cc
}
