package journal

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Retention and forgetting. A journal keeps what the campaign needs to
// never fax twice and to account for every fax: the signer's key (a one-way
// hash), the state, the numbers tried, the document's SHA-256 and the
// counts. The personal data besides (the e-mail and the note; on forget the
// name, city and country too) can go:
//
//   - Scrub blanks the e-mail and the note of every submission final since
//     before a time (retention: "28 days after it was faxed").
//   - Forget blanks all of one person's personal data, and cancels what of
//     it is still queued.
//
// A forgotten submission keeps its row (with an empty name) so that the
// same person in a later list is recognized by key and not faxed again.
//
// Blanking a value in SQLite leaves the old bytes in free space, in the
// write-ahead log and in free pages. The writer runs with secure_delete
// (freed space is zeroed), and Compact checkpoints the log, truncates it
// and VACUUMs, so afterwards no file of the journal holds the old values.

// Person names whose personal data Forget deletes: by e-mail, by name and
// city, or everyone of a campaign. Comparisons ignore case and surrounding
// spaces.
type Person struct {
	Email    string
	Name     string
	City     string
	Campaign string // alone: everyone of the campaign; with the others: only in it
	// Submission, when set, names the one submission (a hub's action).
	Submission int64
}

// Normalize trims p's fields. A field given as blanks alone is an error
// naming it: " " must never read as "no e-mail", which matches everyone
// who gave none.
func (p Person) Normalize() (Person, error) {
	for _, f := range []struct {
		name string
		v    *string
	}{{"e-mail", &p.Email}, {"name", &p.Name}, {"city", &p.City}, {"campaign", &p.Campaign}} {
		t := strings.TrimSpace(*f.v)
		if t == "" && *f.v != "" {
			return p, fmt.Errorf("journal: forget: the %s given is blank", f.name)
		}
		*f.v = t
	}
	if p.empty() {
		return p, errors.New("journal: forget whom? give an e-mail, a name and city, or a campaign")
	}
	return p, nil
}

func (p Person) empty() bool {
	return p.Email == "" && p.Name == "" && p.City == "" && p.Campaign == "" && p.Submission == 0
}

// ForgottenReason is the reason of a queued submission that Forget
// cancelled (its state becomes Failed).
const ForgottenReason = "forgotten"

// Scrubbed is what Scrub and Forget did.
type Scrubbed struct {
	Submissions int `json:"submissions"`
	// VendorIDs are the gateway job ids of the attempts of those
	// submissions, by driver, so that the caller can scrub the documents a
	// local gateway (the outbox) kept.
	VendorIDs map[string][]string `json:"-"`
	// Keys are the signer keys of those submissions, to find what else
	// was made of them (a petition signature).
	Keys []string `json:"-"`
}

// Scrub blanks the e-mail and the note of every submission that reached a
// final state before t. The caller should Compact afterwards when it
// scrubbed any.
func (j *Journal) Scrub(ctx context.Context, before time.Time) (Scrubbed, error) {
	var out Scrubbed
	err := j.write(ctx, func(tx *txn) error {
		ids, err := selectIDs(tx, `state NOT IN (?, ?) AND updated < ? AND (email != '' OR note != '')`,
			string(Queued), string(Sending), unix(before))
		if err != nil {
			return err
		}
		out, err = scrubIDs(tx, ids, `UPDATE submissions SET email = '', note = '' WHERE id = ?`)
		return err
	})
	if err != nil {
		return Scrubbed{}, fmt.Errorf("journal %s: scrub: %w", j.path, err)
	}
	return out, nil
}

// ErrInFlight says Forget found a submission with a fax in flight: its
// outcome must be known (`status`) before its data can go.
var ErrInFlight = errors.New("a fax of this person is in flight; run `faxjam status --follow` until it is done, then forget again")

// Forget deletes the personal data of the submissions p names: name, city,
// country, e-mail and note, and the name and city in their ledger entries
// (whose hashes stay, so the ledger still verifies). Queued ones are cancelled (Failed, reason
// "forgotten"). Nothing is changed if one of them is sending (ErrInFlight).
// The caller should Compact afterwards.
func (j *Journal) Forget(ctx context.Context, p Person) (Scrubbed, error) {
	p, err := p.Normalize()
	if err != nil {
		return Scrubbed{}, err
	}
	var out Scrubbed
	err = j.write(ctx, func(tx *txn) error {
		ids, err := matching(tx, p)
		if err != nil {
			return err
		}
		out, err = scrubIDs(tx, ids, `UPDATE submissions SET name = '', city = '', country = '', email = '', note = '',
				state = CASE state WHEN 'queued' THEN 'failed' ELSE state END,
				reason = CASE state WHEN 'queued' THEN 'forgotten' ELSE reason END,
				message = CASE state WHEN 'queued' THEN 'forgotten at the signer''s request' ELSE message END
			WHERE id = ?`)
		if err != nil {
			return err
		}
		if err := blankLedger(tx, ids); err != nil {
			return err
		}
		return entomb(tx, j.secret, ids) // person.go
	})
	if err != nil {
		if errors.Is(err, ErrInFlight) {
			return Scrubbed{}, err
		}
		return Scrubbed{}, fmt.Errorf("journal %s: forget: %w", j.path, err)
	}
	return out, nil
}

// Matching counts the submissions Forget(p) would forget, for a question
// before it (ErrInFlight when one of them has a fax in flight).
func (j *Journal) Matching(ctx context.Context, p Person) (int, error) {
	p, err := p.Normalize()
	if err != nil {
		return 0, err
	}
	var n int
	err = j.write(ctx, func(tx *txn) error {
		ids, err := matching(tx, p)
		n = len(ids)
		return err
	})
	return n, err
}

// matching finds the submissions of p, comparing as people write names:
// Unicode case and surrounding spaces ignored. A match with a fax in
// flight is ErrInFlight.
func matching(tx *txn, p Person) ([]int64, error) {
	q := `SELECT id, name, city, email, state FROM submissions WHERE (name != '' OR email != '' OR note != '' OR city != '' OR country != '')`
	var args []any
	if p.Campaign != "" {
		q += ` AND campaign = ?`
		args = append(args, p.Campaign)
	}
	if p.Submission != 0 {
		q += ` AND id = ?`
		args = append(args, p.Submission)
	}
	rows, err := tx.Query(q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	// A value given matches only the same value: an e-mail given never
	// matches a submission that has none.
	same := func(want, got string) bool {
		got = strings.TrimSpace(got)
		return want == "" || got != "" && strings.EqualFold(want, got)
	}
	var ids []int64
	inFlight := false
	for rows.Next() {
		var id int64
		var name, city, email, state string
		if err := rows.Scan(&id, &name, &city, &email, &state); err != nil {
			return nil, err
		}
		if same(p.Email, email) && same(p.Name, name) && same(p.City, city) {
			ids = append(ids, id)
			inFlight = inFlight || State(state) == Sending
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if inFlight {
		return nil, ErrInFlight
	}
	return ids, nil
}

func selectIDs(tx *txn, where string, args ...any) ([]int64, error) {
	rows, err := tx.Query(`SELECT id FROM submissions WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// scrubIDs runs update (whose "id = ?" is applied to every one of ids) and
// gathers the signer keys and the vendor ids of their attempts.
func scrubIDs(tx *txn, ids []int64, update string) (Scrubbed, error) {
	out := Scrubbed{VendorIDs: map[string][]string{}}
	// In chunks of ids, one statement each: 100,000 submissions scrub in
	// about a second instead of several (BenchmarkRetain100k).
	const chunk = 500
	for len(ids) > 0 {
		n := min(chunk, len(ids))
		args := make([]any, n)
		for i, id := range ids[:n] {
			args[i] = id
		}
		ids = ids[n:]
		in := "(?" + strings.Repeat(", ?", n-1) + ")"
		if err := eachRow(tx, `SELECT key, '' FROM submissions WHERE id IN `+in, args, func(key, _ string) {
			out.Keys = append(out.Keys, key)
		}); err != nil {
			return out, err
		}
		if err := eachRow(tx, `SELECT driver, vendor_id FROM attempts WHERE vendor_id != '' AND submission IN `+in, args, func(d, v string) {
			out.VendorIDs[d] = append(out.VendorIDs[d], v)
		}); err != nil {
			return out, err
		}
		if _, err := tx.Exec(strings.Replace(update, "id = ?", "id IN "+in, 1), args...); err != nil {
			return out, err
		}
		out.Submissions += n
	}
	return out, nil
}

// eachRow calls fn with the two text columns of every row of q.
func eachRow(tx *txn, q string, args []any, fn func(a, b string)) error {
	rows, err := tx.Query(q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var a, b string
		if err := rows.Scan(&a, &b); err != nil {
			return err
		}
		fn(a, b)
	}
	return rows.Err()
}

// Compact makes deleted values unrecoverable from the journal's files: it
// checkpoints the write-ahead log into the database, VACUUMs (rewriting
// every page, so no free page or free space keeps an old value), and
// truncates the log to zero bytes. It fails if another connection holds a
// read transaction that keeps the log alive.
//
// On PostgreSQL it runs VACUUM on the journal's tables, which frees the
// dead rows' space for reuse; only VACUUM FULL (which locks the tables, and
// is left to the database's administrator) rewrites the files.
func (j *Journal) Compact(ctx context.Context) error {
	if j.pg {
		if _, err := j.wdb.ExecContext(ctx, "VACUUM submissions, attempts, petitions, actions, ledger"); err != nil {
			return fmt.Errorf("journal %s: compact: %w", j.path, err)
		}
		return nil
	}
	conn, err := j.wdb.Conn(ctx)
	if err != nil {
		return fmt.Errorf("journal %s: compact: %w", j.path, err)
	}
	defer conn.Close()
	for _, q := range []string{"PRAGMA wal_checkpoint(TRUNCATE)", "VACUUM", "PRAGMA wal_checkpoint(TRUNCATE)"} {
		if q == "VACUUM" {
			if _, err := conn.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("journal %s: compact: %s: %w", j.path, q, err)
			}
			continue
		}
		var busy, logFrames, done int
		if err := conn.QueryRowContext(ctx, q).Scan(&busy, &logFrames, &done); err != nil {
			return fmt.Errorf("journal %s: compact: %s: %w", j.path, q, err)
		}
		if busy != 0 {
			return fmt.Errorf("journal %s: compact: another process is reading the journal; the deleted data is gone from the tables but may stay in its log until that process ends: run the same command again then", j.path)
		}
	}
	return nil
}
