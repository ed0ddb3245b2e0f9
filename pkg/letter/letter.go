// Package letter composes the personalized appeal letter: a campaign, a
// language and a signer in, the letter's text out. It owns the input rules for
// everything a signer types (names, places, notes) so that the same rules
// guard letters, signer lists and petition signatures. It must not import
// render, gateway or anything that does I/O beyond the campaign's templates.
package letter

// Signer is the person sending the letter. Every field is data, never
// template code.
type Signer struct {
	Name    string `json:"name"`
	City    string `json:"city"`
	Country string `json:"country"`
	Email   string `json:"email,omitempty"`
	Note    string `json:"note,omitempty"` // optional personal paragraph
	Lang    string `json:"lang,omitempty"` // the signer's own language, if any
}

// Letter is a composed letter, ready to be laid out on one fax page.
type Letter struct {
	Campaign string `json:"campaign"` // campaign id
	Lang     string `json:"lang"`
	Date     string `json:"date"` // localized, e.g. "27 de noviembre de 2026"
	Sender   Signer `json:"sender"`
	// Body is the whole text above the footer, as the template produced it:
	// paragraphs separated by blank lines, explicit line breaks kept.
	Body string `json:"body"`
	// Footer is the text of the footer line without the page number, e.g.
	// "norma-cruz-2012 · enviado por José Pérez con faxjam · números equivocados: ...".
	Footer string `json:"footer"`
	// PageLabel is the localized page-number pattern with %d/%d for page
	// and total, e.g. "Página %d/%d".
	PageLabel string `json:"page_label"`
}
