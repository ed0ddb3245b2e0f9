package leader

import (
	"context"
	"database/sql"

	_ "github.com/jackc/pgx/v5/stdlib" // the database/sql driver "pgx"
)

// Election is where the processes sharing a PostgreSQL database elect one
// of them for a name (the campaign hub's dispatcher: "faxjam hub " +
// campaign id). A process calls Lead before it dispatches.
type Election struct {
	db  *sql.DB
	key int64
}

// Elect opens the election for name on the database at dsn (a postgres://
// URL). No connection is made until Lead.
func Elect(dsn, name string) (*Election, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, err
	}
	return &Election{db: db, key: Key(name)}, nil
}

// Lead blocks until this process leads (Acquire, at DefaultInterval) or
// ctx ends. lost is closed when it stops leading; release gives the
// leadership up.
func (e *Election) Lead(ctx context.Context) (lost <-chan struct{}, release func(), err error) {
	l, err := Acquire(ctx, e.db, e.key, 0)
	if err != nil {
		return nil, nil, err
	}
	return l.Lost(), l.Release, nil
}

// Close closes the election's connections.
func (e *Election) Close() error { return e.db.Close() }
