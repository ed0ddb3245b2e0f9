//go:build !linux

package campaign

import "time"

// threadCPU is not known here: executions are bounded by wall time.
func threadCPU() (time.Duration, bool) { return 0, false }
