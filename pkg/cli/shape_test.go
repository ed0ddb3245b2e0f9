package cli

import (
	"bytes"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/faxjam/faxjam/pkg/testtool"
)

// TestLetterPrintsNamesThatNeedShaping runs `faxjam letter` as a user
// would, with names in scripts that need shaping: without a font that has
// them it refuses, naming the script; with one the PDF's text reads back
// as typed (pdftotext) and the fax preview is written. The glyphs
// themselves are held to hb-shape's in pkg/render.
func TestLetterPrintsNamesThatNeedShaping(t *testing.T) {
	pdftotext := testtool.Need(t, "pdftotext", "poppler-utils")
	dejaVu := "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
	lohit := "/usr/share/fonts/truetype/lohit-devanagari/Lohit-Devanagari.ttf"
	testtool.File(t, dejaVu, "fonts-dejavu-core")
	testtool.File(t, lohit, "fonts-lohit-deva")
	dir := t.TempDir()
	t.Setenv("HOME", filepath.Join(dir, "home"))
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "config"))
	t.Setenv("XDG_DATA_HOME", filepath.Join(dir, "data"))
	faxjam := func(args ...string) (int, string) {
		var out, errOut bytes.Buffer
		code := Execute(BuildInfo{Version: "test"}, args, strings.NewReader(""), &out, &errOut)
		return code, errOut.String()
	}
	tests := []struct {
		what, name, city, country, font, script string
	}{
		{"arabic", "محمد علي", "القاهرة", "مصر", dejaVu, "Arabic"},
		{"hebrew", "דנה כהן", "חיפה", "ישראל", dejaVu, "Hebrew"},
		{"devanagari", "प्रिया शर्मा", "दिल्ली", "भारत", lohit, "Devanagari"},
		{"yoruba", "Adéṣọ̀lá Ògúnlẹ̀yẹ", "Ìbàdàn", "Nàìjíríà", dejaVu, ""},
	}
	for _, tt := range tests {
		t.Run(tt.what, func(t *testing.T) {
			signer := []string{"letter", "--name", tt.name, "--city", tt.city, "--country", tt.country}
			pngPath := filepath.Join(dir, tt.what+".png")
			if tt.script != "" {
				code, stderr := faxjam(append(signer, "--format", "png", "-o", pngPath)...)
				if code != ExitUsage || !strings.Contains(stderr, tt.script+") is not in the fax font; pass --font") {
					t.Errorf("without --font: exit %d, stderr %q; want %d naming %s", code, stderr, ExitUsage, tt.script)
				}
				if _, err := os.Stat(pngPath); err == nil {
					t.Error("without --font: a PNG was written")
				}
			}
			code, stderr := faxjam(append(signer, "--font", tt.font, "--format", "png", "-o", pngPath)...)
			if code != 0 {
				t.Fatalf("--format png: exit %d: %s", code, stderr)
			}
			f, err := os.Open(pngPath)
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(f)
			f.Close()
			if err != nil || img.Bounds().Dx() != 1728 {
				t.Fatalf("the preview is not a fax page: %v %v", err, img.Bounds())
			}

			pdfPath := filepath.Join(dir, tt.what+".pdf")
			if code, stderr := faxjam(append(signer, "--font", tt.font, "--format", "pdf", "-o", pdfPath)...); code != 0 {
				t.Fatalf("--format pdf: exit %d: %s", code, stderr)
			}
			out, err := exec.Command(pdftotext, pdfPath, "-").Output()
			if err != nil {
				t.Fatal(err)
			}
			text := strings.Map(func(c rune) rune {
				if c >= 0x202A && c <= 0x202E { // poppler marks right-to-left text
					return -1
				}
				return c
			}, string(out))
			// The city and country separately: poppler moves the comma
			// between two right-to-left words (it does for cairo's PDFs too).
			for _, want := range []string{"\n" + tt.name + "\n", tt.city, tt.country} {
				if !strings.Contains(text, want) {
					t.Errorf("pdftotext: %q missing from\n%s", want, text)
				}
			}
		})
	}
}

// TestRightToLeftCityKeepsTheLetterLeftToRight: a Spanish letter from an
// Arabic city keeps its first line left to right (the letter's language
// gives the direction): the city on the left, the date after it on the
// right, where before the whole line turned around ("de diciembre de 2026
// 5 ,بيروت"), and the day stays with the date. Positions from pdftotext
// -bbox.
func TestRightToLeftCityKeepsTheLetterLeftToRight(t *testing.T) {
	pdftotext := testtool.Need(t, "pdftotext", "poppler-utils")
	dejaVu := "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
	testtool.File(t, dejaVu, "fonts-dejavu-core")
	dir := t.TempDir()
	t.Setenv("HOME", filepath.Join(dir, "home"))
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "config"))
	t.Setenv("XDG_DATA_HOME", filepath.Join(dir, "data"))
	pdf := filepath.Join(dir, "carta.pdf")
	var out, errOut bytes.Buffer
	if code := Execute(BuildInfo{Version: "test"}, []string{"letter", "--name", "فاطمة الزهراء", "--city", "بيروت", "--country", "Lebanon",
		"--font", dejaVu, "--format", "pdf", "-o", pdf}, strings.NewReader(""), &out, &errOut); code != 0 {
		t.Fatalf("letter: exit %d: %s", code, errOut.String())
	}
	bbox, err := exec.Command(pdftotext, "-bbox", pdf, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	// The first line's words: the Arabic city and the month.
	word := regexp.MustCompile(`<word xMin="([0-9.]+)" yMin="([0-9.]+)"[^>]*>([^<]*)</word>`)
	var cityX, monthX float64 = -1, -1
	var month string
	firstY := -1.0
	for _, m := range word.FindAllStringSubmatch(string(bbox), -1) {
		y, _ := strconv.ParseFloat(m[2], 64)
		if firstY < 0 {
			firstY = y
		}
		if y-firstY > 3 { // the next line (fonts differ a little in height)
			break
		}
		x, _ := strconv.ParseFloat(m[1], 64)
		switch {
		case strings.ContainsFunc(m[3], func(c rune) bool { return unicode.Is(unicode.Arabic, c) }):
			cityX = x
		case strings.Contains(m[3], "diciembre"):
			monthX, month = x, m[3]
		}
	}
	if cityX < 0 || monthX < 0 || cityX > monthX {
		t.Errorf("first line: city at x=%.1f, month at x=%.1f; want the city left of the date (a left-to-right line)\n%s", cityX, monthX, bbox)
	}
	// The day stays with its month, after the city, not pulled into the
	// Arabic run before it ("5 ,بيروت de diciembre").
	if !strings.Contains(month, "5 de diciembre de 2026") {
		t.Errorf("first line: the date reads %q, want it whole after the city\n%s", month, bbox)
	}
}
