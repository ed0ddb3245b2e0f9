package journal

import (
	"context"
	"database/sql"
	"fmt"
)

// migrations[i] takes the schema from version i to i+1 (PRAGMA user_version).
// Append only: a released migration is never edited.
var migrations = [...]func(ctx context.Context, tx *sql.Tx) error{
	migrateV1,
	migrateV2,
	migrateV3,
}

// SchemaVersion is the schema version this package writes.
const SchemaVersion = len(migrations)

func migrateV1(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `
CREATE TABLE submissions (
	id         INTEGER PRIMARY KEY,
	campaign   TEXT    NOT NULL,
	key        TEXT    NOT NULL,
	seq        INTEGER NOT NULL,
	name       TEXT    NOT NULL,
	city       TEXT    NOT NULL,
	country    TEXT    NOT NULL,
	email      TEXT    NOT NULL DEFAULT '',
	note       TEXT    NOT NULL DEFAULT '',
	lang       TEXT    NOT NULL DEFAULT '',
	state      TEXT    NOT NULL,
	number     TEXT    NOT NULL DEFAULT '',
	attempts   INTEGER NOT NULL DEFAULT 0,
	doc_sha256 TEXT    NOT NULL DEFAULT '',
	pages      INTEGER NOT NULL DEFAULT 0,
	reason     TEXT    NOT NULL DEFAULT '',
	message    TEXT    NOT NULL DEFAULT '',
	created    INTEGER NOT NULL,
	updated    INTEGER NOT NULL,
	UNIQUE (campaign, key)
);
CREATE INDEX submissions_queue ON submissions (campaign, state, seq);
CREATE TABLE attempts (
	id         INTEGER PRIMARY KEY,
	submission INTEGER NOT NULL REFERENCES submissions (id),
	n          INTEGER NOT NULL,
	key        TEXT    NOT NULL,
	number     TEXT    NOT NULL,
	driver     TEXT    NOT NULL,
	vendor_id  TEXT    NOT NULL DEFAULT '',
	state      TEXT    NOT NULL,
	reason     TEXT    NOT NULL DEFAULT '',
	code       TEXT    NOT NULL DEFAULT '',
	message    TEXT    NOT NULL DEFAULT '',
	started    INTEGER NOT NULL,
	finished   INTEGER NOT NULL DEFAULT 0,
	UNIQUE (submission, n)
);
CREATE INDEX attempts_open ON attempts (finished) WHERE finished = 0;
CREATE INDEX attempts_number ON attempts (number, started);
CREATE TABLE numbers (
	campaign             TEXT    NOT NULL,
	number               TEXT    NOT NULL,
	down_until           INTEGER NOT NULL DEFAULT 0,
	consecutive_failures INTEGER NOT NULL DEFAULT 0,
	last_result          TEXT    NOT NULL DEFAULT '',
	last_at              INTEGER NOT NULL DEFAULT 0,
	delivered            INTEGER NOT NULL DEFAULT 0,
	attempts             INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (campaign, number)
);
CREATE TABLE petitions (
	submission INTEGER PRIMARY KEY REFERENCES submissions (id),
	campaign   TEXT    NOT NULL,
	key        TEXT    NOT NULL,
	endpoint_id TEXT   NOT NULL DEFAULT '',
	duplicate  INTEGER NOT NULL DEFAULT 0,
	signed     INTEGER NOT NULL
);`)
	return err
}

// migrateV2 records with each submission the rehearsal number it was queued
// for, so a queued rehearsal fax is never dialled to the target's real lines
// by a later run without --redirect (nor real work to a rehearsal number).
// Submissions of older journals were queued without one.
func migrateV2(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `ALTER TABLE submissions ADD COLUMN redirect TEXT NOT NULL DEFAULT ''`)
	return err
}

// migrateV3 adds the campaign hub's records: an action (what a person asked
// the hub for, with the client's idempotency key, hashed) for each
// submission the hub accepted, and named settings (the hub's receipt secret,
// a campaign's pause).
func migrateV3(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `
CREATE TABLE actions (
	id         TEXT    PRIMARY KEY,
	campaign   TEXT    NOT NULL,
	key_hash   TEXT    NOT NULL,
	submission INTEGER NOT NULL UNIQUE REFERENCES submissions (id),
	created    INTEGER NOT NULL,
	UNIQUE (campaign, key_hash)
);
CREATE TABLE settings (
	name  TEXT PRIMARY KEY,
	value TEXT NOT NULL
);`)
	return err
}

// migrate brings the file's schema to SchemaVersion, one version per
// transaction, and refuses a file written by a newer faxjam.
func (j *Journal) migrate(ctx context.Context) error {
	conn, err := j.wdb.Conn(ctx)
	if err != nil {
		return fmt.Errorf("journal %s: %w", j.path, err)
	}
	defer conn.Close()
	var v int
	if err := conn.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return fmt.Errorf("journal %s: read schema version: %w", j.path, err)
	}
	if v > SchemaVersion {
		return fmt.Errorf("journal %s: schema version %d is newer than this faxjam knows (%d): upgrade faxjam", j.path, v, SchemaVersion)
	}
	for ; v < SchemaVersion; v++ {
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("journal %s: migrate to v%d: %w", j.path, v+1, err)
		}
		if err := migrations[v](ctx, tx); err != nil {
			tx.Rollback()
			return fmt.Errorf("journal %s: migrate to v%d: %w", j.path, v+1, err)
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", v+1)); err != nil {
			tx.Rollback()
			return fmt.Errorf("journal %s: migrate to v%d: %w", j.path, v+1, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("journal %s: migrate to v%d: %w", j.path, v+1, err)
		}
	}
	return nil
}
