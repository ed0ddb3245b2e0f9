//go:build !unix && !windows

package journal

import "os"

// Platforms without file locks (js, wasip1, plan9) run one faxjam at a
// time by their nature; the lock is a no-op there.
func tryLock(*os.File) error { return nil }

func unlock(*os.File) error { return nil }
