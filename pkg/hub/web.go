package hub

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/faxjam/faxjam/pkg/campaignrun"
	"github.com/faxjam/faxjam/pkg/hub/web"
	"github.com/faxjam/faxjam/pkg/journal"
	"github.com/faxjam/faxjam/pkg/letter"
)

// WebConfig is the signing page's part of the hub's configuration
// (package web serves the page; the hub mounts it at /).
type WebConfig struct {
	// EmbedOrigins are partner sites allowed to show the page in a frame
	// (`faxjam serve --embed-origin`); none means frame-ancestors 'none'.
	EmbedOrigins []string
	// Secure marks the page's cookies Secure: the hub serves TLS, or sits
	// behind a proxy that does.
	Secure bool
}

// newPage builds the signing page and admin page on this hub.
func (h *Hub) newPage() (*web.Handler, error) {
	p, err := web.New(web.Config{
		Campaign: h.c, Backend: pageBackend{h}, AdminToken: h.cfg.Token,
		EmbedOrigins: h.cfg.Web.EmbedOrigins, Secure: h.cfg.Web.Secure || h.cfg.HTTP.TLSCert != "", Now: h.cfg.Now,
		PrivacyNotice: h.cfg.PrivacyNotice, EmailRequired: h.cfg.Confirm != nil,
		Rehearsal: h.rehearsal(),
	})
	if err != nil {
		return nil, fmt.Errorf("hub: %w", err)
	}
	return p, nil
}

// pageBackend is web.Backend on the hub: the same Go methods the API's
// handlers call (Act, Status, FaxPNG, Preview, SetPaused), so the page and
// the API can never disagree on a rule. The page is rate limited per client
// as a whole where the hub mounts it.
type pageBackend struct{ h *Hub }

var _ web.Backend = pageBackend{}

// pageError maps the hub's errors to the page's.
func pageError(err error) error {
	var ce *ClosedError
	var nf *ErrNoFax
	switch {
	case errors.As(err, &ce):
		return fmt.Errorf("%w: %s", web.ErrClosed, ce.Why)
	case errors.Is(err, ErrNotFound), errors.As(err, &nf):
		return web.ErrNotFound
	case errors.Is(err, ErrKeyReused):
		return web.ErrKeyUsed
	}
	return err // *letter.FieldErrors passes as it is
}

func (b pageBackend) Act(ctx context.Context, key string, s letter.Signer) (web.Receipt, error) {
	a, err := b.h.Act(ctx, key, s)
	if err != nil {
		return web.Receipt{}, pageError(err)
	}
	return web.Receipt{ID: a.ID, Token: a.Receipt, State: string(a.State), Duplicate: a.Duplicate}, nil
}

func (b pageBackend) Action(ctx context.Context, id, token string) (web.Action, error) {
	st, err := b.h.Status(ctx, id, token)
	if err != nil {
		return web.Action{}, pageError(err)
	}
	a := web.Action{ID: st.ID, State: string(st.State), NumberLabel: st.NumberLabel, Attempts: st.Attempts, Pages: st.Pages,
		UpdatedAt: st.UpdatedAt, Reason: st.Reason}
	if st.DeliveredAt != nil {
		a.DeliveredAt = *st.DeliveredAt
	}
	if st.PetitionedAt != nil {
		a.PetitionedAt = *st.PetitionedAt
	}
	return a, nil
}

func (b pageBackend) FaxPNG(ctx context.Context, id, token string) ([]byte, error) {
	png, err := b.h.FaxPNG(ctx, id, token, 1)
	return png, pageError(err)
}

func (b pageBackend) Preview(ctx context.Context, s letter.Signer) ([]byte, error) {
	png, err := b.h.Preview(ctx, s)
	return png, pageError(err)
}

func (b pageBackend) Lines(ctx context.Context) (web.Lines, error) {
	v, err := b.h.Lines(ctx)
	if err != nil {
		return web.Lines{}, err
	}
	out := web.Lines{Paused: v.Paused, UpdatedAt: v.UpdatedAt, Queue: v.Queue, Delivered: v.Delivered, DeliveredToday: v.DeliveredToday,
		Petitioned: v.Petitioned, Failed: v.Failed, IdealPerHour: int(v.IdealPerHour + 0.5)}
	for _, l := range v.Lines {
		wl := web.Line{Label: l.Label, Number: l.Number, State: l.State, DeliveredLastHour: l.DeliveredLastHour, FailedLastHour: l.FailedLastHour, Held: l.Held}
		if l.Until != nil {
			wl.Until = *l.Until
		}
		if l.InFlightSince != nil {
			wl.InFlightSince = *l.InFlightSince
		}
		out.Lines = append(out.Lines, wl)
	}
	return out, nil
}

// chartHours is how far back the admin page's chart of deliveries goes.
const chartHours = 24

func (b pageBackend) Admin(ctx context.Context) (web.AdminView, error) {
	h := b.h
	paused, err := h.Paused(ctx)
	if err != nil {
		return web.AdminView{}, err
	}
	n, err := h.ps.Signatures(ctx, h.c.ID)
	if err != nil {
		return web.AdminView{}, err
	}
	start := h.cfg.Now().UTC().Truncate(time.Hour).Add(-(chartHours - 1) * time.Hour)
	done, err := h.j.FinishedSince(ctx, h.c.ID, start)
	if err != nil {
		return web.AdminView{}, err
	}
	per := make([]int, chartHours)
	for _, a := range done {
		if a.State != journal.AttemptDelivered && a.State != journal.AttemptSubmitted {
			continue
		}
		if i := int(a.Finished.Sub(start) / time.Hour); i >= 0 && i < chartHours {
			per[i]++
		}
	}
	av := web.AdminView{Paused: paused, Leader: h.Leader(), Petitioned: n, PerHour: per, Start: start}
	counts, err := h.j.Counts(ctx, h.c.ID)
	if err != nil {
		return web.AdminView{}, err
	}
	if av.Queue = counts[journal.Queued]; av.Queue > 0 {
		f, err := campaignrun.ForecastQueue(ctx, h.c, h.j, av.Queue, h.cfg.Now(), h.rehearsal())
		if err != nil {
			return web.AdminView{}, err
		}
		av.Last, av.Ends, av.ForecastOK, av.LeftAtEnd = f.Last, f.Ends, f.OK, f.LeftAtEnd
	}
	return av, nil
}

func (b pageBackend) Pause(ctx context.Context, paused bool) error {
	return b.h.SetPaused(ctx, paused)
}

// revokedSetting names a signed-out admin session in the journal's
// settings: shared by every hub on the database, kept across restarts.
func revokedSetting(id string) string { return "hub.admin.revoked." + id }

func (b pageBackend) RevokeSession(ctx context.Context, id string) error {
	return b.h.j.PutSetting(ctx, revokedSetting(id), "1")
}

func (b pageBackend) Revoked(ctx context.Context, id string) (bool, error) {
	v, _, err := b.h.j.Setting(ctx, revokedSetting(id))
	return v == "1", err
}
