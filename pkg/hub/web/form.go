package web

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/faxjam/faxjam/pkg/letter"
)

// maxForm bounds a form body: a note at its longest is well under 4 KB,
// and a 3,000-character note in any script still fits so that it gets
// its own error rather than a 413.
const maxForm = 32 << 10

// fieldOrder is the order of the form's fields, for the error summary.
var fieldOrder = []string{"name", "city", "country", "email", "note", "lang"}

// form is what a person typed, kept as typed so that an error page gives
// it back.
type form struct {
	Name, City, Country, Email, Note, Lang string
	Key                                    string // idempotency key of this form
	Honeypot                               string
	UI                                     string // page language
}

func readForm(r *http.Request) form {
	return form{
		Name: r.PostFormValue("name"), City: r.PostFormValue("city"), Country: r.PostFormValue("country"),
		Email: r.PostFormValue("email"), Note: r.PostFormValue("note"), Lang: r.PostFormValue("lang"),
		Key: r.PostFormValue("key"), Honeypot: r.PostFormValue("website"), UI: r.PostFormValue("ui"),
	}
}

func (f form) signer() letter.Signer {
	return letter.Signer{Name: f.Name, City: f.City, Country: f.Country, Email: f.Email, Note: f.Note, Lang: f.Lang}
}

// newKey is a fresh idempotency key for one form: a double click or a
// resent form is one action.
func newKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// validKey accepts the keys newKey makes (and nothing that could carry a
// person's data into the journal).
func validKey(k string) bool {
	if len(k) < 16 || len(k) > 64 {
		return false
	}
	for _, c := range k {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// fieldError is one error shown next to its field and in the summary.
type fieldError struct {
	Field, Label, Message string
}

// check applies the letter's input rules and the campaign's languages,
// and returns the errors in the page's language, in form order.
func (h *Handler) check(lang string, f form) []fieldError {
	var fe *letter.FieldErrors
	err := letter.ValidateSigner(f.signer(), h.cfg.Campaign.RequireNote)
	errs := map[string]string{}
	if errors.As(err, &fe) {
		for _, x := range fe.Fields {
			errs[x.Field] = x.Reason
		}
	} else if err != nil {
		errs["name"] = err.Error()
	}
	if _, ok := errs["lang"]; !ok && !slices.Contains(h.langs(), f.Lang) {
		errs["lang"] = "not a language of this campaign"
	}
	return h.fieldErrors(lang, errs)
}

func (h *Handler) fieldErrors(lang string, reasons map[string]string) []fieldError {
	var out []fieldError
	for _, field := range fieldOrder {
		if r, ok := reasons[field]; ok {
			out = append(out, fieldError{Field: field, Label: tr(lang, field), Message: explain(lang, field, r)})
		}
	}
	return out
}

var (
	reCount   = regexp.MustCompile(`^(\d+) characters, at most (\d+)`)
	reLines   = regexp.MustCompile(`^(\d+) lines, at most (\d+)`)
	reControl = regexp.MustCompile(`control character (U\+[0-9A-F]+)`)
	reChar    = regexp.MustCompile(`^character (.+) is not allowed`)
)

// explain turns one of letter's reasons (English, for logs and the CLI)
// into the page's language. A reason it does not know is shown as it is,
// behind "Not accepted:", so a new rule in letter still reaches the person.
func explain(lang, field, reason string) string {
	atoi := func(s string) int { n, _ := strconv.Atoi(s); return n }
	switch {
	case reason == "required", strings.HasPrefix(reason, "required:"):
		return tr(lang, "err_required")
	case strings.HasPrefix(reason, "required by this campaign"):
		return tr(lang, "err_note_required")
	case reason == "not valid UTF-8":
		return tr(lang, "err_utf8")
	case strings.Contains(reason, "markup"):
		return tr(lang, "err_markup")
	case strings.Contains(reason, "template syntax"):
		return tr(lang, "err_template")
	case reason == "must contain a letter":
		return tr(lang, "err_letter")
	case strings.HasPrefix(reason, "not an email address"):
		return tr(lang, "err_email")
	case field == "lang":
		return tr(lang, "err_lang")
	}
	if m := reCount.FindStringSubmatch(reason); m != nil {
		return tr(lang, "err_long", atoi(m[1]), atoi(m[2]))
	}
	if m := reLines.FindStringSubmatch(reason); m != nil {
		return tr(lang, "err_lines", atoi(m[1]), atoi(m[2]))
	}
	if m := reControl.FindStringSubmatch(reason); m != nil {
		return tr(lang, "err_control", m[1])
	}
	if m := reChar.FindStringSubmatch(reason); m != nil {
		return tr(lang, "err_char", m[1])
	}
	return tr(lang, "err_other", reason)
}

// langs are the languages a person can say is theirs: the page's and
// the campaign's letters'.
func (h *Handler) langs() []string {
	out := append([]string(nil), pageLangs...)
	for _, c := range h.cfg.Campaign.Languages.Codes() {
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

func (e fieldError) String() string { return fmt.Sprintf("%s: %s", e.Field, e.Message) }
