// Package live is the organizer's live view of a dispatch run: one row per
// fax number (its label, whether the line is up, busy, down or in quiet
// hours, the fax on it and for how long, what it delivered and failed, a
// sparkline of the last hour), and below the rows the totals, throughput
// against the ideal and an ETA.
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
	"github.com/faxjam/faxjam/pkg/ui"
)

// LineState is what a line is doing.
type LineState string

const (
	Up    LineState = "up"    // takes calls
	Busy  LineState = "busy"  // the last call found it occupied
	Down  LineState = "down"  // the circuit breaker took it out until Until
	Quiet LineState = "quiet" // quiet hours or the hourly cap: no dialling until Until
)

// Window is how far back the sparkline and the throughput look, and
// Buckets how many bars the sparkline has (5 minutes each).
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
	State  LineState
	Until  time.Time // Down, Quiet: when it ends (zero: not known)
	// InFlight are the faxes on the line, oldest first.
	InFlight  []Flight
	Delivered int
	Failed    int
	// Spark is deliveries per 5-minute bucket over the last hour, oldest
	// first, when known from elsewhere (a hub); nil: counted from the
	// deliveries Apply saw.
	Spark []int

	deliveries []time.Time // within Window of the latest event
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
	// SecondsPerFax is how long a fax holds a line, for the ideal
	// throughput; 0: measured from the faxes seen (submitted → delivered).
	SecondsPerFax float64
	// PerHour is the throughput when known from elsewhere (a hub's
	// deliveries in the last hour); 0: measured from the deliveries seen.
	PerHour float64
	// IdealPerHour is what the lines could take, when known from elsewhere
	// (a hub counts calls per number); 0: numbers × 3600 / SecondsPerFax.
	IdealPerHour float64
	// LastHour says the rows' delivered and failed count the last hour (a
	// hub's view), not the run.
	LastHour bool
	// Queue is a hub's waiting actions (admin token); nil: not shown.
	Queue      []QueueItem
	QueueTotal int // how many are waiting, when more than Queue holds

	deliveries []time.Time // every line's, within Window
	lineTime   time.Duration
	timed      int
	byKey      map[string]*Line // a key's line while its fax is on it
	lastFax    string
}

// NewState returns the state of a run to the given numbers (label,
// number pairs in campaign order), begun at start.
func NewState(campaign string, start time.Time, lines ...Line) *State {
	s := &State{Campaign: campaign, Start: start, byKey: map[string]*Line{}}
	for _, l := range lines {
		if l.State == "" {
			l.State = Up
		}
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
	l := &Line{Number: number, State: Up}
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
		if l.State == Busy {
			l.State = Up
		}
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
		s.deliveries = append(s.deliveries, ev.Time)
		if l.State == Busy {
			l.State = Up
		}
		s.prune(ev.Time)
	case dispatch.EventFailed:
		l := s.line(ev.Number)
		if l == nil {
			return
		}
		s.land(ev)
		l.Failed++
		if ev.Reason == gateway.ReasonBusy && l.State == Up {
			l.State = Busy
		}
	case dispatch.EventUnknown:
		s.land(ev)
	case dispatch.EventNumberDown:
		if l := s.line(ev.Number); l != nil {
			l.State, l.Until = Down, ev.Until
		}
	case dispatch.EventWaiting:
		// Without a signer it is the whole run waiting: quiet hours, the
		// hourly cap. (With one, it is that signer's petition.) A
		// rehearsal is told when a real gateway would wait, but its lines
		// do not: the outbox writes on.
		if ev.Key == "" && !ev.Until.IsZero() && !s.Rehearsal {
			for _, l := range s.Lines {
				if l.State != Down || l.Until.Before(ev.Until) {
					l.State, l.Until = Quiet, ev.Until
				}
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
			if ev.Type == dispatch.EventDelivered && !f.Since.IsZero() {
				s.lineTime += ev.Time.Sub(f.Since)
				s.timed++
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
	s.deliveries = drop(s.deliveries)
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

// secondsPerFax is the configured or measured time a fax holds a line.
func (s *State) secondsPerFax() float64 {
	if s.SecondsPerFax > 0 {
		return s.SecondsPerFax
	}
	if s.timed == 0 {
		return 0
	}
	return (s.lineTime / time.Duration(s.timed)).Seconds()
}

// perHour is the throughput at now: deliveries over the last hour, or,
// for a run younger than that, its rate so far.
func (s *State) perHour(now time.Time) float64 {
	if s.PerHour > 0 {
		return s.PerHour
	}
	el := now.Sub(s.Start)
	if el <= 0 {
		return 0
	}
	n := 0
	cut := now.Add(-Window)
	for _, t := range s.deliveries {
		if t.After(cut) && !t.After(now) {
			n++
		}
	}
	if el >= Window {
		return float64(n)
	}
	return float64(n) / el.Hours()
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

// state is what l is doing at now: a Down or Quiet that has run out is up.
func (l *Line) state(now time.Time) (LineState, time.Time) {
	if (l.State == Down || l.State == Quiet) && !l.Until.IsZero() && !now.Before(l.Until) {
		return Up, time.Time{}
	}
	return l.State, l.Until
}
