package cli

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"time"

	"github.com/faxjam/faxjam/pkg/campaign"
	"github.com/faxjam/faxjam/pkg/campaignrun"
	"github.com/faxjam/faxjam/pkg/dispatch"
	"github.com/faxjam/faxjam/pkg/journal"
	"github.com/faxjam/faxjam/pkg/letter"
	"github.com/faxjam/faxjam/pkg/ui"
)

// engineRun is one dispatch run as a command drives it: send, status
// --follow and petition deliver differ only in these fields.
type engineRun struct {
	// Config is the engine's; runEngine sets its Events.
	Config dispatch.Config
	// Signers are the run's new signers; nil resumes the queued work only.
	Signers iter.Seq2[letter.Signer, error]
	// Heading is printed on stderr before the run (not with --json).
	Heading string
	// Preview is the command the summary suggests to see the letter.
	Preview string
	// Again, when set, is how a run that left work behind carries on.
	Again string
	// Live shows the live view of the campaign's lines instead of the
	// progress bar, where the streams want it (a terminal with colour).
	Live bool
	// Notes are events printed before the run's own (as its events are).
	Notes []dispatch.Event
}

// rehearsalWait is the note of a run through a gateway that dials nothing
// (the outbox), started in the target's quiet hours: the faxes are written
// now, where a real gateway would wait. (A dry run through a real gateway
// has the engine's own note.)
func rehearsalWait(c *campaign.Campaign, offline bool, now time.Time) []dispatch.Event {
	quiet, until := c.InQuiet(now)
	if !offline || !quiet {
		return nil
	}
	return []dispatch.Event{{Type: dispatch.EventWaiting, Until: until,
		Message: fmt.Sprintf("rehearsal in the target's quiet hours (%s %s): a real gateway would wait until %s %s time (%s UTC); the outbox writes the faxes now",
			c.Limits.QuietHours, c.Target.Timezone, until.Format("15:04"), c.Target.Timezone, until.UTC().Format("15:04"))}}
}

// runEngine builds the engine for rg, prints its events (JSON lines or
// progress) and the summary, and maps the outcome to the exit code's error:
// a configuration the engine refuses is a usage error, a write error of
// the printer (a broken pipe under --json) is the run's error, and work
// left undone is a *PartialError.
func runEngine(ctx context.Context, opts *SendOptions, rg *rig, er engineRun) error {
	if err := refuseClosed(er.Config.Campaign, opts.Now(), opts.DryRun); err != nil {
		return err
	}
	pr := newEventPrinter(opts.IO, opts.JSON, opts.Secrets.scrub)
	pr.gw.gateway = showGateway(opts.Gateway)
	cfg := er.Config
	cfg.Events = pr.Event
	if er.Live && cfg.Campaign != nil {
		pr.watchLines(cfg.Campaign, opts.Redirect, cfg.Offline, opts.Now)
		if rg.Journal != nil {
			// Resuming (no list), the queued work comes without a queued
			// event: the view's totals start from the journal. A list's
			// rows each have their event, queued or already.
			if counts, err := rg.Journal.Counts(ctx, cfg.Campaign.ID); err == nil && er.Signers == nil {
				pr.alreadyQueued(counts[journal.Queued] + counts[journal.Sending])
			}
			if health, err := rg.Journal.NumberStats(ctx, cfg.Campaign.ID, opts.Now()); err == nil {
				pr.knownLines(health)
			}
		}
	}
	eng, err := rg.Engine(cfg)
	if err != nil {
		return &UsageError{Err: err}
	}
	if !opts.JSON && er.Heading != "" {
		fmt.Fprintln(opts.IO.ErrOut, er.Heading)
	}
	for _, ev := range er.Notes {
		ev.Time = opts.Now()
		pr.Event(ev)
	}
	var sum dispatch.Summary
	if er.Signers != nil {
		sum, err = eng.Run(ctx, er.Signers)
	} else {
		sum, err = eng.Resume(ctx)
	}
	if opts.DryRun && opts.JSON && err == nil {
		// Before the summary: the summary stays the last line a script
		// reads.
		if ferr := printForecast(ctx, opts, rg, cfg.Campaign, sum.Planned); ferr != nil {
			err = ferr
		}
	}
	pr.Finish()
	if pr.err != nil && err == nil {
		err = pr.err
	}
	if !opts.JSON {
		fmt.Fprint(opts.IO.ErrOut, summaryText(opts.IO.ErrStyles(), sum, rg.info(opts, pr, er.Preview)))
	}
	if errors.Is(err, dispatch.ErrConfig) {
		return &UsageError{Err: err}
	}
	if err != nil {
		return err
	}
	if opts.DryRun {
		if !opts.JSON {
			if err := printForecast(ctx, opts, rg, cfg.Campaign, sum.Planned); err != nil {
				return err
			}
		}
		if sum.Rejected > 0 {
			return &PartialError{Rejected: sum.Rejected}
		}
		return nil
	}
	err = partial(sum, opts.Redirect, opts.Self)
	var pe *PartialError
	if er.Again != "" && errors.As(err, &pe) {
		pe.Again = er.Again
	}
	if rg.Driver.Rehearsal && errors.As(err, &pe) && pe.Again == "" {
		// A simulated network is gone when the process ends, and the
		// rehearsal's journal is its own: only the same send carries on.
		pe.Again = "the same `send --gateway " + shellQuote(showGateway(opts.Gateway)) + "` again carries on (a rehearsal keeps its own journal, " + journalPath(opts.Journal, opts.DataDir, true) + ")"
	}
	return err
}

// printForecast says when the last of a dry run's n letters would be faxed
// (campaignrun.ForecastQueue), and whether the campaign ends first.
func printForecast(ctx context.Context, opts *SendOptions, rg *rig, c *campaign.Campaign, n int) error {
	if c == nil || n == 0 {
		return nil
	}
	now := opts.Now()
	f, err := campaignrun.ForecastQueue(ctx, c, rg.Journal, n, now, rg.Driver.Offline)
	if err != nil {
		return err
	}
	if opts.JSON {
		return ui.NewJSON(opts.IO.Out).Print("forecast", f)
	}
	s := opts.IO.ErrStyles()
	pace := "at the lines' measured pace over the last 7 days"
	if !f.Measured {
		pace = fmt.Sprintf("assuming %s a fax (none measured yet)", campaignrun.AssumedLineTime)
	}
	loc, _ := c.Location()
	if loc == nil {
		loc = time.UTC
	}
	switch {
	case rg.Driver.Offline:
		fmt.Fprintf(opts.IO.ErrOut, "%s the outbox would write all %d at once: a rehearsal dials nothing\n", s.Key.Render("Forecast:"), n)
	case !f.OK:
		fmt.Fprintf(opts.IO.ErrOut, "%s no number of %s will take a call (every one is held): nothing would be faxed; they would go to the petition\n", s.Error.Render("Forecast:"), c.ID)
	case f.LeftAtEnd > 0:
		fmt.Fprintf(opts.IO.ErrOut, "%s the campaign ends %s, before the last fax: %d of %d would still wait then (%s)\n",
			s.Error.Render("Forecast:"), f.Ends.In(loc).Format("2006-01-02 15:04 MST"), f.LeftAtEnd, n, pace)
	default:
		fmt.Fprintf(opts.IO.ErrOut, "%s the last of %d fax(es) would go out about %s, %s from now (%s, quiet hours and caps included)\n",
			s.Key.Render("Forecast:"), n, f.Last.In(loc).Format("2006-01-02 15:04 MST"), f.Last.Sub(now).Round(time.Minute), pace)
	}
	return nil
}
