package testtool

import (
	"os/exec"
	"runtime"
	"testing"
)

func TestNeedFindsAProgramInPath(t *testing.T) {
	want, err := exec.LookPath("sh")
	if err != nil {
		t.Fatalf("no sh on this machine: %v", err)
	}
	if got := Need(t, "sh", "dash"); got != want {
		t.Errorf("Need(sh) = %q, want %q", got, want)
	}
}

func TestNeedFallsBackToAlternativePaths(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Fatalf("no sh on this machine: %v", err)
	}
	if got := Need(t, "no-such-program-faxjam", "none", "/no/such/path", sh); got != sh {
		t.Errorf("Need = %q, want the alternative %q", got, sh)
	}
}

func TestMissingSkipsLocallyAndFailsOnCI(t *testing.T) {
	for _, ci := range []string{"", "true"} {
		t.Run("CI="+ci, func(t *testing.T) {
			t.Setenv("CI", ci)
			rec := &recorder{TB: t}
			done := make(chan struct{})
			go func() { // Skip and Fatal end the goroutine that calls them
				defer close(done)
				Missing(rec, "qpdf is not installed: apt-get install qpdf")
			}()
			<-done
			if ci == "true" && (!rec.failed || rec.skipped) {
				t.Errorf("on CI a missing tool must fail the test (failed %v, skipped %v)", rec.failed, rec.skipped)
			}
			if ci == "" && (!rec.skipped || rec.failed) {
				t.Errorf("locally a missing tool must skip the test (failed %v, skipped %v)", rec.failed, rec.skipped)
			}
		})
	}
}

// recorder notes Fatal and Skip instead of ending the real test.
type recorder struct {
	testing.TB
	failed, skipped bool
}

func (r *recorder) Helper()           {}
func (r *recorder) Fatal(args ...any) { r.failed = true; runtime.Goexit() }
func (r *recorder) Skip(args ...any)  { r.skipped = true; runtime.Goexit() }
