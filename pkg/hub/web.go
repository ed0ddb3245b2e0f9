package hub

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

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
		PrivacyNotice: h.cfg.PrivacyNotice,
	})
	if err != nil {
		return nil, fmt.Errorf("hub: %w", err)
	}
	return p, nil
}

// pageBackend is web.Backend on the hub. Acting, receipts, fax.png and
// pause go through the hub's own API handlers, in process and without
// the rate limit (the page itself is limited per client as a whole), so
// the page and the API can never disagree on a rule.
type pageBackend struct{ h *Hub }

var _ web.Backend = pageBackend{}

// captured is an in-process response of one of the hub's handlers.
type captured struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (c *captured) Header() http.Header { return c.header }
func (c *captured) WriteHeader(s int) {
	if c.status == 0 {
		c.status = s
	}
}
func (c *captured) Write(p []byte) (int, error) {
	c.WriteHeader(http.StatusOK)
	return c.body.Write(p)
}

// call runs handler on an in-process request; id is the path's {id},
// bearer its token.
func call(ctx context.Context, handler http.HandlerFunc, method, id, bearer string, body any) (*captured, error) {
	var rd bytes.Buffer
	if body != nil {
		if err := json.NewEncoder(&rd).Encode(body); err != nil {
			return nil, err
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, "/", &rd)
	if err != nil {
		return nil, err
	}
	req.SetPathValue("id", id)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	c := &captured{header: http.Header{}}
	handler(c, req)
	return c, nil
}

// failure turns an error answer of the API into an error: field errors
// for a 400 naming fields, web.ErrNotFound for a 404 or 409, else the
// API's message (which carries no personal data).
func (c *captured) failure(op string) error {
	var e apiError
	_ = json.Unmarshal(c.body.Bytes(), &e)
	switch {
	case c.status == http.StatusBadRequest && len(e.Fields) > 0:
		return &letter.FieldErrors{Fields: e.Fields}
	case c.status == http.StatusBadRequest && e.Field != "":
		return &letter.FieldErrors{Fields: []letter.FieldError{{Field: e.Field, Reason: e.Error}}}
	case c.status == http.StatusNotFound, c.status == http.StatusConflict:
		return web.ErrNotFound
	}
	return fmt.Errorf("hub: %s: %d %s", op, c.status, strings.TrimSpace(e.Error))
}

func (b pageBackend) Act(ctx context.Context, key string, s letter.Signer) (web.Receipt, error) {
	c, err := call(ctx, b.h.accept, http.MethodPost, b.h.c.ID, "",
		ActionRequest{Key: key, Name: s.Name, City: s.City, Country: s.Country, Email: s.Email, Note: s.Note, Lang: s.Lang})
	if err != nil {
		return web.Receipt{}, err
	}
	if c.status != http.StatusAccepted && c.status != http.StatusOK {
		return web.Receipt{}, c.failure("act")
	}
	var a Accepted
	if err := json.Unmarshal(c.body.Bytes(), &a); err != nil {
		return web.Receipt{}, fmt.Errorf("hub: act: %w", err)
	}
	return web.Receipt{ID: a.ID, Token: a.Receipt, State: string(a.State), Duplicate: a.Duplicate}, nil
}

func (b pageBackend) Action(ctx context.Context, id, token string) (web.Action, error) {
	if token == "" {
		return web.Action{}, web.ErrNotFound
	}
	c, err := call(ctx, b.h.action, http.MethodGet, id, token, nil)
	if err != nil {
		return web.Action{}, err
	}
	if c.status != http.StatusOK {
		return web.Action{}, c.failure("action")
	}
	var st Status
	if err := json.Unmarshal(c.body.Bytes(), &st); err != nil {
		return web.Action{}, fmt.Errorf("hub: action: %w", err)
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
	if token == "" {
		return nil, web.ErrNotFound
	}
	c, err := call(ctx, b.h.faxPNG, http.MethodGet, id, token, nil)
	if err != nil {
		return nil, err
	}
	if c.status != http.StatusOK {
		return nil, c.failure("fax.png")
	}
	return c.body.Bytes(), nil
}

// Preview draws the first page the hub would fax for s today: the same
// composer (Hub.layout) and renderer as the dispatcher's.
func (b pageBackend) Preview(ctx context.Context, s letter.Signer) ([]byte, error) {
	s = letter.Normalize(s)
	if err := letter.ValidateSigner(s, b.h.c.RequireNote); err != nil {
		return nil, err
	}
	lay, err := b.h.layout(journal.Submission{Name: s.Name, City: s.City, Country: s.Country, Email: s.Email, Note: s.Note,
		Lang: s.Lang, Created: b.h.cfg.Now()})
	if err != nil {
		return nil, err
	}
	var png bytes.Buffer
	if err := b.h.cfg.Renderer.PNG(lay, 0, &png); err != nil {
		return nil, err
	}
	return png.Bytes(), nil
}

func (b pageBackend) Lines(ctx context.Context) (web.Lines, error) {
	v, err := b.h.Lines(ctx)
	if err != nil {
		return web.Lines{}, err
	}
	out := web.Lines{Paused: v.Paused, UpdatedAt: v.UpdatedAt, Queue: v.Queue, Delivered: v.Delivered, DeliveredToday: v.DeliveredToday,
		Petitioned: v.Petitioned, Failed: v.Failed, IdealPerHour: int(v.IdealPerHour + 0.5)}
	for _, l := range v.Lines {
		wl := web.Line{Label: l.Label, Number: l.Number, State: l.State, DeliveredLastHour: l.DeliveredLastHour, FailedLastHour: l.FailedLastHour}
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
	return web.AdminView{Paused: paused, Petitioned: n, PerHour: per, Start: start}, nil
}

// Pause goes through the API's pause handler (with the admin token the
// page checked at sign-in), so the lines view is refreshed as it is there.
func (b pageBackend) Pause(ctx context.Context, paused bool) error {
	c, err := call(ctx, b.h.pause(paused), http.MethodPost, b.h.c.ID, b.h.cfg.Token, nil)
	if err != nil {
		return err
	}
	if c.status != http.StatusOK {
		return c.failure("pause")
	}
	return nil
}
