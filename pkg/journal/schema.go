package journal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// migrations[i] takes the schema from version i to i+1 (PRAGMA user_version).
// Append only: a released migration is never edited.
var migrations = [...]func(ctx context.Context, tx *txn) error{
	migrateV1,
	migrateV2,
	migrateV3,
	migrateV4,
	migrateV5, // person.go
	migrateV6,
	migrateV7,
}

// SchemaVersion is the schema version this package writes.
const SchemaVersion = len(migrations)

func migrateV1(ctx context.Context, tx *txn) error {
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
func migrateV2(ctx context.Context, tx *txn) error {
	_, err := tx.ExecContext(ctx, `ALTER TABLE submissions ADD COLUMN redirect TEXT NOT NULL DEFAULT ''`)
	return err
}

// migrateV3 adds the campaign hub's records: an action (what a person asked
// the hub for, with the client's idempotency key, hashed) for each
// submission the hub accepted, and named settings (the hub's receipt secret,
// a campaign's pause), and an index on the queue order, so that the next
// seq (max + 1) of an action accepted alone costs a lookup, not a scan.
func migrateV3(ctx context.Context, tx *txn) error {
	_, err := tx.ExecContext(ctx, `
CREATE TABLE actions (
	id         TEXT    PRIMARY KEY,
	campaign   TEXT    NOT NULL,
	key_hash   TEXT    NOT NULL,
	submission INTEGER NOT NULL UNIQUE REFERENCES submissions (id),
	created    INTEGER NOT NULL,
	UNIQUE (campaign, key_hash)
);
CREATE INDEX submissions_seq ON submissions (seq);
CREATE TABLE settings (
	name  TEXT PRIMARY KEY,
	value TEXT NOT NULL
);`)
	return err
}

// migrateV4 adds the journal's marker — meta (what the file is, when and
// how it was made) and campaigns (the campaigns it serves), so that a file
// that is not what it was refuses to start — and attempts.tried, when the
// latest request of an attempt began. An older journal serves the
// campaigns it holds.
func migrateV4(ctx context.Context, tx *txn) error {
	_, err := tx.ExecContext(ctx, `
CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
CREATE TABLE campaigns (
	campaign TEXT    PRIMARY KEY,
	added    INTEGER NOT NULL
);
INSERT INTO campaigns (campaign, added) SELECT campaign, min(created) FROM submissions GROUP BY campaign;
ALTER TABLE attempts ADD COLUMN tried INTEGER NOT NULL DEFAULT 0;`)
	return err
}

// migrateV6 adds the delivery ledger (pkg/ledger): an entry per final
// outcome, chained by hash, per campaign; submission is the entry's
// signer's, so that forget can blank the entry's name and city. And the
// seals of the chain's head.
func migrateV6(ctx context.Context, tx *txn) error {
	_, err := tx.ExecContext(ctx, `
CREATE TABLE ledger (
	campaign     TEXT    NOT NULL,
	seq          INTEGER NOT NULL,
	submission   INTEGER NOT NULL,
	time         INTEGER NOT NULL,
	outcome      TEXT    NOT NULL,
	reason       TEXT    NOT NULL DEFAULT '',
	number_label TEXT    NOT NULL DEFAULT '',
	number       TEXT    NOT NULL DEFAULT '',
	pages        INTEGER NOT NULL DEFAULT 0,
	doc_sha256   TEXT    NOT NULL DEFAULT '',
	driver       TEXT    NOT NULL DEFAULT '',
	job_id       TEXT    NOT NULL DEFAULT '',
	csid         TEXT    NOT NULL DEFAULT '',
	pages_sent   INTEGER NOT NULL DEFAULT 0,
	transmit_ms  INTEGER NOT NULL DEFAULT 0,
	signature_id TEXT    NOT NULL DEFAULT '',
	name         TEXT    NOT NULL DEFAULT '',
	city         TEXT    NOT NULL DEFAULT '',
	salt         TEXT    NOT NULL DEFAULT '',
	person_hash  TEXT    NOT NULL DEFAULT '',
	prev         TEXT    NOT NULL,
	hash         TEXT    NOT NULL,
	PRIMARY KEY (campaign, seq)
);
CREATE INDEX ledger_submission ON ledger (submission);
CREATE TABLE ledger_seals (
	id        INTEGER PRIMARY KEY,
	campaign  TEXT    NOT NULL,
	seq       INTEGER NOT NULL,
	head      TEXT    NOT NULL,
	time      INTEGER NOT NULL,
	key       TEXT    NOT NULL,
	signature TEXT    NOT NULL
);
CREATE INDEX ledger_seals_campaign ON ledger_seals (campaign, id);`)
	return err
}

// migrateV7 records a number held down until the organizer looks
// (numbers.held: the failure's reason, e.g. invalid-number), apart from the
// circuit breaker's timed cool-down.
func migrateV7(ctx context.Context, tx *txn) error {
	_, err := tx.ExecContext(ctx, `ALTER TABLE numbers ADD COLUMN held TEXT NOT NULL DEFAULT ''`)
	return err
}

// migrate brings the file's schema to SchemaVersion, one version per
// transaction, and refuses a file written by a newer faxjam. A file at
// version 0 is only migrated when fresh (created by Open for it): an
// existing file without a schema is not a journal. The marker (meta) is
// written with the migration to v4: origin "created" for a fresh file,
// "migrated" for a journal of an older faxjam.
func (j *Journal) migrate(ctx context.Context, fresh bool) error {
	conn, err := j.wdb.Conn(ctx)
	if err != nil {
		return fmt.Errorf("journal %s: %w", j.path, err)
	}
	defer conn.Close()
	if j.pg { // one process migrates at a time; the others wait and find it done
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", migrateLock); err != nil {
			return fmt.Errorf("journal %s: %w", j.path, err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrateLock)
	}
	v, fresh, err := j.version(ctx, conn, fresh)
	if err != nil {
		return err
	}
	if v > SchemaVersion {
		return fmt.Errorf("journal %s: schema version %d is newer than this faxjam knows (%d): upgrade faxjam", j.path, v, SchemaVersion)
	}
	if v == 0 && !fresh {
		return &RefusedError{Path: j.path, Why: "is an SQLite database without a journal schema (schema version 0)"}
	}
	if v >= markerVersion {
		if err := j.checkMarker(ctx, conn); err != nil {
			return err
		}
	}
	origin := originMigrated
	if fresh {
		origin = originCreated
	}
	for ; v < SchemaVersion; v++ {
		stx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("journal %s: migrate to v%d: %w", j.path, v+1, err)
		}
		tx := &txn{Tx: stx, pg: j.pg}
		if err := migrations[v](ctx, tx); err != nil {
			tx.Rollback()
			return fmt.Errorf("journal %s: migrate to v%d: %w", j.path, v+1, err)
		}
		if v+1 == markerVersion {
			if err := writeMarker(ctx, tx, origin); err != nil {
				tx.Rollback()
				return fmt.Errorf("journal %s: migrate to v%d: %w", j.path, v+1, err)
			}
		}
		if err := j.setVersion(ctx, tx, v+1); err != nil {
			tx.Rollback()
			return fmt.Errorf("journal %s: migrate to v%d: %w", j.path, v+1, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("journal %s: migrate to v%d: %w", j.path, v+1, err)
		}
	}
	return nil
}

// markerVersion is the schema version that brought the marker (meta).
const markerVersion = 4

// The marker's values.
const (
	markerFormat   = "faxjam-journal" // meta format: what the file is
	originCreated  = "created"        // meta origin: made new by Open
	originMigrated = "migrated"       // meta origin: a journal of a faxjam before the marker
)

// writeMarker writes the meta rows: the format, when and how the file came
// to be, and, for a file made new, check_keys (see CheckKeys).
func writeMarker(ctx context.Context, tx *txn, origin string) error {
	rows := [][2]string{{"format", markerFormat}, {"origin", origin}, {"created", strconv.FormatInt(time.Now().UnixNano(), 10)}}
	if origin == originCreated {
		rows = append(rows, [2]string{"check_keys", "1"})
	}
	for _, r := range rows {
		if _, err := tx.ExecContext(ctx, "INSERT INTO meta (key, value) VALUES (?, ?)", r[0], r[1]); err != nil {
			return err
		}
	}
	return nil
}

// checkMarker refuses a journal at markerVersion or later whose marker is
// missing: its tables were dropped or emptied by something that is not
// faxjam, and what else is missing cannot be known.
func (j *Journal) checkMarker(ctx context.Context, conn *sql.Conn) error {
	var format string
	err := conn.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'format'").Scan(&format)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return &RefusedError{Path: j.path, Why: "has lost its marker (no format in its meta table)"}
	case err != nil:
		return &RefusedError{Path: j.path, Why: "has lost its marker (" + err.Error() + ")"}
	case format != markerFormat:
		return &RefusedError{Path: j.path, Why: fmt.Sprintf("is marked %q, not a faxjam journal", format)}
	}
	return nil
}

// migrateLock is the advisory lock key PostgreSQL journals migrate under.
const migrateLock = 0x6661786a616d // "faxjam"

// version reads the schema version: SQLite's user_version, or on
// PostgreSQL the journal_schema table, which an empty database lacks (it
// is then fresh, as a file Open created) and a database with journal
// tables but no version must not (it is refused).
func (j *Journal) version(ctx context.Context, conn *sql.Conn, fresh bool) (int, bool, error) {
	var v int
	if !j.pg {
		if err := conn.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
			return 0, false, fmt.Errorf("journal %s: read schema version: %w", j.path, err)
		}
		return v, fresh, nil
	}
	var schema, subs sql.NullString
	if err := conn.QueryRowContext(ctx, "SELECT to_regclass('journal_schema')::text, to_regclass('submissions')::text").Scan(&schema, &subs); err != nil {
		return 0, false, fmt.Errorf("journal %s: read schema version: %w", j.path, err)
	}
	switch {
	case !schema.Valid && !subs.Valid:
		j.fresh = true
		return 0, true, nil
	case !schema.Valid:
		return 0, false, &RefusedError{Path: j.path, Why: "has journal tables without a journal schema version (table journal_schema)"}
	}
	if err := conn.QueryRowContext(ctx, "SELECT version FROM journal_schema").Scan(&v); err != nil {
		return 0, false, &RefusedError{Path: j.path, Why: "has lost its schema version: " + err.Error()}
	}
	return v, false, nil
}

// setVersion records schema version v in tx.
func (j *Journal) setVersion(ctx context.Context, tx *txn, v int) error {
	if !j.pg {
		_, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", v))
		return err
	}
	if v == 1 {
		if _, err := tx.ExecContext(ctx, "CREATE TABLE journal_schema (version INTEGER NOT NULL)"); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO journal_schema (version) VALUES (1)")
		return err
	}
	_, err := tx.ExecContext(ctx, "UPDATE journal_schema SET version = ?", v)
	return err
}
