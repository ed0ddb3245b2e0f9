// Package live is the organizer's live view of a dispatch run: one row per
// fax number (its label, its state in pkg/lines' vocabulary — up, sending,
// busy, down or quiet — the fax on it and for how long, what it delivered
// and failed, its success over the last 7 days from the journal, a
// sparkline of the last hour), and below the rows the
// totals, throughput against the ideal and an ETA, by pkg/lines' formulas,
// the hub's own.
//
// The model is a State, built from the dispatch events a run reports
// (State.Apply) or filled from a hub's /v1/campaigns/{id}/lines; Render is a
// pure function from a State, a clock and a width to text, so the view is
// tested as golden files. Screen draws successive frames in place on a
// terminal: it rewrites only the lines that changed, inside a synchronized
// update, and never asks the terminal anything.
//
// Unlike pkg/ui, which imports no faxjam package, live reads dispatch
// events: its model is made of them. Nothing in dispatch imports it.
package live

import (
	"time"

	"github.com/faxjam/faxjam/pkg/dispatch"
	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/journal"
	"github.com/faxjam/faxjam/pkg/lines"
	"github.com/faxjam/faxjam/pkg/ui"
)

// LineState is what a line is doing: pkg/lines' vocabulary.
type LineState = lines.State

const (
	Up      = lines.Up
	Sending = lines.Sending
	Busy    = lines.Busy
	Down    = lines.Down
	Quiet   = lines.Quiet
)

// Window is how far back the sparkline looks, and Buckets how many bars
// it has (5 minutes each). The throughput's window is lines.Window.
const (
	Window  = time.Hour
	Buckets = 12
)

// Flight is a fax on a line: whose, and since when.
type Flight struct {
	Key   string
	Name  string // "" when not known (a hub shows no names)
	Since time.Time
}

// Line is one fax number.
type Line struct {
	Label  string
	Number string
	// Facts are what is known of the line (its in-flight count is
	// InFlight's); its state is lines.Of them.
	Facts lines.Facts
	// InFlight are the faxes on the line, oldest first.
	InFlight  []Flight
	Delivered int
	Failed    int
	// Spark is deliveries per 5-minute bucket over the last hour, oldest
	// first, when known from elsewhere (a hub); nil: counted from the
	// deliveries Apply saw.
	Spark []int

	deliveries []time.Time // within Window of the latest event
	// SecondsPerFax is its line time when known from elsewhere (a hub);
	// 0: measured from the deliveries Apply saw.
	SecondsPerFax float64
	// Health is the number's record in the journal when the run began
	// (or as a hub's /lines gives it); nil: not known. The view shows
	// its success over the last 7 days.
	Health *journal.NumberStats
}

// FromState is a line whose state is known from elsewhere (a hub's
// /lines): the facts that give that state.
func FromState(st LineState, until time.Time) lines.Facts {
	switch st {
	case Down:
		return lines.Facts{DownUntil: until}
	case Quiet:
		return lines.Facts{QuietUntil: until}
	case Busy:
		return lines.Facts{LastBusy: true}
	}
	return lines.Facts{}
}

// QueueItem is one action waiting at a hub (the admin view).
type QueueItem struct {
	ID       string
	Name     string
	State    string
	Line     string // the number's label, when it has one
	Attempts int
	Updated  time.Time
}

// State is where a run stands.
type State struct {
	Campaign string
	Lines    []*Line
	Tally    ui.Tally
	Start    time.Time // when the run (or the view) began
	Paused   bool      // a hub's dialling is paused
	// Rehearsal: the gateway dials nothing (the outbox); the view says so,
	// and no line waits for quiet hours.
	Rehearsal bool
	// Calls is how many faxes a line takes at once (the campaign's
	// calls_per_number; 0 is 1), for the ideal and the ETA.
	Calls int
	// Figures, when known from elsewhere (a hub computes them with the
	// same pkg/lines formulas); Known false: computed here from the
	// events Apply saw.
	Known        bool
	PerHour      float64
	IdealPerHour float64
	ETA          time.Duration // 0 with Known: not known
	// LastHour says the rows' delivered and failed count the last hour (a
	// hub's view), not the run.
	LastHour bool
	// Queue is a hub's waiting actions (admin token); nil: not shown.
	Queue      []QueueItem
	QueueTotal int // how many are waiting, when more than Queue holds

	done    []lines.Done     // delivered, within Window
	byKey   map[string]*Line // a key's line while its fax is on it
	lastFax string
}

// NewState returns the state of a run to the given numbers (label,
// number pairs in campaign order), begun at start.
func NewState(campaign string, start time.Time, ls ...Line) *State {
	s := &State{Campaign: campaign, Start: start, byKey: map[string]*Line{}}
	for _, l := range ls {
		s.Lines = append(s.Lines, &l)
	}
	return s
}

// LastFax is the gateway id of the last fax a gateway took.
func (s *State) LastFax() string { return s.lastFax }

// line returns the row for number, adding one (labelled by its number) for
// a number the campaign does not list.
func (s *State) line(number string) *Line {
	if number == "" {
		return nil
	}
	for _, l := range s.Lines {
		if l.Number == number {
			return l
		}
	}
	l := &Line{Number: number}
	s.Lines = append(s.Lines, l)
	return l
}

// Apply takes one dispatch event into the state. The engine reports events
// from one goroutine at a time; State is not safe for concurrent use.
func (s *State) Apply(ev dispatch.Event) {
	if s.byKey == nil {
		s.byKey = map[string]*Line{}
	}
	s.count(ev)
	if s.Start.IsZero() {
		s.Start = ev.Time
	}
	switch ev.Type {
	case dispatch.EventSubmitted:
		if ev.VendorID != "" {
			s.lastFax = ev.VendorID
		}
		l := s.line(ev.Number)
		if l == nil {
			return
		}
		if s.land(ev) {
			// A second "submitted" is the end for drivers that cannot
			// report delivery: the fax left the line.
			return
		}
		l.InFlight = append(l.InFlight, Flight{Key: ev.Key, Name: ev.Name, Since: ev.Time})
		s.byKey[ev.Key] = l
		l.Facts.LastBusy = false
	case dispatch.EventDelivered:
		if ev.VendorID != "" {
			s.lastFax = ev.VendorID
		}
		l := s.line(ev.Number)
		if l == nil {
			return
		}
		s.land(ev)
		l.Delivered++
		l.deliveries = append(l.deliveries, ev.Time)
		l.Facts.LastBusy = false
		s.prune(ev.Time)
	case dispatch.EventFailed:
		l := s.line(ev.Number)
		if l == nil {
			return
		}
		s.land(ev)
		l.Failed++
		l.Facts.LastBusy = ev.Reason == gateway.ReasonBusy
	case dispatch.EventUnknown:
		s.land(ev)
	case dispatch.EventNumberDown:
		if l := s.line(ev.Number); l != nil {
			l.Facts.DownUntil = ev.Until
		}
	case dispatch.EventNumberHeld:
		if l := s.line(ev.Number); l != nil {
			l.Facts.Held = true
		}
	case dispatch.EventWaiting:
		// Without a signer it is the whole run waiting: quiet hours, the
		// hourly cap. (With one, it is that signer's petition.) A
		// rehearsal is told when a real gateway would wait, but its lines
		// do not: the outbox writes on.
		if ev.Key == "" && !ev.Until.IsZero() && !s.Rehearsal {
			for _, l := range s.Lines {
				l.Facts.QuietUntil = ev.Until
			}
		}
	}
}

// land takes ev's signer's fax off its line, measuring how long it held
// it; it reports whether there was one.
func (s *State) land(ev dispatch.Event) bool {
	l, ok := s.byKey[ev.Key]
	if !ok {
		return false
	}
	delete(s.byKey, ev.Key)
	for i, f := range l.InFlight {
		if f.Key == ev.Key {
			if ev.Type == dispatch.EventDelivered {
				s.done = append(s.done, lines.Done{Number: l.Number, Started: f.Since, Finished: ev.Time})
			}
			l.InFlight = append(l.InFlight[:i], l.InFlight[i+1:]...)
			break
		}
	}
	return true
}

// prune forgets deliveries older than Window before now.
func (s *State) prune(now time.Time) {
	cut := now.Add(-Window)
	drop := func(ts []time.Time) []time.Time {
		i := 0
		for i < len(ts) && !ts[i].After(cut) {
			i++
		}
		return ts[i:]
	}
	i := 0
	for i < len(s.done) && !s.done[i].Finished.After(now.Add(-lines.Window)) {
		i++
	}
	s.done = s.done[i:]
	for _, l := range s.Lines {
		l.deliveries = drop(l.deliveries)
	}
}

// count keeps the tally: what the progress line and the totals say.
func (s *State) count(ev dispatch.Event) {
	t := &s.Tally
	switch ev.Type {
	case dispatch.EventQueued:
		t.Total++
		t.Queued++
	case dispatch.EventDelivered:
		// EventSubmitted is the gateway taking the fax: delivery comes
		// later (or, for email to fax, never; the summary counts those).
		t.Done++
		t.Queued = max(0, t.Queued-1)
	case dispatch.EventAlready:
		// A row an earlier run finished: one of the run's rows, not sent.
		t.Total++
		t.Already++
	case dispatch.EventPetitioned:
		t.Petitioned++
		t.Queued = max(0, t.Queued-1)
	case dispatch.EventGaveUp, dispatch.EventUnknown:
		t.Failed++
		t.Queued = max(0, t.Queued-1)
	case dispatch.EventRejected:
		// Counted as the summary counts it: rejected, never faxed, not a
		// failed fax.
		t.Rejected++
		if ev.Key != "" { // a queued signer whose letter could not be made
			t.Queued = max(0, t.Queued-1)
		} else { // a row of the list: one of the run's signers, never queued
			t.Total++
		}
	}
}

// Figures are the view's throughput, ideal and ETA at now: pkg/lines'
// formulas over what Apply saw, or the hub's own (Known).
type Figures struct {
	PerHour, IdealPerHour float64
	ETA                   time.Duration
	ETAKnown              bool
}

// Figures computes the view's figures at now.
func (s *State) Figures(now time.Time) Figures {
	if s.Known {
		return Figures{PerHour: s.PerHour, IdealPerHour: s.IdealPerHour, ETA: s.ETA, ETAKnown: s.ETA > 0 || s.Tally.Queued == 0}
	}
	pace := lines.Pace(s.done)
	if s.Rehearsal {
		pace = nil // the outbox's writes are no line's time
	}
	var ls []lines.Line
	for _, l := range s.Lines {
		st, until := l.StateAt(now)
		ls = append(ls, lines.Line{Number: l.Number, State: st, Until: until})
	}
	f := Figures{PerHour: lines.Rate(s.done, s.Start, now), IdealPerHour: lines.Ideal(pace, s.Calls)}
	f.ETA, f.ETAKnown = lines.ETA(s.Tally.Queued, ls, pace, s.Calls, now)
	if !f.ETAKnown && f.PerHour > 0 { // no line time (a rehearsal): the pace it goes at
		f.ETA, f.ETAKnown = time.Duration(float64(s.Tally.Queued)/f.PerHour*float64(time.Hour)), true
	}
	return f
}

// spark is l's deliveries per bucket over the hour up to now.
func (l *Line) spark(now time.Time) []int {
	if l.Spark != nil {
		return l.Spark
	}
	out := make([]int, Buckets)
	step := Window / Buckets
	start := now.Add(-Window)
	for _, t := range l.deliveries {
		if !t.After(start) || t.After(now) {
			continue
		}
		i := min(Buckets-1, int(t.Sub(start)/step))
		out[i]++
	}
	return out
}

// StateAt is what l is doing at now (lines.Of its facts): a hold or quiet
// hours that ran out are over.
func (l *Line) StateAt(now time.Time) (LineState, time.Time) {
	f := l.Facts
	f.InFlight = max(f.InFlight, len(l.InFlight))
	return lines.Of(now, f)
}
