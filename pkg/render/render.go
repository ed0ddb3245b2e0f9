// Package render owns the fax page: it lays a letter (or a longer document
// such as a petition) out once, as lines of text at positions on a paper page,
// and draws that one layout as PDF (what gateways take), as a 1-bit PNG
// preview at fax resolution (what arrives) and as a class F TIFF with CCITT
// Group 3 coding (what HylaFAX and modems send). It owns the fonts, the glyph
// coverage check and the one-page rule for letters.
//
// Text is drawn with the Go fonts, and the characters they lack with one
// extra TrueType font (--font). A line of plain Latin, Greek or Cyrillic
// takes the fast path, one glyph per character from the cmap. A line that
// needs more (a right-to-left run, a combining mark, a script such as
// Arabic or Devanagari, or any text in an extra font with OpenType layout
// tables) is ordered with golang.org/x/text/unicode/bidi and shaped with
// go-text/typesetting's port of HarfBuzz: the layout then holds glyph runs,
// which the PDF (with ToUnicode and ActualText, so the text extracts as
// typed), the PNG and the TIFF all draw alike. The shaping tests hold those
// runs to hb-shape's output for the same font and the order to fribidi's.
// What cannot be drawn right is refused with a *GlyphError naming the
// character and its script; see shape.go for the rules and their limits
// (paragraphs take the direction of their first letter but stay
// left-aligned; explicit bidi embeddings are refused).
//
// It must not import gateway, dispatch, cli or anything that does network or
// terminal I/O: it takes values and writes to the io.Writer it is given.
package render

import (
	"fmt"
	"strings"
	"sync"

	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
)

// Options configure a Renderer.
type Options struct {
	// Paper is "a4" (the default when empty) or "letter".
	Paper string
	// ExtraFont is an optional TrueType font (.ttf bytes) used for the
	// characters the Go fonts cannot draw, one character at a time.
	ExtraFont []byte
}

// Renderer lays out and draws fax pages. It holds the parsed fonts and a cache
// of rasterized glyphs, so one Renderer should serve a whole run; it is safe
// for concurrent use by many goroutines.
type Renderer struct {
	paper paper
	faces []*face // indexed by faceID; faceExtra present only with ExtraFont

	glyphs  sync.Map  // glyphKey -> *glyphMask, filled on first use
	zlibs   sync.Pool // *zlib.Writer for PNG, reset per image
	bitmaps sync.Pool // *image.Paletted page bitmaps, cleared per use
	pdfs    sync.Pool // *pdfWriter: a PDF's buffers and compressor
	shapers sync.Pool // *shaper: HarfBuzz state, for lines that need shaping
}

// paper is a page size in points (1/72 in).
type paper struct {
	name string
	w, h float64
}

// mm is one millimetre in points.
const mm = 72 / 25.4

func paperFor(name string) (paper, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "", "a4":
		return paper{name: "A4", w: 210 * mm, h: 297 * mm}, nil
	case "letter":
		return paper{name: "Letter", w: 8.5 * 72, h: 11 * 72}, nil
	}
	return paper{}, fmt.Errorf("render: paper %q: want a4 or letter", name)
}

// New parses the fonts and returns a Renderer for opts. The Go fonts are
// embedded in the binary; parsing them here rather than at package init keeps
// commands that never render (help, status) free of the cost.
func New(opts Options) (*Renderer, error) {
	p, err := paperFor(opts.Paper)
	if err != nil {
		return nil, err
	}
	r := &Renderer{paper: p}
	for _, f := range []struct {
		name string
		data []byte
	}{{"goregular", goregular.TTF}, {"gobold", gobold.TTF}} {
		fc, err := newFace(f.name, f.data)
		if err != nil {
			return nil, fmt.Errorf("render: font %s: %w", f.name, err)
		}
		r.faces = append(r.faces, fc)
	}
	if len(opts.ExtraFont) > 0 {
		fc, err := newFace("extra", opts.ExtraFont)
		if err != nil {
			return nil, fmt.Errorf("render: extra font: %w", err)
		}
		r.faces = append(r.faces, fc)
	}
	return r, nil
}
