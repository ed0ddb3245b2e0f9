package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/faxjam/faxjam/pkg/atomicfile"
)

// writeFileAtomic writes data to path whole or not at all (atomicfile):
// a reader never sees half a PDF, and a crash leaves the old file.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	return atomicfile.Write(path, data, perm)
}

// checkOutput checks, before any work, that path (the value of flag) can be
// written: its folder exists and it is not itself a folder. "" and "-" are
// stdout. A typo in -o is a usage error, found before a letter is rendered
// or a receipt read, and leaves no file behind.
func checkOutput(flag, path string) error {
	if path == "" || path == "-" {
		return nil
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return usagef("%s %s is a folder; give a file name in it", flag, path)
	}
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return usagef("%s %s: folder %s does not exist; create it or choose another path", flag, path, dir)
	case err != nil:
		return &UsageError{Err: fmt.Errorf("%s %s: %w", flag, path, err)}
	case !fi.IsDir():
		return usagef("%s %s: %s is not a folder", flag, path, dir)
	}
	return nil
}

// checkDurations refuses a negative --wait and a --poll that is not
// positive: a wait of -1s would return at once, a poll of 0 would ask the
// vendor in a busy loop.
// checkGatewayTimeout checks --gateway-timeout (0: the engine's default).
func checkGatewayTimeout(d time.Duration) error {
	if d < 0 {
		return usagef("--gateway-timeout %s: want a positive duration like 10m", d)
	}
	return nil
}

func checkDurations(wait, poll time.Duration) error {
	if wait < 0 {
		return usagef("--wait %s: want 0 (until every fax is done) or a positive duration like 10m", wait)
	}
	if poll <= 0 {
		return usagef("--poll %s: want a positive duration like 5s", poll)
	}
	return nil
}
