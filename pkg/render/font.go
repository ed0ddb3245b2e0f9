package render

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"sync"

	otfont "github.com/go-text/typesetting/font"
	"golang.org/x/image/font"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// faceID indexes Renderer.faces.
type faceID uint8

const (
	faceRegular faceID = iota
	faceBold
	faceExtra
)

// lowRunes is how many code points each face tabulates up front: Latin,
// Greek and Cyrillic, everything a Go font can draw in running text. Rarer
// runes are looked up on demand.
const lowRunes = 0x530

// glyph is one character of a face: its index and its advance in 1/1000 em,
// rounded once here and written as is to the PDF's /W array, so that the
// layout, the PDF viewer and the raster agree on every pen position.
type glyph struct {
	index sfnt.GlyphIndex // 0: the face lacks the rune
	// simple: the rune is drawn as this one glyph at this advance, in a
	// left-to-right line, as HarfBuzz would (see shape.go).
	simple bool
	adv    int32
}

type face struct {
	name string // for the PDF when the font has no PostScript name
	sf   *sfnt.Font
	tt   *trueType // the tables the PDF embeds
	upem float64
	data []byte

	// The font as go-text parses it, for shaping; parsed on first use.
	otOnce sync.Once
	ot     *otfont.Font
	otErr  error

	low  [lowRunes]glyph
	high sync.Map // rune -> glyph, for runes >= lowRunes
	bufs sync.Pool
}

func newFace(name string, data []byte) (*face, error) {
	// The PDF embeds TrueType outlines only (FontFile2); catch the other
	// kinds here rather than fail later on a half-written document.
	if len(data) < 4 {
		return nil, errors.New("not a font file")
	}
	switch magic := data[:4]; {
	case bytes.Equal(magic, []byte{0, 1, 0, 0}), bytes.Equal(magic, []byte("true")):
	case bytes.Equal(magic, []byte("OTTO")):
		return nil, errors.New("CFF-based OpenType (.otf) fonts are not supported; use a TrueType (.ttf) font")
	case bytes.Equal(magic, []byte("ttcf")):
		return nil, errors.New("font collections (.ttc) are not supported; use a single TrueType (.ttf) font")
	default:
		return nil, errors.New("not a TrueType (.ttf) font")
	}
	sf, err := sfnt.Parse(data)
	if err != nil {
		return nil, err
	}
	tt, err := parseTrueType(data)
	if err != nil {
		return nil, err
	}
	f := &face{name: name, sf: sf, tt: tt, upem: float64(sf.UnitsPerEm()), data: data}
	f.bufs.New = func() any { return new(sfnt.Buffer) }
	b := f.buf()
	defer f.bufs.Put(b)
	for r := rune(0x20); r < lowRunes; r++ {
		g, err := f.lookup(b, r)
		if err != nil {
			return nil, fmt.Errorf("rune %U: %w", r, err)
		}
		f.low[r] = g
	}
	return f, nil
}

// psName is the face's PostScript name for the PDF.
func (f *face) psName() string {
	if f.tt.psName != "" {
		return f.tt.psName
	}
	return f.name
}

func (f *face) buf() *sfnt.Buffer { return f.bufs.Get().(*sfnt.Buffer) }

func (f *face) lookup(b *sfnt.Buffer, r rune) (glyph, error) {
	x, err := f.sf.GlyphIndex(b, r)
	if err != nil || x == 0 {
		return glyph{}, err
	}
	// Advance at ppem = upem gives font units in 26.6.
	adv, err := f.sf.GlyphAdvance(b, x, fixed.Int26_6(f.sf.UnitsPerEm())<<6, font.HintingNone)
	if err != nil {
		return glyph{}, err
	}
	return glyph{index: x, simple: !f.tt.layout && simpleRune(r), adv: int32(math.Round(float64(adv) / 64 * 1000 / f.upem))}, nil
}

// glyph returns r's glyph; index 0 means the face cannot draw r.
func (f *face) glyph(r rune) glyph {
	if r >= 0 && r < lowRunes {
		return f.low[r]
	}
	if g, ok := f.high.Load(r); ok {
		return g.(glyph)
	}
	b := f.buf()
	g, err := f.lookup(b, r)
	f.bufs.Put(b)
	if err != nil {
		g = glyph{}
	}
	f.high.Store(r, g)
	return g
}

// advance is glyph id's advance in 1/1000 em, rounded as lookup rounds it.
func (f *face) advance(id uint16) int32 {
	return int32(math.Round(float64(f.tt.advance(int(id))) * 1000 / f.upem))
}

// width is the advance of s in 1/1000 em.
func (f *face) width(s string) int32 {
	var w int32
	for _, r := range s {
		w += f.glyph(r).adv
	}
	return w
}
