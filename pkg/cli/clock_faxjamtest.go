//go:build faxjamtest

package cli

import "time"

// processClock is a test build's clock (-tags faxjamtest): FAXJAM_TEST_NOW
// when set.
func processClock(getenv func(string) string) (func() time.Time, error) {
	return clockFrom(getenv(testClockEnv), getenv(testOriginEnv))
}
