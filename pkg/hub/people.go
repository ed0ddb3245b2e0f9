package hub

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/faxjam/faxjam/pkg/hub/web"
	"github.com/faxjam/faxjam/pkg/journal"
)

// The admin page's people (pkg/hub/web people.go), from the journal.

func (b pageBackend) People(ctx context.Context, q string, limit int) ([]web.PersonRow, error) {
	h := b.h
	q = strings.ToLower(strings.TrimSpace(q))
	var out []web.PersonRow
	// A scan of the campaign's actions: an organizer's search, not a hot
	// path (100,000 actions read in well under a second).
	for row, err := range h.j.Actions(ctx, h.c.ID) {
		if err != nil {
			return nil, err
		}
		s := row.Submission
		if s.Name == "" && s.Email == "" {
			continue // forgotten
		}
		if strings.Contains(strings.ToLower(s.Name), q) || s.Email != "" && strings.Contains(strings.ToLower(s.Email), q) {
			out = append(out, personRow(row))
		}
	}
	slices.Reverse(out) // newest first
	return out[:min(len(out), limit)], nil
}

func personRow(row journal.ActionRow) web.PersonRow {
	s := row.Submission
	return web.PersonRow{ID: row.Action.ID, Name: s.Name, City: s.City, Country: s.Country, Email: s.Email,
		State: string(s.State), Accepted: row.Action.Created}
}

func (b pageBackend) Person(ctx context.Context, id string) (web.PersonHistory, error) {
	h := b.h
	a, s, err := h.j.Action(ctx, id)
	if errors.Is(err, journal.ErrNotFound) || err == nil && a.Campaign != h.c.ID {
		return web.PersonHistory{}, web.ErrNotFound
	}
	if err != nil {
		return web.PersonHistory{}, err
	}
	p := web.PersonHistory{PersonRow: personRow(journal.ActionRow{Action: a, Submission: s}),
		Note: s.Note, Lang: s.Lang, NumberLabel: h.label(s.Number), Reason: s.Message}
	atts, err := h.j.Attempts(ctx, s.ID)
	if err != nil {
		return web.PersonHistory{}, err
	}
	for _, t := range atts {
		p.Attempts = append(p.Attempts, web.AttemptRow{N: t.N, NumberLabel: h.label(t.Number), State: string(t.State),
			Reason: t.Reason, Started: t.Started, Finished: t.Finished, FinishedKnown: !t.Finished.IsZero()})
	}
	return p, nil
}

func (b pageBackend) Forget(ctx context.Context, id string) error {
	h := b.h
	a, s, err := h.j.Action(ctx, id)
	if err != nil {
		return err
	}
	_, err = h.Forget(ctx, journal.Person{Campaign: a.Campaign, Submission: s.ID}, s.Email)
	return err
}

func (b pageBackend) Release(ctx context.Context, number string) error {
	h := b.h
	if _, err := h.j.Release(ctx, h.c.ID, number); err != nil {
		return err
	}
	h.lines.mu.Lock()
	h.lines.at = time.Time{} // the next view reads it again
	h.lines.mu.Unlock()
	// The running engine keeps each number's health in memory: start it
	// again (as a resume does), and it reads the release from the journal.
	select {
	case h.pauses <- struct{}{}:
	default:
	}
	return nil
}

func (b pageBackend) Export(ctx context.Context, w io.Writer, csv bool) error {
	return b.h.Export(ctx, w, csv, false)
}
