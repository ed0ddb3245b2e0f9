package render

import (
	"io"
	"testing"
)

// The bulk sender keeps one Renderer for a run, so these measure a warm one:
// fonts parsed, glyphs cached. Each iteration is one whole letter, from
// letter.Letter to bytes.

type countWriter struct{ n int }

func (c *countWriter) Write(p []byte) (int, error) { c.n += len(p); return len(p), nil }

func benchLetter(b *testing.B, out func(r *Renderer, l *Layout, w io.Writer) error) {
	r := newRenderer(b, Options{})
	lt := testLetter()
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
