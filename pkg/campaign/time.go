package campaign

import (
	"fmt"
	"time"
	// The target's time zone decides quiet hours; a binary cross-built for a
	// system without zoneinfo must still know America/Guatemala.
	_ "time/tzdata"
)

// Location returns the target's time zone.
func (c *Campaign) Location() (*time.Location, error) {
	if c.Target.Timezone == "" {
		return nil, fmt.Errorf("campaign %s: target.timezone is not set", c.ID)
	}
	loc, err := time.LoadLocation(c.Target.Timezone)
	if err != nil {
		return nil, fmt.Errorf("campaign %s: target.timezone %q: %w", c.ID, c.Target.Timezone, err)
	}
	return loc, nil
}

// QuietHours is a daily window, in minutes after midnight, when no fax is
// dialled. Start > End wraps past midnight ("20:00-08:00"). The zero value
// is no quiet hours.
type QuietHours struct {
	Start, End int
	set        bool
}

// ParseQuietHours reads "HH:MM-HH:MM"; "" is no quiet hours.
func ParseQuietHours(s string) (QuietHours, error) {
	if s == "" {
		return QuietHours{}, nil
	}
	h1, m1, ok1 := clock(s[:min(5, len(s))])
	h2, m2, ok2 := clock(s[min(6, len(s)):])
	if len(s) != len("00:00-00:00") || s[5] != '-' || !ok1 || !ok2 {
		return QuietHours{}, fmt.Errorf("want HH:MM-HH:MM (e.g. 20:00-08:00), got %q", s)
	}
	q := QuietHours{Start: h1*60 + m1, End: h2*60 + m2, set: true}
	if q.Start == q.End {
		return QuietHours{}, fmt.Errorf("want HH:MM-HH:MM with start and end different, got %q", s)
	}
	return q, nil
}

// clock reads "HH:MM" with two digits each.
func clock(s string) (h, m int, ok bool) {
	if len(s) != 5 || s[2] != ':' {
		return 0, 0, false
	}
	for _, i := range []int{0, 1, 3, 4} {
		if s[i] < '0' || s[i] > '9' {
			return 0, 0, false
		}
	}
	h = int(s[0]-'0')*10 + int(s[1]-'0')
	m = int(s[3]-'0')*10 + int(s[4]-'0')
	return h, m, h <= 23 && m <= 59
}

// Contains reports whether t (read in t's own location) falls in the window
// and, if so, when the window ends.
func (q QuietHours) Contains(t time.Time) (bool, time.Time) {
	if !q.set {
		return false, time.Time{}
	}
	m := t.Hour()*60 + t.Minute()
	var in bool
	if q.Start < q.End {
		in = m >= q.Start && m < q.End
	} else {
		in = m >= q.Start || m < q.End
	}
	if !in {
		return false, time.Time{}
	}
	y, mo, d := t.Date()
	if m >= q.End { // the window ends tomorrow
		d++
	}
	return true, time.Date(y, mo, d, q.End/60, q.End%60, 0, 0, t.Location())
}

// InQuiet reports whether t is in the campaign's quiet hours in the target's
// time zone and, if so, when they end. A campaign that does not validate has
// no quiet hours here; Validate reports why.
func (c *Campaign) InQuiet(t time.Time) (bool, time.Time) {
	q, err := ParseQuietHours(c.Limits.QuietHours)
	if err != nil {
		return false, time.Time{}
	}
	loc, err := c.Location()
	if err != nil {
		return false, time.Time{}
	}
	return q.Contains(t.In(loc))
}

// Ended reports whether t is after the campaign's last day (ends, inclusive,
// in the target's time zone). A campaign without an end never ends.
func (c *Campaign) Ended(t time.Time) bool {
	end, ok := c.EndsAt()
	return ok && !t.Before(end)
}

// EndsAt is the instant the campaign ends: the midnight after its last day
// (ends) in the target's time zone; ok is false for a campaign without an
// end.
func (c *Campaign) EndsAt() (time.Time, bool) {
	if c.Ends == "" {
		return time.Time{}, false
	}
	loc, err := c.Location()
	if err != nil {
		loc = time.UTC
	}
	end, err := time.ParseInLocation(DateLayout, c.Ends, loc)
	if err != nil {
		return time.Time{}, false
	}
	return end.AddDate(0, 0, 1), true
}

// ClosedWhy says why nothing may be sent for the campaign at t: its
// organizer closed it, or its last day is past. "" when it is open.
func (c *Campaign) ClosedWhy(t time.Time) string {
	switch {
	case c.Closed:
		return "its organizer has closed it (closed: true)"
	case c.Ended(t):
		return "it ended on " + c.Ends
	}
	return ""
}
