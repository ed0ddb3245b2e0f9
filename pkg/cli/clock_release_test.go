//go:build !faxjamtest

package cli

import (
	"testing"
	"time"
)

// A release build never reads FAXJAM_TEST_NOW: an inherited variable cannot
// tell a user a wrong hour.
func TestReleaseBuildIgnoresTheTestClock(t *testing.T) {
	now, err := processClock(func(string) string { return "2000-01-01T00:00:00Z" })
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(now()); d < 0 || d > time.Minute {
		t.Fatalf("release clock = %v, want the real time", now())
	}
}
