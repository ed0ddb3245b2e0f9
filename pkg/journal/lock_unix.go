//go:build unix

package journal

import (
	"errors"
	"os"

	sys "golang.org/x/sys/unix"
)

func tryLock(f *os.File) error {
	for {
		err := sys.Flock(int(f.Fd()), sys.LOCK_EX|sys.LOCK_NB)
		switch {
		case errors.Is(err, sys.EINTR):
			continue
		case errors.Is(err, sys.EWOULDBLOCK):
			return errLocked
		}
		return err
	}
}

func unlock(f *os.File) error { return sys.Flock(int(f.Fd()), sys.LOCK_UN) }
