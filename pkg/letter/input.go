package letter

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/faxjam/faxjam/pkg/campaign"
	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Bounds on what a signer types. A note longer than MaxNote or with more
// than MaxNoteLines lines would push the letter past one fax page.
const (
	MaxField     = 100 // runes in name, city, country
	MaxEmail     = 254
	MaxNote      = 600 // runes
	MaxNoteLines = 8
)

// FieldError is one rejected signer field.
type FieldError struct {
	Field  string `json:"field"` // name, city, country, email, note, lang
	Reason string `json:"reason"`
}

// FieldErrors lists every rejected field of one signer.
type FieldErrors struct {
	Fields []FieldError `json:"fields"`
}

func (e *FieldErrors) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Reason
	}
	return strings.Join(parts, "; ")
}

// Reason returns why field was rejected, or "" when it was not.
func (e *FieldErrors) Reason(field string) string {
	for _, f := range e.Fields {
		if f.Field == field {
			return f.Reason
		}
	}
	return ""
}

// Normalize returns s as faxjam uses it: every value NFC-normalized and
// trimmed, runs of spaces in name, city and country collapsed to one, tabs
// in the note made spaces and its line endings made "\n". Control
// characters are kept so that ValidateSigner can refuse them by name.
func Normalize(s Signer) Signer {
	return Signer{
		Name:    oneLine(s.Name),
		City:    oneLine(s.City),
		Country: oneLine(s.Country),
		Email:   strings.TrimSpace(norm.NFC.String(s.Email)),
		Note:    noteText(s.Note),
		Lang:    strings.TrimSpace(s.Lang),
	}
}

func oneLine(v string) string {
	v = strings.TrimSpace(norm.NFC.String(v))
	if !needsSpaceFix(v) {
		return v // the common case, without allocating
	}
	var b strings.Builder
	b.Grow(len(v))
	space := false
	for _, r := range v {
		if r == ' ' || unicode.Is(unicode.Zs, r) {
			space = true
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// needsSpaceFix reports whether v has a run of spaces or a space other
// than U+0020.
func needsSpaceFix(v string) bool {
	prev := rune(0)
	for _, r := range v {
		if r == ' ' && prev == ' ' || r != ' ' && unicode.Is(unicode.Zs, r) {
			return true
		}
		prev = r
	}
	return false
}

// tidyNote reports whether a note has no CR, no tab and no line ending in
// spaces.
func tidyNote(v string) bool {
	prev := rune(0)
	for _, r := range v {
		if r == '\r' || r == '\t' || r == '\n' && unicode.IsSpace(prev) {
			return false
		}
		prev = r
	}
	return true
}

func noteText(v string) string {
	v = norm.NFC.String(v)
	if tidyNote(v) {
		return strings.TrimSpace(v) // nothing to tidy inside
	}
	v = strings.ReplaceAll(v, "\r\n", "\n")
	v = strings.ReplaceAll(v, "\r", "\n")
	v = strings.ReplaceAll(v, "\t", " ")
	lines := strings.Split(v, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRightFunc(l, unicode.IsSpace)
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

// ValidateSigner applies faxjam's input rules to a signer (after Normalize)
// and returns a *FieldErrors naming every rejected field, or nil. These are
// the rules for letters, signer lists and petition signatures alike.
// requireNote is the campaign's require_note.
func ValidateSigner(s Signer, requireNote bool) error {
	raw := s
	s = Normalize(s)
	e := &FieldErrors{}
	// Normalizing turns invalid UTF-8 into U+FFFD; say what was really wrong.
	add := func(field, rawValue, reason string) {
		if !utf8.ValidString(rawValue) {
			reason = "not valid UTF-8"
		}
		if reason != "" {
			e.Fields = append(e.Fields, FieldError{Field: field, Reason: reason})
		}
	}
	add("name", raw.Name, checkWords(s.Name))
	add("city", raw.City, checkWords(s.City))
	add("country", raw.Country, checkWords(s.Country))
	add("email", raw.Email, checkEmail(s.Email))
	add("note", raw.Note, checkNote(s.Note, requireNote))
	add("lang", raw.Lang, checkLang(s.Lang))
	if len(e.Fields) == 0 {
		return nil
	}
	return e
}

// checkCommon refuses what must never reach a fax or a template: invalid
// UTF-8, control and bidi-override characters, markup and template syntax.
func checkCommon(v string, newlineOK bool) string {
	if !utf8.ValidString(v) {
		return "not valid UTF-8"
	}
	if strings.Contains(v, "{{") || strings.Contains(v, "}}") {
		return "must not contain template syntax ({{ or }})"
	}
	if strings.ContainsAny(v, "<>") {
		return "must not contain markup (< or >)"
	}
	for _, r := range v {
		if r == '\n' && newlineOK {
			continue
		}
		// Zero-width (non-)joiners are part of spelling in several scripts.
		if r == '\u200c' || r == '\u200d' {
			continue
		}
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || !unicode.IsGraphic(r) && !unicode.IsSpace(r) {
			return fmt.Sprintf("must not contain control character %U", r)
		}
	}
	return ""
}

// nameQuotes are the quotation marks names are written with: a nickname in
// quotes (Ana "La Flaca" Pérez, «Chucho», “Nené”) is common in Latin
// America. Markup (< >) stays refused.
const nameQuotes = `"“”„‟«»‹›「」『』`

// checkWords is the rule for names and places: letters of any script, marks,
// digits, spaces and the punctuation names are written with.
func checkWords(v string) string {
	if v == "" {
		return "required"
	}
	if n := utf8.RuneCountInString(v); n > MaxField {
		return fmt.Sprintf("%d characters, at most %d", n, MaxField)
	}
	if r := checkCommon(v, false); r != "" {
		return r
	}
	letter := false
	rs := []rune(v)
	for i, r := range rs {
		switch {
		case invisible(r):
			// Default-ignorable code points (a grapheme joiner, variation
			// selectors, Hangul fillers) draw nothing: each one would make
			// a look-alike of a name a new person (issue 16).
			return fmt.Sprintf("must not contain the invisible character %U", r)
		case r == '\u200c' || r == '\u200d':
			if !joinerInWord(rs, i) {
				return fmt.Sprintf("must not contain the invisible character %U outside a word of a script that joins with it", r)
			}
		case unicode.IsLetter(r):
			letter = true
		case unicode.IsMark(r), unicode.IsDigit(r), r == ' ':
		case strings.ContainsRune(".-'’‘,()/&·‐", r), strings.ContainsRune(nameQuotes, r):
		default:
			return fmt.Sprintf("character %q is not allowed in a name or place", r)
		}
	}
	if !letter {
		return "must contain a letter"
	}
	return mixedScript(v) // scripts.go
}

// invisible reports a default-ignorable code point other than the zero-width
// (non-)joiners: it draws nothing in a name.
func invisible(r rune) bool {
	return unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r) || unicode.Is(unicode.Variation_Selector, r) ||
		r == '\u200b' || r == '\u2060' || r == '\ufeff' || r == '\u180e'
}

// joinScripts write words with ZWJ and ZWNJ (Persian, Urdu, the Indic
// scripts): only there, between two letters, is a joiner part of spelling.
var joinScripts = []*unicode.RangeTable{unicode.Arabic, unicode.Syriac, unicode.Thaana, unicode.Nko,
	unicode.Devanagari, unicode.Bengali, unicode.Gurmukhi, unicode.Gujarati, unicode.Oriya, unicode.Tamil,
	unicode.Telugu, unicode.Kannada, unicode.Malayalam, unicode.Sinhala}

// joinerInWord reports whether the joiner at rs[i] stands between two
// letters (or marks) of a script that writes with it.
func joinerInWord(rs []rune, i int) bool {
	if i == 0 || i == len(rs)-1 {
		return false
	}
	prev, next := rs[i-1], rs[i+1]
	letterish := func(r rune) bool { return unicode.IsLetter(r) || unicode.IsMark(r) }
	return letterish(prev) && letterish(next) && unicode.In(prev, joinScripts...)
}

func checkEmail(v string) string {
	if v == "" {
		return ""
	}
	if len(v) > MaxEmail {
		return fmt.Sprintf("%d bytes, at most %d", len(v), MaxEmail)
	}
	if r := checkCommon(v, false); r != "" {
		return r
	}
	a, err := mail.ParseAddress(v)
	at := strings.LastIndexByte(v, '@')
	if err != nil || a.Address != v || at < 1 || !strings.Contains(v[at:], ".") || strings.HasSuffix(v, ".") {
		return "not an email address (want name@example.org)"
	}
	return ""
}

func checkNote(v string, required bool) string {
	if v == "" {
		if required {
			return "required by this campaign: a line in your own words"
		}
		return ""
	}
	if n := utf8.RuneCountInString(v); n > MaxNote {
		return fmt.Sprintf("%d characters, at most %d (shorten it by %d so the letter stays one page)", n, MaxNote, n-MaxNote)
	}
	if n := strings.Count(v, "\n") + 1; n > MaxNoteLines {
		return fmt.Sprintf("%d lines, at most %d", n, MaxNoteLines)
	}
	return checkCommon(v, true)
}

func checkLang(v string) string {
	if v == "" {
		return ""
	}
	if !campaign.ValidLanguage(v) {
		return fmt.Sprintf("%q is not a language code: want a BCP 47 tag (e.g. es, en, pt-BR)", v)
	}
	return ""
}

// SignerKey is a signer's identity within a campaign, for idempotency and
// duplicate detection: the campaign id and the signer's name, city and
// country (and email when given), NFC-normalized, case-folded and with
// spaces collapsed, hashed with SHA-256; the first 32 hex digits. The note
// and language are not part of it: the same person with a new note is still
// the same person.
func SignerKey(campaignID string, s Signer) string {
	h := sha256.New()
	// NUL cannot occur in a valid value, so the fields cannot run together.
	for _, v := range []string{campaignID, keyForm(s.Name), keyForm(s.City), keyForm(s.Country), keyForm(s.Email)} {
		h.Write([]byte(v))
		h.Write([]byte{0})
	}
	var sum [sha256.Size]byte
	return hex.EncodeToString(h.Sum(sum[:0])[:16])
}

// keyForm is a value as SignerKey compares it: NFC, Unicode case folding,
// spaces collapsed. ASCII, by far the common case in bulk lists, folds by
// lowering, which is what full case folding does to it, without the
// allocations of a cases.Caser.
func keyForm(v string) string {
	ascii := true
	for i := 0; i < len(v); i++ {
		if v[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		v = strings.ToLower(v)
	} else {
		v = norm.NFC.String(cases.Fold().String(norm.NFC.String(v)))
	}
	if strings.Contains(v, "  ") || strings.ContainsAny(v, "\t\n\r\v\f") || !ascii || strings.HasPrefix(v, " ") || strings.HasSuffix(v, " ") {
		v = strings.Join(strings.Fields(v), " ")
	}
	return v
}
