package hub

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/faxjam/faxjam/pkg/alert"
	"github.com/faxjam/faxjam/pkg/dispatch"
	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/lines"
)

// Defaults of the alert checks (Config.AlertEvery, StallAfter).
const (
	defaultAlertEvery = 15 * time.Second
	defaultStallAfter = 10 * time.Minute
	// gatewayErrors in a row, with no call taken since, is a gateway down.
	gatewayErrors = 3
)

// gatewayWatch follows the engine's events for the gateway-down alert: a
// run of transient gateway errors with no call taken since.
type gatewayWatch struct {
	mu     sync.Mutex
	errors int
}

func (g *gatewayWatch) event(ev dispatch.Event) {
	g.mu.Lock()
	defer g.mu.Unlock()
	switch ev.Type {
	case dispatch.EventRetry:
		if ev.Reason == gateway.ReasonGatewayError || ev.Reason == gateway.ReasonRateLimited || ev.Reason == "" {
			g.errors++
		}
	case dispatch.EventSubmitted, dispatch.EventDelivered, dispatch.EventFailed:
		g.errors = 0 // the gateway took a call
	}
}

func (g *gatewayWatch) down() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.errors
}

// alertLoop checks, every AlertEvery until ctx ends, what an organizer
// must hear of and tells Config.Alerts (once per incident): the gateway
// down, every line down (quiet hours and a pause are not), the queue
// stalled for StallAfter, and the process dialling changed.
func (h *Hub) alertLoop(ctx context.Context) {
	every := h.cfg.AlertEvery
	if every <= 0 {
		every = defaultAlertEvery
	}
	stallAfter := h.cfg.StallAfter
	if stallAfter <= 0 {
		stallAfter = defaultStallAfter
	}
	w := &alert.Watcher{Campaign: h.c.ID, Senders: h.cfg.Alerts, Now: h.cfg.Now}
	var stalled time.Time // since when the queue has not moved
	leader := false
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		holding := map[string]string{}
		if v, err := h.Lines(ctx); err == nil {
			now := h.cfg.Now()
			answering, quiet := 0, 0
			for _, l := range v.Lines {
				st := lines.State(l.State)
				if st.Answering() {
					answering++
				}
				if st == lines.Quiet {
					quiet++
				}
			}
			var held []string
			for _, l := range v.Lines {
				if l.Held != "" {
					held = append(held, fmt.Sprintf("%s (%s, %s)", l.Label, l.Number, l.Held))
				}
			}
			if len(held) > 0 {
				holding[alert.NumberHeld] = fmt.Sprintf("held until you look: %s; its calls found no fax there. Check the number, then release it on /admin", strings.Join(held, ", "))
			}
			if len(v.Lines) > 0 && answering == 0 && quiet == 0 && !v.Paused {
				holding[alert.LinesDown] = fmt.Sprintf("every fax line of %s is down: new actions go to the petition", h.c.ID)
			}
			moving := v.Queue == 0 || v.Sending > 0 || v.Paused || quiet > 0 || !v.Dispatching
			switch {
			case moving:
				stalled = time.Time{}
			case stalled.IsZero():
				stalled = now
			case now.Sub(stalled) >= stallAfter:
				holding[alert.QueueStalled] = fmt.Sprintf("%d action(s) of %s have waited %s with nothing faxed", v.Queue, h.c.ID, now.Sub(stalled).Round(time.Second))
			}
			if v.Dispatching != leader {
				leader = v.Dispatching
				msg := "this hub process stopped dialling"
				if leader {
					msg = "this hub process now dials"
				}
				if err := w.Tell(ctx, alert.Leader, msg); err != nil {
					h.log.Error("alert not sent", "kind", string(alert.Leader), "error", err.Error())
				}
			}
		}
		if n := h.gw.down(); n >= gatewayErrors {
			holding[alert.GatewayDown] = fmt.Sprintf("the gateway failed %d calls in a row and took none since", n)
		}
		if err := w.Observe(ctx, holding); err != nil {
			h.log.Error("alert not sent; sent again at the next check", "error", err.Error())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
