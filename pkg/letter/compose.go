package letter

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/faxjam/faxjam/pkg/campaign"
)

// Sender is the signer as templates see it (the note is Data.Note).
type Sender struct {
	Name, City, Country, Email string
}

// Data is what a letter template is executed with. Every value is data:
// text/template inserts it verbatim and never evaluates it. Campaign is the
// campaign in the letter's language (campaign.In): its title, asks and the
// rest are translated where the campaign gives them.
type Data struct {
	Sender   Sender
	Note     string
	Date     string // localized, in the target's time zone
	Target   campaign.Target
	Campaign *campaign.Campaign
}

// Compose writes the campaign's letter in lang ("" = the language the target
// reads) for signer s on the date of now in the target's time zone. The
// signer is normalized and checked with ValidateSigner first; a rejected
// signer is a *FieldErrors. It is ComposeContext without a context.
func Compose(c *campaign.Campaign, lang string, s Signer, now time.Time) (Letter, error) {
	return ComposeContext(context.Background(), c, lang, s, now)
}

// ComposeContext is Compose that stops when ctx is done. The template runs
// within campaign's bounds (campaign.MaxLetterBytes of output,
// campaign.TemplateTimeout...): a template past them fails with an error
// wrapping campaign.ErrTemplateBounds.
func ComposeContext(ctx context.Context, c *campaign.Campaign, lang string, s Signer, now time.Time) (Letter, error) {
	if c == nil {
		return Letter{}, errors.New("letter: no campaign")
	}
	if lang == "" {
		lang = c.TargetLanguage()
	}
	var found *campaign.Language
	for i := range c.Languages {
		if c.Languages[i].Code == lang {
			found = &c.Languages[i]
		}
	}
	if found == nil {
		return Letter{}, fmt.Errorf("letter: campaign %s has no %q letter (available: %s)", c.ID, lang, strings.Join(c.Languages.Codes(), ", "))
	}
	text, ok := c.Templates[lang]
	if !ok {
		return Letter{}, fmt.Errorf("letter: campaign %s: template %s for %q is not loaded", c.ID, found.Template, lang)
	}
	s = Normalize(s)
	if err := ValidateSigner(s, c.RequireNote); err != nil {
		return Letter{}, fmt.Errorf("letter: %w", err)
	}
	loc, err := c.Location()
	if err != nil {
		return Letter{}, fmt.Errorf("letter: %w", err)
	}
	tmpl, err := campaign.ParseTemplate(found.Template, text)
	if err != nil {
		return Letter{}, fmt.Errorf("letter: campaign %s: %w", c.ID, err)
	}
	date := FormatDate(lang, now.In(loc))
	// A value written the other way than the letter ends with a mark of
	// the letter's direction (closeDirection), so the template's text
	// after it stays in order.
	rtl, _ := RightToLeft(lang)
	dir := func(v string) string { return closeDirection(v, rtl) }
	body, err := tmpl.Execute(ctx, Data{
		Sender:   Sender{Name: dir(s.Name), City: dir(s.City), Country: dir(s.Country), Email: s.Email},
		Note:     dir(s.Note),
		Date:     date,
		Target:   c.Target,
		Campaign: c.In(lang),
	})
	if err != nil {
		return Letter{}, fmt.Errorf("letter: campaign %s: %w", c.ID, err)
	}
	return Letter{
		Campaign:  c.ID,
		Lang:      lang,
		Date:      date,
		Sender:    s,
		Body:      dropLineEndMarks(tidy(body)),
		Footer:    Footer(lang, c.ID, s.Name, c.Contact),
		PageLabel: PageLabel(lang),
	}, nil
}

// tidy lets templates be written loosely: trailing spaces go, runs of blank
// lines become one, and the text starts and ends with a line of words.
func tidy(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	lines := strings.Split(s, "\n")
	out := lines[:0]
	blank := true // drops leading blank lines
	for _, l := range lines {
		l = strings.TrimRight(l, " \t")
		if l == "" {
			if blank {
				continue
			}
			blank = true
		} else {
			blank = false
		}
		out = append(out, l)
	}
	return strings.TrimRight(strings.Join(out, "\n"), "\n")
}

// Check composes every language of c for a sample signer, so a template that
// parses but names a field the data lacks ({{.Sender.Phone}}), or runs past
// faxjam's bounds, is found when the campaign is loaded, not when the first
// letter is sent. It returns a *campaign.ValidationError naming each
// language that failed, or ctx's error.
func Check(ctx context.Context, c *campaign.Campaign, now time.Time) error {
	sample := Signer{Name: "Ana Pérez", City: "Lima", Country: "Perú", Email: "ana@example.org", Note: "Nota."}
	v := &campaign.ValidationError{Source: c.Source}
	for _, l := range c.Languages {
		_, err := ComposeContext(ctx, c, l.Code, sample, now)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			reason := strings.TrimPrefix(err.Error(), "letter: campaign "+c.ID+": ")
			v.Problems = append(v.Problems, campaign.Problem{Path: "languages." + l.Code, Reason: "template " + l.Template + " fails on a sample signer: " + reason})
		}
	}
	if len(v.Problems) == 0 {
		return nil
	}
	return v
}
