package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Forgetter is implemented by the stores Open returns: deleting a person's
// signatures (forget), blanking e-mails and notes by age (retention), and
// rewriting the files so that neither stays readable in them.
type Forgetter interface {
	// Forget deletes the campaign's signatures whose key is one of keys or
	// whose e-mail is email (compared as Add does: lower case). It
	// returns how many it deleted.
	Forget(ctx context.Context, campaign string, keys []string, email string) (int, error)
	// Scrub blanks the e-mail and the note of the campaign's signatures
	// stored before t; the name, city and country stay on the petition.
	Scrub(ctx context.Context, campaign string, before time.Time) (int, error)
	// Compact makes deleted values unreadable from the database's files
	// (SQLite: checkpoint, VACUUM, truncate the log; PostgreSQL: VACUUM,
	// which frees the dead rows for reuse but leaves overwriting them to
	// PostgreSQL).
	Compact(ctx context.Context) error
}

var _ Forgetter = (*db)(nil)

func (s *db) Forget(ctx context.Context, campaign string, keys []string, email string) (int, error) {
	conds := []string{}
	args := []any{campaign}
	if len(keys) > 0 {
		conds = append(conds, "sig_key IN (?"+strings.Repeat(", ?", len(keys)-1)+")")
		for _, k := range keys {
			args = append(args, k)
		}
	}
	if email = strings.ToLower(strings.TrimSpace(email)); email != "" {
		conds = append(conds, "email_key = ?")
		args = append(args, email)
	}
	if len(conds) == 0 {
		return 0, nil
	}
	res, err := s.w.ExecContext(ctx, s.q(`DELETE FROM signatures WHERE campaign = ? AND (`+strings.Join(conds, " OR ")+`)`), args...)
	if err != nil {
		return 0, fmt.Errorf("store: forget in %s: %w", campaign, err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

func (s *db) Scrub(ctx context.Context, campaign string, before time.Time) (int, error) {
	rows, err := s.r.QueryContext(ctx, s.q(`SELECT id, created FROM signatures WHERE campaign = ? AND (email <> '' OR note <> '' OR email_key <> '')`), campaign)
	if err != nil {
		return 0, fmt.Errorf("store: scrub %s: %w", campaign, err)
	}
	var ids []string
	for rows.Next() {
		var id, created string
		if err := rows.Scan(&id, &created); err != nil {
			rows.Close()
			return 0, fmt.Errorf("store: scrub %s: %w", campaign, err)
		}
		if t, err := time.Parse(time.RFC3339Nano, created); err == nil && t.Before(before) {
			ids = append(ids, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("store: scrub %s: %w", campaign, err)
	}
	for _, id := range ids {
		if _, err := s.w.ExecContext(ctx, s.q(`UPDATE signatures SET email = '', note = '', email_key = '' WHERE id = ?`), id); err != nil {
			return 0, fmt.Errorf("store: scrub %s: %w", campaign, err)
		}
	}
	return len(ids), nil
}

func (s *db) Compact(ctx context.Context) error {
	if s.d.name != "sqlite" {
		_, err := s.w.ExecContext(ctx, `VACUUM signatures`)
		return err
	}
	for _, q := range []string{"PRAGMA wal_checkpoint(TRUNCATE)", "VACUUM", "PRAGMA wal_checkpoint(TRUNCATE)"} {
		if _, err := s.w.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("store: compact: %s: %w", q, err)
		}
	}
	return nil
}
