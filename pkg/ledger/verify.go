package ledger

import (
	"crypto/ed25519"
	"fmt"
	"time"

	"github.com/faxjam/faxjam/pkg/pack"
)

// Kinds of Problem.
const (
	Altered    = "altered"    // an entry's content, or its link, is not what was written
	Removed    = "removed"    // an entry is missing
	Reordered  = "reordered"  // an entry comes after one it preceded
	Duplicated = "duplicated" // an entry appears twice
	SealBad    = "seal-invalid"
	SealReplay = "seal-replay"    // a seal repeats, or goes behind, an earlier one, or is another campaign's
	SealDiffer = "seal-mismatch"  // a seal's head is not the chain's entry at its seq
	SealKey    = "seal-other-key" // a seal made with another key than the one given
)

// Problem is one thing Verify found wrong, naming the entry (Seq) and, for
// a seal, which one (1-based, in the export's order).
type Problem struct {
	Kind    string `json:"kind"`
	Seq     int64  `json:"seq"`
	Seal    int    `json:"seal,omitempty"`
	Message string `json:"message"`
}

func (p Problem) String() string { return p.Message }

// Report is what Verify found.
type Report struct {
	Campaign    string `json:"campaign"`
	Entries     int    `json:"entries"`
	Seals       int    `json:"seals"`
	HeadSeq     int64  `json:"head_seq"`
	Head        string `json:"head,omitempty"`
	Fingerprint string `json:"fingerprint,omitempty"` // of the key the seals were checked with
	// Sealed is the highest seq a valid seal covers, SealedAt when.
	Sealed   int64     `json:"sealed"`
	SealedAt time.Time `json:"sealed_at,omitzero"`
	Problems []Problem `json:"problems,omitempty"`
}

// OK reports whether nothing was found wrong.
func (r Report) OK() bool { return len(r.Problems) == 0 }

// Unsealed is how many entries come after the last valid seal.
func (r Report) Unsealed() int64 { return max(0, r.HeadSeq-r.Sealed) }

// Verify checks an exported ledger: each entry's hash, each link, the
// order of the seqs, and each seal against key (nil: the key the first
// seal names, whose fingerprint the report gives to compare with the one
// the organizer published). It reads each entry once.
func Verify(x Export, key ed25519.PublicKey) Report {
	es := x.Entries
	r := Report{Campaign: x.Campaign, Entries: len(es), Seals: len(x.Seals)}
	if r.Campaign == "" && len(es) > 0 {
		r.Campaign = es[0].Campaign
	}
	add := func(kind string, seq int64, seal int, format string, a ...any) {
		r.Problems = append(r.Problems, Problem{Kind: kind, Seq: seq, Seal: seal, Message: fmt.Sprintf(format, a...)})
	}

	// Where each seq is, and whether each entry is whole by itself.
	at := make(map[int64]int, len(es))
	whole := make([]bool, len(es))
	for i := range es {
		e := &es[i]
		if j, dup := at[e.Seq]; dup {
			add(Duplicated, e.Seq, 0, "entry %d appears twice (lines of entries %d and %d): one was added", e.Seq, j+1, i+1)
			continue
		}
		at[e.Seq] = i
		r.HeadSeq = max(r.HeadSeq, e.Seq)
		switch {
		case Link(e.Prev, e.Content()) != e.Hash:
			add(Altered, e.Seq, 0, "entry %d was altered: its content does not match its hash", e.Seq)
		case e.Salt != "" && PersonHash(e.Salt, e.Name, e.City) != e.PersonHash,
			e.Salt == "" && (e.Name != "" || e.City != ""):
			add(Altered, e.Seq, 0, "entry %d was altered: its name or city is not the one recorded", e.Seq)
		case e.Campaign != r.Campaign:
			add(Altered, e.Seq, 0, "entry %d is campaign %s's, not %s's", e.Seq, e.Campaign, r.Campaign)
		default:
			whole[i] = true
		}
	}
	if i, ok := at[r.HeadSeq]; ok {
		r.Head = es[i].Hash
	}

	// Gaps in the seqs are removed entries.
	for s := int64(1); s <= r.HeadSeq; s++ {
		if _, ok := at[s]; ok {
			continue
		}
		to := s
		for to+1 <= r.HeadSeq {
			if _, ok := at[to+1]; ok {
				break
			}
			to++
		}
		if to == s {
			add(Removed, s, 0, "entry %d was removed", s)
		} else {
			add(Removed, s, 0, "entries %d to %d were removed", s, to)
		}
		s = to
	}

	// Order and links.
	var last int64
	for i := range es {
		e := &es[i]
		if at[e.Seq] != i {
			continue // a duplicate, reported
		}
		if e.Seq < last {
			add(Reordered, e.Seq, 0, "entry %d comes after entry %d: the entries were reordered", e.Seq, last)
		}
		last = max(last, e.Seq)
		if !whole[i] {
			continue // its own hash is wrong: the link says nothing more
		}
		if e.Seq == 1 {
			if e.Prev != Genesis {
				add(Altered, 1, 0, "entry 1 was altered: it links to an entry before the first")
			}
			continue
		}
		j, ok := at[e.Seq-1]
		if !ok || e.Prev == es[j].Hash {
			continue
		}
		if whole[j] {
			// Entry seq-1 verifies alone but is not the one entry seq was
			// written after: it was changed and its hash recomputed.
			add(Altered, e.Seq-1, 0, "entry %d was altered and its hash recomputed: entry %d links to another", e.Seq-1, e.Seq)
		}
	}

	// Seals.
	checkKey := key
	if checkKey == nil {
		for _, s := range x.Seals {
			if k, err := pack.ParseKey(s.Key); err == nil {
				checkKey = k
				break
			}
		}
	}
	if checkKey != nil {
		r.Fingerprint = pack.Fingerprint(checkKey)
	}
	var good *Seal
	goodN := 0
	seen := map[string]int{}
	verified := int64(0) // the seq up to which a seal matched
	for k, s := range x.Seals {
		n := k + 1
		what := fmt.Sprintf("seal %d (of entry %d, %s)", n, s.Seq, s.Time.UTC().Format(time.RFC3339))
		if err := s.Check(checkKey); err != nil {
			kind := SealBad
			if named, perr := pack.ParseKey(s.Key); perr == nil && checkKey != nil && !named.Equal(checkKey) {
				kind = SealKey
			}
			add(kind, s.Seq, n, "%s: %v", what, err)
			continue
		}
		if j, ok := seen[s.Signature]; ok {
			add(SealReplay, s.Seq, n, "%s is a replay: it repeats seal %d", what, j)
			continue
		}
		seen[s.Signature] = n
		if s.Campaign != r.Campaign {
			add(SealReplay, s.Seq, n, "%s is a replay: it seals campaign %s, not %s", what, s.Campaign, r.Campaign)
			continue
		}
		if good != nil && (s.Seq < good.Seq || !s.Time.After(good.Time)) {
			add(SealReplay, s.Seq, n, "%s is a replay of an old seal: it comes after seal %d (of entry %d, %s)",
				what, goodN, good.Seq, good.Time.UTC().Format(time.RFC3339))
			continue
		}
		i, ok := at[s.Seq]
		switch {
		case !ok && s.Seq > r.HeadSeq:
			add(Removed, r.HeadSeq+1, n, "%s covers entries up to %d, but the ledger ends at %d: entries %d to %d were removed", what, s.Seq, r.HeadSeq, r.HeadSeq+1, s.Seq)
			continue
		case !ok:
			add(SealDiffer, s.Seq, n, "%s seals entry %d, which is missing", what, s.Seq)
			continue
		case es[i].Hash != s.Head:
			add(SealDiffer, s.Seq, n, "%s does not match entry %d: an entry from %d to %d was altered and every hash after it recomputed", what, s.Seq, verified+1, s.Seq)
			continue
		case s.Time.Before(es[i].Time):
			add(SealReplay, s.Seq, n, "%s is older than the entry it seals (%s): a replay", what, es[i].Time.UTC().Format(time.RFC3339))
			continue
		}
		good, goodN, verified = &x.Seals[k], n, s.Seq
		r.Sealed, r.SealedAt = s.Seq, s.Time.UTC()
	}
	return r
}
