package render

import (
	"io"
	"strings"
	"testing"

	"github.com/faxjam/faxjam/pkg/testtool"
)

// The bulk sender keeps one Renderer for a run, so these measure a warm one:
// fonts parsed, glyphs cached. Each iteration is one whole letter, from
// letter.Letter to bytes.

type countWriter struct{ n int }

func (c *countWriter) Write(p []byte) (int, error) { c.n += len(p); return len(p), nil }

func benchLetter(b *testing.B, out func(r *Renderer, l *Layout, w io.Writer) error) {
	benchName(b, Options{}, "", out)
}

// benchName is benchLetter with the signer's name replaced (and the
// renderer's options), for letters that take the shaping path.
func benchName(b *testing.B, opts Options, name string, out func(r *Renderer, l *Layout, w io.Writer) error) {
	r := newRenderer(b, opts)
	lt := testLetter()
	if name != "" {
		lt.Sender.Name = name
		lt.Body = strings.ReplaceAll(lt.Body, "José Pérez", name)
		lt.Footer = strings.ReplaceAll(lt.Footer, "José Pérez", name)
	}
	var cw countWriter
	b.ReportAllocs()
	for b.Loop() {
		l, err := r.Letter(lt)
		if err != nil {
			b.Fatal(err)
		}
		cw.n = 0
		if err := out(r, l, &cw); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cw.n), "bytes/page")
}

func BenchmarkLetterLayout(b *testing.B) {
	benchLetter(b, func(*Renderer, *Layout, io.Writer) error { return nil })
}

func BenchmarkLetterPDF(b *testing.B) {
	benchLetter(b, func(r *Renderer, l *Layout, w io.Writer) error { return r.PDF(l, w) })
}

func BenchmarkLetterPNG(b *testing.B) {
	benchLetter(b, func(r *Renderer, l *Layout, w io.Writer) error { return r.PNG(l, 0, w) })
}

func BenchmarkLetterTIFFMH(b *testing.B) {
	benchLetter(b, func(r *Renderer, l *Layout, w io.Writer) error { return r.TIFF(l, w, TIFFOptions{}) })
}

func BenchmarkLetterTIFFMR(b *testing.B) {
	benchLetter(b, func(r *Renderer, l *Layout, w io.Writer) error { return r.TIFF(l, w, TIFFOptions{TwoD: true}) })
}

// BenchmarkNew is the cost of a Renderer: parsing the fonts once.
func BenchmarkNew(b *testing.B) {
	for b.Loop() {
		if _, err := New(Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// The same letter signed by محمد علي with DejaVu Sans as the extra font:
// the signature and footer lines are shaped, the rest takes the fast path.
func benchArabic(b *testing.B, out func(r *Renderer, l *Layout, w io.Writer) error) {
	font := testtool.File(b, "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "fonts-dejavu-core")
	benchName(b, Options{ExtraFont: font}, "محمد علي", out)
}

func BenchmarkArabicLayout(b *testing.B) {
	benchArabic(b, func(*Renderer, *Layout, io.Writer) error { return nil })
}

func BenchmarkArabicPDF(b *testing.B) {
	benchArabic(b, func(r *Renderer, l *Layout, w io.Writer) error { return r.PDF(l, w) })
}

func BenchmarkArabicPNG(b *testing.B) {
	benchArabic(b, func(r *Renderer, l *Layout, w io.Writer) error { return r.PNG(l, 0, w) })
}
