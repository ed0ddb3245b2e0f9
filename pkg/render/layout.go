package render

import (
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/faxjam/faxjam/pkg/letter"
)

// Page geometry, in points. Fax machines lose a few millimetres at every
// edge, so nothing is drawn closer than 12 mm to one.
const (
	marginSide   = 20 * mm
	marginTop    = 15 * mm
	footerBase   = 13 * mm // from the bottom edge to the footer's last baseline
	footerGap    = 4 * mm  // between the body and the footer
	bodySize     = 11.0
	headingSize  = 14.0
	tableSize    = 10.0
	footerSize   = 8.0
	leadingRatio = 1.25
	ascentRatio  = 0.95 // baseline below the top of a line box, in em
	paraGap      = 0.5  // after a paragraph, in lines
	cellPadX     = 3.0
	cellPadY     = 2.0
	ruleHeavy    = 0.8
	ruleLight    = 0.4
)

// Layout is a laid-out document: pages of text spans and filled rectangles at
// positions in points from the top-left corner. Every backend draws the same
// Layout, so the PDF, the PNG preview and the TIFF show the same page.
type Layout struct {
	paper paper
	pages []page
}

// Pages is the number of pages.
func (l *Layout) Pages() int { return len(l.pages) }

type page struct {
	spans []span
	rules []rect
}

// span is text in one face at one size; x is the pen start, y the baseline.
// A shaped span carries its glyphs, in visual order; text is then what
// they stand for, in logical order. Any other span is drawn one glyph per
// character of text.
type span struct {
	x, y   float64
	size   float64
	face   faceID
	text   string
	glyphs []shapedGlyph
	rtl    bool // glyphs of right-to-left text
}

type rect struct{ x, y, w, h float64 }

// Letter lays out a composed letter on exactly one page. It returns an
// *OverflowError when the body does not fit and a *GlyphError when a
// character cannot be drawn.
func (r *Renderer) Letter(lt letter.Letter) (*Layout, error) {
	lay, fit, err := r.fit(lt)
	if err != nil {
		return nil, err
	}
	if fit.Lines < 0 {
		return nil, &OverflowError{Chars: -fit.Chars, NoNote: lt.Sender.Note == ""}
	}
	return lay, nil
}

// Fit is how much room a letter leaves on its one page, in body lines and
// roughly in characters of the letter's own text; negative when it runs
// past the page by that much.
type Fit struct {
	Lines int `json:"lines"`
	Chars int `json:"chars"`
}

// Fit lays out a letter and says how much room it leaves (or how far it
// runs over), so an organizer learns before anyone signs how long a note
// their template leaves room for.
func (r *Renderer) Fit(lt letter.Letter) (Fit, error) {
	_, fit, err := r.fit(lt)
	return fit, err
}

func (r *Renderer) fit(lt letter.Letter) (*Layout, Fit, error) {
	d := Doc{Footer: lt.Footer, PageLabel: lt.PageLabel, Lang: lt.Lang}
	for _, p := range paragraphs(lt.Body) {
		d.Blocks = append(d.Blocks, Paragraph{Text: p})
	}
	lay, st, err := r.layout(d, true)
	if err != nil {
		return nil, Fit{}, err
	}
	lead := bodySize * leadingRatio
	// A full line holds the text width over the average character's
	// advance in this letter's own text.
	perLine := 1.0
	if st.chars > 0 && st.adv > 0 {
		perLine = (r.paper.w - 2*marginSide) * 1000 / bodySize / (float64(st.adv) / float64(st.chars))
	}
	if st.overflow > 0 {
		lines := math.Ceil(st.overflow/lead - 1e-9)
		return lay, Fit{Lines: -int(lines), Chars: -max(1, int(math.Ceil(lines*perLine)))}, nil
	}
	lines := math.Floor(-st.overflow/lead + 1e-9)
	return lay, Fit{Lines: int(lines), Chars: int(lines * perLine)}, nil
}

// Document lays out d over as many pages as it needs.
func (r *Renderer) Document(d Doc) (*Layout, error) {
	lay, _, err := r.layout(d, false)
	return lay, err
}

// paragraphs splits a letter body at blank lines, keeping line breaks inside
// a paragraph.
func paragraphs(body string) []string {
	var out []string
	var cur []string
	for _, ln := range strings.Split(strings.ReplaceAll(body, "\r\n", "\n"), "\n") {
		if strings.TrimSpace(ln) == "" {
			if len(cur) > 0 {
				out = append(out, strings.Join(cur, "\n"))
				cur = cur[:0]
			}
			continue
		}
		cur = append(cur, strings.TrimRight(ln, " \t"))
	}
	if len(cur) > 0 {
		out = append(out, strings.Join(cur, "\n"))
	}
	return out
}

// stats describe a one-page layout: how far it runs past the body's bottom
// and how wide its average character is, to size an overflow in characters.
type stats struct {
	overflow float64
	chars    int   // characters in the body's lines
	adv      int64 // their advances, in 1/1000 em
}

type layouter struct {
	r       *Renderer
	dir     baseDir // of paragraphs, headings and the footer
	onePage bool
	left    float64
	width   float64
	bottom  float64 // lowest y a body line box may reach
	pages   []page
	y       float64
	st      stats
}

func (r *Renderer) layout(d Doc, onePage bool) (*Layout, stats, error) {
	label := d.PageLabel
	if !strings.Contains(label, "%d") {
		label = strings.TrimSpace(label + " %d/%d")
	}
	footer := func(p, n int) string {
		s := fmt.Sprintf(label, p, n)
		if d.Footer != "" {
			s += " · " + d.Footer
		}
		return s
	}
	l := &layouter{
		r:       r,
		dir:     directionOf(d.Lang),
		onePage: onePage,
		left:    marginSide,
		width:   r.paper.w - 2*marginSide,
	}
	// Reserve room for the footer as the widest page label would wrap it;
	// 999/999 stands for any page count a fax can carry.
	flines, err := r.wrap(footer(999, 999), faceRegular, footerSize, l.width, l.dir)
	if err != nil {
		return nil, stats{}, err
	}
	flead := footerSize * leadingRatio
	lastBase := r.paper.h - footerBase
	l.bottom = lastBase - float64(len(flines)-1)*flead - footerSize - footerGap
	l.newPage()

	for _, b := range d.Blocks {
		var err error
		switch b := b.(type) {
		case Paragraph:
			err = l.paragraph(b.Text, orDefault(b.Size, bodySize), boldFace(b.Bold), paraGap)
		case *Paragraph:
			err = l.paragraph(b.Text, orDefault(b.Size, bodySize), boldFace(b.Bold), paraGap)
		case Heading:
			err = l.heading(b)
		case *Heading:
			err = l.heading(*b)
		case Table:
			err = l.table(b)
		case *Table:
			err = l.table(*b)
		case Spacer:
			l.y += b.Height
		case *Spacer:
			l.y += b.Height
		default:
			err = fmt.Errorf("render: unknown block type %T", b)
		}
		if err != nil {
			return nil, stats{}, err
		}
	}
	if onePage {
		l.st.overflow = l.y - l.bottom
	}

	n := len(l.pages)
	for i := range l.pages {
		lines, err := r.wrap(footer(i+1, n), faceRegular, footerSize, l.width, l.dir)
		if err != nil {
			return nil, stats{}, err
		}
		for j, ln := range lines {
			base := lastBase - float64(len(lines)-1-j)*flead
			l.pages[i].spans = r.appendSpans(l.pages[i].spans, ln, faceRegular, footerSize, l.left, base)
		}
	}
	return &Layout{paper: r.paper, pages: l.pages}, l.st, nil
}

func orDefault(v, def float64) float64 {
	if v <= 0 {
		return def
	}
	return v
}

func boldFace(bold bool) faceID {
	if bold {
		return faceBold
	}
	return faceRegular
}

func (l *layouter) newPage() {
	l.pages = append(l.pages, page{})
	l.y = marginTop
}

func (l *layouter) page() *page { return &l.pages[len(l.pages)-1] }

// fits reports whether h more points fit on the page; on a one-page layout
// everything "fits" and the overflow is measured at the end.
func (l *layouter) fits(h float64) bool {
	return l.onePage || l.y+h <= l.bottom+1e-6 || l.y <= marginTop+1e-6
}

func (l *layouter) paragraph(text string, size float64, fc faceID, gapLines float64) error {
	lines, err := l.r.wrap(text, fc, size, l.width, l.dir)
	if err != nil {
		return err
	}
	lead := size * leadingRatio
	for _, ln := range lines {
		if !l.fits(lead) {
			l.newPage()
		}
		p := l.page()
		p.spans = l.r.appendSpans(p.spans, ln, fc, size, l.left, l.y+ascentRatio*size)
		l.y += lead
		l.st.chars += utf8.RuneCountInString(ln.text)
		l.st.adv += int64(ln.width)
	}
	l.y += gapLines * lead
	return nil
}

func (l *layouter) heading(h Heading) error {
	size := orDefault(h.Size, headingSize)
	lead := size * leadingRatio
	if l.y > marginTop+1e-6 {
		l.y += 0.4 * lead
	}
	// Keep a heading with at least two lines of what follows.
	if !l.fits(lead + 2*bodySize*leadingRatio) {
		l.newPage()
	}
	return l.paragraph(h.Text, size, faceBold, 0.3)
}

func (l *layouter) table(t Table) error {
	ncol := len(t.Header)
	for _, row := range t.Rows {
		ncol = max(ncol, len(row))
	}
	if ncol == 0 {
		return nil
	}
	size := orDefault(t.Size, tableSize)
	lead := size * leadingRatio
	xs, ws := columns(t.Widths, ncol, l.left, l.width)

	wrapRow := func(cells []string, fc faceID) ([][]line, error) {
		out := make([][]line, ncol)
		for i := range ncol {
			if i >= len(cells) {
				continue
			}
			// A cell (a signer's name, city) is its own paragraph,
			// in whatever language it is written.
			lines, err := l.r.wrap(cells[i], fc, size, ws[i]-2*cellPadX, dirAuto)
			if err != nil {
				return nil, err
			}
			out[i] = lines
		}
		return out, nil
	}
	header, err := wrapRow(t.Header, faceBold)
	if err != nil {
		return err
	}
	// emit draws up to n lines of every cell of a row at l.y and returns the
	// lines left over.
	emit := func(cells [][]line, fc faceID, n int, rule float64) [][]line {
		p := l.page()
		rest := make([][]line, ncol)
		for i, lines := range cells {
			k := min(n, len(lines))
			for j, ln := range lines[:k] {
				base := l.y + cellPadY + float64(j)*lead + ascentRatio*size
				p.spans = l.r.appendSpans(p.spans, ln, fc, size, xs[i]+cellPadX, base)
			}
			rest[i] = lines[k:]
		}
		l.y += float64(n)*lead + 2*cellPadY
		p.rules = append(p.rules, rect{l.left, l.y, l.width, rule})
		return rest
	}
	rowLines := func(cells [][]line) int {
		n := 0
		for _, c := range cells {
			n = max(n, len(c))
		}
		return max(n, 1)
	}
	putHeader := func() {
		if len(t.Header) == 0 {
			return
		}
		l.page().rules = append(l.page().rules, rect{l.left, l.y, l.width, ruleHeavy})
		l.y += ruleHeavy
		emit(header, faceBold, rowLines(header), ruleHeavy)
		l.y += ruleHeavy
	}
	headerH := 0.0
	if len(t.Header) > 0 {
		headerH = float64(rowLines(header))*lead + 2*cellPadY + 2*ruleHeavy
	}
	if !l.fits(headerH + lead + 2*cellPadY) {
		l.newPage()
	}
	putHeader()
	top := l.y // the first row position on this page
	for _, row := range t.Rows {
		cells, err := wrapRow(row, faceRegular)
		if err != nil {
			return err
		}
		for {
			n := rowLines(cells)
			h := float64(n)*lead + 2*cellPadY
			if l.onePage || l.y+h <= l.bottom+1e-6 {
				emit(cells, faceRegular, n, ruleLight)
				break
			}
			if l.y > top+1e-6 {
				l.newPage()
				putHeader()
				top = l.y
				continue
			}
			// A row taller than a whole page: split it.
			k := max(1, int((l.bottom-l.y-2*cellPadY)/lead))
			cells = emit(cells, faceRegular, k, ruleLight)
			l.newPage()
			putHeader()
			top = l.y
		}
	}
	l.y += paraGap * bodySize * leadingRatio
	return nil
}

// columns returns the left edge and width of each column.
func columns(fracs []float64, n int, left, width float64) (xs, ws []float64) {
	sum := 0.0
	f := make([]float64, n)
	for i := range n {
		f[i] = 1
		if i < len(fracs) && fracs[i] > 0 {
			f[i] = fracs[i]
		} else if len(fracs) > 0 {
			f[i] = 1 / float64(n)
		}
		sum += f[i]
	}
	x := left
	for i := range n {
		w := width * f[i] / sum
		xs = append(xs, x)
		ws = append(ws, w)
		x += w
	}
	return xs, ws
}

// clean normalizes text to what the fonts are indexed by: composed
// characters (NFC, so "é" typed as e + U+0301 draws as one glyph), Unix line
// breaks and tabs as spaces.
func clean(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\t", " ")
	return norm.NFC.String(s)
}

// resolve picks the face that draws c: the wanted face, else the extra font.
func (r *Renderer) resolve(c rune, fc faceID) (faceID, glyph, bool) {
	if c == ' ' {
		return fc, r.faces[fc].glyph(c), true
	}
	if c < 0x20 || (c >= 0x7f && c < 0xa0) {
		return fc, glyph{}, false
	}
	if g := r.faces[fc].glyph(c); g.index != 0 {
		return fc, g, true
	}
	if len(r.faces) > int(faceExtra) {
		if g := r.faces[faceExtra].glyph(c); g.index != 0 {
			return faceExtra, g, true
		}
	}
	return fc, glyph{}, false
}

// wrap breaks text into lines no wider than maxW points, at spaces, and
// inside a word only when the word alone is wider than a line. It fails on
// the first character no font can draw. A hard line that needs shaping
// (see shape.go) is laid out by wrapShaped; every other one here, one glyph
// per character. dir is the paragraph's base direction: a right-to-left
// paragraph is always shaped, so its neutrals and left-to-right runs are
// placed by the bidi algorithm.
func (r *Renderer) wrap(text string, fc faceID, size, maxW float64, dir baseDir) ([]line, error) {
	text = clean(text)
	limit := int32(math.Floor(maxW * 1000 / size))
	space := r.faces[fc].glyph(' ').adv
	var out []line
hardLines:
	for _, hard := range strings.Split(text, "\n") {
		// Lines are cut out of hard (words are joined by the spaces
		// between them), so a line costs no allocation.
		first := len(out)
		if dir == dirRTL && hard != "" {
			var err error
			if out, err = r.wrapShaped(out, hard, fc, limit, dir); err != nil {
				if ge, ok := err.(*GlyphError); ok {
					ge.Text = text
				}
				return nil, err
			}
			continue
		}
		var lineStart, lineEnd int // bytes of hard
		var lineW int32
		started := false
		for pos := 0; ; {
			end := strings.IndexByte(hard[pos:], ' ')
			if end < 0 {
				end = len(hard)
			} else {
				end += pos
			}
			word := hard[pos:end]
			var ww int32
			for _, c := range word {
				_, g, ok := r.resolve(c, fc)
				if !ok || !g.simple {
					var err error
					if out, err = r.wrapShaped(out[:first], hard, fc, limit, dir); err != nil {
						if ge, ok := err.(*GlyphError); ok {
							ge.Text = text
						}
						return nil, err
					}
					continue hardLines
				}
				ww += g.adv
			}
			switch {
			case !started:
				lineStart = pos
			case lineW+space+ww <= limit:
				lineW += space
			default:
				out = append(out, line{text: hard[lineStart:lineEnd], width: lineW})
				lineStart, lineW = pos, 0
			}
			started = true
			if ww <= limit || lineW > 0 {
				lineW += ww
			} else {
				// A word wider than the line: break it between characters.
				for i, c := range word {
					_, g, _ := r.resolve(c, fc)
					if lineW+g.adv > limit && lineW > 0 {
						out = append(out, line{text: hard[lineStart : pos+i], width: lineW})
						lineStart, lineW = pos+i, 0
					}
					lineW += g.adv
				}
			}
			lineEnd = end
			if end == len(hard) {
				break
			}
			pos = end + 1
		}
		out = append(out, line{text: hard[lineStart:lineEnd], width: lineW})
	}
	return out, nil
}

// appendSpans places one line at (x, baseline): a shaped line run by run,
// in visual order; any other split into spans where the face changes (a
// character drawn by the extra font).
func (r *Renderer) appendSpans(dst []span, ln line, fc faceID, size, x, base float64) []span {
	if ln.runs != nil {
		pen := x
		for _, run := range ln.runs {
			dst = append(dst, span{x: pen, y: base, size: size, face: run.face, text: run.text, glyphs: run.glyphs, rtl: run.rtl})
			pen += float64(run.width) * size / 1000
		}
		return dst
	}
	start := 0
	cur := fc
	pen := x
	var w int32
	flush := func(end int) {
		if end > start {
			dst = append(dst, span{x: pen, y: base, size: size, face: cur, text: ln.text[start:end]})
			pen += float64(w) * size / 1000
		}
		start, w = end, 0
	}
	for i, c := range ln.text {
		f, g, _ := r.resolve(c, fc)
		if f != cur {
			flush(i)
			cur = f
		}
		w += g.adv
	}
	flush(len(ln.text))
	return dst
}
