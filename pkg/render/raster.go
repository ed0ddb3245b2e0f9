package render

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"io"
	"math"

	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

// Fax resolution: the "fine" mode of ITU-T T.4. A scan line is 1728 pixels,
// 215 mm at 204 dpi, a little wider than A4, so the page is centred on it.
const (
	FaxWidth = 1728
	FaxDPIX  = 204
	FaxDPIY  = 196
	scaleX   = FaxDPIX / 72.0 // pixels per point
	scaleY   = FaxDPIY / 72.0
)

// faxPalette is index 0 white, 1 black: a 1-bit PNG as the recipient's
// machine prints it.
var faxPalette = color.Palette{color.Gray{Y: 0xff}, color.Gray{Y: 0}}

// faxHeight is the number of scan lines of a page of height h points.
func faxHeight(h float64) int { return int(math.Round(h * scaleY)) }

// Raster draws page (0-based) of l as the fax receives it: FaxWidth pixels
// wide, one scan line per 1/196 in, Pix 0 white and 1 black.
func (r *Renderer) Raster(l *Layout, page int) (*image.Paletted, error) {
	if page < 0 || page >= len(l.pages) {
		return nil, fmt.Errorf("render: page %d of a %d-page layout", page+1, len(l.pages))
	}
	img := image.NewPaletted(image.Rect(0, 0, FaxWidth, faxHeight(l.paper.h)), faxPalette)
	r.draw(img, l, page)
	return img, nil
}

// PNG writes page (0-based) of l as a 1-bit PNG at fax resolution, with its
// 204×196 dpi recorded so viewers show it at the page's true size.
func (r *Renderer) PNG(l *Layout, page int, w io.Writer) error {
	if page < 0 || page >= len(l.pages) {
		return fmt.Errorf("render: page %d of a %d-page layout", page+1, len(l.pages))
	}
	img := r.getBitmap(l)
	defer r.bitmaps.Put(img)
	r.draw(img, l, page)
	if err := r.writePNG(w, img); err != nil {
		return fmt.Errorf("render: png: %w", err)
	}
	return nil
}

// writePNG encodes a two-colour image as a 1-bit palette PNG. image/png
// would do it, but it reads a 1-bit image one pixel at a time through an
// interface, which is most of the cost of a preview; here eight pixels are
// packed at once and the zlib writer is reused.
func (r *Renderer) writePNG(w io.Writer, img *image.Paletted) error {
	width, height := img.Rect.Dx(), img.Rect.Dy()
	rowBytes := (width + 7) / 8
	var b bytes.Buffer
	b.Grow(64 << 10)
	b.WriteString("\x89PNG\r\n\x1a\n")

	ihdr := binary.BigEndian.AppendUint32(nil, uint32(width))
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(height))
	ihdr = append(ihdr, 1, 3, 0, 0, 0) // depth 1, palette, deflate, no filter, no interlace
	writeChunk(&b, "IHDR", ihdr)
	writeChunk(&b, "PLTE", []byte{0xff, 0xff, 0xff, 0, 0, 0}) // 0 white, 1 black
	phys := binary.BigEndian.AppendUint32(nil, uint32(math.Round(FaxDPIX/0.0254)))
	phys = binary.BigEndian.AppendUint32(phys, uint32(math.Round(FaxDPIY/0.0254)))
	writeChunk(&b, "pHYs", append(phys, 1)) // pixels per metre

	var raw bytes.Buffer
	raw.Grow(64 << 10)
	zw, _ := r.zlibs.Get().(*zlib.Writer)
	if zw == nil {
		zw, _ = zlib.NewWriterLevel(&raw, zlib.BestSpeed) // the level is valid
	} else {
		zw.Reset(&raw)
	}
	defer r.zlibs.Put(zw)
	line := make([]byte, 1+rowBytes) // filter type 0, then the packed row
	for y := range height {
		packBits(line[1:], img.Pix[y*img.Stride:y*img.Stride+width])
		if _, err := zw.Write(line); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	writeChunk(&b, "IDAT", raw.Bytes())
	writeChunk(&b, "IEND", nil)
	_, err := w.Write(b.Bytes())
	return err
}

func writeChunk(b *bytes.Buffer, typ string, data []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(data)))
	b.Write(n[:])
	crc := crc32.NewIEEE()
	crc.Write([]byte(typ))
	crc.Write(data)
	b.WriteString(typ)
	b.Write(data)
	binary.BigEndian.PutUint32(n[:], crc.Sum32())
	b.Write(n[:])
}

// packBits packs pixels (bytes 0 or 1) eight to a byte, the first pixel in
// the high bit. The multiply moves byte i's low bit to bit 63-i, all eight
// at once; the bits never overlap, so no carry spoils the top byte.
func packBits(dst, pix []byte) {
	i := 0
	for ; i+8 <= len(pix); i += 8 {
		v := binary.LittleEndian.Uint64(pix[i:])
		dst[i/8] = byte((v * 0x8040201008040201) >> 56)
	}
	if i < len(pix) {
		var last byte
		for j, p := range pix[i:] {
			last |= p << (7 - j)
		}
		dst[i/8] = last
	}
}

// getBitmap returns a white page bitmap for l from the pool: a fax page is
// 4 MB, and the bulk sender renders thousands.
func (r *Renderer) getBitmap(l *Layout) *image.Paletted {
	h := faxHeight(l.paper.h)
	if img, ok := r.bitmaps.Get().(*image.Paletted); ok && img.Rect.Dy() == h {
		clear(img.Pix)
		return img
	}
	return image.NewPaletted(image.Rect(0, 0, FaxWidth, h), faxPalette)
}

// draw paints page p of l into img, which must be white.
func (r *Renderer) draw(img *image.Paletted, l *Layout, p int) {
	// Centre the paper on the scan line (Letter is 6 px wider than the
	// line: its edges, blank margins, are cut).
	xoff := (FaxWidth - l.paper.w*scaleX) / 2
	W, H := img.Rect.Dx(), img.Rect.Dy()
	for _, q := range l.pages[p].rules {
		x0 := max(0, int(math.Round(xoff+q.x*scaleX)))
		x1 := min(W, int(math.Round(xoff+(q.x+q.w)*scaleX)))
		y0 := max(0, int(math.Round(q.y*scaleY)))
		// A hairline still prints: at least one scan line.
		y1 := min(H, max(y0+1, int(math.Round((q.y+q.h)*scaleY))))
		for y := y0; y < y1; y++ {
			row := img.Pix[y*img.Stride+x0 : y*img.Stride+x1]
			for i := range row {
				row[i] = 1
			}
		}
	}
	for _, s := range l.pages[p].spans {
		fc := r.faces[s.face]
		pen := s.x
		if s.glyphs != nil {
			k := s.size / 1000
			for _, g := range s.glyphs {
				m := r.mask(s.face, sfnt.GlyphIndex(g.id), s.size)
				m.blit(img, int(math.Round(xoff+(pen+float64(g.dx)*k)*scaleX)), int(math.Round((s.y-float64(g.dy)*k)*scaleY)))
				pen += float64(g.adv) * k
			}
			continue
		}
		by := int(math.Round(s.y * scaleY))
		for _, c := range s.text {
			g := fc.glyph(c)
			if c != ' ' && g.index != 0 {
				m := r.mask(s.face, g.index, s.size)
				m.blit(img, int(math.Round(xoff+pen*scaleX)), by)
			}
			pen += float64(g.adv) * s.size / 1000
		}
	}
}

// glyphKey identifies a rasterized glyph: face, glyph and size in 1/64 pt.
type glyphKey struct {
	face  faceID
	index sfnt.GlyphIndex
	size  int32
}

// glyphMask is a glyph as 1-bit runs, relative to the pen on the baseline.
type glyphMask struct {
	runs []glyphRun
}

type glyphRun struct{ dy, x0, x1 int16 }

func (m *glyphMask) blit(img *image.Paletted, x, y int) {
	W, H := img.Rect.Dx(), img.Rect.Dy()
	for _, g := range m.runs {
		yy := y + int(g.dy)
		if yy < 0 || yy >= H {
			continue
		}
		x0, x1 := max(0, x+int(g.x0)), min(W, x+int(g.x1))
		if x0 >= x1 {
			continue
		}
		row := img.Pix[yy*img.Stride+x0 : yy*img.Stride+x1]
		for i := range row {
			row[i] = 1
		}
	}
}

// mask returns the glyph rasterized at fax resolution, from the cache or
// drawn now. Glyphs are drawn at the vertical resolution and stretched
// horizontally by 204/196, so letters keep their shape on the fax's
// slightly non-square pixels.
func (r *Renderer) mask(fc faceID, x sfnt.GlyphIndex, size float64) *glyphMask {
	key := glyphKey{face: fc, index: x, size: int32(math.Round(size * 64))}
	if m, ok := r.glyphs.Load(key); ok {
		return m.(*glyphMask)
	}
	m := r.rasterize(r.faces[fc], x, size)
	actual, _ := r.glyphs.LoadOrStore(key, m)
	return actual.(*glyphMask)
}

func (r *Renderer) rasterize(f *face, x sfnt.GlyphIndex, size float64) *glyphMask {
	b := f.buf()
	defer f.bufs.Put(b)
	ppem := fixed.Int26_6(math.Round(size * scaleY * 64))
	segs, err := f.sf.LoadGlyph(b, x, ppem, nil)
	if err != nil || len(segs) == 0 {
		return &glyphMask{}
	}
	const sx = float32(scaleX / scaleY)
	minX, minY := float32(math.Inf(1)), float32(math.Inf(1))
	maxX, maxY := float32(math.Inf(-1)), float32(math.Inf(-1))
	for _, s := range segs {
		for _, p := range s.Args[:argCount(s.Op)] {
			px, py := float32(p.X)/64*sx, float32(p.Y)/64
			minX, maxX = min(minX, px), max(maxX, px)
			minY, maxY = min(minY, py), max(maxY, py)
		}
	}
	x0, y0 := int(math.Floor(float64(minX))), int(math.Floor(float64(minY)))
	w, h := int(math.Ceil(float64(maxX)))-x0, int(math.Ceil(float64(maxY)))-y0
	if w <= 0 || h <= 0 {
		return &glyphMask{}
	}
	ox, oy := float32(x0), float32(y0)
	pt := func(p fixed.Point26_6) (float32, float32) {
		return float32(p.X)/64*sx - ox, float32(p.Y)/64 - oy
	}
	z := vector.NewRasterizer(w, h)
	for _, s := range segs {
		switch s.Op {
		case sfnt.SegmentOpMoveTo:
			z.MoveTo(pt(s.Args[0]))
		case sfnt.SegmentOpLineTo:
			z.LineTo(pt(s.Args[0]))
		case sfnt.SegmentOpQuadTo:
			ax, ay := pt(s.Args[0])
			bx, by := pt(s.Args[1])
			z.QuadTo(ax, ay, bx, by)
		case sfnt.SegmentOpCubeTo:
			ax, ay := pt(s.Args[0])
			bx, by := pt(s.Args[1])
			cx, cy := pt(s.Args[2])
			z.CubeTo(ax, ay, bx, by, cx, cy)
		}
	}
	z.ClosePath()
	a := image.NewAlpha(image.Rect(0, 0, w, h))
	z.Draw(a, a.Rect, image.Opaque, image.Point{})

	// Threshold at half coverage: a fax has no grey.
	m := &glyphMask{}
	for yy := range h {
		row := a.Pix[yy*a.Stride : yy*a.Stride+w]
		for xx := 0; xx < w; {
			if row[xx] < 0x80 {
				xx++
				continue
			}
			start := xx
			for xx < w && row[xx] >= 0x80 {
				xx++
			}
			m.runs = append(m.runs, glyphRun{dy: int16(y0 + yy), x0: int16(x0 + start), x1: int16(x0 + xx)})
		}
	}
	return m
}

func argCount(op sfnt.SegmentOp) int {
	switch op {
	case sfnt.SegmentOpQuadTo:
		return 2
	case sfnt.SegmentOpCubeTo:
		return 3
	}
	return 1
}
