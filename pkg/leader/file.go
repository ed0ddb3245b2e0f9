package leader

import (
	"context"
	"errors"
	"time"

	"github.com/faxjam/faxjam/pkg/journal"
)

// AcquireFile is Acquire for processes on one machine sharing a SQLite
// journal: leadership is the journal's file lock (journal.Acquire, flock),
// which the kernel drops when its holder dies however it dies. It blocks,
// trying every interval (0: DefaultInterval), until this process holds it
// or ctx ends. No Settle is needed: the lock cannot be lost while its
// holder lives, so the Lease's Lost closes only on Release.
func AcquireFile(ctx context.Context, journalPath string, interval time.Duration) (*Lease, error) {
	if interval <= 0 {
		interval = DefaultInterval
	}
	for {
		fl, err := journal.Acquire(journalPath)
		var le *journal.LockedError
		switch {
		case err == nil:
			l := &Lease{file: fl, lost: make(chan struct{}), stop: make(chan struct{}), done: make(chan struct{}), interval: interval}
			close(l.done) // nothing to watch
			return l, nil
		case !errors.As(err, &le):
			return nil, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(interval):
		}
	}
}
