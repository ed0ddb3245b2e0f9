// Package backup makes an online, consistent copy of one of faxjam's
// SQLite databases (the journal, the petition store) while a process is
// writing it, as `faxjam hub backup` and `hub restore` do.
//
// The copy is SQLite's VACUUM INTO: one read transaction, so the copy is
// the database as of one instant (compacted), and writers are not blocked
// (the journal runs in WAL mode). It is written under a temporary name
// beside the target, checked with integrity_check, synced and renamed into
// place: a file at the target is always a whole, sound database, never a
// half-written one. PostgreSQL has pg_dump for the same.
//
// It imports nothing of faxjam's.
package backup

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"

	_ "modernc.org/sqlite" // the driver the journal and the store use
)

// ErrExists is returned when the target exists and Copy may not replace it.
var ErrExists = errors.New("exists")

// Copy writes a consistent copy of the SQLite database src to dst. An
// existing dst is an error wrapping ErrExists unless replace is set; it is
// then replaced whole, in one rename.
func Copy(ctx context.Context, src, dst string, replace bool) error {
	if _, err := os.Stat(src); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if _, err := os.Stat(dst); err == nil && !replace {
		return fmt.Errorf("backup: %s %w", dst, ErrExists)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("backup: %w", err)
	}
	dir := filepath.Dir(dst)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(dst)+".tmp-*")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	tmp := f.Name()
	f.Close()
	os.Remove(tmp) // VACUUM INTO wants a file that is not there
	defer os.Remove(tmp)
	if err := vacuumInto(ctx, src, tmp); err != nil {
		return fmt.Errorf("backup: copy %s: %w", src, err)
	}
	if err := check(ctx, tmp); err != nil {
		return fmt.Errorf("backup: the copy of %s: %w", src, err)
	}
	if err := os.Chmod(tmp, 0o600); err != nil { // it holds personal data
		return fmt.Errorf("backup: %w", err)
	}
	if err := syncFile(tmp); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := os.Rename(tmp, dst); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return syncFile(dir)
}

func open(path string) (*sql.DB, error) {
	return sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?_pragma=busy_timeout(10000)")
}

func vacuumInto(ctx context.Context, src, dst string) error {
	db, err := open(src)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, "VACUUM INTO ?", dst)
	return err
}

// check runs SQLite's integrity_check on the database at path.
func check(ctx context.Context, path string) error {
	db, err := open(path)
	if err != nil {
		return err
	}
	defer db.Close()
	var res string
	if err := db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&res); err != nil {
		return err
	}
	if res != "ok" {
		return fmt.Errorf("integrity_check: %s", res)
	}
	return nil
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}
