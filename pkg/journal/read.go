package journal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"strings"
	"time"
)

const selectSubmission = `SELECT id, campaign, key, seq, name, city, country, email, note, lang, redirect,
	state, number, attempts, doc_sha256, pages, reason, message, created, updated FROM submissions`

type scanner interface{ Scan(dest ...any) error }

func scanSubmission(r scanner) (Submission, error) {
	var s Submission
	var state string
	var created, updated int64
	err := r.Scan(&s.ID, &s.Campaign, &s.Key, &s.Seq, &s.Name, &s.City, &s.Country, &s.Email, &s.Note, &s.Lang, &s.Redirect,
		&state, &s.Number, &s.Attempts, &s.DocSHA256, &s.Pages, &s.Reason, &s.Message, &created, &updated)
	s.State, s.Created, s.Updated = State(state), fromUnix(created), fromUnix(updated)
	return s, err
}

// Filter selects submissions. Zero fields select everything.
type Filter struct {
	Campaign string
	States   []State // any of these
	AfterSeq int64   // only Seq > AfterSeq (queue order)
	Limit    int     // at most this many; 0 = all
}

// pageSize bounds the rows read per query while iterating, so an iteration
// over a million submissions neither holds them all nor holds one read
// transaction open for its whole length.
const pageSize = 512

// Submissions yields the submissions f selects in queue order (Seq).
func (j *Journal) Submissions(ctx context.Context, f Filter) iter.Seq2[Submission, error] {
	return func(yield func(Submission, error) bool) {
		after, left := f.AfterSeq, f.Limit
		for {
			n := pageSize
			if f.Limit > 0 {
				if left == 0 {
					return
				}
				n = min(n, left)
			}
			page, err := j.page(ctx, f, after, n)
			if err != nil {
				yield(Submission{}, err)
				return
			}
			for _, s := range page {
				if !yield(s, nil) {
					return
				}
				after = s.Seq
			}
			left -= len(page)
			if len(page) < n {
				return
			}
		}
	}
}

// Queued returns up to limit queued submissions of campaign after seq, in
// queue order: the dispatcher's feed.
func (j *Journal) Queued(ctx context.Context, campaign string, afterSeq int64, limit int) ([]Submission, error) {
	return j.page(ctx, Filter{Campaign: campaign, States: []State{Queued}}, afterSeq, limit)
}

func (j *Journal) page(ctx context.Context, f Filter, after int64, n int) ([]Submission, error) {
	var where []string
	var args []any
	if f.Campaign != "" {
		where, args = append(where, "campaign = ?"), append(args, f.Campaign)
	}
	if len(f.States) > 0 {
		where = append(where, "state IN (?"+strings.Repeat(", ?", len(f.States)-1)+")")
		for _, s := range f.States {
			args = append(args, string(s))
		}
	}
	where, args = append(where, "seq > ?"), append(args, after)
	q := selectSubmission + " WHERE " + strings.Join(where, " AND ") + " ORDER BY seq LIMIT ?"
	args = append(args, n)
	rows, err := j.rdb.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("journal: submissions: %w", err)
	}
	defer rows.Close()
	var out []Submission
	for rows.Next() {
		s, err := scanSubmission(rows)
		if err != nil {
			return nil, fmt.Errorf("journal: submissions: %w", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("journal: submissions: %w", err)
	}
	return out, nil
}

// Submission finds one submission of campaign by ref: its numeric id, or its
// key or a unique prefix of it (at least 6 characters). A ref that names no
// submission is an error wrapping ErrNotFound; a key prefix that is too short
// or matches several is one wrapping ErrAmbiguous. Any other error is the
// database's.
func (j *Journal) Submission(ctx context.Context, campaign, ref string) (Submission, error) {
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		s, err := scanSubmission(j.rdb.QueryRowContext(ctx, selectSubmission+" WHERE campaign = ? AND id = ?", campaign, id))
		switch {
		case err == nil:
			return s, nil
		case !errors.Is(err, sql.ErrNoRows):
			return Submission{}, fmt.Errorf("journal: submission %s of %s: %w", ref, campaign, err)
		case len(ref) < minKeyPrefix:
			// Too short to be a key prefix: it was meant as an id.
			return Submission{}, fmt.Errorf("journal: no submission %s in %s: %w", ref, campaign, ErrNotFound)
		}
		// Keys are hex: six digits may begin one.
	}
	if len(ref) < minKeyPrefix {
		return Submission{}, fmt.Errorf("journal: submission %q of %s: give its id or at least %d characters of its key: %w", ref, campaign, minKeyPrefix, ErrAmbiguous)
	}
	rows, err := j.rdb.QueryContext(ctx, selectSubmission+" WHERE campaign = ? AND key >= ? AND key < ? AND substr(key, 1, ?) = ? ORDER BY key LIMIT 2",
		campaign, ref, afterPrefix(ref), len(ref), ref)
	if err != nil {
		return Submission{}, fmt.Errorf("journal: submission %q of %s: %w", ref, campaign, err)
	}
	defer rows.Close()
	var found []Submission
	for rows.Next() {
		s, err := scanSubmission(rows)
		if err != nil {
			return Submission{}, fmt.Errorf("journal: submission %q of %s: %w", ref, campaign, err)
		}
		found = append(found, s)
	}
	if err := rows.Err(); err != nil {
		return Submission{}, fmt.Errorf("journal: submission %q of %s: %w", ref, campaign, err)
	}
	switch len(found) {
	case 0:
		// A whole key of a forgotten person: their tombstone (person.go).
		s, err := scanSubmission(j.rdb.QueryRowContext(ctx, selectSubmission+" WHERE campaign = ? AND key = ?", campaign, tombstone(j.secret, campaign, ref)))
		if err == nil {
			return s, nil
		}
		return Submission{}, fmt.Errorf("journal: no submission %s in %s: %w", ref, campaign, ErrNotFound)
	case 1:
		return found[0], nil
	}
	return Submission{}, fmt.Errorf("journal: submission %q of %s: more than one key starts so; give more of it: %w", ref, campaign, ErrAmbiguous)
}

// minKeyPrefix is the shortest key prefix Submission takes: shorter ones
// match too many signers to be meant.
const minKeyPrefix = 6

// Counts returns how many submissions of campaign are in each state (states
// with none are absent).
func (j *Journal) Counts(ctx context.Context, campaign string) (map[State]int, error) {
	rows, err := j.rdb.QueryContext(ctx, "SELECT state, count(*) FROM submissions WHERE campaign = ? GROUP BY state", campaign)
	if err != nil {
		return nil, fmt.Errorf("journal: counts of %s: %w", campaign, err)
	}
	defer rows.Close()
	out := map[State]int{}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, fmt.Errorf("journal: counts of %s: %w", campaign, err)
		}
		out[State(s)] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("journal: counts of %s: %w", campaign, err)
	}
	return out, nil
}

// Numbers returns the health of campaign's numbers the journal has seen.
func (j *Journal) Numbers(ctx context.Context, campaign string) ([]NumberHealth, error) {
	rows, err := j.rdb.QueryContext(ctx, `SELECT campaign, number, down_until, consecutive_failures, last_result, last_at,
		delivered, attempts, held FROM numbers WHERE campaign = ? ORDER BY number`, campaign)
	if err != nil {
		return nil, fmt.Errorf("journal: numbers of %s: %w", campaign, err)
	}
	defer rows.Close()
	var out []NumberHealth
	for rows.Next() {
		var h NumberHealth
		var down, last int64
		if err := rows.Scan(&h.Campaign, &h.Number, &down, &h.ConsecutiveFailures, &h.LastResult, &last, &h.Delivered, &h.Attempts, &h.Held); err != nil {
			return nil, fmt.Errorf("journal: numbers of %s: %w", campaign, err)
		}
		h.DownUntil, h.LastAt = fromUnix(down), fromUnix(last)
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("journal: numbers of %s: %w", campaign, err)
	}
	return out, nil
}

const selectAttempt = `SELECT a.id, a.submission, a.n, a.key, a.number, a.driver, a.vendor_id, a.state,
	a.reason, a.code, a.message, a.started, a.tried, a.finished FROM attempts a`

func (j *Journal) attempts(ctx context.Context, what, q string, args ...any) ([]Attempt, error) {
	rows, err := j.rdb.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("journal: %s: %w", what, err)
	}
	defer rows.Close()
	var out []Attempt
	for rows.Next() {
		var a Attempt
		var state string
		var started, tried, finished int64
		if err := rows.Scan(&a.ID, &a.SubmissionID, &a.N, &a.Key, &a.Number, &a.Driver, &a.VendorID, &state,
			&a.Reason, &a.Code, &a.Message, &started, &tried, &finished); err != nil {
			return nil, fmt.Errorf("journal: %s: %w", what, err)
		}
		a.State, a.Started, a.Tried, a.Finished = AttemptState(state), fromUnix(started), fromUnix(tried), fromUnix(finished)
		if a.Tried.IsZero() { // recorded before schema v3: its one request began with it
			a.Tried = a.Started
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("journal: %s: %w", what, err)
	}
	return out, nil
}

// Attempts returns a submission's attempts, oldest first.
func (j *Journal) Attempts(ctx context.Context, submissionID int64) ([]Attempt, error) {
	return j.attempts(ctx, fmt.Sprintf("attempts of submission %d", submissionID),
		selectAttempt+" WHERE a.submission = ? ORDER BY a.n", submissionID)
}

// Pending returns campaign's attempts without an outcome: in flight, or
// interrupted by a crash (intents), oldest first. An empty campaign means
// every campaign.
func (j *Journal) Pending(ctx context.Context, campaign string) ([]Attempt, error) {
	return j.attempts(ctx, "pending attempts",
		selectAttempt+` JOIN submissions s ON s.id = a.submission
		WHERE a.finished = 0 AND (? = '' OR s.campaign = ?) ORDER BY a.id`, campaign, campaign)
}

// StartedSince returns, per number, when campaign's attempts since t were
// started: the basis of the per-number hourly cap across runs.
func (j *Journal) StartedSince(ctx context.Context, campaign string, t time.Time) (map[string][]time.Time, error) {
	rows, err := j.rdb.QueryContext(ctx, `SELECT a.number, a.started FROM attempts a JOIN submissions s ON s.id = a.submission
		WHERE s.campaign = ? AND a.started >= ? AND a.state != ? ORDER BY a.started`, campaign, unix(t), string(AttemptNotSent))
	if err != nil {
		return nil, fmt.Errorf("journal: recent attempts of %s: %w", campaign, err)
	}
	defer rows.Close()
	out := map[string][]time.Time{}
	for rows.Next() {
		var n string
		var at int64
		if err := rows.Scan(&n, &at); err != nil {
			return nil, fmt.Errorf("journal: recent attempts of %s: %w", campaign, err)
		}
		out[n] = append(out[n], fromUnix(at))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("journal: recent attempts of %s: %w", campaign, err)
	}
	return out, nil
}

// Receipts yields every fax of campaign a gateway accepted, in the order
// they were sent: what `faxjam status --export` writes.
func (j *Journal) Receipts(ctx context.Context, campaign string) iter.Seq2[Receipt, error] {
	return keyset(ctx, j.rdb, "receipts of "+campaign, `SELECT a.id, s.campaign, s.key, s.name, a.number, a.driver, a.vendor_id,
		s.doc_sha256, s.pages, a.state, a.reason, a.started, a.finished
		FROM attempts a JOIN submissions s ON s.id = a.submission
		WHERE s.campaign = ? AND a.vendor_id != '' AND a.id > ? ORDER BY a.id LIMIT ?`, []any{campaign},
		func(rows *sql.Rows) (r Receipt, key int64, err error) {
			var state string
			var started, finished int64
			err = rows.Scan(&key, &r.Campaign, &r.Key, &r.Name, &r.Number, &r.Driver, &r.VendorID,
				&r.DocSHA256, &r.Pages, &state, &r.Reason, &started, &finished)
			r.State, r.Started, r.Finished = AttemptState(state), fromUnix(started), fromUnix(finished)
			return r, key, err
		})
}

// keyset yields the rows of query a page (pageSize) at a time, each page
// after the key the last one ended on: query's last two placeholders are
// that key and the page size, after args. A page is read whole and its
// rows closed before any of it is yielded, so no read stays open while the
// caller works (SQLite would hold its snapshot, PostgreSQL a connection).
func keyset[T any](ctx context.Context, d db, what, query string, args []any, scan func(*sql.Rows) (T, int64, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		var after int64
		for {
			rows, err := d.QueryContext(ctx, query, append(slices.Clone(args), after, pageSize)...)
			if err != nil {
				yield(zero, fmt.Errorf("journal: %s: %w", what, err))
				return
			}
			var page []T
			for rows.Next() {
				v, key, err := scan(rows)
				if err != nil {
					rows.Close()
					yield(zero, fmt.Errorf("journal: %s: %w", what, err))
					return
				}
				after = key
				page = append(page, v)
			}
			err = rows.Err()
			rows.Close()
			if err != nil {
				yield(zero, fmt.Errorf("journal: %s: %w", what, err))
				return
			}
			for _, v := range page {
				if !yield(v, nil) {
					return
				}
			}
			if len(page) < pageSize {
				return
			}
		}
	}
}

// Petitions returns campaign's petition records, oldest first.
func (j *Journal) Petitions(ctx context.Context, campaign string) ([]PetitionRecord, error) {
	rows, err := j.rdb.QueryContext(ctx, `SELECT submission, campaign, key, endpoint_id, duplicate, signed
		FROM petitions WHERE campaign = ? ORDER BY signed`, campaign)
	if err != nil {
		return nil, fmt.Errorf("journal: petitions of %s: %w", campaign, err)
	}
	defer rows.Close()
	var out []PetitionRecord
	for rows.Next() {
		var p PetitionRecord
		var signed int64
		var dup int
		if err := rows.Scan(&p.SubmissionID, &p.Campaign, &p.Key, &p.ID, &dup, &signed); err != nil {
			return nil, fmt.Errorf("journal: petitions of %s: %w", campaign, err)
		}
		p.Signed, p.Duplicate = fromUnix(signed), dup != 0
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("journal: petitions of %s: %w", campaign, err)
	}
	return out, nil
}

// afterPrefix is a string after every key that begins with prefix (whose
// last byte is ASCII, as hex keys are), valid UTF-8 for PostgreSQL:
// prefix with its last byte one up. The substr test in the query keeps the
// answer right whatever the collation; this bound only ends the scan.
func afterPrefix(prefix string) string {
	if n := len(prefix); n > 0 && prefix[n-1] < 0x7e {
		return prefix[:n-1] + string(prefix[n-1]+1)
	}
	return prefix + "\U0010FFFF"
}
