package journal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// E-mail confirmation (the hub's double opt-in). An action taken with
// confirmation on is Unconfirmed: out of the queue, nothing is faxed or
// petitioned, until Confirm queues it. Unconfirmed for too long, Expire
// makes it Expired and deletes its personal data: a person who never
// confirmed leaves nothing but the count.
const (
	Unconfirmed State = "unconfirmed"
	Expired     State = "expired"
)

// ErrExpired says the submission was not confirmed in time.
var ErrExpired = errors.New("the confirmation came too late: the action has expired")

// ErrAddressUsed says another action of the campaign was confirmed with
// the same e-mail address: one address confirms one action.
var ErrAddressUsed = errors.New("this e-mail address has already confirmed an action for this campaign")

// Confirm queues the unconfirmed submission id if it was created after
// notBefore and no other submission of its campaign with the same e-mail
// (any case) was confirmed. Confirming a submission already confirmed is
// no error: it returns its state.
func (j *Journal) Confirm(ctx context.Context, id int64, notBefore time.Time) (State, error) {
	var st State
	err := j.write(ctx, func(tx *txn) error {
		s, err := scanSubmission(tx.QueryRow(selectSubmission+" WHERE id = ?", id))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		st = s.State
		switch {
		case s.State == Expired:
			return ErrExpired
		case s.State != Unconfirmed:
			return nil
		case s.Created.Before(notBefore):
			st = Expired
			return expire(tx, id, j.now())
		}
		if s.Email != "" {
			var n int
			err := tx.QueryRow(`SELECT count(*) FROM submissions WHERE campaign = ? AND id != ? AND lower(email) = lower(?) AND state NOT IN (?, ?)`,
				s.Campaign, id, s.Email, string(Unconfirmed), string(Expired)).Scan(&n)
			if err != nil {
				return err
			}
			if n > 0 {
				return ErrAddressUsed
			}
		}
		st = Queued
		return execOne(tx, `UPDATE submissions SET state = 'queued', seq = (SELECT max(seq) + 1 FROM submissions), updated = ? WHERE id = ?`,
			unix(j.now()), id)
	})
	switch {
	case errors.Is(err, ErrNotFound), errors.Is(err, ErrExpired), errors.Is(err, ErrAddressUsed):
	case err != nil:
		err = fmt.Errorf("journal: confirm submission %d: %w", id, err)
	case st == Expired:
		err = ErrExpired
	}
	return st, err
}

// Expire makes every submission still unconfirmed that was created before t
// Expired, deleting its personal data. The caller should Compact when it
// expired any.
func (j *Journal) Expire(ctx context.Context, before time.Time) (int, error) {
	var n int
	err := j.write(ctx, func(tx *txn) error {
		ids, err := selectIDs(tx, `state = ? AND created < ?`, string(Unconfirmed), unix(before))
		if err != nil {
			return err
		}
		for _, id := range ids {
			if err := expire(tx, id, j.now()); err != nil {
				return err
			}
		}
		n = len(ids)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("journal %s: expire: %w", j.path, err)
	}
	return n, nil
}

func expire(tx *txn, id int64, now time.Time) error {
	return execOne(tx, `UPDATE submissions SET state = 'expired', name = '', city = '', country = '', email = '', note = '',
		reason = 'unconfirmed', message = 'not confirmed in time', updated = ? WHERE id = ?`, unix(now), id)
}
