// Package leader elects one process among several that share a PostgreSQL
// database: the campaign hub's dispatcher, of which exactly one may run at
// a time so that the one-call-per-line limit holds across every hub
// process. It is PostgreSQL's own session-level advisory lock, nothing
// home-made: the lock is held by one database session, and PostgreSQL
// releases it when that session ends — the process exits or is killed
// (the kernel closes its socket), or its connection is lost.
//
// A leader holds one connection of its own for as long as it leads and
// checks it every Interval. When the check fails (the database restarted,
// the network went), Lost is closed: the leader must stop dispatching at
// once, because PostgreSQL may give the lock to another process as soon as
// it sees the session gone. A standby tries for the lock every Interval and,
// once it has it, waits Settle (four intervals: the old leader's next
// check, its timeout of two intervals, and a margin) before it leads, so the old leader has stopped
// starting calls by then. It takes over within about five intervals of the
// old session's end (two and a half seconds by default).
//
// AcquireFile is the same for processes on one machine that share a SQLite
// journal: the journal's file lock, under the same Lease.
//
// Usage, in a dispatcher loop:
//
//	for {
//		l, err := leader.Acquire(ctx, db, leader.Key("faxjam hub "+campaignID), 0)
//		// or leader.AcquireFile(ctx, journalPath, 0)
//		if err != nil {
//			return err // ctx ended
//		}
//		dctx, cancel := context.WithCancel(ctx)
//		go func() { <-l.Lost(); cancel() }()
//		engine.Serve(dctx, notify) // until ctx ends or leadership is lost
//		cancel()
//		l.Release()
//	}
//
// Elect wraps Acquire for a database URL and a name: what a hub process
// calls.
//
// It imports journal (for its file lock) and nothing else of faxjam's.
package leader

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"hash/fnv"
	"sync"
	"time"

	"github.com/faxjam/faxjam/pkg/journal"
)

// DefaultInterval is how often a standby tries for the lock and a leader
// checks its session.
const DefaultInterval = 500 * time.Millisecond

// Key is the advisory lock key for a name (e.g. "faxjam hub " + campaign
// id): 64 bits of FNV-1a, so that different campaigns on one database
// elect their leaders apart.
func Key(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return int64(h.Sum64())
}

// Lease is leadership held.
type Lease struct {
	conn     *sql.Conn     // PostgreSQL: the session that holds the lock
	file     *journal.Lock // SQLite: the journal's file lock (AcquireFile)
	key      int64
	lost     chan struct{}
	stop     chan struct{}
	done     chan struct{}
	once     sync.Once
	interval time.Duration
}

// Acquire blocks until this process holds the lock key on db (a pool of
// the "pgx" driver), trying every interval (0: DefaultInterval), or until
// ctx ends.
func Acquire(ctx context.Context, db *sql.DB, key int64, interval time.Duration) (*Lease, error) {
	if interval <= 0 {
		interval = DefaultInterval
	}
	for {
		l, err := try(ctx, db, key, interval)
		if l != nil || err != nil && ctx.Err() != nil {
			return l, err
		}
		// Not ours yet, or the database did not answer: try again.
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(interval):
		}
	}
}

func try(ctx context.Context, db *sql.DB, key int64, interval time.Duration) (*Lease, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("leader: %w", err)
	}
	var got bool
	if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1)", key).Scan(&got); err != nil || !got {
		conn.Close()
		if err != nil {
			return nil, fmt.Errorf("leader: %w", err)
		}
		return nil, nil
	}
	l := &Lease{conn: conn, key: key, lost: make(chan struct{}), stop: make(chan struct{}), done: make(chan struct{}), interval: interval}
	go l.watch()
	// The previous leader may not know yet that its session ended: it
	// finds out by its next check, and stops starting calls then. Until
	// then this one does not lead.
	select {
	case <-ctx.Done():
		l.Release()
		return nil, ctx.Err()
	case <-l.lost:
		l.Release()
		return nil, nil
	case <-time.After(Settle(interval)):
	}
	return l, nil
}

// Settle is how long Acquire holds a new lock before it returns: long
// enough for a previous leader whose session ended to have seen it (the
// wait for its next check, the check's timeout) and a margin.
func Settle(interval time.Duration) time.Duration {
	return interval + checkTimeout(interval) + interval
}

// checkTimeout bounds a leader's check of its session: generous, so that a
// loaded machine does not give up leadership for a slow answer.
func checkTimeout(interval time.Duration) time.Duration { return 2 * interval }

// Lost is closed when leadership may have passed to another process: the
// session that holds the lock failed its check.
func (l *Lease) Lost() <-chan struct{} { return l.lost }

// watch checks the session every interval.
func (l *Lease) watch() {
	defer close(l.done)
	t := time.NewTicker(l.interval)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), checkTimeout(l.interval))
		err := l.conn.PingContext(ctx)
		cancel()
		if err != nil {
			close(l.lost)
			l.conn.Raw(func(any) error { return driver.ErrBadConn }) // never back to the pool
			l.conn.Close()
			return
		}
	}
}

// Release gives the lock up (and closes its connection). It is safe to
// call more than once, and after Lost.
func (l *Lease) Release() {
	l.once.Do(func() {
		close(l.stop)
		<-l.done
		if l.file != nil {
			l.file.Release()
			close(l.lost)
			return
		}
		select {
		case <-l.lost:
			return // the connection is gone, and the lock with it
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		l.conn.ExecContext(ctx, "SELECT pg_advisory_unlock($1)", l.key)
		l.conn.Close()
	})
}
