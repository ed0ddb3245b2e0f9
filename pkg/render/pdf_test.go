package render

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"

	"github.com/faxjam/faxjam/pkg/testtool"
)

func writePDF(t *testing.T, r *Renderer, l *Layout) string {
	t.Helper()
	var b bytes.Buffer
	if err := r.PDF(l, &b); err != nil {
		t.Fatalf("PDF: %v", err)
	}
	path := filepath.Join(t.TempDir(), "out.pdf")
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLetterPDFIsOneValidPageWithTheTextIntact(t *testing.T) {
	pdfinfo := testtool.Need(t, "pdfinfo", "poppler-utils")
	pdftotext := testtool.Need(t, "pdftotext", "poppler-utils")
	qpdf := testtool.Need(t, "qpdf", "qpdf")

	for _, paperName := range []string{"a4", "letter"} {
		t.Run(paperName, func(t *testing.T) {
			r := newRenderer(t, Options{Paper: paperName})
			l, err := r.Letter(testLetter())
			if err != nil {
				t.Fatalf("Letter: %v", err)
			}
			path := writePDF(t, r, l)

			info := run(t, pdfinfo, path)
			if !regexp.MustCompile(`(?m)^Pages:\s+1$`).MatchString(info) {
				t.Errorf("pdfinfo: want Pages: 1, got\n%s", info)
			}
			wantSize := map[string]string{"a4": "595.28 x 841.89", "letter": "612 x 792"}[paperName]
			if !strings.Contains(info, wantSize) {
				t.Errorf("pdfinfo: want page size %s, got\n%s", wantSize, info)
			}
			text := run(t, pdftotext, "-layout", path, "-")
			for _, want := range []string{"José Pérez", "Norma Cruz", "Señora Fiscal General:", "Página 1/1", "Sevilla, España", "avisos@example.org"} {
				if !strings.Contains(text, want) {
					t.Errorf("pdftotext: %q missing from\n%s", want, text)
				}
			}
			if out := run(t, qpdf, "--check", path); !strings.Contains(out, "No syntax or stream encoding errors") {
				t.Errorf("qpdf --check:\n%s", out)
			}
			// A subset of one face: about 13 KB, where the whole Go font
			// alone would be 150 KB.
			if st, err := os.Stat(path); err != nil || st.Size() > 20<<10 {
				t.Errorf("PDF is %v bytes (%v), want under 20 KB", st.Size(), err)
			}
		})
	}
}

func TestPDFTextExtractsInEveryScript(t *testing.T) {
	pdftotext := testtool.Need(t, "pdftotext", "poppler-utils")
	r := newRenderer(t, Options{})
	for _, name := range []string{"Zoë Ångström", "Αλέξης Παπαδόπουλος", "Наталья Иванова", "Łukasz Żółć", "Søren Ōtsuka-Straße"} {
		t.Run(name, func(t *testing.T) {
			lt := testLetter()
			lt.Body = strings.ReplaceAll(lt.Body, "José Pérez", name)
			l, err := r.Letter(lt)
			if err != nil {
				t.Fatalf("Letter: %v", err)
			}
			text := run(t, pdftotext, writePDF(t, r, l), "-")
			if !strings.Contains(text, clean(name)) {
				t.Errorf("pdftotext: %q missing from\n%s", name, text)
			}
		})
	}
}

func TestPDFEmbedsSubsetCIDFontsWithUnicode(t *testing.T) {
	pdffonts := testtool.Need(t, "pdffonts", "poppler-utils")
	r := newRenderer(t, Options{})
	l, err := r.Document(petitionDoc(3)) // a bold heading and regular text
	if err != nil {
		t.Fatal(err)
	}
	out := run(t, pdffonts, writePDF(t, r, l))
	// name, type, encoding, emb, sub, uni
	line := regexp.MustCompile(`(?m)^[A-Z]{6}\+(\S+)\s+CID TrueType\s+Identity-H\s+yes\s+yes\s+yes\s`)
	var names []string
	for _, m := range line.FindAllStringSubmatch(out, -1) {
		names = append(names, m[1])
	}
	slices.Sort(names)
	if want := []string{"Go-Bold", "GoRegular"}; !slices.Equal(names, want) {
		t.Errorf("pdffonts: want subset CID TrueType fonts %v (embedded, subset, ToUnicode), got\n%s", want, out)
	}
}

func TestPDFDocumentHasEveryPageAndRow(t *testing.T) {
	pdfinfo := testtool.Need(t, "pdfinfo", "poppler-utils")
	pdftotext := testtool.Need(t, "pdftotext", "poppler-utils")
	qpdf := testtool.Need(t, "qpdf", "qpdf")
	r := newRenderer(t, Options{})
	l, err := r.Document(petitionDoc(200))
	if err != nil {
		t.Fatal(err)
	}
	path := writePDF(t, r, l)
	if out := run(t, qpdf, "--check", path); !strings.Contains(out, "No syntax or stream encoding errors") {
		t.Errorf("qpdf --check:\n%s", out)
	}
	if info := run(t, pdfinfo, path); !regexp.MustCompile(fmt.Sprintf(`(?m)^Pages:\s+%d$`, l.Pages())).MatchString(info) {
		t.Errorf("pdfinfo: want Pages: %d, got\n%s", l.Pages(), info)
	}
	for p := range l.Pages() {
		text := run(t, pdftotext, "-f", strconv.Itoa(p+1), "-l", strconv.Itoa(p+1), path, "-")
		if !strings.Contains(text, "Nombre") || !strings.Contains(text, fmt.Sprintf("Página %d/%d", p+1, l.Pages())) {
			t.Errorf("page %d: header or page label missing from\n%s", p+1, text)
		}
	}
	text := run(t, pdftotext, path, "-")
	for i := range 200 {
		if n := strings.Count(text, fmt.Sprintf("Firmante Número %d\n", i+1)); n != 1 {
			t.Errorf("signer %d appears %d times in the text, want once", i+1, n)
		}
	}
}

// readPBM reads a binary PBM (P4) as rows of bytes, 1 for black.
func readPBM(t *testing.T, data []byte) (w, h int, pix []byte) {
	t.Helper()
	var rest []byte
	if _, err := fmt.Sscanf(string(data), "P4\n%d %d\n", &w, &h); err != nil {
		t.Fatalf("pbm header: %v", err)
	}
	rest = data[bytes.IndexByte(data[3:], '\n')+4:]
	stride := (w + 7) / 8
	if len(rest) < stride*h {
		t.Fatalf("pbm: %d bytes for %dx%d", len(rest), w, h)
	}
	pix = make([]byte, w*h)
	for y := range h {
		for x := range w {
			pix[y*w+x] = rest[y*stride+x/8] >> (7 - x%8) & 1
		}
	}
	return w, h, pix
}

func TestPDFDrawsWhatTheRasterDraws(t *testing.T) {
	// Poppler's rendering of the PDF at fax resolution and our raster of
	// the same layout must put ink in the same places: the glyphs are the
	// font's, at the layout's positions, with the layout's advances.
	pdftoppm := testtool.Need(t, "pdftoppm", "poppler-utils")
	r := newRenderer(t, Options{ExtraFont: dejaVu(t)})
	lt := testLetter()
	lt.Body = strings.ReplaceAll(lt.Body, "José Pérez", "José Pérez (ნინო Nguyễn Ọ مُحَمَّد علي שָׁלוֹם Adéṣọ̀lá)")
	l, err := r.Letter(lt)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "page")
	run(t, pdftoppm, "-mono", "-rx", strconv.Itoa(FaxDPIX), "-ry", strconv.Itoa(FaxDPIY), "-singlefile", writePDF(t, r, l), out)
	data, err := os.ReadFile(out + ".pbm")
	if err != nil {
		t.Fatal(err)
	}
	pw, ph, pp := readPBM(t, data)
	img, err := r.Raster(l, 0)
	if err != nil {
		t.Fatal(err)
	}
	xoff := int((FaxWidth-l.paper.w*scaleX)/2 + 0.5)
	ours := func(x, y int) bool {
		x += xoff
		return x >= 0 && x < FaxWidth && y >= 0 && y < img.Rect.Dy() && img.Pix[y*img.Stride+x] == 1
	}
	theirs := func(x, y int) bool { return x >= 0 && x < pw && y >= 0 && y < ph && pp[y*pw+x] == 1 }
	near := func(ink func(x, y int) bool, x, y int) bool {
		for dy := -1; dy <= 1; dy++ {
			for dx := -1; dx <= 1; dx++ {
				if ink(x+dx, y+dy) {
					return true
				}
			}
		}
		return false
	}
	// Count the ink of each that the other has within a pixel: edges may
	// differ, whole strokes may not.
	var inkOurs, inkTheirs, missOurs, missTheirs int
	for y := range ph {
		for x := range pw {
			if ours(x, y) {
				inkOurs++
				if !near(theirs, x, y) {
					missOurs++
				}
			}
			if theirs(x, y) {
				inkTheirs++
				if !near(ours, x, y) {
					missTheirs++
				}
			}
		}
	}
	t.Logf("ink: raster %d px, poppler %d px; not matched within 1 px: %d and %d", inkOurs, inkTheirs, missOurs, missTheirs)
	if inkOurs < 10000 || inkTheirs < 10000 {
		t.Fatalf("too little ink: raster %d px, poppler %d px", inkOurs, inkTheirs)
	}
	if missOurs*100 > inkOurs || missTheirs*100 > inkTheirs {
		t.Errorf("more than 1%% of the ink differs: %d of the raster's %d px, %d of poppler's %d px", missOurs, inkOurs, missTheirs, inkTheirs)
	}
	// And no glyph is missing or misplaced: in every 16×16 cell, the two
	// put down about the same ink.
	const cell = 16
	for cy := 0; cy < ph; cy += cell {
		for cx := 0; cx < pw; cx += cell {
			a, b := 0, 0
			for y := cy; y < cy+cell; y++ {
				for x := cx; x < cx+cell; x++ {
					if ours(x, y) {
						a++
					}
					if theirs(x, y) {
						b++
					}
				}
			}
			if d := a - b; d*d > 400 && 2*max(d, -d) > max(a, b) {
				t.Errorf("cell at (%d,%d) px: %d px of ink in the raster, %d in poppler's rendering", cx, cy, a, b)
			}
		}
	}
}

func TestFontSubsetKeepsUsedGlyphsAndTheirComponents(t *testing.T) {
	tests := []struct {
		name      string
		font      func(*testing.T) []byte
		keep      string // the text drawn
		composite rune   // a kept glyph built from others the text does not draw
		dropped   rune   // a glyph the text does not draw
	}{
		{"go regular", func(*testing.T) []byte { return goregular.TTF }, "Aéñ", 0, 'B'},
		{"dejavu composites", dejaVu, "Aé", 'é', 'B'},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := tt.font(t)
			font, err := parseTrueType(data)
			if err != nil {
				t.Fatal(err)
			}
			orig, err := sfnt.Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			var b sfnt.Buffer
			gid := func(r rune) sfnt.GlyphIndex {
				x, err := orig.GlyphIndex(&b, r)
				if err != nil || x == 0 {
					t.Fatalf("GlyphIndex(%q) = %d, %v", r, x, err)
				}
				return x
			}
			if tt.composite != 0 {
				if x := gid(tt.composite); font.compStart[x] == font.compStart[x+1] {
					t.Fatalf("%q (glyph %d) is not a composite glyph", tt.composite, x)
				}
			}
			keep := make([]uint64, (font.numGlyphs+63)/64)
			for _, r := range tt.keep {
				x := gid(r)
				keep[x/64] |= 1 << (x % 64)
			}
			font.closeOver(keep, nil)
			sub := font.appendSubset(nil, keep)

			if s := tableSum(sub); s != 0xB1B0AFBA {
				t.Errorf("whole-font checksum = %#x, want 0xB1B0AFBA", s)
			}
			n := int(binary.BigEndian.Uint16(sub[4:]))
			for i := range n {
				e := sub[12+16*i:]
				off, ln := binary.BigEndian.Uint32(e[8:]), binary.BigEndian.Uint32(e[12:])
				tb := sub[off : (off+ln+3)&^3]
				want := tableSum(tb)
				if string(e[:4]) == "head" {
					want -= binary.BigEndian.Uint32(tb[8:])
				}
				if got := binary.BigEndian.Uint32(e[4:]); got != want {
					t.Errorf("table %q: checksum %#x, want %#x", e[:4], got, want)
				}
			}

			parsed, err := parseTrueType(sub)
			if err != nil {
				t.Fatalf("the subset does not parse: %v", err)
			}
			if parsed.numGlyphs != font.numGlyphs {
				t.Errorf("subset has %d glyphs, want the original's %d (ids unchanged)", parsed.numGlyphs, font.numGlyphs)
			}
			glyph := func(f *trueType, x sfnt.GlyphIndex) []byte { return f.tables[ttGlyf][f.loca[x]:f.loca[x+1]] }
			same := func(x sfnt.GlyphIndex) bool {
				got, want := glyph(parsed, x), glyph(font, x)
				return len(want) > 0 && bytes.HasPrefix(got, want) && len(got)-len(want) < 4 // padding
			}
			for _, r := range tt.keep {
				if x := gid(r); !same(x) {
					t.Errorf("glyph %q (%d): the subset's outline differs from the original's", r, x)
				}
			}
			if tt.composite != 0 {
				x := gid(tt.composite)
				for _, c := range font.comps[font.compStart[x]:font.compStart[x+1]] {
					if !same(sfnt.GlyphIndex(c)) {
						t.Errorf("component %d of %q was not kept", c, tt.composite)
					}
				}
			}
			if x := gid(tt.dropped); len(glyph(parsed, x)) != 0 {
				t.Errorf("glyph %q (%d) is not used but kept its outline", tt.dropped, x)
			}
			if len(sub) > len(data)/4 {
				t.Errorf("subset of %d glyphs is %d bytes of the font's %d", len([]rune(tt.keep)), len(sub), len(data))
			}
		})
	}
}
