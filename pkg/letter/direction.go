package letter

import (
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/unicode/bidi"
)

// RightToLeft reports whether lang (BCP 47) is written right to left: its
// script, given or likely ("ar" is Arab), is one of those. known is false
// for "" or a tag that does not parse, which leaves the direction to the
// text itself.
func RightToLeft(lang string) (rtl, known bool) {
	if lang == "" {
		return false, false
	}
	tag, err := language.Parse(lang)
	if err != nil {
		return false, false
	}
	sc, _ := tag.Script()
	switch sc.String() {
	case "Arab", "Hebr", "Syrc", "Thaa", "Nkoo", "Adlm", "Rohg", "Mand", "Samr", "Yezi":
		return true, true
	}
	return false, true
}

// Marks that end a signer's value in a letter of the other direction.
const (
	lrm = "\u200e" // LEFT-TO-RIGHT MARK
	rlm = "\u200f" // RIGHT-TO-LEFT MARK
)

// closeDirection ends v with a mark of the letter's direction when v holds
// letters written the other way, so what the template puts after it keeps
// the letter's direction: in a Spanish letter "بيروت, 5 de diciembre"
// would otherwise take the 5 into the Arabic run (UAX #9 W2, N1) and print
// "5 ,بيروت de diciembre". The mark is invisible and zero-width on the fax.
func closeDirection(v string, rtl bool) string {
	other := func(c rune) bool {
		p, _ := bidi.LookupRune(c)
		switch p.Class() {
		case bidi.R, bidi.AL:
			return !rtl
		case bidi.L:
			return rtl
		}
		return false
	}
	if !strings.ContainsFunc(v, other) {
		return v
	}
	if rtl {
		return v + rlm
	}
	return v + lrm
}

// dropLineEndMarks removes the marks closeDirection added where nothing
// follows them on their line: there they order nothing, and the fax's
// text (a name alone on the signature line) reads back as typed.
func dropLineEndMarks(body string) string {
	for _, m := range []string{lrm, rlm} {
		body = strings.ReplaceAll(body, m+"\n", "\n")
		body = strings.TrimSuffix(body, m)
	}
	return body
}
