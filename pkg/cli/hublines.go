package cli

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/faxjam/faxjam/pkg/campaign"
	"github.com/faxjam/faxjam/pkg/hub"
	"github.com/faxjam/faxjam/pkg/hub/client"
	"github.com/faxjam/faxjam/pkg/journal"
	"github.com/faxjam/faxjam/pkg/ui"
	"github.com/faxjam/faxjam/pkg/ui/live"
)

// hubLinesStatus is `faxjam status` for a campaign with a hub where no
// action of ours went: the hub's lines (and, with --token, its queue). ok
// is false when status reads the journal instead.
func hubLinesStatus(ctx context.Context, opts *StatusOptions, c *campaign.Campaign) (ok bool, err error) {
	so := &opts.Send
	hubURL := statusHub(opts, c)
	if hubURL == "" {
		if opts.HubToken != "" && slices.Contains(so.Typed, "token") {
			return true, usagef("--token is the hub's admin token: it goes with a hub (--hub URL, or the campaign's hub:)")
		}
		return false, nil
	}
	cl, err := client.New(hubURL, nil, so.Version)
	if err != nil {
		return true, usagef("--hub: %v", err)
	}
	so.Secrets.add(opts.HubToken)
	err = showHubLines(ctx, so, c, cl.URL(), cl, opts.HubToken, opts.Follow)
	var he *client.Error
	if errors.As(err, &he) && he.Status == http.StatusUnauthorized {
		return true, &UsageError{Err: err, Hint: "check --token: the admin token the hub was started with (faxjam serve --token)"}
	}
	return true, so.Secrets.scrubErr(err)
}

// hubReader is what the lines view reads from a hub: its public lines
// and, with the admin token, its actions.
type hubReader interface {
	Lines(ctx context.Context, campaignID string) (hub.Lines, error)
	Actions(ctx context.Context, campaignID, adminToken string) ([]hub.ExportRow, error)
}

// hubState is the live view's model of what a hub says: its lines, and
// its queue when the admin token lets us read it (queue nil: not shown).
func hubState(l hub.Lines, queue []hub.ExportRow, admin bool) *live.State {
	st := live.NewState(l.Campaign, l.UpdatedAt)
	st.Paused, st.Rehearsal = l.Paused, l.Rehearsal
	// The hub's figures are pkg/lines' formulas over its journal, as ours.
	st.Known, st.PerHour, st.IdealPerHour = true, l.PerHour, l.IdealPerHour
	st.ETA = time.Duration(l.ETASeconds * float64(time.Second))
	st.Tally = ui.Tally{Done: l.Delivered, Queued: l.Queue + l.Sending, Failed: l.Failed, Petitioned: l.Petitioned}
	st.Tally.Total = st.Tally.Finished() + st.Tally.Queued
	for _, hl := range l.Lines {
		var until time.Time
		if hl.Until != nil {
			until = *hl.Until
		}
		ln := &live.Line{Label: hl.Label, Number: hl.Number, Facts: live.FromState(live.LineState(hl.State), until),
			Delivered: hl.DeliveredLastHour, Failed: hl.FailedLastHour, Spark: hl.Sparkline[:], SecondsPerFax: hl.SecondsPerFax, Health: hl.Health}
		if hl.InFlightSince != nil {
			ln.InFlight = []live.Flight{{Since: *hl.InFlightSince}}
		}
		st.Lines = append(st.Lines, ln)
	}
	st.LastHour = true
	if admin {
		st.Queue = []live.QueueItem{}
		for _, a := range queue {
			if a.State != journal.Queued && a.State != journal.Sending {
				continue
			}
			st.Queue = append(st.Queue, live.QueueItem{ID: a.ID, Name: a.Name, State: string(a.State), Line: a.NumberLabel,
				Attempts: a.Attempts, Updated: a.Updated})
		}
		// Oldest first: the order the dispatcher takes them in.
		slices.SortStableFunc(st.Queue, func(a, b live.QueueItem) int { return a.Updated.Compare(b.Updated) })
		st.QueueTotal = len(st.Queue)
	}
	return st
}

// hubLinesJSON is the --json answer: the hub's lines as it gave them, and
// the waiting actions with the admin token.
type hubLinesJSON struct {
	Hub   string          `json:"hub"`
	Lines hub.Lines       `json:"lines"`
	Queue []hub.ExportRow `json:"queue,omitempty"`
}

// showHubLines shows a hub's lines (and queue, with token): once, or with
// follow redrawn every poll until ctx ends or wait runs out. On a terminal
// with colour it is the live view redrawn in place; into a pipe, one plain
// frame per poll; with --json, one JSON object per poll.
func showHubLines(ctx context.Context, so *SendOptions, c *campaign.Campaign, hubURL string, src hubReader, token string, follow bool) error {
	var screen *live.Screen
	tty := wantsLive(so.IO, so.JSON) && so.IO.IsStdoutTTY()
	if follow && tty {
		screen = live.NewScreen(so.IO.Out)
	}
	poll := max(so.Poll, time.Second)
	var deadline <-chan time.Time
	if follow && so.Wait > 0 {
		deadline = time.After(so.Wait)
	}
	for {
		l, err := src.Lines(ctx, c.ID)
		if err != nil {
			return fmt.Errorf("hub %s: %w", hubURL, err)
		}
		var queue []hub.ExportRow
		if token != "" {
			if queue, err = src.Actions(ctx, c.ID, token); err != nil {
				return fmt.Errorf("hub %s: %w", hubURL, err)
			}
			queue = slices.DeleteFunc(queue, func(a hub.ExportRow) bool { return a.State != journal.Queued && a.State != journal.Sending })
		}
		if so.JSON {
			if err := ui.NewJSON(so.IO.Out).Print("lines", hubLinesJSON{Hub: hubURL, Lines: l, Queue: queue}); err != nil {
				return err
			}
		} else {
			st := hubState(l, queue, token != "")
			w, h := so.IO.StderrSize()
			if !so.IO.IsStdoutTTY() {
				w, h = so.IO.TerminalWidth(), 0
			}
			frame := live.Render(st, live.Options{Width: w, Height: h, Now: so.Now(), Styles: so.IO.Styles()})
			if screen != nil {
				screen.Draw(frame, w)
				if err := screen.Err(); err != nil {
					return err
				}
			} else if _, err := fmt.Fprint(so.IO.Out, frame); err != nil {
				return err
			}
		}
		if !follow {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil // Ctrl-C ends a view that changes nothing
		case <-deadline:
			return nil
		case <-time.After(poll):
		}
		if screen == nil && !so.JSON {
			fmt.Fprintln(so.IO.Out)
		}
	}
}
