package render

import (
	"errors"
	"strings"
	"testing"

	"github.com/faxjam/faxjam/pkg/testtool"
)

// dejaVu is a TrueType font with scripts the Go fonts lack (Georgian,
// Armenian, Hebrew), from Debian's fonts-dejavu-core.
func dejaVu(t *testing.T) []byte {
	t.Helper()
	return testtool.File(t, "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "fonts-dejavu-core")
}

func TestExtraFontDrawsWhatGoFontsCannot(t *testing.T) {
	const name = "ნინო ბერიძე" // Georgian: not in the Go fonts
	lt := testLetter()
	lt.Sender.Name = name
	lt.Body = strings.ReplaceAll(lt.Body, "José Pérez", name)

	_, err := newRenderer(t, Options{}).Letter(lt)
	var ge *GlyphError
	if !errors.As(err, &ge) || ge.Rune != 'ნ' {
		t.Fatalf("without an extra font: err = %v, want a GlyphError for ნ", err)
	}

	r := newRenderer(t, Options{ExtraFont: dejaVu(t)})
	l, err := r.Letter(lt)
	if err != nil {
		t.Fatalf("with DejaVu: %v", err)
	}
	// Only the Georgian name (with the space between its words, as hb-shape
	// draws it) comes from the extra font: the rest of the letter keeps the
	// Go font.
	var extra, regular strings.Builder
	for _, s := range l.pages[0].spans {
		if s.face == faceExtra {
			extra.WriteString(s.text)
		} else {
			regular.WriteString(s.text)
		}
	}
	if got := extra.String(); strings.Trim(got, "ნიობერძ ") != "" || !strings.Contains(got, "ბერიძე") {
		t.Errorf("extra-font text = %q, want only the Georgian name", got)
	}
	if !strings.Contains(regular.String(), "Señora Fiscal General") {
		t.Error("the Spanish text is no longer in the Go font")
	}

	pdftotext := testtool.Need(t, "pdftotext", "poppler-utils")
	text := run(t, pdftotext, writePDF(t, r, l), "-")
	if !strings.Contains(text, name) {
		t.Errorf("pdftotext: %q missing from\n%s", name, text)
	}
}
