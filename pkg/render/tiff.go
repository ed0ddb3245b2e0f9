package render

import (
	"encoding/binary"
	"fmt"
	"image"
	"io"
)

// TIFFOptions choose the coding of a TIFF.
type TIFFOptions struct {
	// TwoD codes rows with T.4 2-D coding (MR, K=4) instead of 1-D (MH):
	// a smaller file and a shorter call; every class F reader takes both.
	TwoD bool
}

// TIFF tag numbers and types used by class F.
const (
	tagNewSubfileType  = 254
	tagImageWidth      = 256
	tagImageLength     = 257
	tagBitsPerSample   = 258
	tagCompression     = 259
	tagPhotometric     = 262
	tagFillOrder       = 266
	tagStripOffsets    = 273
	tagOrientation     = 274
	tagSamplesPerPixel = 277
	tagRowsPerStrip    = 278
	tagStripByteCounts = 279
	tagXResolution     = 282
	tagYResolution     = 283
	tagT4Options       = 292
	tagResolutionUnit  = 296
	tagPageNumber      = 297
	tagCleanFaxData    = 327

	typeShort    = 3
	typeLong     = 4
	typeRational = 5
)

// TIFF writes l as a TIFF class F file: one page per IFD, each page one strip
// coded CCITT Group 3 (T.4), 1728 pixels wide at 204×196 dpi, white as 0
// (min-is-white) and bits in the order fax modems send them (FillOrder 2).
func (r *Renderer) TIFF(l *Layout, w io.Writer, opts TIFFOptions) error {
	img := r.getBitmap(l)
	defer r.bitmaps.Put(img)
	return writeTIFF(w, img, len(l.pages), opts, func(p int) { r.draw(img, l, p) })
}

// writeTIFF writes pages pages, each drawn into the white bitmap img by draw.
func writeTIFF(w io.Writer, img *image.Paletted, pages int, opts TIFFOptions, draw func(page int)) error {
	height := img.Rect.Dy()
	enc := &g3Encoder{twoD: opts.TwoD}
	t4 := uint32(0)
	if opts.TwoD {
		t4 = 1
	}

	const nTags = 18
	const ifdSize = 2 + nTags*12 + 4
	hdr := []byte{'I', 'I', 42, 0, 8, 0, 0, 0}
	if _, err := w.Write(hdr); err != nil {
		return fmt.Errorf("render: tiff: %w", err)
	}
	pos := uint32(len(hdr))
	ifd := make([]byte, 0, ifdSize+16)
	for p := range pages {
		if p > 0 {
			clear(img.Pix)
		}
		draw(p)
		data := enc.page(img.Pix, img.Stride, FaxWidth, height, true)

		ratOff := pos + ifdSize
		stripOff := ratOff + 16
		next := uint32(0)
		if p+1 < pages {
			next = stripOff + uint32(len(data)) + uint32(len(data)&1) // IFDs start on a word boundary
		}
		ifd = ifd[:0]
		ifd = binary.LittleEndian.AppendUint16(ifd, nTags)
		entry := func(tag, typ uint16, count, value uint32) {
			ifd = binary.LittleEndian.AppendUint16(ifd, tag)
			ifd = binary.LittleEndian.AppendUint16(ifd, typ)
			ifd = binary.LittleEndian.AppendUint32(ifd, count)
			ifd = binary.LittleEndian.AppendUint32(ifd, value)
		}
		short := func(tag uint16, v uint16) { entry(tag, typeShort, 1, uint32(v)) }
		entry(tagNewSubfileType, typeLong, 1, 2) // a page of a multi-page document
		entry(tagImageWidth, typeLong, 1, FaxWidth)
		entry(tagImageLength, typeLong, 1, uint32(height))
		short(tagBitsPerSample, 1)
		short(tagCompression, 3) // CCITT T.4
		short(tagPhotometric, 0) // min-is-white
		short(tagFillOrder, 2)
		entry(tagStripOffsets, typeLong, 1, stripOff)
		short(tagOrientation, 1)
		short(tagSamplesPerPixel, 1)
		entry(tagRowsPerStrip, typeLong, 1, uint32(height))
		entry(tagStripByteCounts, typeLong, 1, uint32(len(data)))
		entry(tagXResolution, typeRational, 1, ratOff)
		entry(tagYResolution, typeRational, 1, ratOff+8)
		entry(tagT4Options, typeLong, 1, t4)
		short(tagResolutionUnit, 2) // inch
		entry(tagPageNumber, typeShort, 2, uint32(p)|uint32(pages)<<16)
		short(tagCleanFaxData, 0) // clean: made, not received
		ifd = binary.LittleEndian.AppendUint32(ifd, next)
		for _, v := range []uint32{FaxDPIX, 1, FaxDPIY, 1} {
			ifd = binary.LittleEndian.AppendUint32(ifd, v)
		}
		if _, err := w.Write(ifd); err != nil {
			return fmt.Errorf("render: tiff: %w", err)
		}
		if _, err := w.Write(data); err != nil {
			return fmt.Errorf("render: tiff: %w", err)
		}
		pos = stripOff + uint32(len(data))
		if len(data)&1 == 1 && next != 0 {
			if _, err := w.Write([]byte{0}); err != nil {
				return fmt.Errorf("render: tiff: %w", err)
			}
			pos++
		}
	}
	return nil
}
