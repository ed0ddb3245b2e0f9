package render

import (
	"errors"
	"fmt"
	"image"
	"strings"
	"testing"
)

// box is the area a span's line takes: from the top of its line box to its
// bottom, across its width.
func spanBox(r *Renderer, s span) rect {
	w := 0.0
	if s.glyphs != nil {
		for _, g := range s.glyphs {
			w += float64(g.adv) * s.size / 1000
		}
	} else {
		for _, c := range s.text {
			_, g, _ := r.resolve(c, s.face)
			w += float64(g.adv) * s.size / 1000
		}
	}
	top := s.y - ascentRatio*s.size
	return rect{x: s.x, y: top, w: w, h: s.size * leadingRatio}
}

func union(a, b rect) rect {
	if a.w == 0 && a.h == 0 {
		return b
	}
	x0, y0 := min(a.x, b.x), min(a.y, b.y)
	x1, y1 := max(a.x+a.w, b.x+b.w), max(a.y+a.h, b.y+b.h)
	return rect{x0, y0, x1 - x0, y1 - y0}
}

func overlaps(a, b rect) bool {
	return a.x < b.x+b.w && b.x < a.x+a.w && a.y < b.y+b.h && b.y < a.y+a.h
}

// inkBounds is the bounding box of the black pixels of img that are not
// black in under (nil: all of them).
func inkBounds(img, under *image.Paletted) image.Rectangle {
	var bb image.Rectangle
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if img.ColorIndexAt(x, y) == 0 || under != nil && under.ColorIndexAt(x, y) == img.ColorIndexAt(x, y) {
				continue
			}
			bb = bb.Union(image.Rect(x, y, x+1, y+1))
		}
	}
	return bb
}

// TestHeaderStaysInTheTopMarginAboveTheLetter: the header line faxjam draws
// for gateways that print none is one line in the top margin, and neither
// its box nor its ink meets the letter's, on both papers; the layout it
// was given is left as it was.
func TestHeaderStaysInTheTopMarginAboveTheLetter(t *testing.T) {
	for _, paperName := range []string{"a4", "letter"} {
		t.Run(paperName, func(t *testing.T) {
			r := newRenderer(t, Options{Paper: paperName})
			lay, err := r.Letter(testLetter())
			if err != nil {
				t.Fatal(err)
			}
			before := len(lay.pages[0].spans)
			text := func(p, n int) string {
				return fmt.Sprintf("2026-01-15 09:04 CST · Amnistía Internacional Sección España · +34 910 000 000 · Página %d/%d", p, n)
			}
			st, err := r.Stamp(lay, text)
			if err != nil {
				t.Fatal(err)
			}
			if len(lay.pages[0].spans) != before {
				t.Fatalf("Stamp changed the layout it was given: %d spans, want %d", len(lay.pages[0].spans), before)
			}
			var content, header rect
			for _, s := range lay.pages[0].spans {
				content = union(content, spanBox(r, s))
			}
			for _, ru := range lay.pages[0].rules {
				content = union(content, ru)
			}
			added := st.pages[0].spans[before:]
			if len(added) == 0 {
				t.Fatal("no header drawn")
			}
			for _, s := range added {
				header = union(header, spanBox(r, s))
			}
			t.Logf("header %.1f–%.1f mm from the top, letter from %.1f mm", header.y/mm, (header.y+header.h)/mm, content.y/mm)
			if overlaps(header, content) {
				t.Fatalf("header box %+v meets the letter's box %+v", header, content)
			}
			if header.y < 0 || header.y+header.h > marginTop || header.x < marginSide-1e-6 || header.x+header.w > lay.paper.w-marginSide+1e-6 {
				t.Fatalf("header box %+v is not inside the top margin (%.1f mm) between the side margins", header, marginTop/mm)
			}

			// The same on the page as faxed: the header's ink is above all
			// of the letter's.
			plain, err := r.Raster(lay, 0)
			if err != nil {
				t.Fatal(err)
			}
			stamped, err := r.Raster(st, 0)
			if err != nil {
				t.Fatal(err)
			}
			letterInk, headerInk := inkBounds(plain, nil), inkBounds(stamped, plain)
			if headerInk.Empty() {
				t.Fatal("the header draws no ink")
			}
			if headerInk.Overlaps(letterInk) || headerInk.Max.Y >= letterInk.Min.Y {
				t.Fatalf("header ink %v meets the letter's ink %v", headerInk, letterInk)
			}
		})
	}
}

// TestHeaderNumbersEveryPage: a document of several pages gets its page
// number and count in each page's header.
func TestHeaderNumbersEveryPage(t *testing.T) {
	r := newRenderer(t, Options{})
	rows := make([][]string, 120)
	for i := range rows {
		rows[i] = []string{fmt.Sprint("Name ", i), "Sevilla"}
	}
	lay, err := r.Document(Doc{Blocks: []Block{Table{Header: []string{"name", "city"}, Rows: rows}}})
	if err != nil {
		t.Fatal(err)
	}
	if lay.Pages() < 2 {
		t.Fatalf("%d pages, want several", lay.Pages())
	}
	st, err := r.Stamp(lay, func(p, n int) string { return fmt.Sprintf("Sender · page %d/%d", p, n) })
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range st.pages {
		want := fmt.Sprintf("page %d/%d", i+1, lay.Pages())
		last := p.spans[len(p.spans)-1]
		if !strings.Contains(last.text, want) {
			t.Errorf("page %d header %q, want %q", i+1, last.text, want)
		}
	}
}

// TestHeaderTooLongIsRefused: a header that would wrap is an error naming
// it, never two lines reaching into the letter.
func TestHeaderTooLongIsRefused(t *testing.T) {
	r := newRenderer(t, Options{})
	lay, err := r.Letter(testLetter())
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("Amnistía Internacional ", 12)
	_, err = r.Stamp(lay, func(int, int) string { return long })
	var he *HeaderError
	if !errors.As(err, &he) || he.Text != long || !strings.Contains(err.Error(), "sender_id") {
		t.Fatalf("Stamp = %v, want a *HeaderError naming the text and sender_id", err)
	}
}
