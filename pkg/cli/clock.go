package cli

import (
	"fmt"
	"strconv"
	"time"
)

// testClockEnv names the variable that sets faxjam's clock in a test build:
// an RFC 3339 time at which the clock starts, running on from there. Only
// test builds read it: the `go test` binary of this package (its TestMain)
// and a binary built with -tags faxjamtest (the e2e suite's), so the suite
// can be run at 03:00 and at 15:00 UTC whatever the hour outside. A
// release build never reads it: nobody can be told a wrong hour by an
// inherited variable.
const testClockEnv = "FAXJAM_TEST_NOW"

// testOriginEnv anchors the test clock across processes: the real instant
// (Unix nanoseconds) at which it read FAXJAM_TEST_NOW, set by the test
// harness, so that the processes of one test share one clock that only
// moves forward (a journal's times must not run backwards from one run to
// the next). Without it a process anchors at its own start.
const testOriginEnv = "FAXJAM_TEST_ORIGIN"

// clockFrom is the clock a test build runs on: time.Now when v is empty,
// else a clock that read v at origin (Unix nanoseconds; "" is now) and
// advances with the real one (timeouts, polls and backoffs still pass).
func clockFrom(v, origin string) (func() time.Time, error) {
	if v == "" {
		return time.Now, nil
	}
	start, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return nil, fmt.Errorf("%s=%q: not an RFC 3339 time such as 2026-01-15T03:00:00Z", testClockEnv, v)
	}
	o := time.Now()
	if origin != "" {
		n, err := strconv.ParseInt(origin, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s=%q: not Unix nanoseconds", testOriginEnv, origin)
		}
		o = time.Unix(0, n)
	}
	return func() time.Time { return start.Add(time.Since(o)) }, nil
}
