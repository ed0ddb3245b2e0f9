package lines

import (
	"math"
	"testing"
	"time"
)

var t0 = time.Date(2026, 12, 2, 16, 0, 0, 0, time.UTC)

func TestOneStateEachInOrderOfPrecedence(t *testing.T) {
	later := t0.Add(time.Hour)
	for _, c := range []struct {
		f    Facts
		want State
	}{
		{Facts{}, Up},
		{Facts{LastBusy: true}, Busy},
		{Facts{InFlight: 1, LastBusy: true}, Sending},
		{Facts{QuietUntil: later, LastBusy: true}, Quiet},
		{Facts{QuietUntil: later, InFlight: 1}, Sending}, // a fax on the line when quiet hours begin
		{Facts{DownUntil: later, InFlight: 1, QuietUntil: later}, Down},
		{Facts{DownUntil: t0.Add(-time.Second)}, Up}, // a hold that ran out
		{Facts{QuietUntil: t0}, Up},
	} {
		if got, _ := Of(t0, c.f); got != c.want {
			t.Errorf("Of(%+v) = %s, want %s", c.f, got, c.want)
		}
	}
	if _, until := Of(t0, Facts{DownUntil: later}); !until.Equal(later) {
		t.Errorf("down until %v, want %v", until, later)
	}
	for s, want := range map[State]bool{Up: true, Sending: true, Busy: true, Down: false, Quiet: false} {
		if s.Answering() != want {
			t.Errorf("%s.Answering() = %v", s, !want)
		}
	}
}

// The figure the issue found wrong: a queue of 30 that drained in three
// minutes read "3.0/h" (the last hour's count). Over the sliding window it
// is the pace it went at.
func TestRateIsThePaceOfTheWindowNotTheLastHoursCount(t *testing.T) {
	var done []Done
	start := t0
	for i := range 30 {
		f := start.Add(time.Duration(i+1) * 6 * time.Second) // 30 faxes in 3 minutes
		done = append(done, Done{Number: "+1", Started: f.Add(-6 * time.Second), Finished: f})
	}
	now := start.Add(3 * time.Minute)
	since := Began(done)
	if !since.Equal(start) {
		t.Fatalf("began %v, want %v", since, start)
	}
	if got := Rate(done, since, now); math.Abs(got-600) > 1 {
		t.Errorf("rate = %.1f/h, want 600/h (30 faxes in 3 min)", got)
	}
	// Ten minutes after the last: still within the window, the pace over
	// the time since the first started.
	if got := Rate(done, since, now.Add(10*time.Minute)); math.Abs(got-30*60/13.0) > 1 {
		t.Errorf("rate 10 min later = %.1f/h, want %.1f", got, 30*60/13.0)
	}
	// Past the window, nothing finished: zero, not the old pace.
	// Long into a run, the window's pace: 15 minutes of it.
	if got := Rate(done, time.Time{}, start.Add(15*time.Minute)); math.Abs(got-30*4) > 0.1 {
		t.Errorf("rate over a full window = %.1f/h, want 120", got)
	}
	if got := Rate(done, since, now.Add(Window+time.Minute)); got != 0 {
		t.Errorf("rate after a stall = %.1f/h, want 0", got)
	}
	if got := Rate(nil, since, now); got != 0 {
		t.Errorf("rate of nothing = %v", got)
	}
}

func TestIdealCountsOnlyLinesWithAMeasuredTime(t *testing.T) {
	done := []Done{
		{Number: "+1", Started: t0, Finished: t0.Add(60 * time.Second)},
		{Number: "+1", Started: t0, Finished: t0.Add(120 * time.Second)},
		{Number: "+2", Started: t0, Finished: t0.Add(30 * time.Second)},
	}
	pace := Pace(done)
	if pace["+1"] != 90*time.Second || pace["+2"] != 30*time.Second || len(pace) != 2 {
		t.Fatalf("pace = %v", pace)
	}
	// 3600/90 + 3600/30 = 40 + 120; +3 has no time and counts nothing.
	if got := Ideal(pace, 1); got != 160 {
		t.Errorf("ideal = %v, want 160", got)
	}
	if got := Ideal(pace, 2); got != 320 {
		t.Errorf("ideal with 2 calls a line = %v, want 320", got)
	}
	if got := Ideal(nil, 1); got != 0 {
		t.Errorf("ideal with no line time = %v, want 0 (not a guess)", got)
	}
}

func TestETAFromTheQueueAndEachLinesPace(t *testing.T) {
	pace := map[string]time.Duration{"+1": 60 * time.Second, "+2": 30 * time.Second}
	ls := []Line{{Number: "+1", State: Up}, {Number: "+2", State: Sending}, {Number: "+3", State: Down}}
	// +1 takes 1/60 a second, +2 1/30: 1/20 a second; +3 down with no end.
	if d, ok := ETA(30, ls, pace, 1, t0); !ok || d != 600*time.Second {
		t.Errorf("ETA = %v %v, want 10m", d, ok)
	}
	// In quiet hours the queue starts when they end.
	quiet := []Line{{Number: "+1", State: Quiet, Until: t0.Add(2 * time.Hour)}, {Number: "+2", State: Quiet, Until: t0.Add(2 * time.Hour)}}
	if d, ok := ETA(30, quiet, pace, 1, t0); !ok || d != 2*time.Hour+600*time.Second {
		t.Errorf("ETA in quiet hours = %v %v, want 2h10m", d, ok)
	}
	// A line not measured yet goes at the mean of those that are (45 s):
	// 1/60 + 1/30 + 1/45 = 13/180 a second, so 26 faxes take 6 minutes.
	ls = append(ls, Line{Number: "+4", State: Up})
	if d, _ := ETA(26, ls, pace, 1, t0); d != 360*time.Second {
		t.Errorf("ETA with an unmeasured line = %v, want 6m", d)
	}
	// A line down for an hour adds only what it does after that hour: ten
	// faxes at a minute each are done by the other line alone.
	held := []Line{{Number: "+1", State: Up}, {Number: "+2", State: Down, Until: t0.Add(time.Hour)}}
	even := map[string]time.Duration{"+1": time.Minute, "+2": time.Minute}
	if d, _ := ETA(10, held, even, 1, t0); d != 10*time.Minute {
		t.Errorf("ETA with a line down for an hour = %v, want 10m", d)
	}
	// 70 faxes: 60 by the first line in the hour, then 10 by both.
	if d, _ := ETA(70, held, even, 1, t0); d != 65*time.Minute {
		t.Errorf("ETA past the line's return = %v, want 1h05m", d)
	}
	if _, ok := ETA(5, ls, nil, 1, t0); ok {
		t.Error("an ETA without any line time")
	}
	if d, ok := ETA(0, ls, nil, 1, t0); !ok || d != 0 {
		t.Errorf("ETA of an empty queue = %v %v", d, ok)
	}
}

// TestForecast: the last fax of a queue through quiet hours, caps, a held
// line and the campaign's end.
func TestForecast(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	two := []Line{{Number: "a", State: Up}, {Number: "b", State: Up}}
	min1 := map[string]time.Duration{"a": time.Minute, "b": time.Minute}
	// 120 faxes, 2 lines at a minute each: an hour.
	last, left, ok := Forecast(120, Plan{Lines: two, Pace: min1, Calls: 1}, now)
	if !ok || !last.Equal(now.Add(time.Hour)) || left != 0 {
		t.Errorf("plain: %v %d %v, want 10:00", last, left, ok)
	}
	// Quiet from 09:30 to 12:00: the second half waits 2 h 30.
	quiet := func(x time.Time) (bool, time.Time) {
		s, e := now.Add(30*time.Minute), now.Add(3*time.Hour)
		if !x.Before(s) && x.Before(e) {
			return true, e
		}
		return false, time.Time{}
	}
	if last, _, ok := Forecast(120, Plan{Lines: two, Pace: min1, Calls: 1, Quiet: quiet}, now); !ok || !last.Equal(now.Add(3*time.Hour+30*time.Minute)) {
		t.Errorf("quiet: %v, want 12:30", last)
	}
	// A cap of 20 an hour per number: 120 take three hours.
	if last, _, ok := Forecast(120, Plan{Lines: two, Pace: min1, Calls: 1, PerHour: 20}, now); !ok || !last.Equal(now.Add(2*time.Hour+20*time.Minute)) {
		t.Errorf("cap: %v, want 11:20", last)
	}
	// One line held: twice as long; both held: never.
	held := []Line{{Number: "a", State: Up}, {Number: "b", State: Down}}
	if last, _, ok := Forecast(120, Plan{Lines: held, Pace: min1, Calls: 1}, now); !ok || !last.Equal(now.Add(2*time.Hour)) {
		t.Errorf("one held: %v, want 11:00", last)
	}
	if _, _, ok := Forecast(1, Plan{Lines: []Line{{Number: "a", State: Down}}, Pace: min1}, now); ok {
		t.Error("every line held, yet a forecast")
	}
	// The campaign ends after 30 minutes: 60 faxes still wait then.
	if _, left, ok := Forecast(120, Plan{Lines: two, Pace: min1, Calls: 1, Ends: now.Add(30 * time.Minute)}, now); !ok || left != 60 {
		t.Errorf("ends first: %d left, want 60", left)
	}
	// Nothing measured: the assumed time.
	if last, _, ok := Forecast(2, Plan{Lines: two, Assumed: time.Minute}, now); !ok || !last.Equal(now.Add(time.Minute)) {
		t.Errorf("assumed: %v", last)
	}
}
