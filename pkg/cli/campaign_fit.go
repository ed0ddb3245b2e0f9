package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/faxjam/faxjam/pkg/campaign"
	"github.com/faxjam/faxjam/pkg/letter"
	"github.com/faxjam/faxjam/pkg/render"
)

// letterFit is how one of a campaign's letters sits on its fax page, as
// `campaign show` reports it: laid out with no note and with the longest
// note a signer may write, on the tighter of A4 and Letter paper.
type letterFit struct {
	Lang     string     `json:"lang"`
	Template string     `json:"template"`
	NoNote   render.Fit `json:"no_note"`
	LongNote render.Fit `json:"longest_note"`
	// Mixed names the parts of the campaign's text the template prints
	// (title, asks...) that would be in another language than the letter.
	Mixed    []string `json:"mixed,omitempty"`
	MixedIn  string   `json:"mixed_in,omitempty"`
	Problem  string   `json:"problem,omitempty"` // could not lay it out (a glyph the fonts lack)
	TooLong  bool     `json:"too_long"`          // over one page without a note
	NoteRoom bool     `json:"note_fits"`         // the longest note fits
}

// longestNotes are the notes a signer may write that take the most room:
// MaxNoteLines lines that share MaxNote characters, and one paragraph of
// MaxNote characters (which wraps differently).
func longestNotes() []string {
	words := "palabra tras palabra en mis propias palabras "
	fill := func(n int) string {
		s := strings.Repeat(words, n/len(words)+1)
		return strings.TrimSpace(string([]rune(s)[:n]))
	}
	per := (letter.MaxNote - (letter.MaxNoteLines - 1)) / letter.MaxNoteLines
	lines := make([]string, letter.MaxNoteLines)
	for i := range lines {
		lines[i] = fill(per)
	}
	return []string{strings.Join(lines, "\n"), fill(letter.MaxNote)}
}

// fitLetters lays out every letter of c on a sample signer with no note (a
// short one when the campaign requires one) and with the longest notes,
// with the fonts of extra, on A4 and Letter paper, keeping the least room.
func fitLetters(ctx context.Context, c *campaign.Campaign, extra []byte, now time.Time) ([]letterFit, error) {
	var rs []*render.Renderer
	for _, paper := range []string{"a4", "letter"} {
		r, err := render.New(render.Options{Paper: paper, ExtraFont: extra})
		if err != nil {
			return nil, err
		}
		rs = append(rs, r)
	}
	short := ""
	if c.RequireNote {
		short = "Gracias."
	}
	sample := func(note string) letter.Signer {
		return letter.Signer{Name: "Ana Pérez", City: "Lima", Country: "Perú", Email: "ana@example.org", Note: note}
	}
	// room is the least room over papers of the letter in lang with note.
	room := func(lang, note string) (render.Fit, error) {
		lt, err := letter.ComposeContext(ctx, c, lang, sample(note), now)
		if err != nil {
			return render.Fit{}, err
		}
		var least render.Fit
		for i, r := range rs {
			f, err := r.Fit(lt)
			if err != nil {
				return render.Fit{}, err
			}
			if i == 0 || f.Lines < least.Lines || (f.Lines == least.Lines && f.Chars < least.Chars) {
				least = f
			}
		}
		return least, nil
	}
	var out []letterFit
	for _, l := range c.Languages {
		lf := letterFit{Lang: l.Code, Template: l.Template}
		if t, err := campaign.ParseTemplate(l.Template, c.Templates[l.Code]); err == nil {
			if lf.Mixed = c.Untranslated(l.Code, t.TextParts()...); len(lf.Mixed) > 0 {
				lf.MixedIn = c.MainLanguage()
			}
		}
		var err error
		if lf.NoNote, err = room(l.Code, short); err != nil {
			lf.Problem = err.Error()
			out = append(out, lf)
			continue
		}
		for i, note := range longestNotes() {
			f, err := room(l.Code, note)
			if err != nil {
				lf.Problem = err.Error()
				break
			}
			if i == 0 || f.Lines < lf.LongNote.Lines {
				lf.LongNote = f
			}
		}
		lf.TooLong, lf.NoteRoom = lf.NoNote.Lines < 0, lf.LongNote.Lines >= 0
		out = append(out, lf)
	}
	return out, nil
}

// roomText says a Fit in words: room left, or how far past the page.
func roomText(f render.Fit) string {
	if f.Lines < 0 {
		return fmt.Sprintf("over one page by %d line(s), ≈%d characters", -f.Lines, -f.Chars)
	}
	return fmt.Sprintf("%d line(s) left, ≈%d characters", f.Lines, f.Chars)
}

// tooLongError refuses a campaign whose letter cannot fit one page even
// before anyone writes a note: no signer could ever send it.
func tooLongError(c *campaign.Campaign, fits []letterFit) error {
	var bad []string
	for _, f := range fits {
		if f.TooLong {
			bad = append(bad, fmt.Sprintf("%s (%s) is over one fax page by %d line(s), ≈%d characters, without a note", f.Template, f.Lang, -f.NoNote.Lines, -f.NoNote.Chars))
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return &UsageError{Err: fmt.Errorf("campaign %s: letter %s", c.ID, strings.Join(bad, "; letter ")),
		Hint: "shorten the template: every fax is one page, and a signer's note needs room too"}
}
