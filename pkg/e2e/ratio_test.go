package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// The two comparisons issue 17 asks to watch, each measured side by side
// in one run, alternating, so load on the machine falls on both alike:
//
//	go test ./pkg/e2e -run '^$' -bench 'VersionVsBareCobra|LetterTIFFVsGhostscript' -benchtime 200x
//
// They report each side's median (ms) and the ratio (faxjam over the
// other for start-up, the other over faxjam for the TIFF: higher is better
// for faxjam there). The binaries are release builds, as `make build`.

// releaseBuild builds pkg (a package path) as `make build` does.
func releaseBuild(tb testing.TB, pkg string) string {
	tb.Helper()
	out := filepath.Join(tb.TempDir(), filepath.Base(pkg))
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", out, pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("go build %s: %v\n%s", pkg, err, b)
	}
	return out
}

// sideBySide runs a then b, b.N times each, alternating, and reports both
// medians in ms.
func sideBySide(b *testing.B, dir string, a, other []string) (ma, mb float64) {
	b.Helper()
	run := func(args []string) time.Duration {
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Dir = dir
		start := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%v: %v\n%s", args, err, out)
		}
		return time.Since(start)
	}
	var ta, tb []time.Duration
	for b.Loop() {
		ta = append(ta, run(a))
		tb = append(tb, run(other))
	}
	med := func(d []time.Duration) float64 {
		slices.Sort(d)
		return float64(d[len(d)/2].Microseconds()) / 1000
	}
	ma, mb = med(ta), med(tb)
	b.ReportMetric(ma, "faxjam-ms")
	b.ReportMetric(mb, "other-ms")
	return ma, mb
}

// BenchmarkVersionVsBareCobra: `faxjam version`, the whole process, against
// a binary of cobra, viper and lipgloss alone doing the same
// (testdata/barecobra): what faxjam's own packages add to a start.
func BenchmarkVersionVsBareCobra(b *testing.B) {
	fj := releaseBuild(b, "github.com/faxjam/faxjam/cmd/faxjam")
	bare := releaseBuild(b, "github.com/faxjam/faxjam/pkg/e2e/testdata/barecobra")
	dir := b.TempDir()
	ma, mb := sideBySide(b, dir, []string{fj, "version"}, []string{bare, "version"})
	b.ReportMetric(ma/mb, "x-bare")
}

// BenchmarkLetterTIFFVsGhostscript: `faxjam letter --format tiff`, the
// whole process (campaign, fonts, layout, G3 encoding), against
// Ghostscript's fax device on the PDF of the same letter, the tool a user
// would otherwise pick; it also fails if faxjam's file is the larger.
func BenchmarkLetterTIFFVsGhostscript(b *testing.B) {
	gs, err := exec.LookPath("gs")
	if err != nil {
		if os.Getenv("CI") == "true" {
			b.Fatal("gs (Ghostscript) is needed: apt-get install ghostscript")
		}
		b.Skip("gs (Ghostscript) not found: apt-get install ghostscript")
	}
	fj := releaseBuild(b, "github.com/faxjam/faxjam/cmd/faxjam")
	dir := b.TempDir()
	who := []string{"--name", "Ana Pérez", "--city", "Quetzaltenango", "--country", "Guatemala"}
	pdf := exec.Command(fj, append([]string{"letter", "--format", "pdf", "-o", "letter.pdf"}, who...)...)
	pdf.Dir = dir
	if out, err := pdf.CombinedOutput(); err != nil {
		b.Fatalf("faxjam letter --format pdf: %v\n%s", err, out)
	}
	ma, mb := sideBySide(b, dir,
		append([]string{fj, "letter", "--format", "tiff", "-o", "faxjam.tiff"}, who...),
		[]string{gs, "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=tiffg32d", "-r204x196", "-sPAPERSIZE=a4", "-sOutputFile=gs.tiff", "letter.pdf"})
	b.ReportMetric(mb/ma, "x-faster")
	fs, err1 := os.Stat(filepath.Join(dir, "faxjam.tiff"))
	gsz, err2 := os.Stat(filepath.Join(dir, "gs.tiff"))
	if err1 != nil || err2 != nil {
		b.Fatal(err1, err2)
	}
	b.ReportMetric(float64(fs.Size()), "faxjam-bytes")
	b.ReportMetric(float64(gsz.Size()), "gs-bytes")
	if fs.Size() > gsz.Size() {
		b.Errorf("faxjam's TIFF is %d bytes, Ghostscript's %d: want no larger", fs.Size(), gsz.Size())
	}
}
