package journal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Enqueue adds subs as queued submissions in one transaction (callers
// streaming a large list pass batches of about a thousand). It sets each
// subs[i].ID and Seq. A signer whose (Campaign, Key) is already in the
// journal is not added again: its index is returned in existing and subs[i]
// is filled from the journal (its current State, attempts, times).
func (j *Journal) Enqueue(ctx context.Context, subs []Submission) (added int, existing []int, err error) {
	if len(subs) == 0 {
		return 0, nil, nil
	}
	now := j.now()
	err = j.write(ctx, func(tx *txn) error {
		added, existing = 0, existing[:0]
		var seq int64
		if err := tx.QueryRow("SELECT coalesce(max(seq), 0) FROM submissions").Scan(&seq); err != nil {
			return err
		}
		// One query finds the signers already queued, so re-running a list
		// costs a read per batch, not per signer.
		old, err := existingIn(tx, j.secret, subs)
		if err != nil {
			return err
		}
		ins, err := tx.Prepare(`INSERT INTO submissions
			(campaign, key, seq, name, city, country, email, note, lang, redirect, state, created, updated)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?)
			ON CONFLICT (campaign, key) DO NOTHING RETURNING id`)
		if err != nil {
			return err
		}
		defer ins.Close()
		for i := range subs {
			s := &subs[i]
			if s.Campaign == "" || s.Key == "" {
				return fmt.Errorf("submission %d (%q): campaign and key are required", i, s.Name)
			}
			if got, ok := old[[2]string{s.Campaign, s.Key}]; ok {
				*s = got
				existing = append(existing, i)
				continue
			}
			var id int64
			err := ins.QueryRow(s.Campaign, s.Key, seq+1, s.Name, s.City, s.Country, s.Email, s.Note, s.Lang, s.Redirect, unix(now), unix(now)).Scan(&id)
			if errors.Is(err, sql.ErrNoRows) { // the same signer twice in one batch
				got, err := scanSubmission(tx.QueryRow(selectSubmission+" WHERE campaign = ? AND key = ?", s.Campaign, s.Key))
				if err != nil {
					return fmt.Errorf("submission %s: %w", s.Key, err)
				}
				*s = got
				existing = append(existing, i)
				continue
			}
			if err != nil {
				return fmt.Errorf("submission %s: %w", s.Key, err)
			}
			seq++
			added++
			s.ID, s.Seq, s.State, s.Created, s.Updated = id, seq, Queued, now.UTC(), now.UTC()
		}
		return nil
	})
	if err != nil {
		return 0, nil, fmt.Errorf("journal: enqueue: %w", err)
	}
	return added, existing, nil
}

// existingIn returns the submissions of subs already in the journal, by
// (campaign, key), a forgotten one by the key it had.
func existingIn(tx *txn, secret []byte, subs []Submission) (map[[2]string]Submission, error) {
	keys := map[string][]any{} // campaign → keys; a batch is nearly always one campaign
	// A forgotten signer is found by their tombstone (person.go).
	dead := map[[2]string]string{}
	for _, s := range subs {
		t := tombstone(secret, s.Campaign, s.Key)
		dead[[2]string{s.Campaign, t}] = s.Key
		keys[s.Campaign] = append(keys[s.Campaign], s.Key, t)
	}
	out := map[[2]string]Submission{}
	const chunk = 500 // well under SQLite's limit on bound parameters
	for campaign, ks := range keys {
		for i := 0; i < len(ks); i += chunk {
			part := ks[i:min(i+chunk, len(ks))]
			q := selectSubmission + " WHERE campaign = ? AND key IN (?" + strings.Repeat(", ?", len(part)-1) + ")"
			rows, err := tx.Query(q, append([]any{campaign}, part...)...)
			if err != nil {
				return nil, err
			}
			for rows.Next() {
				s, err := scanSubmission(rows)
				if err != nil {
					rows.Close()
					return nil, err
				}
				if k, ok := dead[[2]string{s.Campaign, s.Key}]; ok {
					out[[2]string{s.Campaign, k}] = s
					continue
				}
				out[[2]string{s.Campaign, s.Key}] = s
			}
			err = rows.Err()
			rows.Close()
			if err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// Requeue puts a submission back at the end of the queue (e.g. to send a
// signer again on purpose), for the rehearsal number redirect (empty: the
// real campaign). Its history stays.
func (j *Journal) Requeue(ctx context.Context, id int64, redirect string) error {
	err := j.write(ctx, func(tx *txn) error {
		return execOne(tx, `UPDATE submissions SET state = 'queued', reason = '', message = '', redirect = ?,
			seq = (SELECT max(seq) + 1 FROM submissions), updated = ? WHERE id = ?`, redirect, unix(j.now()), id)
	})
	if err != nil {
		return fmt.Errorf("journal: requeue submission %d: %w", id, err)
	}
	return nil
}

// SetState records a submission's state and why (reason, message may be
// empty).
func (j *Journal) SetState(ctx context.Context, id int64, s State, reason, message string) error {
	err := j.write(ctx, func(tx *txn) error {
		return j.setState(tx, id, s, reason, message, j.now())
	})
	if err != nil {
		return fmt.Errorf("journal: set submission %d %s: %w", id, s, err)
	}
	return nil
}

// setState records a submission's state and, for a final outcome, its
// ledger entry.
func (j *Journal) setState(tx *txn, id int64, s State, reason, message string, now time.Time) error {
	if err := execOne(tx, "UPDATE submissions SET state = ?, reason = ?, message = ?, updated = ? WHERE id = ?",
		string(s), reason, message, unix(now), id); err != nil {
		return err
	}
	return j.record(tx, id, s, reason, 0, now)
}

// StartAttempt records the intent to fax a submission, before the gateway
// is called, and marks the submission sending to a.Number with the document
// docSHA256 of pages pages. a.SubmissionID, N, Key, Number and Driver are
// required; Started defaults to now. It returns a with ID and State set.
// Once it returns, the intent is durable: a crash after it is reconciled.
func (j *Journal) StartAttempt(ctx context.Context, a Attempt, docSHA256 string, pages int) (Attempt, error) {
	if a.SubmissionID == 0 || a.N < 1 || a.Key == "" || a.Number == "" {
		return a, fmt.Errorf("journal: start attempt: submission, n, key and number are required (got %d, %d, %q, %q)", a.SubmissionID, a.N, a.Key, a.Number)
	}
	if a.Started.IsZero() {
		a.Started = j.now()
	}
	a.State, a.Tried = AttemptIntent, a.Started
	err := j.write(ctx, func(tx *txn) error {
		err := tx.QueryRow(`INSERT INTO attempts (submission, n, key, number, driver, state, started, tried)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			a.SubmissionID, a.N, a.Key, a.Number, a.Driver, string(a.State), unix(a.Started), unix(a.Tried)).Scan(&a.ID)
		if err != nil {
			return err
		}
		return execOne(tx, `UPDATE submissions SET state = 'sending', number = ?, attempts = ?, doc_sha256 = ?, pages = ?,
			reason = '', message = '', updated = ? WHERE id = ?`,
			a.Number, a.N, docSHA256, pages, unix(a.Started), a.SubmissionID)
	})
	if err != nil {
		return a, fmt.Errorf("journal: start attempt %d of submission %d to %s: %w", a.N, a.SubmissionID, a.Number, err)
	}
	return a, nil
}

// Tried records that a request for attempt id (the same attempt, the same
// key: a resend) begins at t, before it is made: a crash during it is
// measured from t.
func (j *Journal) Tried(ctx context.Context, id int64, t time.Time) error {
	err := j.write(ctx, func(tx *txn) error {
		return execOne(tx, "UPDATE attempts SET tried = ? WHERE id = ?", unix(t), id)
	})
	if err != nil {
		return fmt.Errorf("journal: attempt %d tried again: %w", id, err)
	}
	return nil
}

// Accepted records that the gateway took attempt id under vendorID.
func (j *Journal) Accepted(ctx context.Context, id int64, vendorID string) error {
	err := j.write(ctx, func(tx *txn) error {
		return execOne(tx, "UPDATE attempts SET vendor_id = ?, state = ? WHERE id = ?", vendorID, string(AttemptAccepted), id)
	})
	if err != nil {
		return fmt.Errorf("journal: attempt %d accepted as %s: %w", id, vendorID, err)
	}
	return nil
}

// Outcome is the end of an attempt, recorded in one transaction with what
// follows from it.
type Outcome struct {
	// Attempt: ID, State (a done state), and VendorID, Reason, Code, Message
	// as known; Finished defaults to now.
	Attempt Attempt
	// Next is the submission's state after the attempt: Queued (try another
	// number), or a terminal state. Empty leaves it unchanged.
	Next        State
	NextReason  string
	NextMessage string
	Health      *NumberHealth // the number's health after the attempt, if it changed
}

// FinishAttempt records an attempt's outcome, the submission's next state
// and the number's health together, so no reader sees one without the
// others.
func (j *Journal) FinishAttempt(ctx context.Context, o Outcome) error {
	a := o.Attempt
	if !a.State.Done() {
		return fmt.Errorf("journal: finish attempt %d: state %q is not an outcome", a.ID, a.State)
	}
	if a.Finished.IsZero() {
		a.Finished = j.now()
	}
	err := j.write(ctx, func(tx *txn) error {
		if err := execOne(tx, `UPDATE attempts SET state = ?, vendor_id = CASE WHEN ? = '' THEN vendor_id ELSE ? END,
			reason = ?, code = ?, message = ?, finished = ? WHERE id = ?`,
			string(a.State), a.VendorID, a.VendorID, a.Reason, a.Code, a.Message, unix(a.Finished), a.ID); err != nil {
			return err
		}
		if o.Next != "" {
			if err := execOne(tx, `UPDATE submissions SET state = ?, reason = ?, message = ?, updated = ?
				WHERE id = (SELECT submission FROM attempts WHERE id = ?)`,
				string(o.Next), o.NextReason, o.NextMessage, unix(a.Finished), a.ID); err != nil {
				return err
			}
			var sub int64
			if err := tx.QueryRow("SELECT submission FROM attempts WHERE id = ?", a.ID).Scan(&sub); err != nil {
				return err
			}
			if err := j.record(tx, sub, o.Next, o.NextReason, a.ID, a.Finished); err != nil {
				return err
			}
		}
		if o.Health != nil {
			return putNumber(tx, *o.Health)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("journal: finish attempt %d (%s): %w", a.ID, a.State, err)
	}
	return nil
}

// PutNumber records a number's health.
func (j *Journal) PutNumber(ctx context.Context, h NumberHealth) error {
	if err := j.write(ctx, func(tx *txn) error { return putNumber(tx, h) }); err != nil {
		return fmt.Errorf("journal: number %s: %w", h.Number, err)
	}
	return nil
}

func putNumber(tx *txn, h NumberHealth) error {
	_, err := tx.Exec(`INSERT INTO numbers (campaign, number, down_until, consecutive_failures, last_result, last_at, delivered, attempts, held)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (campaign, number) DO UPDATE SET down_until = excluded.down_until,
			consecutive_failures = excluded.consecutive_failures, last_result = excluded.last_result,
			last_at = excluded.last_at, delivered = excluded.delivered, attempts = excluded.attempts, held = excluded.held`,
		h.Campaign, h.Number, unix(h.DownUntil), h.ConsecutiveFailures, h.LastResult, unix(h.LastAt), h.Delivered, h.Attempts, h.Held)
	return err
}

// Release lets a held number be dialled again (the organizer looked): it
// clears the hold, the cool-down and the failures in a row. It reports
// whether the number was held or down.
func (j *Journal) Release(ctx context.Context, campaign, number string) (bool, error) {
	var n int64
	err := j.write(ctx, func(tx *txn) error {
		res, err := tx.Exec(`UPDATE numbers SET held = '', down_until = 0, consecutive_failures = 0
			WHERE campaign = ? AND number = ? AND (held != '' OR down_until != 0)`, campaign, number)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return false, fmt.Errorf("journal: release %s: %w", number, err)
	}
	return n > 0, nil
}

// Petitioned records that a submission's signer is on the petition and
// marks the submission petitioned.
func (j *Journal) Petitioned(ctx context.Context, p PetitionRecord) error {
	if p.Signed.IsZero() {
		p.Signed = j.now()
	}
	err := j.write(ctx, func(tx *txn) error {
		if _, err := tx.Exec(`INSERT INTO petitions (submission, campaign, key, endpoint_id, duplicate, signed)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (submission) DO UPDATE SET endpoint_id = excluded.endpoint_id,
			duplicate = excluded.duplicate, signed = excluded.signed`,
			p.SubmissionID, p.Campaign, p.Key, p.ID, b2i(p.Duplicate), unix(p.Signed)); err != nil {
			return err
		}
		return j.setState(tx, p.SubmissionID, Petitioned, p.Reason, p.Message, j.now())
	})
	if err != nil {
		return fmt.Errorf("journal: petition for submission %d: %w", p.SubmissionID, err)
	}
	return nil
}

// execOne runs an UPDATE that must change exactly one row.
func execOne(tx *txn, query string, args ...any) error {
	res, err := tx.Exec(query, args...)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n != 1 {
		return ErrNotFound
	}
	return nil
}
