//go:build !faxjamtest

package cli

import "time"

// processClock is a release build's clock: the real one, always.
func processClock(func(string) string) (func() time.Time, error) { return time.Now, nil }
