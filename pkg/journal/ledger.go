package journal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/faxjam/faxjam/pkg/ledger"
)

// The delivery ledger (package ledger): every final outcome of a
// submission appends an entry, chained to the campaign's previous one, in
// the same transaction that records the outcome — no outcome without its
// entry, no entry without its outcome.

// Label gives the journal the labels of campaign's numbers (number →
// label), for the ledger's entries. A run sets them before it dispatches.
func (j *Journal) Label(campaign string, labels map[string]string) {
	j.labelMu.Lock()
	defer j.labelMu.Unlock()
	if j.labels == nil {
		j.labels = map[string]map[string]string{}
	}
	j.labels[campaign] = labels
}

func (j *Journal) label(campaign, number string) string {
	j.labelMu.Lock()
	defer j.labelMu.Unlock()
	return j.labels[campaign][number]
}

// ledgerLock is the transaction lock key PostgreSQL appends under, so two
// processes never take the same seq.
const ledgerLock = 0x6661786a616c // "faxjal"

// record appends the ledger entry of submission id reaching state s for
// reason at now, when s is a final outcome. attempt is the attempt that
// ended it (0: none), whose number, document and gateway job the entry
// names.
func (j *Journal) record(tx *txn, id int64, s State, reason string, attempt int64, now time.Time) error {
	if !ledger.Final(string(s)) {
		return nil
	}
	e := ledger.Entry{Time: now.UTC(), Outcome: string(s), Reason: reason}
	var name, city string
	if err := tx.QueryRow("SELECT campaign, name, city FROM submissions WHERE id = ?", id).Scan(&e.Campaign, &name, &city); err != nil {
		return fmt.Errorf("ledger: submission %d: %w", id, err)
	}
	if attempt != 0 {
		var started, finished int64
		err := tx.QueryRow(`SELECT a.number, a.driver, a.vendor_id, a.started, a.finished, s.pages, s.doc_sha256
			FROM attempts a JOIN submissions s ON s.id = a.submission WHERE a.id = ?`, attempt).
			Scan(&e.Number, &e.Driver, &e.JobID, &started, &finished, &e.Pages, &e.DocSHA256)
		if err != nil {
			return fmt.Errorf("ledger: attempt %d: %w", attempt, err)
		}
		if finished > started {
			e.TransmitMS = (finished - started) / int64(time.Millisecond)
		}
		e.NumberLabel = j.label(e.Campaign, e.Number)
	}
	if s == Petitioned {
		// The petition shows the signer's name and city; the ledger shows
		// no more.
		err := tx.QueryRow("SELECT endpoint_id FROM petitions WHERE submission = ?", id).Scan(&e.SignatureID)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("ledger: petition of submission %d: %w", id, err)
		}
		if err := e.SetPerson(name, city); err != nil {
			return err
		}
	}
	if tx.pg {
		if _, err := tx.Exec("SELECT pg_advisory_xact_lock(?)", ledgerLock); err != nil {
			return fmt.Errorf("ledger: lock: %w", err)
		}
	}
	prev := ledger.Genesis
	err := tx.QueryRow("SELECT seq, hash FROM ledger WHERE campaign = ? ORDER BY seq DESC LIMIT 1", e.Campaign).Scan(&e.Seq, &prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("ledger: head of %s: %w", e.Campaign, err)
	}
	e.Seq++
	e.Chain(prev)
	_, err = tx.Exec(`INSERT INTO ledger (campaign, seq, submission, time, outcome, reason, number_label, number, pages,
		doc_sha256, driver, job_id, csid, pages_sent, transmit_ms, signature_id, name, city, salt, person_hash, prev, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.Campaign, e.Seq, id, unix(e.Time), e.Outcome, e.Reason, e.NumberLabel, e.Number, e.Pages,
		e.DocSHA256, e.Driver, e.JobID, e.CSID, e.PagesSent, e.TransmitMS, e.SignatureID, e.Name, e.City, e.Salt,
		e.PersonHash, e.Prev, e.Hash)
	if err != nil {
		return fmt.Errorf("ledger: append entry %d of %s: %w", e.Seq, e.Campaign, err)
	}
	return nil
}

// blankLedger blanks the names and cities (and their salts) of the ledger
// entries of submissions ids; their hashes stay, so the chain verifies.
func blankLedger(tx *txn, ids []int64) error {
	const chunk = 500
	for len(ids) > 0 {
		n := min(chunk, len(ids))
		args := make([]any, n)
		for i, id := range ids[:n] {
			args[i] = id
		}
		ids = ids[n:]
		if _, err := tx.Exec(`UPDATE ledger SET name = '', city = '', salt = '' WHERE submission IN (?`+strings.Repeat(", ?", n-1)+`)`, args...); err != nil {
			return fmt.Errorf("ledger: forget: %w", err)
		}
	}
	return nil
}

const selectEntry = `SELECT campaign, seq, time, outcome, reason, number_label, number, pages, doc_sha256, driver, job_id,
	csid, pages_sent, transmit_ms, signature_id, name, city, salt, person_hash, prev, hash FROM ledger`

// Ledger returns campaign's ledger entries in seq order.
func (j *Journal) Ledger(ctx context.Context, campaign string) ([]ledger.Entry, error) {
	rows, err := j.rdb.QueryContext(ctx, selectEntry+" WHERE campaign = ? ORDER BY seq", campaign)
	if err != nil {
		return nil, fmt.Errorf("journal %s: ledger: %w", j.path, err)
	}
	defer rows.Close()
	var out []ledger.Entry
	for rows.Next() {
		var e ledger.Entry
		var t int64
		if err := rows.Scan(&e.Campaign, &e.Seq, &t, &e.Outcome, &e.Reason, &e.NumberLabel, &e.Number, &e.Pages,
			&e.DocSHA256, &e.Driver, &e.JobID, &e.CSID, &e.PagesSent, &e.TransmitMS, &e.SignatureID, &e.Name, &e.City,
			&e.Salt, &e.PersonHash, &e.Prev, &e.Hash); err != nil {
			return nil, fmt.Errorf("journal %s: ledger: %w", j.path, err)
		}
		e.Time = fromUnix(t)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("journal %s: ledger: %w", j.path, err)
	}
	return out, nil
}

// LedgerHead is campaign's latest entry's seq, hash and time (seq 0: no
// entry yet).
func (j *Journal) LedgerHead(ctx context.Context, campaign string) (int64, string, time.Time, error) {
	var seq, t int64
	var hash string
	err := j.rdb.QueryRowContext(ctx, "SELECT seq, hash, time FROM ledger WHERE campaign = ? ORDER BY seq DESC LIMIT 1", campaign).Scan(&seq, &hash, &t)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ledger.Genesis, time.Time{}, nil
	}
	if err != nil {
		return 0, "", time.Time{}, fmt.Errorf("journal %s: ledger head: %w", j.path, err)
	}
	return seq, hash, fromUnix(t), nil
}

// AddSeal records a seal of campaign's ledger.
func (j *Journal) AddSeal(ctx context.Context, s ledger.Seal) error {
	err := j.write(ctx, func(tx *txn) error {
		_, err := tx.Exec("INSERT INTO ledger_seals (campaign, seq, head, time, key, signature) VALUES (?, ?, ?, ?, ?, ?)",
			s.Campaign, s.Seq, s.Head, unix(s.Time), s.Key, s.Signature)
		return err
	})
	if err != nil {
		return fmt.Errorf("journal %s: seal the ledger of %s: %w", j.path, s.Campaign, err)
	}
	return nil
}

// Seals returns campaign's ledger seals in the order they were made.
func (j *Journal) Seals(ctx context.Context, campaign string) ([]ledger.Seal, error) {
	rows, err := j.rdb.QueryContext(ctx, "SELECT campaign, seq, head, time, key, signature FROM ledger_seals WHERE campaign = ? ORDER BY id", campaign)
	if err != nil {
		return nil, fmt.Errorf("journal %s: seals: %w", j.path, err)
	}
	defer rows.Close()
	var out []ledger.Seal
	for rows.Next() {
		var s ledger.Seal
		var t int64
		if err := rows.Scan(&s.Campaign, &s.Seq, &s.Head, &t, &s.Key, &s.Signature); err != nil {
			return nil, fmt.Errorf("journal %s: seals: %w", j.path, err)
		}
		s.Time = fromUnix(t)
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("journal %s: seals: %w", j.path, err)
	}
	return out, nil
}
