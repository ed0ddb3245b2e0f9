package render

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/testtool"
)

// TestCompareGhostscript puts our TIFF beside Ghostscript's rendering of our
// PDF: size, line time at 14.4 kbit/s and time to make. The size bound (no
// larger than gs) holds in every run; the speed is a measurement, so it is
// timed (median of 15) and held to 5x only when asked:
//
//	FAXJAM_COMPARE_GS=1 go test -run CompareGhostscript -v ./pkg/render/
func TestCompareGhostscript(t *testing.T) {
	measure := os.Getenv("FAXJAM_COMPARE_GS") != ""
	gs := testtool.Need(t, "gs", "ghostscript")
	r := newRenderer(t, Options{})
	lt := testLetter()
	l, err := r.Letter(lt)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	pdf := writePDF(t, r, l)

	runs := 1
	if measure {
		runs = 15
	}
	median := func(f func()) time.Duration {
		var ds []time.Duration
		for range runs {
			start := time.Now()
			f()
			ds = append(ds, time.Since(start))
		}
		slices.Sort(ds)
		return ds[runs/2]
	}
	for _, c := range []struct {
		name, device string
		opts         TIFFOptions
	}{
		{"MH (1-D)", "tiffg3", TIFFOptions{}},
		{"MR (2-D)", "tiffg32d", TIFFOptions{TwoD: true}},
	} {
		out := filepath.Join(dir, c.device+".tif")
		args := []string{"-q", "-dNOPAUSE", "-dBATCH", "-sDEVICE=" + c.device, "-r204x196", "-sOutputFile=" + out, pdf}
		gsTime := median(func() {
			if b, err := exec.Command(gs, args...).CombinedOutput(); err != nil {
				t.Fatalf("gs: %v\n%s", err, b)
			}
		})
		st, err := os.Stat(out)
		if err != nil {
			t.Fatal(err)
		}
		var ours []byte
		ourTime := median(func() {
			l, err := r.Letter(lt)
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			if err := r.TIFF(l, &b, c.opts); err != nil {
				t.Fatal(err)
			}
			ours = b.Bytes()
		})
		secs := func(n int64) float64 { return float64(n) * 8 / 14400 }
		t.Logf("%s: faxjam %d bytes (%.1f s at 14.4 kbit/s) in %v; gs %d bytes (%.1f s) in %v; %.0fx faster",
			c.name, len(ours), secs(int64(len(ours))), ourTime, st.Size(), secs(st.Size()), gsTime, float64(gsTime)/float64(ourTime))
		if int64(len(ours)) > st.Size() {
			t.Errorf("%s: our TIFF is %d bytes, Ghostscript's %d: want no larger", c.name, len(ours), st.Size())
		}
		if measure && ourTime*5 > gsTime {
			t.Errorf("%s: ours takes %v, Ghostscript %v: want at least 5x faster", c.name, ourTime, gsTime)
		}
	}
}
