package hub

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/journal"
	"github.com/faxjam/faxjam/pkg/lines"
)

// Lines is the public view of the campaign's fax lines: no personal data.
type Lines struct {
	Campaign string `json:"campaign"`
	Paused   bool   `json:"paused"`
	// Rehearsal says the hub's gateway dials nothing (the outbox): faxes
	// are written, never sent, and quiet hours do not hold them.
	Rehearsal bool `json:"rehearsal"`
	// Dispatching says whether the hub process that answered is the one
	// dialling (with several behind a load balancer, exactly one is).
	Dispatching    bool      `json:"dispatching"`
	UpdatedAt      time.Time `json:"updated_at"`
	Queue          int       `json:"queue"`
	Sending        int       `json:"sending"`
	Delivered      int       `json:"delivered"`
	DeliveredToday int       `json:"delivered_today"`
	Petitioned     int       `json:"petitioned"`
	Failed         int       `json:"failed"`
	// The figures, from the lines model (pkg/lines) as the live view's:
	// PerHour is the throughput over a sliding window of completed faxes;
	// SecondsPerFax the mean of the lines' measured line times (last
	// hour); IdealPerHour what the lines with a measured time could take;
	// ETASeconds how long the queue takes at each line's pace, after quiet
	// hours (absent: not known). A rehearsal measures no line time.
	PerHour       float64 `json:"per_hour"`
	SecondsPerFax float64 `json:"seconds_per_fax"`
	IdealPerHour  float64 `json:"ideal_per_hour"`
	ETASeconds    float64 `json:"eta_s,omitempty"`
	Lines         []Line  `json:"lines"`
}

// Line is one of the target's numbers.
type Line struct {
	Label             string     `json:"label"`
	Number            string     `json:"number"`
	State             string     `json:"state"` // up, sending, busy, down, quiet (pkg/lines)
	Until             *time.Time `json:"until,omitempty"`
	InFlightSince     *time.Time `json:"in_flight_since,omitempty"`
	SecondsPerFax     float64    `json:"seconds_per_fax,omitempty"` // its measured line time (last hour)
	DeliveredLastHour int        `json:"delivered_last_hour"`
	FailedLastHour    int        `json:"failed_last_hour"`
	// Held is why the number is held down until the organizer releases
	// it (its calls found no fax there); Health its record, counts only.
	Held   string               `json:"held,omitempty"`
	Health *journal.NumberStats `json:"health,omitempty"`
	// Sparkline is the deliveries per 5-minute bucket over the last hour,
	// oldest first.
	Sparkline [12]int `json:"sparkline"`
}

// rehearsal reports a hub whose gateway dials nothing (the outbox).
func (h *Hub) rehearsal() bool { return h.cfg.Gateway != nil && h.cfg.Driver.Offline }

// linesTTL is how long a lines view is served from memory: the view is
// public, and polling clients must not cost a query each.
const linesTTL = time.Second

type linesCache struct {
	mu   sync.Mutex
	at   time.Time
	view Lines
}

func (h *Hub) linesView(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		methodNotAllowed(w, r, http.MethodGet)
		return
	}
	if !h.ours(w, r) {
		return
	}
	v, err := h.Lines(r.Context())
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, "", "cannot read the lines now; try again")
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=1")
	writeJSON(w, http.StatusOK, v)
}

// Lines returns the public view of the lines, at most linesTTL old.
func (h *Hub) Lines(ctx context.Context) (Lines, error) {
	h.lines.mu.Lock()
	defer h.lines.mu.Unlock()
	now := h.cfg.Now()
	if !h.lines.at.IsZero() && now.Sub(h.lines.at) < linesTTL {
		v := h.lines.view
		v.Dispatching = h.Leader()
		return v, nil
	}
	v, err := h.readLines(ctx, now)
	if err != nil {
		return Lines{}, err
	}
	h.lines.at, h.lines.view = now, v
	v.Dispatching = h.Leader()
	return v, nil
}

func (h *Hub) readLines(ctx context.Context, now time.Time) (Lines, error) {
	c := h.c
	v := Lines{Campaign: c.ID, UpdatedAt: now.UTC(), Rehearsal: h.rehearsal()}
	var err error
	if v.Paused, err = h.Paused(ctx); err != nil {
		return v, err
	}
	counts, err := h.j.Counts(ctx, c.ID)
	if err != nil {
		return v, err
	}
	v.Queue, v.Sending, v.Delivered = counts[journal.Queued], counts[journal.Sending], counts[journal.Delivered]+counts[journal.Submitted]
	v.Petitioned, v.Failed = counts[journal.Petitioned], counts[journal.Failed]+counts[journal.GaveUp]+counts[journal.Unknown]
	health, err := h.j.NumberStats(ctx, c.ID, now)
	if err != nil {
		return v, err
	}
	pending, err := h.j.Pending(ctx, c.ID)
	if err != nil {
		return v, err
	}
	midnight := now
	if loc, err := c.Location(); err == nil {
		t := now.In(loc)
		midnight = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
	}
	hour := now.Add(-time.Hour)
	since := hour
	if midnight.Before(hour) {
		since = midnight
	}
	done, err := h.j.FinishedSince(ctx, c.ID, since)
	if err != nil {
		return v, err
	}
	quiet, quietUntil := c.InQuiet(now)
	quiet = quiet && !v.Rehearsal // the outbox writes through quiet hours, as the engine does
	// Every figure is the lines model's (pkg/lines), as the live view's.
	var recent []lines.Done // delivered in the last hour: the pace
	for _, a := range done {
		if (a.State == journal.AttemptDelivered || a.State == journal.AttemptSubmitted) && !a.Finished.Before(hour) {
			recent = append(recent, lines.Done{Number: a.Number, Started: a.Started, Finished: a.Finished})
		}
	}
	pace := lines.Pace(recent)
	if v.Rehearsal {
		pace = nil // an outbox's "line time" is a file write, no line's
	}
	var eta []lines.Line
	for _, n := range h.numbers {
		l := Line{Label: h.label(n), Number: n}
		var f lines.Facts
		for _, hl := range health {
			if hl.Number == n {
				f.DownUntil, f.LastBusy, f.Held = hl.DownUntil, hl.LastResult == string(gateway.ReasonBusy), hl.Held != ""
				l.Held, l.Health = hl.Held, hl.Stats
			}
		}
		for _, a := range pending {
			if a.Number == n {
				f.InFlight++
				if l.InFlightSince == nil || a.Started.Before(*l.InFlightSince) {
					t := a.Started.UTC()
					l.InFlightSince = &t
				}
			}
		}
		if quiet {
			f.QuietUntil = quietUntil
		}
		st, until := lines.Of(now, f)
		l.State = string(st)
		if !until.IsZero() {
			t := until.UTC()
			l.Until = &t
		}
		if d, ok := pace[n]; ok {
			l.SecondsPerFax = d.Seconds()
		}
		eta = append(eta, lines.Line{Number: n, State: st, Until: until})
		for _, a := range done {
			if a.Number != n {
				continue
			}
			delivered := a.State == journal.AttemptDelivered || a.State == journal.AttemptSubmitted
			if delivered && !a.Finished.Before(midnight) {
				v.DeliveredToday++
			}
			if a.Finished.Before(hour) {
				continue
			}
			switch {
			case delivered:
				l.DeliveredLastHour++
				if b := int(a.Finished.Sub(hour) / (5 * time.Minute)); b >= 0 && b < len(l.Sparkline) {
					l.Sparkline[b]++
				}
			case a.State == journal.AttemptFailed:
				l.FailedLastHour++
			}
		}
		v.Lines = append(v.Lines, l)
	}
	calls := max(1, c.Limits.CallsPerNumber)
	v.PerHour = lines.Rate(recent, lines.Began(recent), now)
	v.IdealPerHour = lines.Ideal(pace, calls)
	if len(pace) > 0 {
		var sum time.Duration
		for _, d := range pace {
			sum += d
		}
		v.SecondsPerFax = (sum / time.Duration(len(pace))).Seconds()
	}
	if d, ok := lines.ETA(v.Queue+v.Sending, eta, pace, calls, now); ok && v.Queue+v.Sending > 0 {
		v.ETASeconds = d.Seconds()
	}
	return v, nil
}
