package campaignrun

import (
	"context"
	"time"

	"github.com/faxjam/faxjam/pkg/gateway/outbox"
	"github.com/faxjam/faxjam/pkg/journal"
)

// Scrubbed is what forgetting or retention reached: the journal's part
// (submissions, signer keys, the faxes' vendor ids) and how many faxes'
// documents were deleted where a gateway kept them (the outbox).
type Scrubbed struct {
	journal.Scrubbed
	Documents int
}

// Forget deletes the personal data of p from j and the documents of their
// faxes from the outbox folders outboxes (the PDF and TIFF carry the
// letter: its name, city, e-mail and note). The journal is not compacted:
// the caller does it once, with whatever else it scrubbed.
func Forget(ctx context.Context, j *journal.Journal, outboxes []string, p journal.Person) (Scrubbed, error) {
	return scrub(outboxes, func() (journal.Scrubbed, error) { return j.Forget(ctx, p) })
}

// Retain blanks the e-mail and note of every submission of j final since
// before `before`, and deletes their faxes' documents from outboxes (see
// Forget).
func Retain(ctx context.Context, j *journal.Journal, outboxes []string, before time.Time) (Scrubbed, error) {
	return scrub(outboxes, func() (journal.Scrubbed, error) { return j.Scrub(ctx, before) })
}

func scrub(outboxes []string, op func() (journal.Scrubbed, error)) (Scrubbed, error) {
	s, err := op()
	out := Scrubbed{Scrubbed: s}
	if err != nil || len(outboxes) == 0 {
		return out, err
	}
	// Only the outbox keeps documents faxjam can reach; a vendor's copy
	// is the organizer's to delete (its vendor ids are in s).
	for _, id := range s.VendorIDs[outbox.Scheme] {
		for _, d := range outboxes {
			if err := outbox.Scrub(d, id); err != nil {
				return out, err
			}
		}
		out.Documents++
	}
	return out, nil
}
