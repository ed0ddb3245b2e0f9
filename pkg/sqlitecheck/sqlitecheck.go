// Package sqlitecheck refuses a SQLite file that is not what it was, before
// anything reads it as faxjam's: a directory, an empty (truncated) file, a
// file whose first page is not SQLite's, or one whose pages fail
// quick_check (zeroed, torn). The journal and the petition store both
// open through it: a damaged file taken for a new one would lose every
// record it held (the journal: fax every signer again; the store: lose
// every signature). It imports nothing of faxjam's.
package sqlitecheck

import (
	"context"
	"database/sql"
	"io"
	"os"
	"strings"
)

// Header opens every SQLite database file.
const Header = "SQLite format 3\x00"

// Problem says why a file was refused.
type Problem struct{ Why string }

func (p *Problem) Error() string { return p.Why }

// File checks an existing file at path: not a directory, not empty, with
// SQLite's header. A missing file is no problem (it will be made).
func File(path string) error {
	fi, err := os.Stat(path)
	switch {
	case os.IsNotExist(err):
		return nil
	case err != nil:
		return err
	case fi.IsDir():
		return &Problem{Why: "is a directory"}
	case fi.Size() == 0:
		return &Problem{Why: "is empty (0 bytes): it was truncated, or something other than faxjam made it"}
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	b := make([]byte, len(Header))
	if _, err := io.ReadFull(f, b); err != nil || string(b) != Header {
		return &Problem{Why: "does not begin as an SQLite database (its first page is damaged, or it is another kind of file)"}
	}
	return nil
}

// Quick runs SQLite's quick_check on db: a page zeroed or torn is found
// here, before anything is read from it.
func Quick(ctx context.Context, db *sql.DB) error {
	rows, err := db.QueryContext(ctx, "PRAGMA quick_check(5)")
	if err != nil {
		return &Problem{Why: "cannot be read as a database: " + err.Error()}
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return &Problem{Why: "cannot be checked: " + err.Error()}
		}
		if s != "ok" {
			problems = append(problems, s)
		}
	}
	if err := rows.Err(); err != nil {
		return &Problem{Why: "is damaged: " + err.Error()}
	}
	if len(problems) > 0 {
		return &Problem{Why: "is damaged: " + strings.Join(problems, "; ")}
	}
	return nil
}
