package sqlitecheck

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"

	_ "modernc.org/sqlite"
)

func TestFileRefusesWhatIsNotADatabase(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(content), 0o600)
		return p
	}
	for name, path := range map[string]string{
		"empty":     write("empty.db", ""),
		"text":      write("text.db", "not a database, just a line of text that is long"),
		"directory": dir,
	} {
		var p *Problem
		if err := File(path); !errors.As(err, &p) {
			t.Errorf("%s: %v, want a Problem", name, err)
		}
	}
	if err := File(filepath.Join(dir, "missing.db")); err != nil {
		t.Errorf("a missing file: %v, want none (it will be made)", err)
	}
	good := filepath.Join(dir, "good.db")
	db, err := sql.Open("sqlite", "file:"+good)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("CREATE TABLE t (x)"); err != nil {
		t.Fatal(err)
	}
	if err := File(good); err != nil {
		t.Errorf("a good database: %v", err)
	}
	if err := Quick(context.Background(), db); err != nil {
		t.Errorf("quick_check of a good database: %v", err)
	}
}
