package render

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"unicode/utf16"
)

// A PDF is written here rather than by a PDF library because a letter is a
// handful of objects and the bulk sender makes thousands of them: the fonts
// are parsed once per Renderer, the buffers and compressors are reused, and
// a letter costs a fraction of a millisecond.
//
// The document is PDF 1.4: a catalog, a page tree, an info dictionary
// without dates (the same layout always gives the same bytes), one resource
// dictionary shared by the pages, and for each face the layout uses a Type0
// font with Identity-H encoding over a CIDFontType2 whose CIDs are the glyph
// ids of the embedded TrueType subset, with a ToUnicode CMap so the text can
// be searched and copied.
//
// A shaped span (see shape.go) is drawn glyph by glyph with TJ, each glyph
// moved from the font's advance to the shaper's and raised with Ts for a
// mark. Its text extracts as typed: a left-to-right shaped span (Devanagari,
// whose vowel signs are drawn before their consonants) is wrapped in a
// marked-content span with the characters as ActualText; a right-to-left
// span is not, since extractors such as poppler reverse right-to-left text,
// ActualText included, from visual to logical order themselves: its glyphs
// map through ToUnicode, a ligature's characters in visual order like the
// rest of the run.

// Object numbers of the fixed objects; a face's five objects follow, then
// each page and its content stream.
const (
	objCatalog = 1 + iota
	objPages
	objInfo
	objResources
	objFirstFont
	objsPerFont = 5 // Type0, CIDFontType2, FontDescriptor, FontFile2, ToUnicode
)

// pdfLevel is the flate level of every stream. Best speed makes a letter
// 6 % larger than the default level (13.6 KB against 12.8 KB) in 60 % of
// the time; a fax gateway's upload does not notice the difference.
const pdfLevel = zlib.BestSpeed

// pdfWriter holds one document's buffers; Renderer.pdfs pools them so a run
// of letters reuses the memory and the compressor.
type pdfWriter struct {
	buf   bytes.Buffer // the document
	raw   []byte       // a stream before compression
	z     bytes.Buffer // a stream after compression
	zw    *zlib.Writer
	xref  []int // byte offset of each object, by number
	faces [faceExtra + 1]faceUse
	stack []uint16
}

// faceUse is what one document draws with one face.
type faceUse struct {
	obj    int      // number of its Type0 font object; 0 when unused
	keep   []uint64 // bit set of glyph ids the subset keeps
	glyphs []usedGlyph
	// marks are glyphs first drawn for an invisible mark (HarfBuzz draws
	// an LRM with the space glyph, at no advance), by id → index in
	// glyphs: the next visible use of the glyph gives its ToUnicode
	// entry, so a space does not extract as an LRM.
	marks map[uint16]int
}

type usedGlyph struct {
	id  uint16
	r   rune   // the character it was drawn for, for ToUnicode
	txt string // or, for a shaped glyph, the characters ("" for none)
	adv int32
}

// PDF writes l as a PDF with the fonts it uses embedded (subset). The same
// layout always gives the same bytes.
func (r *Renderer) PDF(l *Layout, w io.Writer) error {
	pw, _ := r.pdfs.Get().(*pdfWriter)
	if pw == nil {
		pw = &pdfWriter{}
	}
	defer r.pdfs.Put(pw)
	if err := pw.write(r, l); err != nil {
		return fmt.Errorf("render: pdf: %w", err)
	}
	if _, err := w.Write(pw.buf.Bytes()); err != nil {
		return fmt.Errorf("render: pdf: %w", err)
	}
	return nil
}

func (pw *pdfWriter) write(r *Renderer, l *Layout) error {
	if err := pw.collect(r, l); err != nil {
		return err
	}
	pw.buf.Reset()
	pw.buf.Grow(24<<10 + 4<<10*len(l.pages))
	pw.xref = append(pw.xref[:0], 0) // object 0, the head of the free list
	b := &pw.buf
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")

	nextObj := objFirstFont
	for id := range pw.faces {
		if fu := &pw.faces[id]; fu.obj != 0 {
			fu.obj = nextObj
			nextObj += objsPerFont
		}
	}
	firstPage := nextObj
	pageObj := func(p int) int { return firstPage + 2*p }

	pw.begin(objCatalog)
	b.WriteString("<< /Type /Catalog /Pages 2 0 R >>")
	pw.begin(objPages)
	b.WriteString("<< /Type /Pages /MediaBox [0 0 ")
	putNum(b, l.paper.w)
	b.WriteByte(' ')
	putNum(b, l.paper.h)
	b.WriteString("] /Count ")
	putInt(b, len(l.pages))
	b.WriteString(" /Kids [")
	for p := range l.pages {
		putRef(b, pageObj(p))
		b.WriteByte(' ')
	}
	b.WriteString("] >>")
	pw.begin(objInfo)
	b.WriteString("<< /Producer (faxjam) >>")
	pw.begin(objResources)
	b.WriteString("<< /ProcSet [/PDF /Text] /Font <<")
	for id, fu := range pw.faces {
		if fu.obj != 0 {
			b.WriteString(" /F")
			putInt(b, id)
			b.WriteByte(' ')
			putRef(b, fu.obj)
		}
	}
	b.WriteString(" >> >>")

	for id := range pw.faces {
		if pw.faces[id].obj != 0 {
			if err := pw.font(r.faces[id], &pw.faces[id]); err != nil {
				return err
			}
		}
	}
	for p := range l.pages {
		pw.begin(pageObj(p))
		b.WriteString("<< /Type /Page /Parent 2 0 R /Resources 4 0 R /Contents ")
		putRef(b, pageObj(p)+1)
		b.WriteString(" >>")
		pw.begin(pageObj(p) + 1)
		if err := pw.stream(pw.content(r, l, p), 0); err != nil {
			return err
		}
	}

	b.WriteString("\nendobj\n")
	xref := b.Len()
	b.WriteString("xref\n0 ")
	putInt(b, len(pw.xref))
	b.WriteString("\n0000000000 65535 f \n")
	for _, off := range pw.xref[1:] {
		e := []byte("0000000000 00000 n \n")
		for i, v := 9, off; v > 0; i, v = i-1, v/10 {
			e[i] = byte('0' + v%10)
		}
		b.Write(e)
	}
	b.WriteString("trailer\n<< /Size ")
	putInt(b, len(pw.xref))
	b.WriteString(" /Root 1 0 R /Info 3 0 R >>\nstartxref\n")
	putInt(b, xref)
	b.WriteString("\n%%EOF\n")
	return nil
}

// collect finds the glyphs each face draws, with the character and advance
// of each, in glyph id order.
func (pw *pdfWriter) collect(r *Renderer, l *Layout) error {
	for id := range pw.faces {
		fu := &pw.faces[id]
		fu.obj, fu.glyphs = 0, fu.glyphs[:0]
	}
	for _, p := range l.pages {
		for _, s := range p.spans {
			if int(s.face) >= len(r.faces) {
				return fmt.Errorf("the layout uses a font this renderer lacks (%d)", s.face)
			}
			f, fu := r.faces[s.face], &pw.faces[s.face]
			if fu.obj == 0 {
				fu.obj = -1 // numbered later
				n := (f.tt.numGlyphs + 63) / 64
				fu.keep = slices.Grow(fu.keep[:0], n)[:n]
				clear(fu.keep)
			}
			if s.glyphs != nil {
				for _, g := range s.glyphs {
					if int(g.id) >= f.tt.numGlyphs {
						return fmt.Errorf("glyph %d is not in the font: the layout was made by another Renderer", g.id)
					}
					if fu.keep[g.id/64]&(1<<(g.id%64)) == 0 {
						fu.keep[g.id/64] |= 1 << (g.id % 64)
						if onlyMarks(g.text) {
							if fu.marks == nil {
								fu.marks = map[uint16]int{}
							}
							fu.marks[g.id] = len(fu.glyphs)
						}
						fu.glyphs = append(fu.glyphs, usedGlyph{id: g.id, txt: g.text, adv: f.advance(g.id)})
					} else if i, ok := fu.marks[g.id]; ok && g.text != "" && !onlyMarks(g.text) {
						fu.glyphs[i].txt = g.text
						delete(fu.marks, g.id)
					}
				}
				continue
			}
			for _, c := range s.text {
				g := f.glyph(c)
				if g.index == 0 || int(g.index) >= f.tt.numGlyphs {
					return fmt.Errorf("character %q (%U) is not in the font: the layout was made by another Renderer", string(c), c)
				}
				if fu.keep[g.index/64]&(1<<(g.index%64)) == 0 {
					fu.keep[g.index/64] |= 1 << (g.index % 64)
					fu.glyphs = append(fu.glyphs, usedGlyph{id: uint16(g.index), r: c, adv: g.adv})
				}
			}
		}
	}
	for id := range pw.faces {
		slices.SortFunc(pw.faces[id].glyphs, func(a, b usedGlyph) int { return int(a.id) - int(b.id) })
	}
	return nil
}

// begin ends the object being written, if any, and starts object n, which
// must be the next in number order.
func (pw *pdfWriter) begin(n int) {
	if n != len(pw.xref) {
		panic(fmt.Sprintf("render: pdf object %d written as %d", n, len(pw.xref)))
	}
	if n > 1 {
		pw.buf.WriteString("\nendobj\n")
	}
	pw.xref = append(pw.xref, pw.buf.Len())
	putInt(&pw.buf, n)
	pw.buf.WriteString(" 0 obj\n")
}

// stream writes data compressed as the current object's stream; length1,
// when not 0, is the /Length1 of a TrueType font file.
func (pw *pdfWriter) stream(data []byte, length1 int) error {
	pw.z.Reset()
	if pw.zw == nil {
		pw.zw, _ = zlib.NewWriterLevel(&pw.z, pdfLevel)
	} else {
		pw.zw.Reset(&pw.z)
	}
	if _, err := pw.zw.Write(data); err != nil {
		return err
	}
	if err := pw.zw.Close(); err != nil {
		return err
	}
	b := &pw.buf
	b.WriteString("<< /Filter /FlateDecode /Length ")
	putInt(b, pw.z.Len())
	if length1 != 0 {
		b.WriteString(" /Length1 ")
		putInt(b, length1)
	}
	b.WriteString(" >>\nstream\n")
	b.Write(pw.z.Bytes())
	b.WriteString("\nendstream")
	return nil
}

// content draws page p: the rules, then the text, each span placed where
// the layout put it (the raster draws the same positions).
func (pw *pdfWriter) content(r *Renderer, l *Layout, p int) []byte {
	c := pw.raw[:0]
	h := l.paper.h
	for _, q := range l.pages[p].rules {
		c = appendNum(c, q.x)
		c = append(c, ' ')
		c = appendNum(c, h-q.y)
		c = append(c, ' ')
		c = appendNum(c, q.w)
		c = append(c, ' ')
		c = appendNum(c, -q.h)
		c = append(c, " re f\n"...)
	}
	c = append(c, "BT\n"...)
	cur, curSize := faceID(255), 0.0
	for _, s := range l.pages[p].spans {
		if s.face != cur || s.size != curSize {
			cur, curSize = s.face, s.size
			c = append(c, "/F"...)
			c = strconv.AppendInt(c, int64(s.face), 10)
			c = append(c, ' ')
			c = appendNum(c, s.size)
			c = append(c, " Tf\n"...)
		}
		f := r.faces[s.face]
		if s.glyphs != nil {
			c = shapedSpan(c, f, s, h)
			continue
		}
		c = append(c, "1 0 0 1 "...)
		c = appendNum(c, s.x)
		c = append(c, ' ')
		c = appendNum(c, h-s.y)
		c = append(c, " Tm ("...)
		for _, ch := range s.text {
			id := uint16(f.glyph(ch).index)
			for _, v := range [2]byte{byte(id >> 8), byte(id)} {
				switch v {
				case '(', ')', '\\':
					c = append(c, '\\', v)
				case '\r':
					c = append(c, '\\', 'r')
				default:
					c = append(c, v)
				}
			}
		}
		c = append(c, ") Tj\n"...)
	}
	c = append(c, "ET"...)
	pw.raw = c
	return c
}

// shapedSpan draws a shaped span: its glyphs by id with TJ, each moved
// from where the font's own advance would put it to where the shaper did
// (and raised with Ts for a mark), inside a marked-content span whose
// ActualText is the span's characters in logical order, so that text
// extraction gives "محمد" and not its glyphs left to right.
func shapedSpan(c []byte, f *face, s span, h float64) []byte {
	if !s.rtl {
		c = append(c, "/Span << /ActualText <FEFF"...)
		c = appendUTF16(c, s.text)
		c = append(c, "> >> BDC\n"...)
	}
	c = append(c, "1 0 0 1 "...)
	c = appendNum(c, s.x)
	c = append(c, ' ')
	c = appendNum(c, h-s.y)
	c = append(c, " Tm ["...)
	var pen, at, rise int32 // 1/1000 em from the span's start: the shaper's pen, the PDF's
	for _, g := range s.glyphs {
		if g.dy != rise {
			rise = g.dy
			c = append(c, "] TJ "...)
			c = appendNum(c, float64(rise)*s.size/1000)
			c = append(c, " Ts ["...)
		}
		if want := pen + g.dx; want != at {
			c = strconv.AppendInt(c, int64(at-want), 10)
			at = want
		}
		c = append(c, '<')
		c = appendHex16(c, g.id)
		c = append(c, '>')
		at += f.advance(g.id)
		pen += g.adv
	}
	c = append(c, "] TJ"...)
	if rise != 0 {
		c = append(c, " 0 Ts"...)
	}
	if !s.rtl {
		c = append(c, "\nEMC"...)
	}
	return append(c, '\n')
}

// font writes the five objects of face f, starting at fu.obj.
func (pw *pdfWriter) font(f *face, fu *faceUse) error {
	tt := f.tt
	b := &pw.buf
	name := subsetName(fu.glyphs, f.psName())

	pw.begin(fu.obj)
	b.WriteString("<< /Type /Font /Subtype /Type0 /BaseFont /")
	b.WriteString(name)
	b.WriteString(" /Encoding /Identity-H /DescendantFonts [")
	putRef(b, fu.obj+1)
	b.WriteString("] /ToUnicode ")
	putRef(b, fu.obj+4)
	b.WriteString(" >>")

	pw.begin(fu.obj + 1)
	b.WriteString("<< /Type /Font /Subtype /CIDFontType2 /BaseFont /")
	b.WriteString(name)
	b.WriteString(" /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor ")
	putRef(b, fu.obj+2)
	b.WriteString(" /CIDToGIDMap /Identity /W [")
	for i, g := range fu.glyphs {
		switch {
		case i == 0:
			putInt(b, int(g.id))
			b.WriteString(" [")
		case g.id == fu.glyphs[i-1].id+1:
			b.WriteByte(' ')
		default:
			b.WriteString("] ")
			putInt(b, int(g.id))
			b.WriteString(" [")
		}
		putInt(b, int(g.adv))
	}
	if len(fu.glyphs) > 0 {
		b.WriteByte(']')
	}
	b.WriteString("] >>")

	pw.begin(fu.obj + 2)
	flags := 4 // symbolic: glyphs are addressed by id, not by a Latin encoding
	if tt.fixedPitch {
		flags |= 1
	}
	if tt.italicAngle != 0 {
		flags |= 64
	}
	b.WriteString("<< /Type /FontDescriptor /FontName /")
	b.WriteString(name)
	b.WriteString(" /Flags ")
	putInt(b, flags)
	b.WriteString(" /FontBBox [")
	for i, v := range tt.bbox {
		if i > 0 {
			b.WriteByte(' ')
		}
		putInt(b, v)
	}
	b.WriteString("] /ItalicAngle ")
	putNum(b, tt.italicAngle)
	b.WriteString(" /Ascent ")
	putInt(b, tt.ascent)
	b.WriteString(" /Descent ")
	putInt(b, tt.descent)
	b.WriteString(" /CapHeight ")
	putInt(b, tt.capHeight)
	b.WriteString(" /StemV ")
	putInt(b, tt.stemV)
	b.WriteString(" /FontFile2 ")
	putRef(b, fu.obj+3)
	b.WriteString(" >>")

	pw.begin(fu.obj + 3)
	pw.stack = tt.closeOver(fu.keep, pw.stack)
	pw.raw = tt.appendSubset(pw.raw[:0], fu.keep)
	if err := pw.stream(pw.raw, len(pw.raw)); err != nil {
		return err
	}

	pw.begin(fu.obj + 4)
	return pw.stream(pw.toUnicode(fu.glyphs), 0)
}

// onlyMarks reports whether s is invisible marks only (LRM, RLM...).
func onlyMarks(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !invisible(c) {
			return false
		}
	}
	return true
}

// toUnicode is the CMap from glyph ids back to the characters drawn.
func (pw *pdfWriter) toUnicode(glyphs []usedGlyph) []byte {
	c := append(pw.raw[:0], "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"+
		"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"+
		"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"+
		"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"...)
	// At most 100 entries to a bfchar block. A shaped glyph that is not
	// its cluster's first (a Devanagari vowel sign's second part) maps to
	// nothing: the span's ActualText has the characters.
	for start := 0; start < len(glyphs); start += 100 {
		chunk := glyphs[start:min(start+100, len(glyphs))]
		if k := countMapped(chunk); k < len(chunk) {
			chunk = slices.DeleteFunc(slices.Clone(chunk), func(g usedGlyph) bool { return g.r == 0 && g.txt == "" })
			if k == 0 {
				continue
			}
		}
		c = strconv.AppendInt(c, int64(len(chunk)), 10)
		c = append(c, " beginbfchar\n"...)
		for _, g := range chunk {
			c = append(c, '<')
			c = appendHex16(c, g.id)
			c = append(c, "> <"...)
			if g.txt != "" {
				c = appendUTF16(c, g.txt)
			} else {
				c = appendUTF16Rune(c, g.r)
			}
			c = append(c, ">\n"...)
		}
		c = append(c, "endbfchar\n"...)
	}
	c = append(c, "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend"...)
	pw.raw = c
	return c
}

func countMapped(glyphs []usedGlyph) int {
	n := 0
	for _, g := range glyphs {
		if g.r != 0 || g.txt != "" {
			n++
		}
	}
	return n
}

// subsetName is the subset's PostScript name: a tag of six capital letters
// that depends only on the glyphs kept (FNV-1a of their ids), then the
// font's name.
func subsetName(glyphs []usedGlyph, ps string) string {
	v := uint64(14695981039346656037)
	for _, g := range glyphs {
		for _, c := range [2]byte{byte(g.id >> 8), byte(g.id)} {
			v = (v ^ uint64(c)) * 1099511628211
		}
	}
	name := make([]byte, 7, 7+len(ps))
	for i := range 6 {
		name[i] = 'A' + byte(v%26)
		v /= 26
	}
	name[6] = '+'
	return string(append(name, ps...))
}

// appendUTF16Rune writes r as UTF-16BE in hex.
func appendUTF16Rune(c []byte, r rune) []byte {
	if r1, r2 := utf16.EncodeRune(r); r1 != '\uFFFD' {
		return appendHex16(appendHex16(c, uint16(r1)), uint16(r2))
	}
	return appendHex16(c, uint16(r))
}

func appendUTF16(c []byte, s string) []byte {
	for _, r := range s {
		c = appendUTF16Rune(c, r)
	}
	return c
}

func appendHex16(c []byte, v uint16) []byte {
	const hex = "0123456789ABCDEF"
	return append(c, hex[v>>12], hex[v>>8&15], hex[v>>4&15], hex[v&15])
}

// appendNum writes v to two decimals, without trailing zeros.
func appendNum(c []byte, v float64) []byte {
	v = math.Round(v*100) / 100
	if v == 0 {
		return append(c, '0')
	}
	c = strconv.AppendFloat(c, v, 'f', 2, 64)
	for c[len(c)-1] == '0' {
		c = c[:len(c)-1]
	}
	if c[len(c)-1] == '.' {
		c = c[:len(c)-1]
	}
	return c
}

func putNum(b *bytes.Buffer, v float64) { b.Write(appendNum(b.AvailableBuffer(), v)) }
func putInt(b *bytes.Buffer, v int)     { b.Write(strconv.AppendInt(b.AvailableBuffer(), int64(v), 10)) }
func putRef(b *bytes.Buffer, n int) {
	putInt(b, n)
	b.WriteString(" 0 R")
}
