package journal

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// A signer's key (letter.SignerKey) is a plain SHA-256 of the campaign and
// the person's name, city, country and e-mail. It has to be: the gateway's
// idempotency keys and the petition's are made from it, and a journal lost
// and begun again must find them at the gateway (CheckKeys). While a person
// is in the journal their name is there in clear, so the key tells nothing
// more. After Forget it would: anyone with the file could hash a guessed
// identity and find it. So Forget replaces the key of each forgotten
// submission, and the signer part of its attempts' and petition's keys,
// with a tombstone: HMAC-SHA256 of the key under the journal's own secret,
// a random value made when the journal is (journal.person-secret, in its
// settings). A forgotten person who signs again still meets their
// tombstone (Enqueue, Accept) and is not faxed twice; the key left no
// longer confirms who they were, since testing a guess needs the secret.
// Journals of older faxjams are migrated: the keys of people they had
// already forgotten become tombstones (migrateV5).
//
// The secret lives in the journal, so that the tombstones keep working
// wherever the journal goes (a backup, another hub on the same PostgreSQL
// database). A copy of the whole journal, secret included, can still test a
// guess; what it no longer allows is testing a guess against a key seen
// anywhere else (a leaked attempt key, another journal).

// personSecretSetting names the journal's secret in its settings.
const personSecretSetting = "journal.person-secret"

// tombstonePrefix begins every tombstone; signer keys are hex, so the two
// never meet.
const tombstonePrefix = "~"

// tombstone is what Forget leaves of key, a signer key of campaign.
func tombstone(secret []byte, campaign, key string) string {
	if strings.HasPrefix(key, tombstonePrefix) {
		return key
	}
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(campaign))
	m.Write([]byte{0})
	m.Write([]byte(key))
	return tombstonePrefix + hex.EncodeToString(m.Sum(nil)[:16])
}

// attemptTombstone is what Forget leaves of an attempt's key, which begins
// with the signer key (dispatch.AttemptKey: signer-number-n).
func attemptTombstone(secret []byte, campaign, key string) string {
	signer, rest, _ := strings.Cut(key, "-")
	return tombstone(secret, campaign, signer) + "-" + rest
}

// initPersonSecret makes the journal's secret unless it has one, and
// returns it.
func initPersonSecret(ctx context.Context, tx *txn) ([]byte, error) {
	var fresh [32]byte
	if _, err := rand.Read(fresh[:]); err != nil {
		return nil, err
	}
	if _, err := tx.Exec("INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
		personSecretSetting, hex.EncodeToString(fresh[:])); err != nil {
		return nil, err
	}
	var v string
	if err := tx.QueryRow("SELECT value FROM settings WHERE name = ?", personSecretSetting).Scan(&v); err != nil {
		return nil, err
	}
	return decodeSecret(v)
}

func decodeSecret(v string) ([]byte, error) {
	s, err := hex.DecodeString(v)
	if err != nil || len(s) < 16 {
		return nil, errors.New("its person secret (settings: " + personSecretSetting + ") is damaged")
	}
	return s, nil
}

// loadPersonSecret reads the secret migrateV5 made.
func (j *Journal) loadPersonSecret(ctx context.Context) error {
	var v string
	err := j.wdb.QueryRowContext(ctx, "SELECT value FROM settings WHERE name = ?", personSecretSetting).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return &RefusedError{Path: j.path, Why: "has lost its person secret (settings: " + personSecretSetting + ")"}
	}
	if err != nil {
		return fmt.Errorf("journal %s: %w", j.path, err)
	}
	s, err := decodeSecret(v)
	if err != nil {
		return &RefusedError{Path: j.path, Why: err.Error()}
	}
	j.secret = s
	return nil
}

// entomb replaces the keys of the forgotten submissions ids with their
// tombstones, and the signer part of the keys of their finished attempts
// and of their petition records. An attempt whose outcome is still open
// (intent, accepted, unknown) keeps its key: the organizer may yet look it
// up at the gateway.
func entomb(tx *txn, secret []byte, ids []int64) error {
	for len(ids) > 0 {
		n := min(500, len(ids))
		args := make([]any, n)
		for i, id := range ids[:n] {
			args[i] = id
		}
		ids = ids[n:]
		in := "(?" + strings.Repeat(", ?", n-1) + ")"
		type row struct {
			id             int64
			campaign, key  string
			table, idField string
		}
		var rows []row
		collect := func(table, idField, q string) error {
			rs, err := tx.Query(q, args...)
			if err != nil {
				return err
			}
			defer rs.Close()
			for rs.Next() {
				r := row{table: table, idField: idField}
				if err := rs.Scan(&r.id, &r.campaign, &r.key); err != nil {
					return err
				}
				rows = append(rows, r)
			}
			return rs.Err()
		}
		if err := collect("submissions", "id", `SELECT id, campaign, key FROM submissions WHERE id IN `+in); err != nil {
			return err
		}
		if err := collect("attempts", "id", `SELECT a.id, s.campaign, a.key FROM attempts a JOIN submissions s ON s.id = a.submission
			WHERE a.submission IN `+in+` AND a.state IN ('delivered', 'failed', 'submitted', 'not-sent')`); err != nil {
			return err
		}
		if err := collect("petitions", "submission", `SELECT submission, campaign, key FROM petitions WHERE submission IN `+in); err != nil {
			return err
		}
		for _, r := range rows {
			k := tombstone(secret, r.campaign, r.key)
			if r.table == "attempts" {
				k = attemptTombstone(secret, r.campaign, r.key)
			}
			if _, err := tx.Exec("UPDATE "+r.table+" SET key = ? WHERE "+r.idField+" = ?", k, r.id); err != nil {
				return err
			}
		}
	}
	return nil
}

// migrateV5 gives the journal its person secret and turns the keys of the
// people it had already forgotten (name, city and country blank: a
// submission always has all three until Forget) into tombstones.
func migrateV5(ctx context.Context, tx *txn) error {
	secret, err := initPersonSecret(ctx, tx)
	if err != nil {
		return err
	}
	rows, err := tx.Query("SELECT id FROM submissions WHERE name = '' AND city = '' AND country = ''")
	if err != nil {
		return err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	return entomb(tx, secret, ids)
}
