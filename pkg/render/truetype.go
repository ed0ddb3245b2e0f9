package render

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"unicode/utf16"
)

// subsetTags are the tables a subset keeps, four bytes each, in the sorted
// order a table directory wants. They are what PDF 1.7 §9.9 requires of an
// embedded TrueType font for a CIDFontType2 with an identity CIDToGIDMap: no
// cmap (glyphs are addressed by id), no name, post, OS/2 or layout tables.
const subsetTags = "cvt fpgmglyfheadhheahmtxlocamaxpprep"

const (
	ttCvt = iota
	ttFpgm
	ttGlyf
	ttHead
	ttHhea
	ttHmtx
	ttLoca
	ttMaxp
	ttPrep
	ttTables
)

// trueType is what the PDF writer needs of a TrueType font, read once per
// Renderer: its tables, where each glyph's outline lies, which glyphs each
// composite glyph is built from, and the font descriptor's metrics.
type trueType struct {
	version   []byte           // the first four bytes of the file
	tables    [ttTables][]byte // nil when the font lacks the table
	numGlyphs int
	longLoca  bool
	loca      []uint32 // numGlyphs+1 byte offsets into glyf
	numHM     int      // hhea.numberOfHMetrics
	compStart []uint32 // glyph g's components are comps[compStart[g]:compStart[g+1]]
	comps     []uint16

	psName string // PostScript name, from the name table
	layout bool   // has GSUB, GPOS, kern or morx: text in it is shaped

	// Font descriptor values, in 1/1000 em.
	bbox                       [4]int
	ascent, descent, capHeight int
	italicAngle                float64
	fixedPitch                 bool
	stemV                      int
}

// advance is glyph g's advance from hmtx, in font units.
func (t *trueType) advance(g int) int {
	hm := t.tables[ttHmtx]
	return int(be16(hm[4*min(g, t.numHM-1):]))
}

func be16(b []byte) uint16 { return binary.BigEndian.Uint16(b) }
func be32(b []byte) uint32 { return binary.BigEndian.Uint32(b) }

// parseTrueType reads data's table directory, loca and composite glyphs. It
// fails on a font the subsetter could not copy faithfully.
func parseTrueType(data []byte) (*trueType, error) {
	if len(data) < 12 {
		return nil, errors.New("truncated table directory")
	}
	n := int(be16(data[4:]))
	if len(data) < 12+16*n {
		return nil, errors.New("truncated table directory")
	}
	t := &trueType{version: data[:4]}
	var os2, post, name []byte
	for i := range n {
		e := data[12+16*i:]
		tag := string(e[:4])
		off, ln := uint64(be32(e[8:])), uint64(be32(e[12:]))
		if off+ln > uint64(len(data)) {
			return nil, fmt.Errorf("table %q runs past the end of the file", tag)
		}
		tb := data[off : off+ln]
		switch tag {
		case "OS/2":
			os2 = tb
		case "post":
			post = tb
		case "name":
			name = tb
		case "GSUB", "GPOS", "kern", "morx", "kerx":
			t.layout = true
		}
		for k := range ttTables {
			if subsetTags[4*k:4*k+4] == tag {
				t.tables[k] = tb
			}
		}
	}
	for _, need := range []struct{ k, size int }{{ttGlyf, 0}, {ttHead, 54}, {ttHhea, 36}, {ttHmtx, 0}, {ttLoca, 0}, {ttMaxp, 6}} {
		if t.tables[need.k] == nil || len(t.tables[need.k]) < need.size {
			return nil, fmt.Errorf("table %q missing or short", subsetTags[4*need.k:4*need.k+4])
		}
	}
	head, hhea := t.tables[ttHead], t.tables[ttHhea]
	t.numGlyphs = int(be16(t.tables[ttMaxp][4:]))
	t.numHM = int(be16(hhea[34:]))
	if t.numHM < 1 || t.numHM > t.numGlyphs || len(t.tables[ttHmtx]) < 2*t.numHM+2*t.numGlyphs {
		return nil, fmt.Errorf("hmtx: %d bytes for %d metrics of %d glyphs", len(t.tables[ttHmtx]), t.numHM, t.numGlyphs)
	}
	if err := t.readLoca(int16(be16(head[50:]))); err != nil {
		return nil, err
	}
	if err := t.readComposites(); err != nil {
		return nil, err
	}

	upem := float64(be16(head[18:]))
	if upem < 16 {
		return nil, fmt.Errorf("head: unitsPerEm %v", upem)
	}
	em := func(v int16) int { return int(math.Round(float64(v) * 1000 / upem)) }
	for i := range t.bbox {
		t.bbox[i] = em(int16(be16(head[36+2*i:])))
	}
	t.ascent, t.descent = em(int16(be16(hhea[4:]))), em(int16(be16(hhea[6:])))
	t.capHeight = t.ascent
	weight := 400
	if len(os2) >= 6 {
		weight = int(be16(os2[4:]))
	}
	if len(os2) >= 90 && be16(os2) >= 2 {
		t.capHeight = em(int16(be16(os2[88:])))
	}
	// The usual estimate of the dominant stem width from the weight class.
	t.stemV = 50 + int(float64(weight)/65*float64(weight)/65)
	if len(post) >= 16 {
		t.italicAngle = float64(int32(be32(post[4:]))) / 65536
		t.fixedPitch = be32(post[12:]) != 0
	}
	t.psName = postScriptName(name)
	return t, nil
}

func (t *trueType) readLoca(format int16) error {
	loca, glyf := t.tables[ttLoca], t.tables[ttGlyf]
	n := t.numGlyphs + 1
	t.loca = make([]uint32, n)
	switch format {
	case 0:
		if len(loca) < 2*n {
			return fmt.Errorf("loca: %d bytes for %d glyphs", len(loca), t.numGlyphs)
		}
		for i := range n {
			t.loca[i] = 2 * uint32(be16(loca[2*i:]))
		}
	case 1:
		if len(loca) < 4*n {
			return fmt.Errorf("loca: %d bytes for %d glyphs", len(loca), t.numGlyphs)
		}
		t.longLoca = true
		for i := range n {
			t.loca[i] = be32(loca[4*i:])
		}
	default:
		return fmt.Errorf("head: indexToLocFormat %d", format)
	}
	for g := range t.numGlyphs {
		if t.loca[g] > t.loca[g+1] || t.loca[g+1] > uint32(len(glyf)) {
			return fmt.Errorf("loca: glyph %d at %d..%d of a %d-byte glyf", g, t.loca[g], t.loca[g+1], len(glyf))
		}
	}
	return nil
}

// readComposites lists the components of every composite glyph, so that a
// subset keeps the base letter and the accent an "é" is made of.
func (t *trueType) readComposites() error {
	const (
		argWords    = 0x0001
		haveScale   = 0x0008
		moreComps   = 0x0020
		haveXYScale = 0x0040
		have2x2     = 0x0080
	)
	glyf := t.tables[ttGlyf]
	t.compStart = make([]uint32, t.numGlyphs+1)
	for g := range t.numGlyphs {
		t.compStart[g] = uint32(len(t.comps))
		p := glyf[t.loca[g]:t.loca[g+1]]
		if len(p) < 10 || int16(be16(p)) >= 0 {
			continue
		}
		for p = p[10:]; ; {
			if len(p) < 4 {
				return fmt.Errorf("glyf: composite glyph %d is truncated", g)
			}
			flags, c := be16(p), be16(p[2:])
			if int(c) >= t.numGlyphs {
				return fmt.Errorf("glyf: composite glyph %d uses glyph %d of %d", g, c, t.numGlyphs)
			}
			t.comps = append(t.comps, c)
			k := 4 + 2
			if flags&argWords != 0 {
				k += 2
			}
			switch {
			case flags&haveScale != 0:
				k += 2
			case flags&haveXYScale != 0:
				k += 4
			case flags&have2x2 != 0:
				k += 8
			}
			if flags&moreComps == 0 {
				break
			}
			if len(p) < k {
				return fmt.Errorf("glyf: composite glyph %d is truncated", g)
			}
			p = p[k:]
		}
	}
	t.compStart[t.numGlyphs] = uint32(len(t.comps))
	return nil
}

// postScriptName reads name ID 6 (Windows Unicode or Mac Roman), keeping
// only the characters a PDF name may hold unescaped.
func postScriptName(name []byte) string {
	if len(name) < 6 {
		return ""
	}
	count, strs := int(be16(name[2:])), int(be16(name[4:]))
	for i := range count {
		r := name[6+12*i:]
		if len(r) < 12 || len(name) < 6+12*(i+1) {
			return ""
		}
		platform, enc, id := be16(r), be16(r[2:]), be16(r[6:])
		ln, off := int(be16(r[8:])), int(be16(r[10:]))
		if id != 6 || strs+off+ln > len(name) {
			continue
		}
		s := name[strs+off : strs+off+ln]
		var runes []rune
		switch {
		case platform == 3 && enc == 1 && ln%2 == 0:
			u := make([]uint16, ln/2)
			for j := range u {
				u[j] = be16(s[2*j:])
			}
			runes = utf16.Decode(u)
		case platform == 1 && enc == 0:
			for _, c := range s {
				runes = append(runes, rune(c))
			}
		default:
			continue
		}
		out := make([]byte, 0, len(runes))
		for _, c := range runes {
			if c > ' ' && c < 0x7f && !isPDFDelimiter(byte(c)) && c != '#' {
				out = append(out, byte(c))
			}
		}
		if len(out) > 0 {
			return string(out)
		}
	}
	return ""
}

func isPDFDelimiter(c byte) bool {
	switch c {
	case '(', ')', '<', '>', '[', ']', '{', '}', '/', '%':
		return true
	}
	return false
}

// closeOver adds to keep every component of the composite glyphs in it,
// to any depth, and glyph 0, which a TrueType font must have.
func (t *trueType) closeOver(keep []uint64, stack []uint16) []uint16 {
	keep[0] |= 1
	stack = stack[:0]
	for g := range t.numGlyphs {
		if keep[g/64]&(1<<(g%64)) != 0 && t.compStart[g] < t.compStart[g+1] {
			stack = append(stack, uint16(g))
		}
	}
	for len(stack) > 0 {
		g := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, c := range t.comps[t.compStart[g]:t.compStart[g+1]] {
			if keep[c/64]&(1<<(c%64)) == 0 {
				keep[c/64] |= 1 << (c % 64)
				stack = append(stack, c)
			}
		}
	}
	return stack
}

// appendSubset appends to b the font with the outlines and metrics of the
// glyphs not in keep emptied. Glyph ids stay as they are, so the PDF's
// character codes are the glyph ids of the original font.
func (t *trueType) appendSubset(b []byte, keep []uint64) []byte {
	kept := func(g int) bool { return keep[g/64]&(1<<(g%64)) != 0 }
	pad := uint32(2)
	if t.longLoca {
		pad = 4
	}
	padded := func(g int) uint32 { return (t.loca[g+1] - t.loca[g] + pad - 1) &^ (pad - 1) }

	n := 0
	for _, tb := range t.tables {
		if tb != nil {
			n++
		}
	}
	start := len(b)
	b = append(b, t.version...)
	sel := 0
	for 2<<sel <= n {
		sel++
	}
	b = binary.BigEndian.AppendUint16(b, uint16(n))
	b = binary.BigEndian.AppendUint16(b, uint16(16<<sel))
	b = binary.BigEndian.AppendUint16(b, uint16(sel))
	b = binary.BigEndian.AppendUint16(b, uint16(16*n-16<<sel))
	dir := len(b)
	b = append(b, make([]byte, 16*n)...)

	headAt, e := 0, dir
	for k, tb := range t.tables {
		if tb == nil {
			continue
		}
		at := len(b)
		switch k {
		case ttGlyf:
			for g := range t.numGlyphs {
				if kept(g) {
					b = append(b, t.tables[ttGlyf][t.loca[g]:t.loca[g+1]]...)
					b = append(b, make([]byte, padded(g)-(t.loca[g+1]-t.loca[g]))...)
				}
			}
		case ttLoca:
			off := uint32(0)
			for g := range t.numGlyphs + 1 {
				if t.longLoca {
					b = binary.BigEndian.AppendUint32(b, off)
				} else {
					b = binary.BigEndian.AppendUint16(b, uint16(off/2))
				}
				if g < t.numGlyphs && kept(g) {
					off += padded(g)
				}
			}
		case ttHmtx:
			// Zeros for the glyphs left out compress to nothing. The
			// last full metric stays: it is the advance of every glyph
			// after it.
			b = append(b, tb...)
			hm := b[at:]
			for g := range t.numGlyphs {
				if kept(g) || g == t.numHM-1 {
					continue
				}
				if g < t.numHM {
					clear(hm[4*g : 4*g+4])
				} else {
					i := 4*t.numHM + 2*(g-t.numHM)
					clear(hm[i : i+2])
				}
			}
		case ttHead:
			headAt = at
			b = append(b, tb...)
			clear(b[at+8 : at+12]) // checkSumAdjustment, set below
		default:
			b = append(b, tb...)
		}
		ln := len(b) - at
		for len(b)%4 != 0 {
			b = append(b, 0)
		}
		copy(b[e:], subsetTags[4*k:4*k+4])
		binary.BigEndian.PutUint32(b[e+4:], tableSum(b[at:]))
		binary.BigEndian.PutUint32(b[e+8:], uint32(at-start))
		binary.BigEndian.PutUint32(b[e+12:], uint32(ln))
		e += 16
	}
	binary.BigEndian.PutUint32(b[headAt+8:], 0xB1B0AFBA-tableSum(b[start:]))
	return b
}

// tableSum is the TrueType checksum of b, whose length is a multiple of 4.
func tableSum(b []byte) uint32 {
	var s uint32
	for i := 0; i+4 <= len(b); i += 4 {
		s += be32(b[i:])
	}
	return s
}
