// Package store keeps the signatures faxjam's petition server collects, in
// SQLite (the default: one file, created 0600) or PostgreSQL (a postgres://
// DSN), with one schema and one SQL implementation for both. Uniqueness is
// the database's job: one signature per (campaign, key), per (campaign,
// person) and per (campaign, email), so that a retried or repeated signature
// is found, never stored twice, even under concurrent writers.
//
// Durability: an Add returns only after the row is committed durably (SQLite
// in WAL mode with synchronous=FULL, which syncs the WAL on every commit;
// PostgreSQL with its default synchronous_commit=on), so a server that
// answered 201 and was then killed has the signature. SQLite has one writer
// and an fsync per commit, so concurrent Adds are group-committed: the
// writer takes every Add waiting and commits them in one transaction.
//
// It imports nothing of faxjam's but sqlbind; the server decides who is the
// same person.
package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/faxjam/faxjam/pkg/sqlbind"
	"github.com/faxjam/faxjam/pkg/sqlitecheck"

	// database/sql drivers, registered by their own init.
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"
)

// Signature is one stored signature.
type Signature struct {
	ID       string    `json:"id"`
	Campaign string    `json:"campaign"`
	Name     string    `json:"name"`
	City     string    `json:"city"`
	Country  string    `json:"country"`
	Email    string    `json:"email,omitempty"`
	Note     string    `json:"note,omitempty"`
	Key      string    `json:"key"`
	Created  time.Time `json:"created"`
	// Person identifies the signer within the campaign independently of the
	// key (e.g. a hash of the normalized name, city and country).
	Person string `json:"-"`
	// EmailKey is the normalized email, "" when there is none.
	EmailKey string `json:"-"`
}

// Store keeps signatures.
type Store interface {
	// Add stores s (its ID and Created are set by the store) unless the
	// campaign already has a signature with the same Key, Person or
	// EmailKey; then it returns that one (preferring the same key) and
	// duplicate true.
	Add(ctx context.Context, s Signature) (stored Signature, duplicate bool, err error)
	// Count returns the number of signatures of a campaign.
	Count(ctx context.Context, campaign string) (int, error)
	// Each calls fn for every signature of a campaign in the order they
	// were stored, stopping at fn's first error.
	Each(ctx context.Context, campaign string, fn func(Signature) error) error
	// Ping checks that the database answers.
	Ping(ctx context.Context) error
	Close() error
}

// Open opens the store a DSN names: postgres:// or postgresql:// for
// PostgreSQL, anything else a SQLite file path (sqlite:// prefix allowed).
func Open(ctx context.Context, dsn string) (Store, error) {
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return OpenPostgres(ctx, dsn)
	default:
		return OpenSQLite(ctx, strings.TrimPrefix(dsn, "sqlite://"))
	}
}

// dialect holds the little that differs between the two databases.
type dialect struct {
	name   string
	serial string // the auto-increment primary key column type
	dollar bool   // $1 placeholders instead of ?
}

// db implements Store for both databases. Writes go through w; reads
// through r (the same pool for PostgreSQL; for SQLite a separate pool, so
// that a long export does not hold up the single writer connection).
type db struct {
	d     dialect
	w, r  *sql.DB
	batch *batcher // SQLite only: group commit
}

const schema = `
CREATE TABLE IF NOT EXISTS signatures (
	seq       %s,
	id        TEXT NOT NULL UNIQUE,
	campaign  TEXT NOT NULL,
	sig_key   TEXT NOT NULL,
	person    TEXT NOT NULL,
	email_key TEXT NOT NULL,
	name      TEXT NOT NULL,
	city      TEXT NOT NULL,
	country   TEXT NOT NULL,
	email     TEXT NOT NULL,
	note      TEXT NOT NULL,
	created   TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS signatures_campaign_key ON signatures (campaign, sig_key);
CREATE UNIQUE INDEX IF NOT EXISTS signatures_campaign_person ON signatures (campaign, person);
CREATE UNIQUE INDEX IF NOT EXISTS signatures_campaign_email ON signatures (campaign, email_key) WHERE email_key <> '';
CREATE INDEX IF NOT EXISTS signatures_campaign_seq ON signatures (campaign, seq);
`

// OpenSQLite opens (creating it 0600 if missing) the SQLite database at path.
func OpenSQLite(ctx context.Context, path string) (Store, error) {
	if path == "" {
		return nil, errors.New("store: SQLite path is empty")
	}
	// A store that is not what it was (truncated to 0 bytes, a damaged
	// first page, failing quick_check, or a database that is not a petition
	// store) is refused as the journal refuses one: taking it for a new
	// store would lose every signature it held.
	_, statErr := os.Stat(path)
	existed := statErr == nil
	if err := sqlitecheck.File(path); err != nil {
		return nil, refused(path, err)
	}
	// SQLite creates the -wal and -shm files with the database file's mode,
	// so creating the file 0600 first keeps all three private.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	f.Close()
	dsn := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=secure_delete(1)&_txlock=immediate"
	w, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	// One writer: SQLite serializes writers anyway, and a single connection
	// turns lock contention into a queue instead of SQLITE_BUSY retries.
	w.SetMaxOpenConns(1)
	r, err := sql.Open("sqlite", dsn)
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	r.SetMaxOpenConns(4)
	s := &db{d: dialect{name: "sqlite", serial: "INTEGER PRIMARY KEY AUTOINCREMENT"}, w: w, r: r}
	if err := sqlitecheck.Quick(ctx, w); err != nil {
		s.Close()
		return nil, refused(path, err)
	}
	if existed {
		if err := s.isStore(ctx); err != nil {
			s.Close()
			return nil, refused(path, err)
		}
	}
	if err := s.init(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("store: %s: %w", path, err)
	}
	s.batch = newBatcher(s)
	return s, nil
}

// isStore checks that an existing SQLite file is a petition store: it has
// the signatures table (a store from before the marker) or the marker.
func (s *db) isStore(ctx context.Context) error {
	var n int
	err := s.r.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'signatures'").Scan(&n)
	if err != nil {
		return err
	}
	if n == 0 {
		return &sqlitecheck.Problem{Why: "is an SQLite database but no petition store (it holds no signatures table)"}
	}
	return nil
}

// RefusedError says a petition store file is not what it was and was not
// opened.
type RefusedError struct {
	Path string
	Why  string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("petition store %s %s; faxjam will not start afresh over it, since every signature it held would be lost: restore it from a backup (faxjam hub restore), or, if it never held any, move it away", e.Path, e.Why)
}

func refused(path string, err error) error {
	var p *sqlitecheck.Problem
	if errors.As(err, &p) {
		return &RefusedError{Path: path, Why: p.Why}
	}
	return fmt.Errorf("store: %s: %w", path, err)
}

// OpenPostgres opens the PostgreSQL database at dsn and creates the schema
// if missing.
func OpenPostgres(ctx context.Context, dsn string) (Store, error) {
	p, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open postgres: %w", err)
	}
	p.SetMaxOpenConns(16)
	p.SetMaxIdleConns(16)
	s := &db{d: dialect{name: "postgres", serial: "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", dollar: true}, w: p, r: p}
	if err := s.init(ctx); err != nil {
		p.Close()
		// pgx errors may quote the DSN's host but never its password.
		return nil, fmt.Errorf("store: postgres: %w", err)
	}
	return s, nil
}

func (s *db) init(ctx context.Context) error {
	if err := s.w.PingContext(ctx); err != nil {
		return err
	}
	// One transaction, and on PostgreSQL under an advisory lock: hubs
	// starting together on a new database would otherwise race in CREATE
	// TABLE IF NOT EXISTS ("duplicate key ... pg_type_typname_nsp_index").
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if s.d.dollar {
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", schemaLock); err != nil {
			return fmt.Errorf("create schema: %w", err)
		}
	}
	for _, stmt := range strings.Split(fmt.Sprintf(schema, s.d.serial), ";") {
		if strings.TrimSpace(stmt) == "" {
			continue
		}
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("create schema: %w", err)
		}
	}
	return tx.Commit()
}

// schemaLock is the PostgreSQL advisory lock the store's schema is made
// under ("faxsig").
const schemaLock = 0x666178736967

// q rewrites ? placeholders for the dialect.
func (s *db) q(query string) string {
	if !s.d.dollar {
		return query
	}
	return sqlbind.Dollar(query)
}

const columns = "id, campaign, sig_key, person, email_key, name, city, country, email, note, created"

func (s *db) Add(ctx context.Context, sig Signature) (Signature, bool, error) {
	if sig.Campaign == "" || sig.Key == "" || sig.Person == "" {
		return Signature{}, false, fmt.Errorf("store: add: campaign, key and person are required")
	}
	if s.batch != nil {
		return s.batch.add(ctx, sig)
	}
	return s.addOne(ctx, s.w, sig)
}

// execer is a *sql.DB or a *sql.Tx.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// addOne inserts sig unless it conflicts, and finds the signature it
// conflicts with.
func (s *db) addOne(ctx context.Context, x execer, sig Signature) (Signature, bool, error) {
	// A fresh random id colliding is next to impossible; try twice anyway so
	// that it cannot pass for a duplicate.
	for attempt := 0; attempt < 2; attempt++ {
		sig.ID = rand.Text()
		sig.Created = time.Now().UTC().Truncate(time.Microsecond)
		res, err := x.ExecContext(ctx, s.q(`INSERT INTO signatures (`+columns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`),
			sig.ID, sig.Campaign, sig.Key, sig.Person, sig.EmailKey, sig.Name, sig.City, sig.Country, sig.Email, sig.Note, sig.Created.Format(time.RFC3339Nano))
		if err != nil {
			return Signature{}, false, fmt.Errorf("store: add to %s: %w", sig.Campaign, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return Signature{}, false, fmt.Errorf("store: add to %s: %w", sig.Campaign, err)
		} else if n == 1 {
			return sig, false, nil
		}
		// The row that conflicted is there, unless Forget deleted it
		// meanwhile: then the insert is tried again.
		row := x.QueryRowContext(ctx, s.q(`SELECT `+columns+` FROM signatures
			WHERE campaign = ? AND (sig_key = ? OR person = ? OR (email_key <> '' AND email_key = ?))
			ORDER BY CASE WHEN sig_key = ? THEN 0 ELSE 1 END, seq LIMIT 1`),
			sig.Campaign, sig.Key, sig.Person, sig.EmailKey, sig.Key)
		old, err := scan(row)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return Signature{}, false, fmt.Errorf("store: find duplicate in %s: %w", sig.Campaign, err)
		}
		return old, true, nil
	}
	return Signature{}, false, fmt.Errorf("store: add to %s: conflict with no matching signature", sig.Campaign)
}

type scanner interface{ Scan(...any) error }

func scan(r scanner) (Signature, error) {
	var s Signature
	var created string
	if err := r.Scan(&s.ID, &s.Campaign, &s.Key, &s.Person, &s.EmailKey, &s.Name, &s.City, &s.Country, &s.Email, &s.Note, &created); err != nil {
		return Signature{}, err
	}
	t, err := time.Parse(time.RFC3339Nano, created)
	if err != nil {
		return Signature{}, fmt.Errorf("signature %s: created %q: %w", s.ID, created, err)
	}
	s.Created = t
	return s, nil
}

func (s *db) Count(ctx context.Context, campaign string) (int, error) {
	var n int
	if err := s.r.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM signatures WHERE campaign = ?`), campaign).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count %s: %w", campaign, err)
	}
	return n, nil
}

func (s *db) Each(ctx context.Context, campaign string, fn func(Signature) error) error {
	rows, err := s.r.QueryContext(ctx, s.q(`SELECT `+columns+` FROM signatures WHERE campaign = ? ORDER BY seq`), campaign)
	if err != nil {
		return fmt.Errorf("store: list %s: %w", campaign, err)
	}
	defer rows.Close()
	for rows.Next() {
		sig, err := scan(rows)
		if err != nil {
			return fmt.Errorf("store: list %s: %w", campaign, err)
		}
		if err := fn(sig); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: list %s: %w", campaign, err)
	}
	return nil
}

func (s *db) Ping(ctx context.Context) error {
	return s.r.PingContext(ctx)
}

func (s *db) Close() error {
	if s.batch != nil {
		s.batch.close()
	}
	err := s.w.Close()
	if s.r != s.w {
		if e := s.r.Close(); err == nil {
			err = e
		}
	}
	return err
}
