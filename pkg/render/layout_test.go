package render

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestLetterTooLongSaysHowManyCharactersToCut(t *testing.T) {
	r := newRenderer(t, Options{})
	sentence := "Pido que se proteja a quienes defienden los derechos humanos en Guatemala. "
	tests := []struct {
		name     string
		extra    int // sentences added as a personal note
		wantErr  bool
		minChars int
	}{
		{"fits", 0, false, 0},
		{"far too long", 40, true, 1000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lt := testLetter()
			lt.Sender.Note = strings.Repeat(sentence, tt.extra)
			lt.Body += "\n\n" + lt.Sender.Note
			l, err := r.Letter(lt)
			var oe *OverflowError
			if !tt.wantErr {
				if err != nil || l.Pages() != 1 {
					t.Fatalf("Letter: %v, want one page", err)
				}
				return
			}
			if !errors.As(err, &oe) {
				t.Fatalf("Letter: err = %v, want *OverflowError", err)
			}
			if oe.Chars < tt.minChars {
				t.Errorf("Chars = %d, want at least %d", oe.Chars, tt.minChars)
			}
			want := fmt.Sprintf("the letter is %d characters too long for one fax page: shorten the note by %d characters", oe.Chars, oe.Chars)
			if err.Error() != want {
				t.Errorf("Error() = %q, want %q", err, want)
			}
		})
	}
}

// TestOverflowWithoutANoteBlamesTheTemplate: a letter too long with no
// note is the campaign's template to shorten, never a note the signer did
// not write.
func TestOverflowWithoutANoteBlamesTheTemplate(t *testing.T) {
	r := newRenderer(t, Options{})
	lt := testLetter()
	lt.Body += "\n\n" + strings.Repeat("Pido que se proteja a quienes defienden los derechos humanos en Guatemala. ", 40)
	_, err := r.Letter(lt)
	var oe *OverflowError
	if !errors.As(err, &oe) || !oe.NoNote {
		t.Fatalf("Letter: err = %#v, want *OverflowError with NoNote", err)
	}
	if msg := err.Error(); strings.Contains(msg, "note by") || !strings.Contains(msg, "even without a note") || !strings.Contains(msg, "template") {
		t.Errorf("Error() = %q, want the template blamed, not a note", msg)
	}
}

// TestFitSaysRoomLeft: Fit reports the room a letter leaves in lines and
// characters, shrinking as the letter grows and negative past the page, in
// step with Letter's overflow.
func TestFitSaysRoomLeft(t *testing.T) {
	r := newRenderer(t, Options{})
	lt := testLetter()
	empty, err := r.Fit(lt)
	if err != nil {
		t.Fatal(err)
	}
	if empty.Lines < 10 || empty.Chars < 10*60 {
		t.Fatalf("Fit(short letter) = %+v, want room for many lines", empty)
	}
	lt.Body += "\n\n" + strings.Repeat("Pido protección. ", 20) // about 4 lines and a paragraph gap
	some, _ := r.Fit(lt)
	if d := empty.Lines - some.Lines; d < 4 || d > 6 {
		t.Errorf("Fit after 4 lines of text = %+v, from %+v: want 4 to 6 lines less", some, empty)
	}
	lt.Body += "\n\n" + strings.Repeat("Pido protección. ", 400)
	over, _ := r.Fit(lt)
	_, lerr := r.Letter(lt)
	var oe *OverflowError
	if over.Lines >= 0 || !errors.As(lerr, &oe) || oe.Chars != -over.Chars {
		t.Errorf("Fit(over a page) = %+v, Letter err %v: want negative room equal to the overflow", over, lerr)
	}
}

func TestOverflowEstimateIsEnoughToFit(t *testing.T) {
	r := newRenderer(t, Options{})
	note := strings.Repeat("Pido que se proteja a quienes defienden los derechos humanos. ", 40)
	lt := testLetter()
	lt.Body += "\n\n" + note
	_, err := r.Letter(lt)
	var oe *OverflowError
	if !errors.As(err, &oe) {
		t.Fatalf("Letter: err = %v, want *OverflowError", err)
	}
	// Cutting the note by the estimate (and one more line's worth at most)
	// must make the letter fit.
	cut := []rune(note)
	lt.Body = testLetter().Body + "\n\n" + string(cut[:max(0, len(cut)-oe.Chars-90)])
	if _, err := r.Letter(lt); err != nil {
		t.Errorf("after cutting %d characters: %v", oe.Chars, err)
	}
	// And it is not wildly more than needed: cutting a third of it is not enough.
	lt.Body = testLetter().Body + "\n\n" + string(cut[:len(cut)-oe.Chars/3])
	if _, err := r.Letter(lt); err == nil {
		t.Errorf("cutting a third of the estimate %d already fits: estimate too large", oe.Chars)
	}
}

func TestGlyphCoverage(t *testing.T) {
	r := newRenderer(t, Options{})
	tests := []struct {
		name     string
		name2    string
		wantRune rune
		script   string // named in the error
	}{
		{"latin accents", "José Pérez Ñandú", 0, ""},
		{"greek", "Αλέξης Παπαδόπουλος", 0, ""},
		{"cyrillic", "Наталья Иванова", 0, ""},
		{"decomposed accent is composed first", "Jose\u0301", 0, ""},
		{"arabic", "محمد علي", 'م', "Arabic"},
		{"hebrew", "דנה כהן", 'ד', "Hebrew"},
		{"devanagari", "प्रिया शर्मा", 'प', "Devanagari"},
		{"cjk", "王中华", '王', "Han"},
		{"emoji", "Ana 🙂", '🙂', ""},
		{"control character", "Ana\x07", '\x07', ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lt := testLetter()
			lt.Sender.Name = tt.name2
			lt.Body = strings.ReplaceAll(lt.Body, "José Pérez", tt.name2)
			_, err := r.Letter(lt)
			if tt.wantRune == 0 {
				if err != nil {
					t.Fatalf("Letter: %v", err)
				}
				return
			}
			var ge *GlyphError
			if !errors.As(err, &ge) {
				t.Fatalf("Letter: err = %v, want *GlyphError", err)
			}
			if ge.Rune != tt.wantRune {
				t.Errorf("Rune = %U, want %U", ge.Rune, tt.wantRune)
			}
			if !strings.Contains(ge.Text, tt.name2) {
				t.Errorf("Text = %q, want the text holding %q", ge.Text, tt.name2)
			}
			want := fmt.Sprintf("character %q (%U) is not in the fax font; pass --font FILE.ttf with a font that has it", string(tt.wantRune), tt.wantRune)
			if tt.script != "" {
				want = fmt.Sprintf("character %q (%U, %s) is not in the fax font; pass --font FILE.ttf with a font that has %s", string(tt.wantRune), tt.wantRune, tt.script, tt.script)
			}
			if err.Error() != want {
				t.Errorf("Error() = %q, want %q", err, want)
			}
		})
	}
}

func TestExtraFontIsRejectedWhenNotTrueType(t *testing.T) {
	tests := []struct {
		name string
		data []byte
	}{
		{"garbage", []byte("hello world")},
		{"cff opentype", append([]byte("OTTO"), make([]byte, 64)...)},
		{"collection", append([]byte("ttcf"), make([]byte, 64)...)},
		{"truncated truetype", []byte{0, 1, 0, 0, 0, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := New(Options{ExtraFont: tt.data}); err == nil {
				t.Fatal("New: want an error")
			}
		})
	}
}

func TestUnknownPaperIsAnError(t *testing.T) {
	if _, err := New(Options{Paper: "legal"}); err == nil || !strings.Contains(err.Error(), "legal") {
		t.Fatalf("New(legal): err = %v, want one naming the paper", err)
	}
}

func TestSameInputsGiveIdenticalBytes(t *testing.T) {
	// Two renderers, so no cache is shared; several rounds, since map
	// iteration order would only show up sometimes.
	render := func() []byte {
		r := newRenderer(t, Options{})
		l, err := r.Letter(testLetter())
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := r.PDF(l, &b); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	first := render()
	for i := range 10 {
		if got := render(); !bytes.Equal(got, first) {
			t.Fatalf("PDF rendering %d differs from the first", i+2)
		}
	}
}

func petitionDoc(rows int) Doc {
	d := Doc{
		Footer:    "norma-cruz-2012 · petición entregada con faxjam",
		PageLabel: "Página %d/%d",
		Blocks: []Block{
			Heading{Text: "Petición: Defiendan a Norma Cruz"},
			Paragraph{Text: "Las personas abajo firmantes piden una investigación pronta, exhaustiva e imparcial de las amenazas contra Norma Cruz."},
			Spacer{Height: 6},
		},
	}
	tb := Table{Header: []string{"#", "Nombre", "Ciudad", "País"}, Widths: []float64{0.08, 0.42, 0.25, 0.25}}
	for i := range rows {
		tb.Rows = append(tb.Rows, []string{fmt.Sprint(i + 1), fmt.Sprintf("Firmante Número %d", i+1), "Sevilla", "España"})
	}
	d.Blocks = append(d.Blocks, tb)
	return d
}

func pageText(l *Layout, p int) string {
	var b strings.Builder
	for _, s := range l.pages[p].spans {
		b.WriteString(s.text)
		b.WriteByte('\n')
	}
	return b.String()
}

func TestDocumentTableRunsOverPagesWithHeaderAndPageNumbers(t *testing.T) {
	r := newRenderer(t, Options{})
	l, err := r.Document(petitionDoc(200))
	if err != nil {
		t.Fatal(err)
	}
	if l.Pages() < 3 {
		t.Fatalf("Pages() = %d, want several", l.Pages())
	}
	seen := map[string]int{}
	for p := range l.Pages() {
		text := pageText(l, p)
		if !strings.Contains(text, "Nombre\n") {
			t.Errorf("page %d: table header missing", p+1)
		}
		label := fmt.Sprintf("Página %d/%d · norma-cruz-2012", p+1, l.Pages())
		if !strings.Contains(text, label) {
			t.Errorf("page %d: footer %q missing", p+1, label)
		}
		for _, s := range l.pages[p].spans {
			if strings.HasPrefix(s.text, "Firmante Número ") {
				seen[s.text]++
			}
			if s.y > l.paper.h-12*mm || s.y < 12*mm {
				t.Errorf("page %d: %q at y=%.1f is inside the 12 mm fax margin", p+1, s.text, s.y)
			}
		}
	}
	for i := range 200 {
		if n := seen[fmt.Sprintf("Firmante Número %d", i+1)]; n != 1 {
			t.Errorf("signer %d printed %d times, want once", i+1, n)
		}
	}
}

func TestTallTableRowIsSplitNotLost(t *testing.T) {
	r := newRenderer(t, Options{})
	long := strings.TrimSpace(strings.Repeat("palabra ", 3000))
	l, err := r.Document(Doc{Blocks: []Block{Table{Header: []string{"Nota"}, Rows: [][]string{{long}}}}})
	if err != nil {
		t.Fatal(err)
	}
	words := 0
	for p := range l.Pages() {
		words += strings.Count(pageText(l, p), "palabra")
	}
	if words != 3000 || l.Pages() < 2 {
		t.Errorf("got %d words on %d pages, want 3000 words on several pages", words, l.Pages())
	}
}

func TestWrapKeepsEveryWordWithinTheWidth(t *testing.T) {
	r := newRenderer(t, Options{})
	text := "Una línea corta\n\nOtra con una palabra larguísima: " + strings.Repeat("x", 300)
	lines, err := r.wrap(text, faceRegular, 11, 200, dirAuto)
	if err != nil {
		t.Fatal(err)
	}
	var joined strings.Builder
	for _, ln := range lines {
		joined.WriteString(ln.text)
	}
	if strings.Count(joined.String(), "x") != 300 {
		t.Errorf("lost characters: %+v", lines)
	}
	for _, ln := range lines {
		w := r.faces[faceRegular].width(ln.text)
		if w != ln.width {
			t.Errorf("line %q: width %d, want the sum of its advances %d", ln.text, ln.width, w)
		}
		if w := float64(w) * 11 / 1000; w > 200 {
			t.Errorf("line %q is %.1f pt wide, want <= 200", ln.text, w)
		}
	}
	if lines[0].text != "Una línea corta" || lines[1].text != "" {
		t.Errorf("explicit breaks not kept: %+v", lines[:2])
	}
}
