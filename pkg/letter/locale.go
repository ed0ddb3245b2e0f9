package letter

import (
	"fmt"
	"strings"
	"time"
)

// locale is what a letter's language changes outside its template.
type locale struct {
	months  [12]string
	date    func(day int, month string, year int) string
	sentBy  string // campaign id, sender name
	contact string // contact address
	page    string
}

// localeFor returns the strings for a language code ("es", "pt-BR"); a
// language faxjam has no strings for gets English words and an ISO date.
func localeFor(lang string) (locale, bool) {
	base, _, _ := strings.Cut(strings.ToLower(lang), "-")
	switch base {
	case "es":
		return locale{
			months: [12]string{"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"},
			date:   func(d int, m string, y int) string { return fmt.Sprintf("%d de %s de %d", d, m, y) },
			sentBy: "%s · enviado por %s con faxjam", contact: " · ¿número equivocado? escriba a %s", page: "Página %d/%d",
		}, true
	case "en":
		return english(), true
	case "fr":
		return locale{
			months: [12]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"},
			date: func(d int, m string, y int) string {
				if d == 1 {
					return fmt.Sprintf("1er %s %d", m, y)
				}
				return fmt.Sprintf("%d %s %d", d, m, y)
			},
			sentBy: "%s · envoyé par %s avec faxjam", contact: " · mauvais numéro ? écrivez à %s", page: "Page %d/%d",
		}, true
	case "de":
		return locale{
			months: [12]string{"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"},
			date:   func(d int, m string, y int) string { return fmt.Sprintf("%d. %s %d", d, m, y) },
			sentBy: "%s · gesendet von %s mit faxjam", contact: " · falsche Nummer? Bitte schreiben Sie an %s", page: "Seite %d/%d",
		}, true
	case "pt":
		return locale{
			months: [12]string{"janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro", "novembro", "dezembro"},
			date:   func(d int, m string, y int) string { return fmt.Sprintf("%d de %s de %d", d, m, y) },
			sentBy: "%s · enviado por %s com faxjam", contact: " · número errado? escreva para %s", page: "Página %d/%d",
		}, true
	}
	l := english()
	l.date = nil
	return l, false
}

func english() locale {
	return locale{
		months: [12]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
		date:   func(d int, m string, y int) string { return fmt.Sprintf("%d %s %d", d, m, y) },
		sentBy: "%s · sent by %s with faxjam", contact: " · wrong number? write to %s", page: "Page %d/%d",
	}
}

// FormatDate writes t's calendar date (in t's location) the way a letter in
// lang does: "27 de noviembre de 2026", "27 November 2026". A language
// without localized dates gets "2026-11-27".
func FormatDate(lang string, t time.Time) string {
	l, _ := localeFor(lang)
	if l.date == nil {
		return t.Format("2006-01-02")
	}
	y, m, d := t.Date()
	return l.date(d, l.months[m-1], y)
}

// Footer is the footer line of a letter in lang, without the page number.
func Footer(lang, campaignID, senderName, contact string) string {
	l, _ := localeFor(lang)
	s := fmt.Sprintf(l.sentBy, campaignID, senderName)
	if contact != "" {
		s += fmt.Sprintf(l.contact, contact)
	}
	return s
}

// PageLabel is the page-number pattern of a letter in lang, with %d/%d for
// page and total: "Página %d/%d".
func PageLabel(lang string) string {
	l, _ := localeFor(lang)
	return l.page
}
