package render

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/png"
	"math"
	"testing"
)

func TestRasterIsAFaxPage(t *testing.T) {
	tests := []struct {
		paper      string
		wantHeight int
	}{
		{"a4", 2292},     // 297 mm at 196 lines per inch
		{"letter", 2156}, // 11 in at 196 lines per inch
	}
	for _, tt := range tests {
		t.Run(tt.paper, func(t *testing.T) {
			r := newRenderer(t, Options{Paper: tt.paper})
			l, err := r.Letter(testLetter())
			if err != nil {
				t.Fatal(err)
			}
			img, err := r.Raster(l, 0)
			if err != nil {
				t.Fatal(err)
			}
			if got := img.Bounds(); got != image.Rect(0, 0, 1728, tt.wantHeight) {
				t.Errorf("bounds = %v, want 1728x%d", got, tt.wantHeight)
			}
			black := 0
			for _, p := range img.Pix {
				if p > 1 {
					t.Fatalf("pixel index %d: want only 0 (white) and 1 (black)", p)
				}
				black += int(p)
			}
			// A page of text is a few percent ink; none or lots means a bug.
			if frac := float64(black) / float64(len(img.Pix)); frac < 0.01 || frac > 0.15 {
				t.Errorf("black fraction = %.3f, want a page of text", frac)
			}
			// Nothing inside the 12 mm margin fax machines may cut.
			edge := int(math.Floor(12 * mm * scaleY))
			for y := range img.Rect.Dy() {
				if y >= edge && y < img.Rect.Dy()-edge {
					continue
				}
				for x := range 1728 {
					if img.Pix[y*img.Stride+x] != 0 {
						t.Fatalf("ink at (%d,%d), inside the 12 mm margin", x, y)
					}
				}
			}
		})
	}
}

func TestPNGIsTheRasterAsOneBitImage(t *testing.T) {
	r := newRenderer(t, Options{})
	l, err := r.Letter(testLetter())
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := r.PNG(l, 0, &b); err != nil {
		t.Fatal(err)
	}
	data := b.Bytes()
	if depth := data[24]; depth != 1 {
		t.Errorf("PNG bit depth = %d, want 1", depth)
	}
	i := bytes.Index(data, []byte("pHYs"))
	if i < 0 {
		t.Fatal("PNG has no pHYs chunk")
	}
	if x, y := binary.BigEndian.Uint32(data[i+4:]), binary.BigEndian.Uint32(data[i+8:]); x != 8031 && x != 8032 || y != 7717 && y != 7716 {
		t.Errorf("pHYs = %dx%d pixels per metre, want 204x196 dpi", x, y)
	}
	got, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("png.Decode: %v", err)
	}
	want, _ := r.Raster(l, 0)
	if got.Bounds() != want.Bounds() {
		t.Fatalf("PNG bounds %v, raster %v", got.Bounds(), want.Bounds())
	}
	for y := range want.Rect.Dy() {
		for x := range want.Rect.Dx() {
			gy, _, _, _ := got.At(x, y).RGBA()
			if (gy == 0) != (want.Pix[y*want.Stride+x] == 1) {
				t.Fatalf("pixel (%d,%d) differs between PNG and raster", x, y)
			}
		}
	}
	if err := r.PNG(l, 1, &b); err == nil {
		t.Error("PNG of page 2 of a one-page letter: want an error")
	}
}

func TestRasterMatchesThePDFLayout(t *testing.T) {
	// The raster draws the layout's spans: the footer's first glyph sits
	// where the layout put it, converted to fax pixels.
	r := newRenderer(t, Options{})
	l, err := r.Letter(testLetter())
	if err != nil {
		t.Fatal(err)
	}
	img, _ := r.Raster(l, 0)
	s := l.pages[0].spans[len(l.pages[0].spans)-1] // the footer
	xoff := (FaxWidth - l.paper.w*scaleX) / 2
	x0, base := int(xoff+s.x*scaleX), int(s.y*scaleY)
	ink := false
	for y := base - 20; y <= base; y++ {
		for x := x0; x < x0+20; x++ {
			ink = ink || img.Pix[y*img.Stride+x] == 1
		}
	}
	if !ink {
		t.Errorf("no ink at the footer's position (%d,%d)", x0, base)
	}
}

func TestPackBitsPacksEveryPattern(t *testing.T) {
	for v := range 256 {
		pix := make([]byte, 11)
		for j := range 8 {
			pix[j] = byte(v>>(7-j)) & 1
		}
		pix[8], pix[10] = 1, 1
		dst := make([]byte, 2)
		packBits(dst, pix)
		if dst[0] != byte(v) || dst[1] != 0b10100000 {
			t.Fatalf("packBits(%08b + 101) = %08b %08b", v, dst[0], dst[1])
		}
	}
}
