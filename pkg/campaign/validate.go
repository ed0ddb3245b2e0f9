package campaign

import (
	"fmt"
	"maps"
	"net/mail"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/language"

	"github.com/faxjam/faxjam/pkg/e164"
	"github.com/faxjam/faxjam/pkg/urlspec"
)

// Problem is one thing wrong with a campaign, named by its field path, e.g.
// "target.fax[1].number".
type Problem struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

func (p Problem) String() string { return p.Path + ": " + p.Reason }

// ValidationError lists every problem found in a campaign, so an organizer
// fixes the file in one pass.
type ValidationError struct {
	Source   string    `json:"source,omitempty"`
	Problems []Problem `json:"problems"`
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("campaign")
	if e.Source != "" {
		b.WriteString(" " + e.Source)
	}
	fmt.Fprintf(&b, ": %d problem", len(e.Problems))
	if len(e.Problems) != 1 {
		b.WriteString("s")
	}
	for i, p := range e.Problems {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// Has reports whether a problem is listed for path.
func (e *ValidationError) Has(path string) bool {
	for _, p := range e.Problems {
		if p.Path == path {
			return true
		}
	}
	return false
}

var idPattern = regexp.MustCompile(`^[a-z0-9-]+$`)

// ValidLanguage reports whether code is a language tag faxjam accepts: a
// valid BCP 47 tag (golang.org/x/text/language: well-formed, every subtag
// known) that names a language, so not "und" nor a private-use "x-..." tag.
func ValidLanguage(code string) bool {
	if code == "" || len(code) > 35 {
		return false
	}
	tag, err := language.Parse(code)
	if err != nil {
		return false
	}
	base, _, _ := tag.Raw() // Base would guess a language for "und"
	return base.String() != "und"
}

// DateLayout is the layout of started and ends.
const DateLayout = "2006-01-02"

// Validate checks everything a dispatcher and a letter rely on and returns a
// *ValidationError listing every problem, or nil.
func (c *Campaign) Validate() error {
	v := &ValidationError{Source: c.Source, Problems: slices.Clone(c.problems)}
	add := func(path, format string, args ...any) {
		// A value the schema refused is not decoded: do not also call it
		// missing.
		for _, p := range c.problems {
			if path == p.Path || strings.HasPrefix(path, p.Path+".") || strings.HasPrefix(path, p.Path+"[") {
				return
			}
		}
		v.Problems = append(v.Problems, Problem{Path: path, Reason: fmt.Sprintf(format, args...)})
	}
	switch {
	case c.ID == "":
		add("id", "required")
	case !idPattern.MatchString(c.ID) || len(c.ID) > 64:
		add("id", "must match [a-z0-9-]+ (at most 64 characters)")
	}
	if strings.TrimSpace(c.Title) == "" {
		add("title", "required")
	}
	if strings.TrimSpace(c.Organizer) == "" {
		add("organizer", "required")
	}
	if err := checkSenderID(c.SenderID); err != nil {
		add("sender_id", "%v", err)
	}
	started, startedOK := time.Time{}, false
	if c.Started == "" {
		add("started", "required")
	} else if t, err := time.Parse(DateLayout, c.Started); err != nil {
		add("started", "not a date (YYYY-MM-DD)")
	} else {
		started, startedOK = t, true
	}
	if c.Ends != "" {
		if t, err := time.Parse(DateLayout, c.Ends); err != nil {
			add("ends", "not a date (YYYY-MM-DD)")
		} else if startedOK && t.Before(started) {
			add("ends", "before started (%s)", c.Started)
		}
	}
	c.validateTarget(add)
	c.validateLanguages(add)
	c.validateTranslations(add)
	if c.Petition != "" {
		if u, err := url.Parse(c.Petition); err != nil || u.Scheme == "" || u.Host == "" && u.Opaque == "" {
			add("petition", "not a URL (e.g. https://petition.example.org)")
		}
	}
	if c.Hub != "" {
		if u, err := url.Parse(c.Hub); err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" ||
			u.Scheme != "https" && !(u.Scheme == "http" && urlspec.Loopback(u.Hostname())) {
			add("hub", "want the hub's https:// URL (http:// only on loopback), without credentials, query or fragment")
		}
	}
	switch {
	case strings.TrimSpace(c.Contact) == "":
		add("contact", "required: the footer tells a wrong number whom to write")
	case !plausibleContact(c.Contact):
		add("contact", "want an email address or an http(s) URL")
	}
	l := c.Limits
	if l.CallsPerNumber < 0 {
		add("limits.calls_per_number", "must not be negative")
	}
	if l.PerNumberPerHour < 0 {
		add("limits.per_number_per_hour", "must not be negative (0 = no hourly cap)")
	}
	if l.MaxAttemptsPerNumber < 0 {
		add("limits.max_attempts_per_number", "must not be negative")
	}
	if _, err := ParseQuietHours(l.QuietHours); err != nil {
		add("limits.quiet_hours", "%v", err)
	}
	if len(v.Problems) == 0 {
		return nil
	}
	return v
}

func (c *Campaign) validateTarget(add func(string, string, ...any)) {
	t := c.Target
	if strings.TrimSpace(t.Name) == "" && strings.TrimSpace(t.Organization) == "" {
		add("target.name", "required (or target.organization)")
	}
	if t.Timezone == "" {
		add("target.timezone", "required: quiet hours and dates are in the target's time")
	} else if _, err := time.LoadLocation(t.Timezone); err != nil || t.Timezone == "Local" {
		add("target.timezone", "unknown time zone %q (want an IANA name, e.g. America/Guatemala)", t.Timezone)
	}
	if len(t.Fax) == 0 {
		add("target.fax", "at least one fax number")
	}
	seen := make(map[string]int, len(t.Fax))
	for i, f := range t.Fax {
		p := fmt.Sprintf("target.fax[%d].number", i)
		n, err := e164.Normalize(f.Number)
		if err != nil {
			// e164 says what is wrong: no + and country code, a country
			// code that does not exist, too few or too many digits.
			add(p, "%v", err)
			continue
		}
		if j, dup := seen[n]; dup {
			add(p, "same number as target.fax[%d]", j)
			continue
		}
		seen[n] = i
	}
}

func (c *Campaign) validateLanguages(add func(string, string, ...any)) {
	if len(c.Languages) == 0 {
		add("languages", "at least one (the first is the language the target reads)")
		return
	}
	for _, l := range c.Languages {
		p := "languages." + l.Code
		if !ValidLanguage(l.Code) {
			add(p, "not a language code: want a BCP 47 tag (e.g. es, en, pt-BR)")
			continue
		}
		if !validTemplatePath(l.Template) {
			add(p, "template %q: want a relative file name inside the campaign folder", l.Template)
			continue
		}
		text, ok := c.Templates[l.Code]
		if !ok {
			add(p, "template file %s missing", l.Template)
			continue
		}
		if _, err := ParseTemplate(l.Code, text); err != nil {
			add(p, "template %s does not parse: %v", l.Template, err)
		}
	}
}

func (c *Campaign) validateTranslations(add func(string, string, ...any)) {
	if c.TextLanguage != "" && !ValidLanguage(c.TextLanguage) {
		add("text_language", "not a language code: want a BCP 47 tag (e.g. es, en, pt-BR)")
	}
	codes := c.Languages.Codes()
	for _, code := range slices.Sorted(maps.Keys(c.Translations)) {
		tr, p := c.Translations[code], "translations."+code
		switch {
		case !ValidLanguage(code):
			add(p, "not a language code: want a BCP 47 tag (e.g. es, en, pt-BR)")
			continue
		case !slices.Contains(codes, code):
			add(p, "not a language of this campaign (languages: %s)", strings.Join(codes, ", "))
			continue
		case code == c.MainLanguage():
			add(p, "the main text is in %s already (text_language)", code)
			continue
		}
		if len(tr.Facts) > 0 && len(tr.Facts) != len(c.Facts) {
			add(p+".facts", "has %d, want %d: one for each of facts, in the same order", len(tr.Facts), len(c.Facts))
		}
		if len(tr.Asks) > 0 && len(tr.Asks) != len(c.Asks) {
			add(p+".asks", "has %d, want %d: one for each of asks, in the same order", len(tr.Asks), len(c.Asks))
		}
	}
}

// validTemplatePath admits plain relative paths: a fetched campaign must not
// make faxjam read outside its folder or URL directory.
func validTemplatePath(p string) bool {
	if p == "" || strings.Contains(p, `\`) || strings.Contains(p, ":") {
		return false
	}
	return path.Clean(p) == p && !strings.HasPrefix(p, "/") && p != "." && !strings.HasPrefix(p, "..")
}

func plausibleContact(s string) bool {
	if u, err := url.Parse(s); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" {
		return true
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && strings.Contains(s[strings.LastIndexByte(s, '@'):], ".")
}

// SenderIDMax is the longest sender_id: the header line vendors print
// takes 50 characters (Phaxio's header_text, Sinch's headerText).
const SenderIDMax = 50

// checkSenderID checks the header's sender: one line of printable text
// that vendors' header fields take whole.
func checkSenderID(s string) error {
	if s == "" {
		return nil
	}
	if strings.TrimSpace(s) != s {
		return fmt.Errorf("leading or trailing space")
	}
	if n := utf8.RuneCountInString(s); n > SenderIDMax {
		return fmt.Errorf("%d characters; the fax header takes at most %d", n, SenderIDMax)
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return fmt.Errorf("%U is not printable: one line of text, the organization's name", r)
		}
	}
	return nil
}
