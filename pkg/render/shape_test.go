package render

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"

	"github.com/faxjam/faxjam/pkg/testtool"
)

// lohit is a Devanagari TrueType font with its shaping rules, from Debian's
// fonts-lohit-deva.
func lohit(t *testing.T) []byte {
	t.Helper()
	return testtool.File(t, "/usr/share/fonts/truetype/lohit-devanagari/Lohit-Devanagari.ttf", "fonts-lohit-deva")
}

type hbGlyph struct {
	G      uint16 `json:"g"`
	Dx, Dy int32
	Ax     int32 `json:"ax"`
}

// hbShape runs hb-shape on text in the font file, in the given direction.
func hbShape(t *testing.T, hb, fontFile, text string, rtl bool) []hbGlyph {
	t.Helper()
	dir := "ltr"
	if rtl {
		dir = "rtl"
	}
	cmd := exec.Command(hb, "--no-glyph-names", "--output-format=json", "--direction="+dir, fontFile, text)
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("hb-shape %s %q: %v", fontFile, text, err)
	}
	var gs []hbGlyph
	if err := json.Unmarshal(out, &gs); err != nil {
		t.Fatalf("hb-shape output %q: %v", out, err)
	}
	return gs
}

// lineSpans are the spans of the first line of page 0.
func lineSpans(l *Layout) []span {
	var out []span
	for _, s := range l.pages[0].spans {
		if s.y == l.pages[0].spans[0].y {
			out = append(out, s)
		}
	}
	return out
}

// TestShapingMatchesHBShape lays out each name and holds every run of it to
// what hb-shape gives for the same text in the same font and direction:
// the same glyphs in the same order with the same advances and offsets
// (to the 1/1000 em the PDF and the raster draw in). The runs' order is
// held to fribidi's visual order of the name.
func TestShapingMatchesHBShape(t *testing.T) {
	hb := testtool.Need(t, "hb-shape", "libharfbuzz-bin")
	fribidi := testtool.Need(t, "fribidi", "libfribidi-bin")
	dir := t.TempDir()
	fontFile := func(name string, data []byte) string {
		p := filepath.Join(dir, name+".ttf")
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	goFiles := []string{fontFile("goregular", goregular.TTF), fontFile("gobold", gobold.TTF)}
	dejaVuFile := fontFile("dejavu", dejaVu(t))
	lohitFile := fontFile("lohit", lohit(t))

	tests := []struct {
		what, name string
		extra      string // font file
		shaped     bool   // at least one run is shaped
		lang       string // the document's language: the base direction
	}{
		{"arabic", "محمد علي", dejaVuFile, true, ""},
		{"arabic lam-alef ligature", "علاء الدين", dejaVuFile, true, ""},
		{"arabic with vowel marks", "مُحَمَّد", dejaVuFile, true, ""},
		{"hebrew", "דנה כהן", dejaVuFile, true, ""},
		{"hebrew with points", "שָׁלוֹם", dejaVuFile, true, ""},
		{"devanagari", "प्रिया शर्मा", lohitFile, true, ""},
		{"devanagari conjuncts", "क्षितिज द्विवेदी", lohitFile, true, ""},
		{"latin with combining marks", "Adéṣọ̀lá Ògúnlẹ̀yẹ", dejaVuFile, true, ""},
		{"vietnamese, from the extra font", "Nguyễn Văn An", dejaVuFile, true, ""},
		{"latin in the go fonts: the fast path", "Zoë Ångström-Straße", dejaVuFile, false, ""},
		{"mixed, hebrew in latin", "Dana כהן (Tel Aviv)", dejaVuFile, true, ""},
		{"hebrew paragraph with a number and latin", "רחוב הרצל 12, Tel Aviv", dejaVuFile, true, ""},
		{"mixed, arabic and latin", "Ali محمد علي Hassan", dejaVuFile, true, ""},
		{"arabic sentence with latin and a full stop", "أنا محمد علي (Ali) من القاهرة.", dejaVuFile, true, ""},
		{"number after hebrew in a latin paragraph", "Tel Aviv, רחוב הרצל 12, Israel", dejaVuFile, true, ""},
		// The direction of a letter's language, whatever letter comes
		// first (fribidi --ltr, --rtl): a Spanish letter's first line
		// with an Arabic city, an English address starting in Hebrew,
		// Arabic and Hebrew letters with Latin, numbers and full stops.
		{"arabic city before a spanish date, in a spanish letter", "بيروت, 5 de diciembre de 2026", dejaVuFile, true, "es"},
		{"arabic name and city in a spanish signature", "فاطمة الزهراء, بيروت, Líbano", dejaVuFile, true, "es"},
		{"hebrew street first in an english letter", "רחוב הרצל 12, Tel Aviv.", dejaVuFile, true, "en"},
		{"arabic sentence in an arabic letter", "أنا محمد علي (Ali) من القاهرة.", dejaVuFile, true, "ar"},
		{"latin first in an arabic letter", "Ali Hassan, 12 شارع النيل.", dejaVuFile, true, "ar"},
		{"latin alone in a hebrew letter", "Tel Aviv, 2026.", dejaVuFile, true, "he"},
	}
	extras := map[string][]byte{dejaVuFile: dejaVu(t), lohitFile: lohit(t)}
	for _, tt := range tests {
		t.Run(tt.what, func(t *testing.T) {
			r := newRenderer(t, Options{ExtraFont: extras[tt.extra]})
			l, err := r.Document(Doc{Blocks: []Block{Paragraph{Text: tt.name}}, Lang: tt.lang})
			if err != nil {
				t.Fatalf("Document: %v", err)
			}
			files := append(goFiles[:2:2], tt.extra)
			runes := []rune(clean(tt.name))
			var order []int // the line's characters, by rune index, in visual order
			used := make([]bool, len(runes))
			shaped := false
			spans := lineSpans(l)
			// Where each run is in the name: the longest first, so a lone
			// space does not take the place of one inside a word.
			firsts := make([]int, len(spans))
			byLen := make([]int, len(spans))
			for i := range byLen {
				byLen[i] = i
			}
			slices.SortStableFunc(byLen, func(a, b int) int { return len(spans[b].text) - len(spans[a].text) })
			for _, i := range byLen {
				if firsts[i], _ = place(runes, used, []rune(spans[i].text)); firsts[i] < 0 {
					t.Fatalf("run %q is not in %q", spans[i].text, tt.name)
				}
			}
			for si, s := range spans {
				want := hbShape(t, hb, files[s.face], s.text, s.rtl)
				got := s.glyphs
				if got == nil { // the fast path: one glyph per character
					for _, c := range s.text {
						g := r.faces[s.face].glyph(c)
						got = append(got, shapedGlyph{id: uint16(g.index), adv: g.adv})
					}
				} else {
					shaped = true
				}
				em := func(v int32) int32 { return int32(math.Round(float64(v) * 1000 / r.faces[s.face].upem)) }
				if len(got) != len(want) {
					t.Errorf("run %q: %d glyphs, hb-shape gives %d: %+v, want %+v", s.text, len(got), len(want), got, want)
					continue
				}
				for i, w := range want {
					g := got[i]
					if g.id != w.G || g.adv != em(w.Ax) || g.dx != em(w.Dx) || g.dy != em(w.Dy) {
						t.Errorf("run %q, glyph %d: id %d adv %d offset (%d,%d); hb-shape: id %d adv %d offset (%d,%d) (1/1000 em)",
							s.text, i, g.id, g.adv, g.dx, g.dy, w.G, em(w.Ax), em(w.Dx), em(w.Dy))
					}
				}
				first, n := firsts[si], len([]rune(s.text))
				for k := range n {
					if s.rtl {
						k = n - 1 - k
					}
					order = append(order, first+k)
				}
			}
			if shaped != tt.shaped {
				t.Errorf("shaped = %v, want %v", shaped, tt.shaped)
			}
			// fribidi's visual-to-logical map, marks left out (it keeps
			// them after their base; a run keeps them where the shaper
			// put them).
			var want []int
			args := []string{"--nopad", "--nobreak", "--novisual", "--vtol"}
			switch directionOf(tt.lang) {
			case dirLTR:
				args = append(args, "--ltr")
			case dirRTL:
				args = append(args, "--rtl")
			}
			for _, f := range strings.Fields(runStdin(t, string(runes), fribidi, args...)) {
				k, err := strconv.Atoi(f)
				if err != nil {
					t.Fatalf("fribidi --vtol: %q", f)
				}
				want = append(want, k)
			}
			bases := func(idx []int) []int {
				return slices.DeleteFunc(slices.Clone(idx), func(k int) bool { return unicode.Is(unicode.Mn, runes[k]) })
			}
			if got, want := bases(order), bases(want); !slices.Equal(got, want) {
				t.Errorf("visual order (rune indices, marks left out) %v, fribidi gives %v", got, want)
			}
		})
	}
}

// place finds the first place in runes that holds run and is not used yet,
// marks it used and returns it and run's length.
func place(runes []rune, used []bool, run []rune) (int, int) {
next:
	for at := 0; at+len(run) <= len(runes); at++ {
		for k, c := range run {
			if used[at+k] || runes[at+k] != c {
				continue next
			}
		}
		for k := range run {
			used[at+k] = true
		}
		return at, len(run)
	}
	return -1, 0
}

func runStdin(t *testing.T, in, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Stdin = strings.NewReader(in)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return string(out)
}

// TestScriptsThatCannotBeDrawnAreRefused: a script the fonts lack, or one
// whose font has its letters but not its shaping rules, is an error that
// names the character and the script, never unjoined letters.
func TestScriptsThatCannotBeDrawnAreRefused(t *testing.T) {
	tests := []struct {
		what  string
		extra func(*testing.T) []byte
		text  string
		rune  rune
		want  string
	}{
		{"arabic without a font", nil, "محمد علي", 'م', "(U+0645, Arabic) is not in the fax font; pass --font FILE.ttf with a font that has Arabic"},
		{"devanagari in a font without it", dejaVu, "प्रिया", 'प', "(U+092A, Devanagari) is not in the fax font"},
		{"arabic in a font without arabic shaping rules", func(*testing.T) []byte { return withoutGSUB(t, dejaVu(t)) }, "محمد", 'م',
			"is Arabic, which the font has no shaping rules for (its letters would print unjoined or out of order); pass --font FILE.ttf with a font made for Arabic"},
		{"bidi override", dejaVu, "Ana \u202eanA", '\u202e', "U+202E is a bidirectional formatting control, which a fax cannot show; remove it"},
	}
	for _, tt := range tests {
		t.Run(tt.what, func(t *testing.T) {
			var opts Options
			if tt.extra != nil {
				opts.ExtraFont = tt.extra(t)
			}
			r, err := New(opts)
			if err != nil {
				t.Fatal(err)
			}
			lt := testLetter()
			lt.Body = strings.ReplaceAll(lt.Body, "José Pérez", tt.text)
			_, err = r.Letter(lt)
			var ge *GlyphError
			if !errors.As(err, &ge) {
				t.Fatalf("Letter: err = %v, want *GlyphError", err)
			}
			if ge.Rune != tt.rune || !strings.Contains(err.Error(), tt.want) || !strings.Contains(ge.Text, tt.text) {
				t.Errorf("err = %q (rune %U), want rune %U and %q", err, ge.Rune, tt.rune, tt.want)
			}
		})
	}
}

// withoutGSUB renames a font's GSUB table, so it keeps its glyphs but loses
// its substitutions.
func withoutGSUB(t *testing.T, data []byte) []byte {
	t.Helper()
	out := append([]byte(nil), data...)
	n := int(be16(out[4:]))
	for i := range n {
		if e := out[12+16*i:]; string(e[:4]) == "GSUB" {
			copy(e, "GSUA") // still in tag order
			return out
		}
	}
	t.Fatal("the font has no GSUB table")
	return nil
}

// TestShapedPDFTextExtracts: pdftotext gives the names back in logical
// order, from the ToUnicode map (right-to-left runs, which poppler reorders
// itself) and the ActualText of left-to-right shaped runs (a Devanagari
// vowel sign drawn before its consonant).
func TestShapedPDFTextExtracts(t *testing.T) {
	pdftotext := testtool.Need(t, "pdftotext", "poppler-utils")
	tests := []struct {
		name string
		font func(*testing.T) []byte
	}{
		{"محمد علي", dejaVu},
		{"علاء الدين", dejaVu},
		{"דנה כהן", dejaVu},
		{"प्रिया शर्मा", lohit},
		{"क्षितिज द्विवेदी", lohit},
		{"Adéṣọ̀lá Ògúnlẹ̀yẹ", dejaVu},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRenderer(t, Options{ExtraFont: tt.font(t)})
			lt := testLetter()
			lt.Body = strings.ReplaceAll(lt.Body, "José Pérez", tt.name)
			l, err := r.Letter(lt)
			if err != nil {
				t.Fatal(err)
			}
			text := run(t, pdftotext, writePDF(t, r, l), "-")
			// poppler marks right-to-left text with RLE … PDF.
			text = strings.Map(func(c rune) rune {
				if bidiControl(c) {
					return -1
				}
				return c
			}, text)
			if !strings.Contains(text, "Atentamente,\n"+clean(tt.name)+"\n") {
				t.Errorf("pdftotext: %q missing from\n%s", tt.name, text)
			}
		})
	}
}

// TestShapedOutputIsDeterministicAndConcurrent: shaped letters, from one
// Renderer on many goroutines, are byte for byte those of a fresh one.
func TestShapedOutputIsDeterministicAndConcurrent(t *testing.T) {
	names := []string{"محمد علي", "דנה כהן", "Dana כהן (Tel Aviv)", "Adéṣọ̀lá Ògúnlẹ̀yẹ", "José Pérez"}
	font := dejaVu(t)
	shared := newRenderer(t, Options{ExtraFont: font})
	got := make([][4][]byte, 3*len(names))
	var wg sync.WaitGroup
	for i := range got {
		wg.Go(func() { got[i] = outputs(t, shared, names[i%len(names)]) })
	}
	wg.Wait()
	for i, name := range names {
		want := outputs(t, newRenderer(t, Options{ExtraFont: font}), name)
		for j := i; j < len(got); j += len(names) {
			for k := range want {
				if len(want[k]) == 0 || !bytes.Equal(got[j][k], want[k]) {
					t.Errorf("%s, goroutine %d, format %d: output differs from a fresh Renderer's", name, j, k)
				}
			}
		}
	}
}

func TestSimpleRuneBelowLowRunes(t *testing.T) {
	for c := rune(0); c < lowRunes; c++ {
		if got, want := simpleRune(c), simpleRuneSlow(c) && c >= 0x20 && c != 0x7f; got != want {
			t.Errorf("simpleRune(%U) = %v, the general rule says %v", c, got, want)
		}
	}
}

func TestShapedParagraphWrapsWithinTheWidth(t *testing.T) {
	r := newRenderer(t, Options{ExtraFont: dejaVu(t)})
	const size, maxW = 11, 200
	limit := int32(math.Floor(maxW * 1000 / size))
	sentence := strings.TrimSpace(strings.Repeat("أنا محمد علي، أكتب من القاهرة. ", 12))
	long := strings.Repeat("ب", 300) // one word wider than a line
	for _, text := range []string{sentence, "Ali " + long + " Hassan"} {
		lines, err := r.wrap(text, faceRegular, size, maxW, dirAuto)
		if err != nil {
			t.Fatal(err)
		}
		if len(lines) < 3 {
			t.Fatalf("%d lines, want several", len(lines))
		}
		var words []string
		for _, ln := range lines {
			if ln.runs == nil {
				t.Errorf("line %q is not shaped", ln.text)
			}
			var w int32
			for _, run := range ln.runs {
				for _, g := range run.glyphs {
					w += g.adv
				}
			}
			if w != ln.width || w > limit {
				t.Errorf("line %q: glyphs %d wide, line says %d, limit %d", ln.text, w, ln.width, limit)
			}
			words = append(words, ln.text)
		}
		// Lines break at spaces, or inside the long word: nothing lost.
		nospace := func(s string) string { return strings.ReplaceAll(s, " ", "") }
		if got := strings.Join(words, " "); (text == sentence && got != text) || nospace(got) != nospace(text) {
			t.Errorf("lines %q do not add up to the text", words)
		}
	}
}

// FuzzShapedLayout: any text either lays out, and then draws as PDF and PNG
// without error, or is refused with a *GlyphError; never a panic.
func FuzzShapedLayout(f *testing.F) {
	for _, s := range []string{"محمد علي", "  محمد  ", "\u200d", "\u0301abc", "a\u0301\u0301\u0301", "(محمد) [דנה]",
		"١٢٣ محمد 45.6%", "אב 12 cd", "علی\u200cرضا", "क्षि", "प्रिया\nशर्मा", "$12 אב", "אב $12.5, 7", "a" + strings.Repeat("ب", 200)} {
		f.Add(s)
	}
	font := testtool.File(f, "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "fonts-dejavu-core")
	r, err := New(Options{ExtraFont: font})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		l, err := r.Document(Doc{Blocks: []Block{Paragraph{Text: s}, Table{Rows: [][]string{{s, s}}, Widths: []float64{0.1, 0.9}}}})
		if err != nil {
			var ge *GlyphError
			if !errors.As(err, &ge) {
				t.Fatalf("%q: %v", s, err)
			}
			return
		}
		var b bytes.Buffer
		if err := r.PDF(l, &b); err != nil {
			t.Fatalf("%q: PDF: %v", s, err)
		}
		if err := r.PNG(l, 0, &b); err != nil {
			t.Fatalf("%q: PNG: %v", s, err)
		}
	})
}
