// Package lines is the one model of a campaign's fax lines that every view
// draws: the hub's public /lines (and so its signing page and status
// --hub), the organizer's live view of a run (send, status --follow) and
// status. It owns the vocabulary of a line's state and the formulas of the
// figures an organizer steers by: throughput, the ideal, the ETA. It is
// pure: facts and times in, figures out; it imports nothing of faxjam.
//
// A line is in exactly one state, the first that holds:
//
//	down     held down (the circuit breaker, or until the organizer looks) until Until
//	sending  a fax of ours is on the line
//	quiet    the target's quiet hours or the hourly cap: no dialling until Until
//	busy     its last call found it engaged; it is tried again
//	up       takes calls, and none of ours is on it
//
// A fax already on the line when quiet hours begin is still sending: the
// line is taken. "busy" is the target's line answering engaged, never our
// own call in flight.
package lines

import (
	"cmp"
	"math"
	"slices"
	"time"
)

// State is what a fax line is doing.
type State string

const (
	Down    State = "down"
	Sending State = "sending"
	Quiet   State = "quiet"
	Busy    State = "busy"
	Up      State = "up"
)

// Answering reports whether a line in state s takes calls now.
func (s State) Answering() bool { return s == Up || s == Sending || s == Busy }

// Facts are what is known of one line.
type Facts struct {
	DownUntil  time.Time // held down until then; zero: not held
	Held       bool      // held down until the organizer looks (no Until)
	QuietUntil time.Time // no dialling until then (quiet hours, cap); zero: none
	InFlight   int       // faxes of ours on the line
	LastBusy   bool      // its last call ended busy
}

// Of is the state of a line with facts f at now, and until when for down
// and quiet (zero when not known).
func Of(now time.Time, f Facts) (State, time.Time) {
	switch {
	case f.Held:
		return Down, time.Time{}
	case now.Before(f.DownUntil):
		return Down, f.DownUntil
	case f.InFlight > 0:
		return Sending, time.Time{}
	case now.Before(f.QuietUntil):
		return Quiet, f.QuietUntil
	case f.LastBusy:
		return Busy, time.Time{}
	}
	return Up, time.Time{}
}

// Window is how far back Rate looks.
const Window = 15 * time.Minute

// Done is one fax that reached a line and ended delivered: when the line
// took it and when it ended.
type Done struct {
	Number            string
	Started, Finished time.Time
}

// Rate is the throughput at now, in faxes an hour, over a sliding window
// of completed faxes: those that finished in the last Window, over the
// time from the window's start (or from since, when the work began later:
// a run's start) to now. A queue that drains in three minutes reads as the
// pace it went at, not as the few faxes of the last hour; a stalled one
// falls to zero within Window.
func Rate(done []Done, since, now time.Time) float64 {
	cut := now.Add(-Window)
	n := 0
	for _, d := range done {
		if d.Finished.After(cut) && !d.Finished.After(now) {
			n++
		}
	}
	if n == 0 {
		return 0
	}
	from := cut
	if since.After(cut) {
		from = since
	}
	span := max(now.Sub(from), time.Second)
	return float64(n) * float64(time.Hour) / float64(span)
}

// Began is when the work of done began: the earliest start among them
// (zero for none), Rate's since where no run start is known (a hub).
func Began(done []Done) time.Time {
	var first time.Time
	for _, d := range done {
		if !d.Started.IsZero() && (first.IsZero() || d.Started.Before(first)) {
			first = d.Started
		}
	}
	return first
}

// Pace is the mean time a fax held each line (by number) among done; a
// number with no delivery has none.
func Pace(done []Done) map[string]time.Duration {
	sum := map[string]time.Duration{}
	n := map[string]int{}
	for _, d := range done {
		if d.Started.IsZero() || d.Finished.Before(d.Started) {
			continue
		}
		sum[d.Number] += d.Finished.Sub(d.Started)
		n[d.Number]++
	}
	out := make(map[string]time.Duration, len(sum))
	for k, s := range sum {
		out[k] = s / time.Duration(n[k])
	}
	return out
}

// Ideal is what the lines could take an hour at their measured pace: each
// number with a known line time counts calls × 3600 s over it, and a
// number without one counts nothing. 0: no line time is known (nothing
// delivered yet, or an outbox, whose writes are no line's time).
func Ideal(pace map[string]time.Duration, calls int) float64 {
	calls = max(1, calls)
	var per float64
	for _, d := range pace {
		if d > 0 {
			per += float64(calls) * float64(time.Hour) / float64(d)
		}
	}
	return per
}

// Line is one line as ETA sees it: its number, its state and until when.
type Line struct {
	Number string
	State  State
	Until  time.Time
}

// ETA is how long a queue of n takes from now: each line that will take
// calls faxes at its measured line time (a line not measured yet at the
// mean of those that are) from when it can dial (now; the end of quiet
// hours or of its hold), so a line down for an hour adds only what it
// does after that hour. ok is false when it cannot be known: no line time
// measured, or no line that will ever take a call.
func ETA(n int, ls []Line, pace map[string]time.Duration, calls int, now time.Time) (time.Duration, bool) {
	if n <= 0 {
		return 0, true
	}
	var mean time.Duration
	var measured int
	for _, d := range pace {
		if d > 0 {
			mean += d
			measured++
		}
	}
	if measured == 0 {
		return 0, false
	}
	mean /= time.Duration(measured)
	calls = max(1, calls)
	type source struct {
		from float64 // seconds after now
		rate float64 // faxes a second
	}
	var src []source
	for _, l := range ls {
		from := now
		if l.State == Down || l.State == Quiet {
			if l.Until.IsZero() {
				continue
			}
			from = l.Until
		}
		d := pace[l.Number]
		if d <= 0 {
			d = mean
		}
		src = append(src, source{from: max(0, from.Sub(now).Seconds()), rate: float64(calls) / d.Seconds()})
	}
	if len(src) == 0 {
		return 0, false
	}
	slices.SortFunc(src, func(a, b source) int { return cmp.Compare(a.from, b.from) })
	// Faxes done by time T: the sum over lines begun by T of rate × (T −
	// from), linear between two lines' starts: find the piece where it
	// reaches n.
	left, t, rate := float64(n), src[0].from, 0.0
	for i, s := range src {
		if i > 0 && rate > 0 {
			if got := rate * (s.from - t); got >= left {
				break
			} else {
				left -= got
			}
		}
		t = s.from
		rate += s.rate
	}
	t += left / rate
	return time.Duration(math.Round(t * float64(time.Second))), true
}

// Plan is what Forecast knows besides the queue: the lines (a held line is
// Down with no Until, and never comes back), each line's measured time per
// fax, the time to assume where none is measured, the calls a number takes
// at once, the hourly cap per number (0: none), the quiet hours (nil: none)
// and the campaign's end (zero: none).
type Plan struct {
	Lines   []Line
	Pace    map[string]time.Duration
	Assumed time.Duration
	Calls   int
	PerHour int
	Quiet   func(time.Time) (bool, time.Time)
	Ends    time.Time
}

// forecastStep is Forecast's clock tick; forecastHorizon how far it looks.
const (
	forecastStep    = time.Minute
	forecastHorizon = 366 * 24 * time.Hour
)

// Forecast is when the last of n faxes would go out, from now, at each
// line's pace (or Assumed), pausing through quiet hours, each number held
// to its hourly cap and its calls at once; and how many would still be
// waiting when the campaign ends (0 when it ends later or never). ok is
// false when no line will ever take a call, or the queue outlasts a year.
func Forecast(n int, p Plan, now time.Time) (last time.Time, leftAtEnd int, ok bool) {
	if n <= 0 {
		return now, 0, true
	}
	calls := max(1, p.Calls)
	done := 0.0
	inHour := make([]float64, len(p.Lines)) // faxes this clock hour, per line
	hour := now.Truncate(time.Hour)
	leftAtEnd = -1
	for t := now; t.Before(now.Add(forecastHorizon)); {
		if !p.Ends.IsZero() && leftAtEnd < 0 && !t.Before(p.Ends) {
			leftAtEnd = max(0, int(math.Ceil(float64(n)-done)))
		}
		if p.Quiet != nil {
			if q, until := p.Quiet(t); q && until.After(t) {
				t = until
				continue
			}
		}
		if h := t.Truncate(time.Hour); !h.Equal(hour) {
			hour = h
			clear(inHour)
		}
		rate, open := 0.0, false
		for i, l := range p.Lines {
			if (l.State == Down || l.State == Quiet) && (l.Until.IsZero() || t.Before(l.Until)) {
				if l.State == Down && l.Until.IsZero() {
					continue // held: never, in this forecast
				}
				open = true // back later
				continue
			}
			open = true
			d := p.Pace[l.Number]
			if d <= 0 {
				d = p.Assumed
			}
			if d <= 0 {
				continue
			}
			got := float64(calls) * float64(forecastStep) / float64(d)
			if p.PerHour > 0 {
				got = min(got, float64(p.PerHour)-inHour[i])
			}
			if got > 0 {
				inHour[i] += got
				rate += got
			}
		}
		if !open {
			return time.Time{}, n, false
		}
		if done+rate >= float64(n) {
			last = t.Add(time.Duration((float64(n) - done) / rate * float64(forecastStep)))
			if leftAtEnd < 0 {
				leftAtEnd = 0
			}
			return last, leftAtEnd, true
		}
		done += rate
		t = t.Add(forecastStep)
	}
	return time.Time{}, n, false
}
