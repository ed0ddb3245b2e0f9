package journal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"
	"time"
)

// Action is what one person asked the campaign hub for: one submission,
// under the id the hub answers with and the client's idempotency key. The
// key is stored as the hub gives it (a hash), never as the client sent it.
type Action struct {
	ID           string    `json:"id"`
	Campaign     string    `json:"campaign"`
	KeyHash      string    `json:"-"`
	SubmissionID int64     `json:"submission_id"`
	Created      time.Time `json:"created"`
}

// Found says why Accept did not add a new action.
type Found int

const (
	New        Found = iota // the action and its submission were added
	SameKey                 // an action with the same key exists: it is returned
	SamePerson              // the signer (Submission.Key) has an action already: it is returned
)

const selectAction = `SELECT id, campaign, key_hash, submission, created FROM actions`

func scanAction(r scanner) (Action, error) {
	var a Action
	var created int64
	err := r.Scan(&a.ID, &a.Campaign, &a.KeyHash, &a.SubmissionID, &created)
	a.Created = fromUnix(created)
	return a, err
}

// Accept records an action and queues its submission in one transaction
// (shared with concurrent writers, so a hub taking many at once pays one
// sync for them all): durable when it returns. a.ID, Campaign and KeyHash
// and sub.Campaign and Key are required. An action with the same
// (Campaign, KeyHash), or a submission of the same signer that has an
// action, is not added again: that action and its submission are returned
// with SameKey or SamePerson. A submission of the signer queued without an
// action (by `faxjam send` on the same journal) gets this action. A new
// submission is queued, or Unconfirmed when sub.State says so; an Expired
// one taken again unconfirmed starts afresh under this action (New).
func (j *Journal) Accept(ctx context.Context, a Action, sub Submission) (Action, Submission, Found, error) {
	if a.ID == "" || a.Campaign == "" || a.KeyHash == "" || sub.Campaign != a.Campaign || sub.Key == "" {
		return a, sub, New, fmt.Errorf("journal: accept: id, campaign, key hash and signer key are required")
	}
	now := j.now()
	found := New
	// Unconfirmed (the hub's e-mail confirmation): kept out of the queue
	// until Confirm.
	state := Queued
	if sub.State == Unconfirmed {
		state = Unconfirmed
	}
	err := j.write(ctx, func(tx *txn) error {
		found = New
		old, err := scanAction(tx.QueryRow(selectAction+" WHERE campaign = ? AND key_hash = ?", a.Campaign, a.KeyHash))
		if err == nil {
			got, err := scanSubmission(tx.QueryRow(selectSubmission+" WHERE id = ?", old.SubmissionID))
			if err != nil {
				return err
			}
			if got.State != Expired || state != Unconfirmed {
				a, found, sub = old, SameKey, got
				return nil
			}
			// Expired unconfirmed: as if it never was (confirm.go).
			if err := revive(tx, got.ID, &sub, state, now); err != nil {
				return err
			}
			return insertAction(tx, &a, sub.ID, now)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		// The signer, or their tombstone if they were forgotten (person.go).
		got, err := scanSubmission(tx.QueryRow(selectSubmission+" WHERE campaign = ? AND key IN (?, ?) LIMIT 1",
			sub.Campaign, sub.Key, tombstone(j.secret, sub.Campaign, sub.Key)))
		switch {
		case err == nil && got.State == Expired && state == Unconfirmed,
			err == nil && got.State == Failed && got.Attempts == 0 && got.Reason != ForgottenReason:
			// Expired unconfirmed (maybe by someone else giving this
			// person's details), or failed before any fax (its letter
			// could not be made): the person may act again.
			if err := revive(tx, got.ID, &sub, state, now); err != nil {
				return err
			}
		case err == nil:
			sub = got
			old, err := scanAction(tx.QueryRow(selectAction+" WHERE submission = ?", got.ID))
			if err == nil {
				a, found = old, SamePerson
				return nil
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		case errors.Is(err, sql.ErrNoRows):
			err := tx.QueryRow(`INSERT INTO submissions
				(campaign, key, seq, name, city, country, email, note, lang, redirect, state, created, updated)
				VALUES (?, ?, (SELECT coalesce(max(seq), 0) + 1 FROM submissions), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
				RETURNING id, seq`,
				sub.Campaign, sub.Key, sub.Name, sub.City, sub.Country, sub.Email, sub.Note, sub.Lang, sub.Redirect,
				string(state), unix(now), unix(now)).Scan(&sub.ID, &sub.Seq)
			if err != nil {
				return err
			}
			sub.State, sub.Created, sub.Updated = state, now.UTC(), now.UTC()
		default:
			return err
		}
		return insertAction(tx, &a, sub.ID, now)
	})
	if err != nil {
		return a, sub, found, fmt.Errorf("journal: accept action: %w", err)
	}
	return a, sub, found, nil
}

func insertAction(tx *txn, a *Action, subID int64, now time.Time) error {
	a.SubmissionID, a.Created = subID, now.UTC()
	_, err := tx.Exec("INSERT INTO actions (id, campaign, key_hash, submission, created) VALUES (?, ?, ?, ?, ?)",
		a.ID, a.Campaign, a.KeyHash, a.SubmissionID, unix(now))
	return err
}

// revive gives the expired (or never faxed) submission id the details of
// sub, in state again and new, and drops its old action (whose receipt
// must not see the new one); sub becomes the stored submission.
func revive(tx *txn, id int64, sub *Submission, state State, now time.Time) error {
	if _, err := tx.Exec("DELETE FROM actions WHERE submission = ?", id); err != nil {
		return err
	}
	// The key too: the row may be a forgotten person's tombstone. A new
	// seq: at the end of the queue, where a running dispatcher looks.
	err := execOne(tx, `UPDATE submissions SET key = ?, name = ?, city = ?, country = ?, email = ?, note = ?, lang = ?,
		state = ?, reason = '', message = '', created = ?, updated = ?,
		seq = (SELECT coalesce(max(seq), 0) + 1 FROM submissions) WHERE id = ?`,
		sub.Key, sub.Name, sub.City, sub.Country, sub.Email, sub.Note, sub.Lang, string(state), unix(now), unix(now), id)
	if err != nil {
		return err
	}
	got, err := scanSubmission(tx.QueryRow(selectSubmission+" WHERE id = ?", id))
	*sub = got
	return err
}

// Action returns the action with id and its submission; an unknown id is
// an error wrapping ErrNotFound.
func (j *Journal) Action(ctx context.Context, id string) (Action, Submission, error) {
	a, err := scanAction(j.rdb.QueryRowContext(ctx, selectAction+" WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return Action{}, Submission{}, fmt.Errorf("journal: no action %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return Action{}, Submission{}, fmt.Errorf("journal: action: %w", err)
	}
	s, err := scanSubmission(j.rdb.QueryRowContext(ctx, selectSubmission+" WHERE id = ?", a.SubmissionID))
	if err != nil {
		return Action{}, Submission{}, fmt.Errorf("journal: action %s: submission: %w", id, err)
	}
	return a, s, nil
}

// ActionOf returns the action of a submission, or an error wrapping
// ErrNotFound when it has none.
func (j *Journal) ActionOf(ctx context.Context, submissionID int64) (Action, error) {
	a, err := scanAction(j.rdb.QueryRowContext(ctx, selectAction+" WHERE submission = ?", submissionID))
	if errors.Is(err, sql.ErrNoRows) {
		return Action{}, fmt.Errorf("journal: no action for submission %d: %w", submissionID, ErrNotFound)
	}
	if err != nil {
		return Action{}, fmt.Errorf("journal: action of submission %d: %w", submissionID, err)
	}
	return a, nil
}

// ActionRow is an action with its submission, as an export lists them.
type ActionRow struct {
	Action     Action
	Submission Submission
}

// Actions yields campaign's actions with their submissions in the order
// they were accepted, a page at a time.
func (j *Journal) Actions(ctx context.Context, campaign string) iter.Seq2[ActionRow, error] {
	return keyset(ctx, j.rdb, "actions of "+campaign, `SELECT a.id, a.campaign, a.key_hash, a.submission, a.created,
		s.id, s.campaign, s.key, s.seq, s.name, s.city, s.country, s.email, s.note, s.lang, s.redirect,
		s.state, s.number, s.attempts, s.doc_sha256, s.pages, s.reason, s.message, s.created, s.updated
		FROM actions a JOIN submissions s ON s.id = a.submission
		WHERE a.campaign = ? AND a.submission > ? ORDER BY a.submission LIMIT ?`, []any{campaign},
		func(rows *sql.Rows) (r ActionRow, key int64, err error) {
			var created, screated, supdated int64
			var state string
			s := &r.Submission
			err = rows.Scan(&r.Action.ID, &r.Action.Campaign, &r.Action.KeyHash, &r.Action.SubmissionID, &created,
				&s.ID, &s.Campaign, &s.Key, &s.Seq, &s.Name, &s.City, &s.Country, &s.Email, &s.Note, &s.Lang, &s.Redirect,
				&state, &s.Number, &s.Attempts, &s.DocSHA256, &s.Pages, &s.Reason, &s.Message, &screated, &supdated)
			r.Action.Created, s.State, s.Created, s.Updated = fromUnix(created), State(state), fromUnix(screated), fromUnix(supdated)
			return r, s.ID, err
		})
}

// Setting returns the value of a named setting; ok is false when it is not
// set.
func (j *Journal) Setting(ctx context.Context, name string) (value string, ok bool, err error) {
	err = j.rdb.QueryRowContext(ctx, "SELECT value FROM settings WHERE name = ?", name).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("journal: setting %s: %w", name, err)
	}
	return value, true, nil
}

// PutSetting sets a named setting.
func (j *Journal) PutSetting(ctx context.Context, name, value string) error {
	err := j.write(ctx, func(tx *txn) error {
		_, err := tx.Exec("INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value", name, value)
		return err
	})
	if err != nil {
		return fmt.Errorf("journal: set %s: %w", name, err)
	}
	return nil
}

// InitSetting sets a named setting unless it is set, and returns its value:
// the first writer's, when several processes share the journal.
func (j *Journal) InitSetting(ctx context.Context, name, value string) (string, error) {
	err := j.write(ctx, func(tx *txn) error {
		if _, err := tx.Exec("INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING", name, value); err != nil {
			return err
		}
		return tx.QueryRow("SELECT value FROM settings WHERE name = ?", name).Scan(&value)
	})
	if err != nil {
		return "", fmt.Errorf("journal: setting %s: %w", name, err)
	}
	return value, nil
}

// FinishedSince returns campaign's attempts that ended at or after t, oldest
// first: what the hub's public lines view counts per number.
func (j *Journal) FinishedSince(ctx context.Context, campaign string, t time.Time) ([]Attempt, error) {
	return j.attempts(ctx, "finished attempts",
		selectAttempt+` JOIN submissions s ON s.id = a.submission
		WHERE s.campaign = ? AND a.finished >= ? ORDER BY a.finished`, campaign, unix(t))
}
