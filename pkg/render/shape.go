package render

import (
	"bytes"
	"errors"
	"math"
	"slices"
	"unicode"
	"unicode/utf8"

	"github.com/go-text/typesetting/font"
	ot "github.com/go-text/typesetting/font/opentype"
	"github.com/go-text/typesetting/harfbuzz"
	"github.com/go-text/typesetting/language"
	"golang.org/x/text/unicode/bidi"

	"github.com/faxjam/faxjam/pkg/letter"
)

// Text that needs more than one glyph per character, each at its advance,
// left to right, goes through here: Arabic letters join, Devanagari
// conjuncts form and vowel signs move, marks sit on their bases, and
// right-to-left runs read from the right. Such a line is ordered with
// golang.org/x/text/unicode/bidi and every run of one font, script and
// direction is shaped with HarfBuzz (go-text/typesetting's port), so the
// glyphs are the ones hb-shape gives for the same font. Every other line,
// which is nearly every line of a letter, keeps the fast path: one glyph per
// character from the cmap (what HarfBuzz gives too for a font without
// layout tables, such as the Go fonts).
//
// A paragraph takes the direction of the document's language (Doc.Lang),
// or without one that of its first letter; right-to-left runs inside it are
// reordered by rule L2 of UAX #9. Lines stay left-aligned, as the letter's
// template is.

// shapedGlyph is one glyph of a shaped run, in 1/1000 em like glyph.adv:
// rounded once here and used as is by the PDF and the raster.
type shapedGlyph struct {
	id     uint16
	adv    int32
	dx, dy int32 // offset from the pen, y up
	// text is what the glyph stands for, for the PDF's ToUnicode: its
	// cluster's characters on the cluster's first glyph, "" on the others.
	text string
}

// line is one laid-out line: its characters in logical order and its
// width. runs is nil on the fast path (spans are cut from text one face at
// a time); otherwise it holds the shaped runs in visual order.
type line struct {
	text  string
	width int32 // 1/1000 em
	runs  []shapedRun
}

type shapedRun struct {
	face   faceID
	rtl    bool
	text   string // logical order, for the PDF's ActualText
	glyphs []shapedGlyph
	width  int32
}

// shaper is one goroutine's HarfBuzz state: go-text's faces cache glyph
// lookups and are not safe for concurrent use, so Renderer.shapers pools
// these.
type shaper struct {
	buf   *harfbuzz.Buffer
	fonts [faceExtra + 1]*harfbuzz.Font
	para  bidi.Paragraph
}

// otFont is f parsed by go-text, once, on the first line that needs
// shaping: the fast path never pays for it.
func (f *face) otFont() (*font.Font, error) {
	if f.data == nil {
		return nil, errors.New("no font data")
	}
	f.otOnce.Do(func() {
		ld, err := ot.NewLoader(bytes.NewReader(f.data))
		if err != nil {
			f.otErr = err
			return
		}
		f.ot, f.otErr = font.NewFont(ld)
	})
	return f.ot, f.otErr
}

func (r *Renderer) getShaper() *shaper {
	if s, ok := r.shapers.Get().(*shaper); ok {
		return s
	}
	return &shaper{buf: harfbuzz.NewBuffer()}
}

func (s *shaper) font(r *Renderer, fc faceID) (*harfbuzz.Font, error) {
	if s.fonts[fc] == nil {
		f, err := r.faces[fc].otFont()
		if err != nil {
			return nil, err
		}
		s.fonts[fc] = harfbuzz.NewFont(font.NewFace(f))
	}
	return s.fonts[fc], nil
}

// shapingScripts are the scripts that cannot be printed one glyph per
// character, with the OpenType script tags a font's GSUB table must have
// for them. A font that has the letters but not these rules would print
// unjoined or misordered text: it is refused instead.
var shapingScripts = map[language.Script][]string{
	language.Arabic:     {"arab"},
	language.Syriac:     {"syrc"},
	language.Nko:        {"nko "},
	language.Mongolian:  {"mong"},
	language.Devanagari: {"dev2", "deva"},
	language.Bengali:    {"bng2", "beng"},
	language.Gurmukhi:   {"gur2", "guru"},
	language.Gujarati:   {"gjr2", "gujr"},
	language.Oriya:      {"ory2", "orya"},
	language.Tamil:      {"tml2", "taml"},
	language.Telugu:     {"tel2", "telu"},
	language.Kannada:    {"knd2", "knda"},
	language.Malayalam:  {"mlm2", "mlym"},
	language.Sinhala:    {"sinh"},
	language.Myanmar:    {"mym2", "mymr"},
	language.Khmer:      {"khmr"},
	language.Tibetan:    {"tibt"},
}

// canShape reports whether face f has the shaping rules script needs.
func (f *face) canShape(script language.Script) (bool, error) {
	tags, ok := shapingScripts[script]
	if !ok {
		return true, nil
	}
	of, err := f.otFont()
	if err != nil {
		return false, err
	}
	for _, s := range of.GSUB.Scripts {
		for _, t := range tags {
			if s.Tag == ot.MustNewTag(t) {
				return true, nil
			}
		}
	}
	return false, nil
}

// scriptName is the name of c's Unicode script ("Arabic"), for errors;
// only error paths call it.
func scriptName(c rune) string {
	for name, tab := range unicode.Scripts {
		if unicode.Is(tab, c) {
			return name
		}
	}
	return ""
}

// simpleRune reports whether c, drawn from a face without layout tables,
// is one glyph at its advance in a left-to-right line: no mark to place, no
// invisible control, nothing a bidi algorithm would move.
func simpleRune(c rune) bool {
	if c < lowRunes {
		// What the general rule below says of Latin, Greek and Cyrillic,
		// without its table lookups: New tabulates these runes for every
		// face (TestSimpleRuneBelowLowRunes holds the two to agreement).
		switch {
		case c < 0x20, c >= 0x7f && c < 0xa0, c == 0xad, c >= 0x300 && c < 0x370, c >= 0x483 && c < 0x48a:
			return false
		}
		return true
	}
	return simpleRuneSlow(c)
}

func simpleRuneSlow(c rune) bool {
	if unicode.In(c, unicode.Mn, unicode.Me, unicode.Mc, unicode.Cf, unicode.Cc) {
		return false
	}
	p, _ := bidi.LookupRune(c)
	switch p.Class() {
	case bidi.R, bidi.AL, bidi.AN, bidi.NSM, bidi.B, bidi.S, bidi.BN, bidi.Control,
		bidi.LRO, bidi.RLO, bidi.LRE, bidi.RLE, bidi.PDF, bidi.LRI, bidi.RLI, bidi.FSI, bidi.PDI:
		return false
	}
	if _, ok := shapingScripts[language.LookupScript(c)]; ok {
		return false
	}
	return true
}

// invisible reports whether c is a format character HarfBuzz draws as
// nothing: joiners, bidi marks, variation selectors. Such a character needs
// no glyph of its own.
func invisible(c rune) bool {
	switch {
	case c == 0x200C, c == 0x200D, c == 0x200E, c == 0x200F, c == 0x061C, c == 0x034F,
		c >= 0xFE00 && c <= 0xFE0F:
		return true
	}
	return false
}

// bidiControl reports whether c is an explicit embedding, override or
// isolate: they would let the text pick levels this renderer does not
// model, so they are refused.
func bidiControl(c rune) bool {
	return c >= 0x202A && c <= 0x202E || c >= 0x2066 && c <= 0x2069
}

// wrapShaped lays out one hard line that needs shaping: faces, scripts and
// bidi levels per character, each run shaped, then the same greedy breaking
// at spaces as the fast path, measured on the shaped advances.
func (r *Renderer) wrapShaped(out []line, text string, fc faceID, limit int32, dir baseDir) ([]line, error) {
	runes := []rune(text)
	n := len(runes)
	if n == 0 {
		return append(out, line{}), nil
	}
	pos := make([]int, n+1) // byte offset of each rune
	for i, b := 0, 0; i < n; i++ {
		pos[i] = b
		b += utf8.RuneLen(runes[i])
	}
	pos[n] = len(text)

	faces, err := r.runeFaces(runes, text, fc)
	if err != nil {
		return nil, err
	}
	scripts := runeScripts(runes)
	s := r.getShaper()
	defer r.shapers.Put(s)
	levels, err := s.levels(text, runes, dir)
	if err != nil {
		return nil, err
	}

	// Items: maximal runs of one face, script and level, shaped in
	// logical order with the whole line as context.
	type item struct {
		start, end int // runes
		face       faceID
		level      uint8
		glyphs     []shapedGlyph
		clusters   []int32 // the rune each glyph's cluster starts at
	}
	var items []item
	clusterW := make([]int32, n) // advance of the cluster starting at each rune
	for i := 0; i < n; {
		j := i + 1
		for j < n && faces[j] == faces[i] && scripts[j] == scripts[i] && levels[j] == levels[i] {
			j++
		}
		f := r.faces[faces[i]]
		// The item's script is that of its letters: neutrals alone (a
		// space between runs of two fonts) need no rules.
		script := language.Common
		for _, c := range runes[i:j] {
			if sc := language.LookupScript(c); sc != language.Common && sc != language.Inherited && sc != language.Unknown {
				script = scripts[i]
				break
			}
		}
		if ok, err := f.canShape(script); err != nil {
			return nil, err
		} else if !ok {
			c := firstOfScript(runes[i:j], script)
			return nil, &GlyphError{Rune: c, Text: text, Script: scriptName(c), NoShaping: true}
		}
		hf, err := s.font(r, faces[i])
		if err != nil {
			return nil, err
		}
		b := s.buf
		b.Clear()
		b.AddRunes(runes, i, j-i)
		b.Props = harfbuzz.SegmentProperties{Direction: harfbuzz.LeftToRight, Script: script}
		if levels[i]%2 == 1 {
			b.Props.Direction = harfbuzz.RightToLeft
		}
		b.Shape(hf, nil)
		it := item{start: i, end: j, face: faces[i], level: levels[i],
			glyphs: make([]shapedGlyph, len(b.Info)), clusters: make([]int32, len(b.Info))}
		em := func(v harfbuzz.Position) int32 { return int32(math.Round(float64(v) * 1000 / f.upem)) }
		for k, gi := range b.Info {
			if gi.Glyph == 0 || int(gi.Glyph) >= f.tt.numGlyphs {
				return nil, &GlyphError{Rune: runes[gi.Cluster], Text: text, Script: scriptName(runes[gi.Cluster])}
			}
			p := b.Pos[k]
			it.glyphs[k] = shapedGlyph{id: uint16(gi.Glyph), adv: em(p.XAdvance), dx: em(p.XOffset), dy: em(p.YOffset)}
			it.clusters[k] = int32(gi.Cluster)
			clusterW[gi.Cluster] += it.glyphs[k].adv
		}
		// A cluster's text goes on its first glyph in logical order: the
		// last of its glyphs in a right-to-left run.
		starts := slices.Clone(it.clusters)
		slices.Sort(starts)
		starts = slices.Compact(starts)
		taken := make([]bool, len(starts))
		for k := range it.glyphs {
			if it.level%2 == 1 {
				k = len(it.glyphs) - 1 - k
			}
			at, _ := slices.BinarySearch(starts, it.clusters[k])
			if taken[at] {
				continue
			}
			taken[at] = true
			end := j
			if at+1 < len(starts) {
				end = int(starts[at+1])
			}
			it.glyphs[k].text = text[pos[starts[at]]:pos[end]]
			if it.level%2 == 1 && end-int(starts[at]) > 1 {
				// A right-to-left run is written in visual order, and
				// extractors reverse it to logical order character by
				// character: a ligature's characters (lam-alef) go in
				// visual order too, or "لا" would come out "ال".
				it.glyphs[k].text = bidi.ReverseString(it.glyphs[k].text)
			}
		}
		items = append(items, it)
		i = j
	}
	clusterStart := make([]bool, n+1)
	for _, it := range items {
		for _, c := range it.clusters {
			clusterStart[c] = true
		}
	}
	clusterStart[n] = true

	// emit builds the line of runes [a, b): the items' glyphs there, runs
	// in visual order.
	emit := func(a, b int) line {
		ln := line{text: text[pos[a]:pos[b]]}
		var runLevels []uint8
		for _, it := range items {
			lo, hi := max(a, it.start), min(b, it.end)
			if lo >= hi {
				continue
			}
			run := shapedRun{face: it.face, rtl: it.level%2 == 1, text: text[pos[lo]:pos[hi]]}
			for k, g := range it.glyphs {
				if c := int(it.clusters[k]); c >= lo && c < hi {
					run.glyphs = append(run.glyphs, g)
					run.width += g.adv
				}
			}
			ln.width += run.width
			ln.runs = append(ln.runs, run)
			runLevels = append(runLevels, it.level)
		}
		reorder(ln.runs, runLevels)
		return ln
	}

	// Greedy breaking at spaces, as wrap does.
	var lineStart, lineEnd int // runes of the line being filled
	var lineW int32
	started := false
	for i := 0; i <= n; {
		j := i
		for j < n && runes[j] != ' ' {
			j++
		}
		var ww int32
		for k := i; k < j; k++ {
			ww += clusterW[k]
		}
		var space int32
		if i > 0 {
			space = clusterW[i-1]
		}
		switch {
		case !started:
			lineStart = i
		case lineW+space+ww <= limit:
			lineW += space
		default:
			out = append(out, emit(lineStart, lineEnd))
			lineStart, lineW = i, 0
		}
		started = true
		if ww <= limit || lineW > 0 {
			lineW += ww
			lineEnd = j
		} else {
			// A word wider than the line: break it between clusters.
			for k := i; k < j; k++ {
				if !clusterStart[k] {
					continue
				}
				w := int32(0)
				e := k + 1
				for ; !clusterStart[e]; e++ {
				}
				for x := k; x < e; x++ {
					w += clusterW[x]
				}
				if lineW+w > limit && lineW > 0 {
					out = append(out, emit(lineStart, k))
					lineStart, lineW = k, 0
				}
				lineW += w
			}
			lineEnd = j
		}
		i = j + 1
	}
	return append(out, emit(lineStart, lineEnd)), nil
}

func firstOfScript(runes []rune, s language.Script) rune {
	for _, c := range runes {
		if language.LookupScript(c) == s {
			return c
		}
	}
	return runes[0]
}

// runeFaces picks the face of every character of a line that needs
// shaping. Punctuation and spaces between two characters of one face take
// that face (a run of Arabic from the extra font keeps its own spaces, as
// hb-shape draws the name); a mark or joiner takes its base's face, and a
// base whose face lacks the mark moves with it to the extra font when that
// has both.
func (r *Renderer) runeFaces(runes []rune, text string, fc faceID) ([]faceID, error) {
	faces := make([]faceID, len(runes))
	kind := make([]uint8, len(runes)) // 0 own script, 1 Common, 2 follows its base
	for i, c := range runes {
		if bidiControl(c) {
			return nil, &GlyphError{Rune: c, Text: text, Control: true}
		}
		sc := language.LookupScript(c)
		if invisible(c) || sc == language.Inherited {
			kind[i] = 2
			continue
		}
		f, _, ok := r.resolve(c, fc)
		if !ok {
			return nil, &GlyphError{Rune: c, Text: text, Script: scriptName(c)}
		}
		faces[i] = f
		if sc == language.Common {
			kind[i] = 1
		}
	}
	near := func(i, dir int) int {
		for k := i + dir; k >= 0 && k < len(runes); k += dir {
			if kind[k] == 0 {
				return int(faces[k])
			}
		}
		return -1
	}
	for i, c := range runes {
		if kind[i] != 1 {
			continue
		}
		if p := near(i, -1); p >= 0 && faceID(p) != faces[i] && p == near(i, 1) && r.faces[p].glyph(c).index != 0 {
			faces[i] = faceID(p)
		}
	}
	for i, c := range runes {
		if kind[i] != 2 {
			continue
		}
		base := i - 1
		for base >= 0 && kind[base] == 2 {
			base--
		}
		switch {
		case base < 0:
			faces[i] = fc
		case invisible(c) || r.faces[faces[base]].glyph(c).index != 0:
			faces[i] = faces[base]
		case len(r.faces) > int(faceExtra) && r.faces[faceExtra].glyph(c).index != 0 && r.faces[faceExtra].glyph(runes[base]).index != 0:
			for k := base; k <= i; k++ {
				faces[k] = faceExtra
			}
		default:
			return nil, &GlyphError{Rune: c, Text: text, Script: scriptName(runes[base])}
		}
	}
	return faces, nil
}

// runeScripts gives each character a script: Common and Inherited ones
// (spaces, punctuation, digits, marks) take the script before them, or
// after them at the start of the line.
func runeScripts(runes []rune) []language.Script {
	sc := make([]language.Script, len(runes))
	last := language.Script(0)
	for i, c := range runes {
		s := language.LookupScript(c)
		if s == language.Common || s == language.Inherited || s == language.Unknown {
			s = last
		}
		sc[i], last = s, s
	}
	// Leading neutrals take the first real script.
	first := language.Latin
	for _, s := range sc {
		if s != 0 {
			first = s
			break
		}
	}
	for i := range sc {
		if sc[i] != 0 {
			break
		}
		sc[i] = first
	}
	return sc
}

// baseDir is a paragraph's base direction: given by the document's
// language, or (dirAuto) that of the paragraph's first letter.
type baseDir int8

const (
	dirAuto baseDir = iota
	dirLTR
	dirRTL
)

// directionOf is the base direction of text in lang (letter.RightToLeft);
// "" or a tag that does not parse is dirAuto.
func directionOf(lang string) baseDir {
	switch rtl, known := letter.RightToLeft(lang); {
	case !known:
		return dirAuto
	case rtl:
		return dirRTL
	}
	return dirLTR
}

// levels resolves the bidi embedding level of every character of a
// paragraph (one hard line) with x/text's bidi. The paragraph's direction
// is dir (UAX #9 with an explicit base direction, as fribidi --ltr and
// --rtl), or with dirAuto that of its first letter (rules P2, P3): a note
// written in Arabic ends with its full stop on the left, a Spanish sentence
// with an Arabic name in it stays left to right. Lines stay left-aligned.
// x/text's only explicit direction is right to left, so a direction is
// given as a mark (LRM or RLM) before the text, which P2 then finds first:
// the same levels as an explicit one, the mark's own dropped.
//
// x/text gives runs and their direction, not levels: in a left-to-right
// paragraph its even runs merge level 0 with level 2, the numbers after
// right-to-left text (rules W2, W7, I1: "אב 12 cd" has 12 at level 2),
// which must be reversed with that text and not with the left-to-right
// text after them. raiseNumbers restores those; explicit embeddings, the
// other source of deeper levels, are refused before this runs.
func (s *shaper) levels(text string, runes []rune, dir baseDir) ([]uint8, error) {
	lv := make([]uint8, len(runes))
	skip := 0
	switch dir {
	case dirLTR:
		text, skip = "\u200e"+text, 1
	case dirRTL:
		text, skip = "\u200f"+text, 1
	}
	if _, err := s.para.SetString(text); err != nil {
		return nil, err
	}
	o, err := s.para.Order()
	if err != nil {
		return nil, err
	}
	ltr := s.para.IsLeftToRight()
	for i := range o.NumRuns() {
		run := o.Run(i)
		l := uint8(0)
		switch rtl := run.Direction() == bidi.RightToLeft; {
		case rtl:
			l = 1
		case !ltr:
			l = 2 // left to right in a right-to-left paragraph
		}
		a, b := run.Pos() // runes, end inclusive
		for k := max(a, skip); k <= b && k-skip < len(lv); k++ {
			lv[k-skip] = l
		}
	}
	if ltr {
		raiseNumbers(runes, lv)
	}
	return lv, nil
}

// raiseNumbers sets to 2 the level of the numbers (with their separators
// and terminators, rules W4 and W5) that follow right-to-left text in a
// left-to-right paragraph and that x/text left at an even level.
func raiseNumbers(runes []rune, lv []uint8) {
	class := func(i int) bidi.Class {
		if i < 0 || i >= len(runes) {
			return bidi.ON
		}
		p, _ := bidi.LookupRune(runes[i])
		return p.Class()
	}
	strong := bidi.L
	for i := 0; i < len(runes); i++ {
		c := class(i)
		switch c {
		case bidi.L:
			strong = bidi.L
			continue
		case bidi.R, bidi.AL:
			strong = c
			continue
		case bidi.EN, bidi.AN:
		default:
			continue
		}
		if strong == bidi.L && c == bidi.EN { // W7: a number after L is L
			continue
		}
		// The number runs on through digits, marks, single separators
		// between digits, and terminators after European digits.
		j := i + 1
		for j < len(runes) {
			switch class(j) {
			case bidi.EN, bidi.AN, bidi.NSM:
				j++
				continue
			case bidi.ES, bidi.CS:
				if n := class(j + 1); n == bidi.EN || n == bidi.AN {
					j += 2
					continue
				}
			case bidi.ET:
				if c == bidi.EN {
					j++
					continue
				}
			}
			break
		}
		k := i
		for c == bidi.EN && k > 0 && class(k-1) == bidi.ET {
			k--
		}
		for ; k < j; k++ {
			if lv[k]%2 == 0 {
				lv[k] = 2
			}
		}
		i = j - 1
	}
}

// reorder puts runs of the given levels in visual order (UAX #9 rule L2):
// from the highest level down to the lowest odd one, reverse every
// maximal sequence at that level or higher.
func reorder(runs []shapedRun, levels []uint8) {
	var top, lowOdd uint8 = 0, 255
	for _, l := range levels {
		top = max(top, l)
		if l%2 == 1 {
			lowOdd = min(lowOdd, l)
		}
	}
	for lvl := top; lvl >= lowOdd && lvl > 0; lvl-- {
		for i := 0; i < len(runs); {
			if levels[i] < lvl {
				i++
				continue
			}
			j := i
			for j < len(runs) && levels[j] >= lvl {
				j++
			}
			slices.Reverse(runs[i:j])
			slices.Reverse(levels[i:j])
			i = j
		}
	}
}
