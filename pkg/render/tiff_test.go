package render

import (
	"bytes"
	"encoding/binary"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/image/ccitt"
	"golang.org/x/image/tiff"

	"github.com/faxjam/faxjam/pkg/testtool"
)

// tiffPage is one IFD of a little-endian TIFF, as far as the tests need it.
type tiffPage struct {
	width, height int
	fillOrder     int
	strip         []byte
}

// readTIFF walks the IFD chain; it is written here from the TIFF 6.0 spec so
// that the file's structure is checked by code other than the writer's.
func readTIFF(t *testing.T, data []byte) []tiffPage {
	t.Helper()
	if len(data) < 8 || string(data[:4]) != "II*\x00" {
		t.Fatalf("not a little-endian TIFF: % x", data[:min(8, len(data))])
	}
	le := binary.LittleEndian
	var pages []tiffPage
	for off := le.Uint32(data[4:]); off != 0; {
		if off%2 != 0 {
			t.Errorf("IFD at odd offset %d", off)
		}
		n := int(le.Uint16(data[off:]))
		tags := map[uint16]uint32{}
		for i := range n {
			e := data[int(off)+2+12*i:]
			typ := le.Uint16(e[2:])
			v := le.Uint32(e[8:])
			if typ == typeShort && le.Uint32(e[4:]) == 1 {
				v = uint32(le.Uint16(e[8:]))
			}
			tags[le.Uint16(e)] = v
		}
		so, sc := tags[tagStripOffsets], tags[tagStripByteCounts]
		pages = append(pages, tiffPage{
			width:     int(tags[tagImageWidth]),
			height:    int(tags[tagImageLength]),
			fillOrder: int(tags[tagFillOrder]),
			strip:     data[so : so+sc],
		})
		off = le.Uint32(data[int(off)+2+12*n:])
	}
	return pages
}

// decodeStrip decodes one page's CCITT strip into 0 (white) / 1 (black).
func decodeStrip(t *testing.T, p tiffPage, sf ccitt.SubFormat) []byte {
	t.Helper()
	order := ccitt.MSB
	if p.fillOrder == 2 {
		order = ccitt.LSB
	}
	g := image.NewGray(image.Rect(0, 0, p.width, p.height))
	if err := ccitt.DecodeIntoGray(g, bytes.NewReader(p.strip), order, sf, nil); err != nil {
		t.Fatalf("ccitt decode: %v", err)
	}
	out := make([]byte, len(g.Pix))
	for i, v := range g.Pix {
		if v == 0 {
			out[i] = 1
		}
	}
	return out
}

func samePixels(t *testing.T, what string, got []byte, want *image.Paletted) {
	t.Helper()
	if len(got) != len(want.Pix) {
		t.Fatalf("%s: %d pixels, raster has %d", what, len(got), len(want.Pix))
	}
	if i := firstDiff(got, want.Pix); i >= 0 {
		t.Fatalf("%s: pixel (%d,%d) differs from the raster", what, i%want.Stride, i/want.Stride)
	}
}

func firstDiff(a, b []byte) int {
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	return -1
}

func tiffBytes(t testing.TB, r *Renderer, l *Layout, o TIFFOptions) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := r.TIFF(l, &b, o); err != nil {
		t.Fatalf("TIFF: %v", err)
	}
	return b.Bytes()
}

func TestTIFFMHDecodesToTheRaster(t *testing.T) {
	r := newRenderer(t, Options{})
	letterLayout, err := r.Letter(testLetter())
	if err != nil {
		t.Fatal(err)
	}
	docLayout, err := r.Document(petitionDoc(150))
	if err != nil {
		t.Fatal(err)
	}
	for name, l := range map[string]*Layout{"letter": letterLayout, "petition": docLayout} {
		t.Run(name, func(t *testing.T) {
			pages := readTIFF(t, tiffBytes(t, r, l, TIFFOptions{}))
			if len(pages) != l.Pages() {
				t.Fatalf("TIFF has %d pages, layout %d", len(pages), l.Pages())
			}
			for i, p := range pages {
				want, _ := r.Raster(l, i)
				if p.width != 1728 || p.height != want.Rect.Dy() {
					t.Errorf("page %d is %dx%d", i+1, p.width, p.height)
				}
				samePixels(t, "page "+string(rune('1'+i)), decodeStrip(t, p, ccitt.Group3), want)
			}
		})
	}
}

func TestTIFFFirstPageDecodesWithXImageTIFF(t *testing.T) {
	r := newRenderer(t, Options{})
	l, err := r.Letter(testLetter())
	if err != nil {
		t.Fatal(err)
	}
	img, err := tiff.Decode(bytes.NewReader(tiffBytes(t, r, l, TIFFOptions{})))
	if err != nil {
		t.Fatalf("tiff.Decode: %v", err)
	}
	want, _ := r.Raster(l, 0)
	g, ok := img.(*image.Gray)
	if !ok {
		t.Fatalf("decoded %T, want *image.Gray", img)
	}
	got := make([]byte, len(g.Pix))
	for i, v := range g.Pix {
		if v == 0 {
			got[i] = 1
		}
	}
	samePixels(t, "x/image/tiff", got, want)
}

func TestTIFFPassesLibtiff(t *testing.T) {
	tiffinfo := testtool.Need(t, "tiffinfo", "libtiff-tools")
	tiffcp := testtool.Need(t, "tiffcp", "libtiff-tools")
	r := newRenderer(t, Options{})
	l, err := r.Document(petitionDoc(150))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, tt := range []struct {
		name string
		opts TIFFOptions
		t4   string
	}{
		{"mh", TIFFOptions{}, "Group 3 Options: (0 = 0x0)"},
		{"mr", TIFFOptions{TwoD: true}, "Group 3 Options: 2-d encoding (1 = 0x1)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := filepath.Join(dir, tt.name+".tif")
			if err := os.WriteFile(in, tiffBytes(t, r, l, tt.opts), 0o600); err != nil {
				t.Fatal(err)
			}
			info := run(t, tiffinfo, in)
			for _, want := range []string{
				"Compression Scheme: CCITT Group 3",
				"Image Width: 1728 Image Length: 2292",
				"Resolution: 204, 196 pixels/inch",
				"Photometric Interpretation: min-is-white",
				tt.t4,
			} {
				if n := strings.Count(info, want); n != l.Pages() {
					t.Errorf("tiffinfo: %q on %d pages, want %d:\n%s", want, n, l.Pages(), info)
				}
			}
			// libtiff decodes every page and codes it again as Group 4,
			// which x/image/ccitt reads: the pixels must survive the trip.
			// A decoding problem makes tiffcp complain on stderr.
			out := filepath.Join(dir, tt.name+"-g4.tif")
			cmd := exec.Command(tiffcp, "-c", "g4", in, out)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Run(); err != nil || stderr.Len() > 0 {
				t.Fatalf("tiffcp: %v\n%s", err, stderr.String())
			}
			data, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			for i, p := range readTIFF(t, data) {
				want, _ := r.Raster(l, i)
				samePixels(t, "libtiff page "+string(rune('1'+i)), decodeStrip(t, p, ccitt.Group4), want)
			}
		})
	}
}

func TestMRIsSmallerThanMH(t *testing.T) {
	r := newRenderer(t, Options{})
	l, err := r.Letter(testLetter())
	if err != nil {
		t.Fatal(err)
	}
	mh, mr := len(tiffBytes(t, r, l, TIFFOptions{})), len(tiffBytes(t, r, l, TIFFOptions{TwoD: true}))
	if mr >= mh {
		t.Errorf("MR page %d bytes, MH %d: want MR smaller", mr, mh)
	}
}

func TestG3CodesEdgeRows(t *testing.T) {
	// Rows that start black, end black, are all black, or alternate every
	// pixel exercise the run and mode edge cases; both codings must decode
	// back to the same pixels.
	const w = 1728
	rows := [][]byte{make([]byte, w), make([]byte, w), make([]byte, w), make([]byte, w), make([]byte, w), make([]byte, w)}
	for x := range w {
		rows[1][x] = 1
		rows[2][x] = byte(x & 1)
		rows[3][x] = byte((x / 7) & 1)
		rows[4][x] = byte(((x + 3) / 5) & 1)
	}
	rows[5][0], rows[5][w-1] = 1, 1
	var pix []byte
	for i := range 24 {
		pix = append(pix, rows[(i*5)%len(rows)]...)
	}
	h := len(pix) / w
	enc := &g3Encoder{}
	mh := append([]byte(nil), enc.page(pix, w, w, h, false)...)
	got := decodeStrip(t, tiffPage{width: w, height: h, fillOrder: 1, strip: mh}, ccitt.Group3)
	if i := firstDiff(got, pix); i >= 0 {
		t.Fatalf("MH: pixel (%d,%d) differs", i%w, i/w)
	}

	// x/image/ccitt reads no 2-D Group 3: libtiff decodes our MR and
	// codes it as Group 4, which it reads.
	tiffcp := testtool.Need(t, "tiffcp", "libtiff-tools")
	img := image.NewPaletted(image.Rect(0, 0, w, h), faxPalette)
	var b bytes.Buffer
	if err := writeTIFF(&b, img, 1, TIFFOptions{TwoD: true}, func(int) { copy(img.Pix, pix) }); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	in, out := filepath.Join(dir, "mr.tif"), filepath.Join(dir, "g4.tif")
	if err := os.WriteFile(in, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	run(t, tiffcp, "-c", "g4", in, out)
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got = decodeStrip(t, readTIFF(t, data)[0], ccitt.Group4)
	if i := firstDiff(got, pix); i >= 0 {
		t.Fatalf("MR: pixel (%d,%d) differs", i%w, i/w)
	}
}
