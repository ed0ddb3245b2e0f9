package backup

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
)

// A copy taken while another connection keeps writing is a whole,
// consistent database: every row a committed transaction wrote before the
// copy's instant, in pairs that are never split.
func TestCopyWhileWritingIsConsistent(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "live.db")
	db, err := sql.Open("sqlite", "file:"+src+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec("CREATE TABLE pairs (n INTEGER, half INTEGER)"); err != nil {
		t.Fatal(err)
	}
	var stop atomic.Bool
	var wg sync.WaitGroup
	wg.Go(func() {
		for n := 0; !stop.Load(); n++ {
			tx, err := db.Begin()
			if err != nil {
				t.Error(err)
				return
			}
			tx.Exec("INSERT INTO pairs VALUES (?, 0)", n)
			tx.Exec("INSERT INTO pairs VALUES (?, 1)", n)
			if err := tx.Commit(); err != nil {
				t.Error(err)
				return
			}
		}
	})
	ctx := context.Background()
	for i := range 5 {
		dst := filepath.Join(dir, "copy.db")
		if err := Copy(ctx, src, dst, i > 0); err != nil {
			t.Fatal(err)
		}
		c, err := sql.Open("sqlite", "file:"+dst)
		if err != nil {
			t.Fatal(err)
		}
		var rows, odd int
		if err := c.QueryRow("SELECT count(*), count(*) % 2 FROM pairs").Scan(&rows, &odd); err != nil {
			t.Fatal(err)
		}
		c.Close()
		if odd != 0 {
			t.Errorf("copy %d has %d rows: a transaction split in two", i, rows)
		}
		if fi, err := os.Stat(dst); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("copy mode %v (%v), want 0600", fi.Mode(), err)
		}
	}
	stop.Store(true)
	wg.Wait()
	leftovers, _ := filepath.Glob(filepath.Join(dir, ".copy.db.tmp-*"))
	if len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
}

func TestCopyRefusesToReplaceUnlessAskedAndNamesAMissingSource(t *testing.T) {
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "a.db"), filepath.Join(dir, "b.db")
	db, _ := sql.Open("sqlite", "file:"+src)
	db.Exec("CREATE TABLE t (x)")
	db.Close()
	os.WriteFile(dst, []byte("keep me"), 0o600)
	if err := Copy(context.Background(), src, dst, false); !errors.Is(err, ErrExists) {
		t.Fatalf("err = %v, want ErrExists", err)
	}
	if b, _ := os.ReadFile(dst); string(b) != "keep me" {
		t.Error("a refused copy touched the target")
	}
	if err := Copy(context.Background(), filepath.Join(dir, "nope.db"), filepath.Join(dir, "c.db"), false); err == nil {
		t.Error("a missing source copied")
	}
	// Not a database: refused, and no target made.
	bad := filepath.Join(dir, "bad.db")
	os.WriteFile(bad, []byte("not sqlite at all, just text that is long enough to be a header...."), 0o600)
	if err := Copy(context.Background(), bad, filepath.Join(dir, "d.db"), false); err == nil {
		t.Error("a file that is not a database copied")
	}
	if _, err := os.Stat(filepath.Join(dir, "d.db")); err == nil {
		t.Error("a failed copy left its target")
	}
}
