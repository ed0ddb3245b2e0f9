package hub

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/faxjam/faxjam/pkg/campaignrun"
	"github.com/faxjam/faxjam/pkg/dispatch"
	"github.com/faxjam/faxjam/pkg/letter"
	"github.com/faxjam/faxjam/pkg/petition"
	"github.com/faxjam/faxjam/pkg/petition/server"
	"github.com/faxjam/faxjam/pkg/petition/store"
)

// pausePoll is how often a dispatcher looks at the journal's pause setting:
// another hub process on the same database may have paused or resumed.
const pausePoll = time.Second

// Paused reports whether dialling is paused for the hub's campaign.
func (h *Hub) Paused(ctx context.Context) (bool, error) {
	v, _, err := h.j.Setting(ctx, pausedSetting(h.c.ID))
	return v == "1", err
}

// SetPaused pauses or resumes dialling. It is recorded in the journal, so a
// pause outlives a restart and every hub process on the database sees it.
func (h *Hub) SetPaused(ctx context.Context, paused bool) error {
	v := "0"
	if paused {
		v = "1"
	}
	if err := h.j.PutSetting(ctx, pausedSetting(h.c.ID), v); err != nil {
		return err
	}
	select {
	case h.pauses <- struct{}{}:
	default:
	}
	return nil
}

// Leader reports whether this process is dispatching now.
func (h *Hub) Leader() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.leader
}

func (h *Hub) setLeader(v bool) {
	h.mu.Lock()
	h.leader = v
	h.mu.Unlock()
}

// dispatchLoop runs the engine while this process leads and dialling is not
// paused, until ctx ends. It returns an error only for what the organizer
// must fix (bad credentials, a fictitious number on a real network): the
// hub stops then, rather than accept actions it will never fax.
func (h *Hub) dispatchLoop(ctx context.Context) error {
	eng, err := h.engine()
	if err != nil {
		return err
	}
	h.push.eng.Store(eng) // push.go wakes it
	for ctx.Err() == nil {
		lost, release := (<-chan struct{})(nil), func() {}
		if h.cfg.Lead != nil {
			if lost, release, err = h.cfg.Lead(ctx); err != nil {
				if ctx.Err() != nil {
					return nil
				}
				h.log.Error("dispatch: leadership; trying again", "error", err.Error())
				sleep(ctx, pausePoll)
				continue
			}
		}
		h.setLeader(true)
		err := h.lead(ctx, eng, lost)
		h.setLeader(false)
		release()
		if err != nil {
			return err
		}
	}
	return nil
}

// lead dispatches until ctx ends or leadership is lost, pausing and
// resuming the engine as the pause setting says.
func (h *Hub) lead(ctx context.Context, eng *dispatch.Engine, lost <-chan struct{}) error {
	for {
		paused, err := h.Paused(ctx)
		if err != nil && ctx.Err() == nil {
			h.log.Error("dispatch: reading the pause", "error", err.Error())
		}
		if !paused && err == nil {
			if err := h.serve(ctx, eng, lost); err != nil {
				return err
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-lost:
			return nil
		case <-h.pauses:
		case <-time.After(pausePoll):
		}
	}
}

// serve runs the engine until ctx ends, leadership is lost, a pause is
// seen or the engine stops by itself (the campaign ended).
func (h *Hub) serve(ctx context.Context, eng *dispatch.Engine, lost <-chan struct{}) error {
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := eng.Serve(rctx, h.notify)
		done <- err
	}()
	tick := time.NewTicker(pausePoll)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			switch {
			case err == nil || errors.Is(err, context.Canceled):
				return nil
			case errors.Is(err, dispatch.ErrConfig):
				return fmt.Errorf("hub: dispatch: %w", err)
			}
			// A gateway or petition endpoint that kept failing: the
			// work stays queued; try again after a pause.
			h.log.Error("dispatch stopped; starting again", "error", err.Error(), "in", (10 * pausePoll).String())
			sleep(ctx, 10*pausePoll)
			return nil
		case <-ctx.Done():
		case <-lost:
		case <-h.pauses:
		case <-tick.C:
			if p, err := h.Paused(ctx); err != nil || !p {
				continue
			}
		}
		cancel() // dialling stops now; the calls in flight finish
		<-done
		return nil
	}
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// engine builds the one dispatcher of the hub's campaign.
func (h *Hub) engine() (*dispatch.Engine, error) {
	cfg := h.cfg.Dispatch
	cfg.Campaign, cfg.Gateway = h.c, h.cfg.Gateway
	cfg.Journal, cfg.Compose, cfg.Events = h.j, h.compose, h.event
	cfg.Petition = h.cfg.Petition
	if cfg.Petition == nil {
		cfg.Petition = storePetition{h.cfg.Store}
	}
	cfg.Redirect, cfg.DryRun, cfg.Force, cfg.Wait, cfg.Only, cfg.NoFallback = "", false, false, 0, nil, false
	// Each action was answered 202: a letter that cannot be made after all
	// goes to the petition, never nowhere (issue 16.11).
	cfg.UnmadeToPetition = true
	if cfg.Now == nil {
		cfg.Now = h.cfg.Now
	}
	eng, err := campaignrun.Engine(cfg, h.opened())
	if err != nil {
		return nil, fmt.Errorf("hub: %w", err)
	}
	return eng, nil
}

// opened is the hub's gateway as the engine must know it.
func (h *Hub) opened() campaignrun.Opened {
	return campaignrun.Opened{Gateway: h.cfg.Gateway, Driver: h.cfg.Driver, Env: h.cfg.GatewayEnv}
}

// event passes the engine's events on, and logs the lines' news: the
// line's label, never a signer (the other events carry names).
func (h *Hub) event(ev dispatch.Event) {
	h.metrics.event(ev)
	h.gw.event(ev)
	switch ev.Type {
	case dispatch.EventNumberDown:
		h.log.Warn("line down", "line", h.label(ev.Number), "until", ev.Until.UTC().Format(time.RFC3339))
	case dispatch.EventNumberHeld:
		h.log.Warn("line held until the organizer releases it: its calls found no fax there", "line", h.label(ev.Number), "reason", string(ev.Reason))
	case dispatch.EventWaiting:
		h.log.Info("dispatch waiting", "why", ev.Message)
	}
	if h.cfg.Events != nil {
		h.cfg.Events(ev)
	}
}

// compose is the engine's Compose: the campaign's letter for the signer,
// dated the day the hub accepted the action, so that fax.png can draw the
// same page again later from the journal.
func (h *Hub) compose(ctx context.Context, s letter.Signer) (dispatch.Document, error) {
	sub, err := h.j.Submission(ctx, h.c.ID, letter.SignerKey(h.c.ID, s))
	if err != nil {
		return dispatch.Document{}, err
	}
	lt, lay, err := campaignrun.Layout(ctx, h.c, h.cfg.Renderer, "", campaignrun.Signer(sub), sub.Created)
	if err != nil {
		return dispatch.Document{}, err
	}
	return campaignrun.Documents(h.cfg.Renderer, lt, lay, h.cfg.Driver.WantsTIFF, h.header)
}

// storePetition signs into the hub's own petition store: one signature per
// person, as the petition API stores them.
type storePetition struct{ st store.Store }

func (p storePetition) Sign(ctx context.Context, s petition.Signature) (petition.Receipt, error) {
	rec := server.Record(s.Campaign, s.Key, letter.Signer{Name: s.Name, City: s.City, Country: s.Country, Email: s.Email, Note: s.Note})
	got, dup, err := p.st.Add(ctx, rec)
	if err != nil {
		return petition.Receipt{}, &petition.Error{Driver: "hub", Op: "sign", Retryable: true, Err: err}
	}
	return petition.Receipt{ID: got.ID, Duplicate: dup}, nil
}
