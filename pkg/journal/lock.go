package journal

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// LockedError says another process holds a journal's lock.
type LockedError struct {
	Path string // the journal
	PID  int    // the holder, as it wrote itself into the lock file; 0 if unknown
}

func (e *LockedError) Error() string {
	who := "another faxjam process"
	if e.PID > 0 {
		who = "faxjam pid " + strconv.Itoa(e.PID)
	}
	return fmt.Sprintf("journal %s is in use by %s", e.Path, who)
}

// errLocked is what the platform's tryLock returns when the lock is held.
var errLocked = errors.New("locked")

// Lock is an advisory, exclusive claim on a journal by the one process
// that dispatches from it. SQLite keeps the file consistent under two
// writers, but two dispatchers would each think they own the queue and
// each poll, retry and reconcile the other's faxes.
//
// It is a file beside the journal (PATH.lock) holding the owner's pid, locked
// with flock(2) (LockFileEx on Windows): the kernel drops the lock when its
// process dies however it dies, so a stale lock file from a crashed run is
// taken over without anyone deleting it.
type Lock struct {
	f *os.File
}

// LockPath is the lock file of the journal at path.
func LockPath(path string) string { return path + ".lock" }

// Acquire claims the journal at path for this process, without waiting.
// If another process holds it, the error is a *LockedError naming its pid.
// Readers (status, exports) need no lock.
func Acquire(path string) (*Lock, error) {
	lp := LockPath(path)
	f, err := os.OpenFile(lp, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("journal: lock: %w", err)
	}
	if err := tryLock(f); err != nil {
		f.Close()
		if errors.Is(err, errLocked) {
			return nil, &LockedError{Path: path, PID: readPID(lp)}
		}
		return nil, fmt.Errorf("journal: lock %s: %w", lp, err)
	}
	// Ours now: say who holds it, for the next one to be told.
	if err := f.Truncate(0); err == nil {
		_, err = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
		if err != nil {
			unlock(f)
			f.Close()
			return nil, fmt.Errorf("journal: lock %s: %w", lp, err)
		}
	}
	return &Lock{f: f}, nil
}

// Release gives the journal up. The file stays: removing it would race
// with a process that has just opened it to lock it.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := unlock(l.f)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	return err
}

func readPID(lockPath string) int {
	b, err := os.ReadFile(lockPath)
	if err != nil {
		return 0
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || n <= 0 {
		return 0
	}
	return n
}
