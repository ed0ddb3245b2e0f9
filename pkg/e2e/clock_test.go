package e2e

import (
	"strings"
	"testing"
	"time"
)

// The e2e binary runs on the suite's clock: its letter is dated by
// FAXJAM_TEST_NOW, so CI's runs at 03:00 and at 15:00 UTC really are at
// those hours for faxjam.
func TestBinaryRunsOnTheTestClock(t *testing.T) {
	w := newWorkspace(t)
	w.env = append(w.env, "FAXJAM_TEST_NOW=2031-07-09T15:00:00Z")
	res := w.run(time.Minute, "letter", "--name", "Ana", "--city", "Lima", "--country", "Perú")
	if res.code != 0 || !strings.Contains(res.stdout, "9 de julio de 2031") {
		t.Fatalf("%v\nwant the letter dated 9 de julio de 2031 (FAXJAM_TEST_NOW); stdout:\n%s", res, res.stdout)
	}
	w.env = append(w.env, "FAXJAM_TEST_NOW=3am")
	if res := w.run(time.Minute, "version"); res.code != 2 || !strings.Contains(res.stderr, "FAXJAM_TEST_NOW") {
		t.Fatalf("%v\nwant exit 2 naming FAXJAM_TEST_NOW for a clock that is no time", res)
	}
}
