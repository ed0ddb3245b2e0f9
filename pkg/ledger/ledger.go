// Package ledger owns a campaign's delivery ledger: one entry per final
// outcome (delivered, submitted, petitioned, failed, gave-up), each linked
// to the one before it by its hash, and seals — the head of the chain
// signed with the campaign's Ed25519 pack key — so that what was sent can
// be shown to the target, the press and the campaign's members, and no one
// (the organizer included) can edit, drop or reorder an entry afterwards
// without a verifier saying which one.
//
// # The chain
//
// An entry's content is its public fields (campaign, seq, time, outcome,
// number, pages, the document's SHA-256, the gateway's job id and what it
// reported, the petition signature's id) in a fixed, length-prefixed
// encoding (Content). The personal data a petitioned entry carries — the
// signer's name and city, no more than the petition itself shows — is not
// in it directly: a random salt, the name and the city hash to PersonHash,
// and PersonHash is. Then
//
//	Hash = SHA-256("faxjam ledger link v1" || Prev || SHA-256(Content))
//
// with Prev the Hash of the entry before (Genesis for the first). When a
// person is forgotten, their name, city and salt are blanked and
// PersonHash stays: the chain still verifies, and without the salt the
// hash cannot be used to test whether a given name was in it.
//
// # Seals
//
// A Seal signs (campaign, seq, head hash, time) with the campaign's pack
// key (`faxjam campaign keygen`): anyone with the public key, or its
// fingerprint as published with the campaign, can check that the chain up
// to seq is the one the organizer sealed at that time. Seals only move
// forward: a seal that repeats or goes behind an earlier one is a replay.
//
// Verify walks an exported ledger once (a 100,000-entry ledger in well under
// two seconds, BenchmarkVerify100k) and names each entry that was altered,
// removed or reordered, and each seal that does not match, does not verify
// or is replayed.
//
// The journal (pkg/journal) writes entries inside its own transactions
// with Link and PersonHash; this package must not import journal, dispatch
// or cli. The hand-in PDF is pkg/ledger/handin.
package ledger

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"strconv"
	"time"

	"github.com/faxjam/faxjam/pkg/pack"
)

// Outcomes an entry records: the final states of a submission.
const (
	Delivered  = "delivered"
	Submitted  = "submitted"
	Petitioned = "petitioned"
	Failed     = "failed"
	GaveUp     = "gave-up"
)

// Final reports whether a submission state is an outcome the ledger
// records.
func Final(state string) bool {
	switch state {
	case Delivered, Submitted, Petitioned, Failed, GaveUp:
		return true
	}
	return false
}

// Genesis is the Prev of a campaign's first entry.
const Genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// Entry is one final outcome.
type Entry struct {
	Seq      int64     `json:"seq"` // 1, 2, ... within the campaign
	Campaign string    `json:"campaign"`
	Time     time.Time `json:"time"` // when the outcome was recorded (the journal's clock)
	Outcome  string    `json:"outcome"`
	Reason   string    `json:"reason,omitempty"` // why, in the gateway's reason vocabulary (failed, gave-up)

	NumberLabel string `json:"number_label,omitempty"`
	Number      string `json:"number,omitempty"` // the number of the last attempt
	Pages       int    `json:"pages,omitempty"`
	DocSHA256   string `json:"doc_sha256,omitempty"`
	Driver      string `json:"driver,omitempty"`
	JobID       string `json:"job_id,omitempty"` // the gateway's id of the fax
	// What the gateway reported, where it does: the receiving station's
	// id, and the pages it says went through. Empty where it does not.
	CSID      string `json:"csid,omitempty"`
	PagesSent int    `json:"pages_sent,omitempty"`
	// TransmitMS is the last attempt's time from the call to its outcome.
	TransmitMS int64 `json:"transmit_ms,omitempty"`

	SignatureID string `json:"signature_id,omitempty"` // the petition endpoint's id (petitioned)
	// Name and City (petitioned only) are blanked with Salt when the
	// person is forgotten; PersonHash stays.
	Name       string `json:"name,omitempty"`
	City       string `json:"city,omitempty"`
	Salt       string `json:"salt,omitempty"`
	PersonHash string `json:"person_hash,omitempty"`

	Prev string `json:"prev"`
	Hash string `json:"hash"`
}

// SetPerson gives e the name and city of its signer with a new salt, and
// their PersonHash.
func (e *Entry) SetPerson(name, city string) error {
	if name == "" && city == "" {
		e.Name, e.City, e.Salt, e.PersonHash = "", "", "", ""
		return nil
	}
	var salt [16]byte
	if _, err := rand.Read(salt[:]); err != nil {
		return fmt.Errorf("ledger: salt: %w", err)
	}
	e.Name, e.City, e.Salt = name, city, hex.EncodeToString(salt[:])
	e.PersonHash = PersonHash(e.Salt, name, city)
	return nil
}

// PersonHash hides a signer's name and city behind a random salt.
func PersonHash(salt, name, city string) string {
	h := sha256.New()
	writeFields(h, "faxjam ledger person v1", salt, name, city)
	return hex.EncodeToString(h.Sum(nil))
}

// Forgotten reports whether e's personal data was blanked.
func (e *Entry) Forgotten() bool { return e.PersonHash != "" && e.Salt == "" }

// Content is the SHA-256 of e's public content: every field but Prev,
// Hash and the personal data (for which PersonHash stands).
func (e *Entry) Content() [32]byte {
	h := sha256.New()
	writeFields(h, "faxjam ledger entry v1", e.Campaign, strconv.FormatInt(e.Seq, 10),
		strconv.FormatInt(e.Time.UnixNano(), 10), e.Outcome, e.Reason, e.NumberLabel, e.Number,
		strconv.Itoa(e.Pages), e.DocSHA256, e.Driver, e.JobID, e.CSID, strconv.Itoa(e.PagesSent),
		strconv.FormatInt(e.TransmitMS, 10), e.SignatureID, e.PersonHash)
	var sum [32]byte
	h.Sum(sum[:0])
	return sum
}

// Link is the hash of an entry with content after prev: what Hash must be.
func Link(prev string, content [32]byte) string {
	p, err := hex.DecodeString(prev)
	if err != nil || len(p) != sha256.Size {
		// A malformed prev still hashes (to something no honest entry
		// has), so the entry is reported, not the verifier stopped.
		p = []byte(prev)
	}
	h := sha256.New()
	h.Write([]byte("faxjam ledger link v1"))
	h.Write(p)
	h.Write(content[:])
	return hex.EncodeToString(h.Sum(nil))
}

// Chain sets e.Prev to prev and e.Hash to its link.
func (e *Entry) Chain(prev string) {
	e.Prev = prev
	e.Hash = Link(prev, e.Content())
}

// writeFields writes each field with its length first, so no two field
// lists encode alike.
func writeFields(h hash.Hash, fields ...string) {
	var n [binary.MaxVarintLen64]byte
	for _, f := range fields {
		h.Write(n[:binary.PutUvarint(n[:], uint64(len(f)))])
		h.Write([]byte(f))
	}
}

// Seal is a campaign's chain head signed with its pack key.
type Seal struct {
	Campaign  string    `json:"campaign"`
	Seq       int64     `json:"seq"`  // the head's seq
	Head      string    `json:"head"` // the head's Hash
	Time      time.Time `json:"time"`
	Key       string    `json:"key"` // pack.EncodeKey of the public key
	Signature string    `json:"signature"`
}

// message is what a seal signs.
func (s Seal) message() []byte {
	h := sha256.New()
	writeFields(h, "faxjam ledger seal v1", s.Campaign, strconv.FormatInt(s.Seq, 10), s.Head,
		strconv.FormatInt(s.Time.UnixNano(), 10))
	return h.Sum(nil)
}

// Sign seals the head (seq, head) of campaign's chain at t with priv.
func Sign(priv ed25519.PrivateKey, campaign string, seq int64, head string, t time.Time) Seal {
	s := Seal{Campaign: campaign, Seq: seq, Head: head, Time: t.UTC(), Key: pack.EncodeKey(priv.Public().(ed25519.PublicKey))}
	s.Signature = base64.RawURLEncoding.EncodeToString(ed25519.Sign(priv, s.message()))
	return s
}

// Fingerprint is the seal's key as people compare it (pack.Fingerprint),
// or "" if the key is malformed.
func (s Seal) Fingerprint() string {
	k, err := pack.ParseKey(s.Key)
	if err != nil {
		return ""
	}
	return pack.Fingerprint(k)
}

// Check verifies s's signature with key (nil: the key s names).
func (s Seal) Check(key ed25519.PublicKey) error {
	named, err := pack.ParseKey(s.Key)
	if err != nil {
		return fmt.Errorf("its key: %w", err)
	}
	if key != nil && !key.Equal(named) {
		return fmt.Errorf("made with key %s, not %s", pack.Fingerprint(named), pack.Fingerprint(key))
	}
	sig, err := base64.RawURLEncoding.DecodeString(s.Signature)
	if err != nil || !ed25519.Verify(named, s.message(), sig) {
		return errors.New("its signature does not verify: the seal was altered or forged")
	}
	return nil
}
