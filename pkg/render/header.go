package render

import (
	"fmt"
	"slices"
)

// The header line sits where a sending fax machine prints its own tag
// line: 8 mm from the top edge, in the top margin, so it ends (11.1 mm)
// well above the letter's first line (15 mm).
const (
	headerTop  = 8 * mm
	headerSize = 7.0
)

// HeaderError is a header line that does not fit on one line of the page.
type HeaderError struct {
	Text string
}

func (e *HeaderError) Error() string {
	return fmt.Sprintf("render: the fax header %q does not fit one line; shorten the campaign's sender_id", e.Text)
}

// Stamp returns a copy of lay with a header line drawn at the top of every
// page: text(page, pages), page counted from 1. It is the line US rules
// ask of a fax (47 CFR 68.318(d): date and time sent, the sender, the
// sending number) when the gateway prints none. The line is one line in
// the top margin, above anything the letter draws; one that would wrap
// is a *HeaderError, and a character no font has a *GlyphError. lay is
// not changed, so one layout can be stamped again for each attempt.
func (r *Renderer) Stamp(lay *Layout, text func(page, pages int) string) (*Layout, error) {
	width := lay.paper.w - 2*marginSide
	out := &Layout{paper: lay.paper, pages: make([]page, len(lay.pages))}
	for i, p := range lay.pages {
		s := text(i+1, len(lay.pages))
		lines, err := r.wrap(s, faceRegular, headerSize, width, dirAuto)
		if err != nil {
			return nil, err
		}
		if len(lines) > 1 {
			return nil, &HeaderError{Text: s}
		}
		spans := slices.Clip(slices.Clone(p.spans))
		for _, ln := range lines {
			spans = r.appendSpans(spans, ln, faceRegular, headerSize, marginSide, headerTop+ascentRatio*headerSize)
		}
		out.pages[i] = page{spans: spans, rules: p.rules}
	}
	return out, nil
}
