package campaignrun

import (
	"context"
	"time"

	"github.com/faxjam/faxjam/pkg/campaign"
	"github.com/faxjam/faxjam/pkg/e164"
	"github.com/faxjam/faxjam/pkg/journal"
	"github.com/faxjam/faxjam/pkg/lines"
)

// AssumedLineTime is the time a one-page fax holds a line where none was
// measured yet: a page at 9,600 bit/s with the call's set-up.
const AssumedLineTime = time.Minute

// Forecast is when the last fax of a queue would go out.
type Forecast struct {
	Queue int       `json:"queue"`
	Last  time.Time `json:"last,omitzero"` // zero: never (no line will take a call)
	OK    bool      `json:"ok"`
	// Measured says the line times are the journal's (the last 7 days'
	// deliveries); otherwise AssumedLineTime.
	Measured bool `json:"measured"`
	// Ends is the campaign's end, and LeftAtEnd how many would still wait
	// then (0: the queue is done first).
	Ends      time.Time `json:"ends,omitzero"`
	LeftAtEnd int       `json:"left_at_end"`
}

// ForecastQueue forecasts n faxes of c from now: its numbers (held and
// down ones as the journal has them; j may be nil), their measured pace
// over the last 7 days, quiet hours, the hourly cap and the campaign's end
// (lines.Forecast). A rehearsal through the outbox (offline) writes at
// once, through quiet hours.
func ForecastQueue(ctx context.Context, c *campaign.Campaign, j *journal.Journal, n int, now time.Time, offline bool) (Forecast, error) {
	f := Forecast{Queue: n}
	p := lines.Plan{Assumed: AssumedLineTime, Calls: c.Limits.CallsPerNumber, PerHour: c.Limits.PerNumberPerHour}
	if !offline {
		p.Quiet = c.InQuiet
	}
	if end, ok := c.EndsAt(); ok {
		p.Ends, f.Ends = end, end
	}
	health := map[string]journal.NumberHealth{}
	if j != nil {
		hs, err := j.Numbers(ctx, c.ID)
		if err != nil {
			return f, err
		}
		for _, h := range hs {
			health[h.Number] = h
		}
		done, err := j.FinishedSince(ctx, c.ID, now.Add(-7*24*time.Hour))
		if err != nil {
			return f, err
		}
		var ds []lines.Done
		for _, a := range done {
			if a.State == journal.AttemptDelivered {
				ds = append(ds, lines.Done{Number: a.Number, Started: a.Started, Finished: a.Finished})
			}
		}
		p.Pace = lines.Pace(ds)
		f.Measured = len(p.Pace) > 0 && !offline
	}
	if offline {
		p.Pace, p.Assumed, p.PerHour = nil, time.Millisecond, 0
	}
	for _, fx := range c.Target.Fax {
		num, err := e164.Normalize(fx.Number)
		if err != nil {
			num = fx.Number
		}
		h := health[num]
		st, until := lines.Of(now, lines.Facts{DownUntil: h.DownUntil, Held: h.Held != ""})
		p.Lines = append(p.Lines, lines.Line{Number: num, State: st, Until: until})
	}
	f.Last, f.LeftAtEnd, f.OK = lines.Forecast(n, p, now)
	return f, nil
}
