package cli

import (
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/faxjam/faxjam/pkg/campaign"
	"github.com/faxjam/faxjam/pkg/dispatch"
	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/journal"
	"github.com/faxjam/faxjam/pkg/signers"
	"github.com/faxjam/faxjam/pkg/ui"
	"github.com/faxjam/faxjam/pkg/ui/live"
)

// eventPrinter turns dispatch events into output: JSON lines on stdout with
// --json, otherwise progress on stderr (a bar on a terminal, one plain line
// per event into a pipe, or, once watchLines is called, the live view of
// the lines on a terminal with colour). It keeps the run's state, which the
// bar and the view show. The engine calls it from one goroutine at a time.
type eventPrinter struct {
	ios      *ui.IOStreams
	json     *ui.JSONPrinter
	progress *ui.Progress
	tty      bool
	scrub    func(string) string
	err      error // the first write error, reported after the run
	// summary is the run's summary event under --json, written by Finish
	// so that it stays the last line whatever the command adds (a dry
	// run's forecast).
	summary *dispatch.Event

	mu   sync.Mutex // guards st against the live view's ticker
	st   *live.State
	view *liveView // nil: no live view

	gw gatewayWatch
}

func newEventPrinter(ios *ui.IOStreams, asJSON bool, scrub func(string) string) *eventPrinter {
	p := &eventPrinter{ios: ios, tty: ios.IsStderrTTY(), scrub: scrub, st: live.NewState("", time.Time{})}
	if asJSON {
		p.json = ui.NewJSON(ios.Out)
	} else {
		p.progress = ui.NewProgress(ios)
	}
	return p
}

// watchLines turns on the live view of c's lines (or the rehearsal
// number), where the streams want it (wantsLive); elsewhere it changes
// nothing.
func (p *eventPrinter) watchLines(c *campaign.Campaign, redirect string, rehearsal bool, now func() time.Time) {
	if p.json != nil || !wantsLive(p.ios, false) {
		return
	}
	p.mu.Lock()
	p.st = live.NewState(c.ID, now(), campaignLines(c, redirect)...)
	p.st.Rehearsal, p.st.Calls = rehearsal, c.Limits.CallsPerNumber
	p.mu.Unlock()
	p.view = newLiveView(p.ios, &p.mu, p.st, now)
}

// alreadyQueued counts n submissions the journal holds queued before the
// run into the live view's totals (the bar and the plain lines stay as
// they were).
func (p *eventPrinter) alreadyQueued(n int) {
	if p.view == nil {
		return
	}
	p.mu.Lock()
	p.st.Tally.Total += n
	p.st.Tally.Queued += n
	p.mu.Unlock()
}

// knownLines gives the live view what the journal knows of the lines
// before the run: a line held down by an earlier run is down, not up,
// until its hold ends; one whose last call was busy is busy.
func (p *eventPrinter) knownLines(health []journal.NumberHealth) {
	if p.view == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, l := range p.st.Lines {
		for _, h := range health {
			if h.Number == l.Number {
				l.Facts.DownUntil, l.Facts.LastBusy, l.Facts.Held = h.DownUntil, h.LastResult == string(gateway.ReasonBusy), h.Held != ""
				l.Health = h.Stats
			}
		}
	}
}

// Event is the dispatch.Config.Events callback.
func (p *eventPrinter) Event(ev dispatch.Event) {
	p.event(ev)
	if w, ok := p.gw.observe(ev); ok {
		p.event(w)
	}
}

func (p *eventPrinter) event(ev dispatch.Event) {
	ev.Message = p.scrub(ev.Message)
	p.mu.Lock()
	p.st.Apply(ev)
	tally := p.st.Tally
	p.mu.Unlock()
	if p.json != nil {
		var v any = ev
		if ev.Type == dispatch.EventRejected {
			v = rejectedEvent(ev)
		}
		if ev.Type == dispatch.EventSummary {
			p.summary = &ev
			return
		}
		if err := p.json.Encode(v); err != nil && p.err == nil {
			p.err = err
		}
		return
	}
	if ev.Type == dispatch.EventSummary {
		return // printed by the command, after the bar is gone
	}
	if p.view != nil {
		p.view.event(ev, p.line(ev))
		return
	}
	p.progress.Event(p.line(ev), tally)
}

// lastFax is the gateway id of the last fax handed over.
func (p *eventPrinter) lastFax() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.st.LastFax()
}

// line is one event as text: a time stamp when piped (RFC 3339), a styled
// word on a terminal.
func (p *eventPrinter) line(ev dispatch.Event) string {
	s := p.progress.Styles()
	who := ev.Name
	if who == "" {
		who = "row"
	}
	to := ""
	if ev.Number != "" {
		to = " → " + ev.Number
	}
	var word, rest string
	switch ev.Type {
	case dispatch.EventQueued:
		return ""
	case dispatch.EventAlready:
		word, rest = s.Muted.Render("already"), fmt.Sprintf("%s: %s%s", who, ev.State, suffix(ev.Message))
	case dispatch.EventPlanned:
		word, rest = s.Warning.Render("planned"), fmt.Sprintf("%s%s (%d page, sha256 %s…) — dry run, nothing sent", who, to, ev.Pages, short(ev.SHA256))
	case dispatch.EventSubmitted:
		word, rest = s.Accent.Render("sent"), fmt.Sprintf("%s%s (attempt %d, gateway id %s)", who, to, ev.Attempt, ev.VendorID)
	case dispatch.EventDelivered:
		word, rest = s.Success.Render("delivered"), fmt.Sprintf("%s%s", who, to)
	case dispatch.EventFailed:
		word, rest = s.Error.Render("failed"), fmt.Sprintf("%s%s: %s%s", who, to, ev.Reason, suffix(ev.Message))
	case dispatch.EventPetitioned:
		why := "every number failed or was down; the name went to the petition"
		if ev.Message != "" { // the gateway was down (dispatch's outage)
			why = ev.Message
		}
		word, rest = s.Warning.Render("petitioned"), fmt.Sprintf("%s: %s", who, why)
	case dispatch.EventGaveUp:
		word, rest = s.Error.Render("gave up"), fmt.Sprintf("%s%s", who, suffix(ev.Message))
	case dispatch.EventRejected:
		word, rest = s.Error.Render("rejected"), fmt.Sprintf("%s%s", strings.TrimPrefix(who+": ", "row: "), ev.Message)
	case dispatch.EventUnknown:
		word, rest = s.Error.Render("unknown"), fmt.Sprintf("%s%s: the outcome was lost; not resent — check with the gateway%s", who, to, suffix(ev.Message))
	case dispatch.EventWaiting:
		word, rest = s.Warning.Render("waiting"), fmt.Sprintf("%s (until %s)", ev.Message, p.when(ev.Until))
	case dispatch.EventHeld:
		word, rest = s.Warning.Render("held"), fmt.Sprintf("%s%s", who, suffix(ev.Message))
	case dispatch.EventRetry:
		word, rest = s.Warning.Render("retry"), fmt.Sprintf("%s%s%s", who, to, suffix(ev.Message))
	case eventGatewayDown:
		word, rest = s.Error.Render("gateway down"), ev.Message
	case dispatch.EventNumberDown:
		word, rest = s.Warning.Render("down"), fmt.Sprintf("%s until %s%s", ev.Number, p.when(ev.Until), suffix(ev.Message))
	case dispatch.EventNumberHeld:
		word, rest = s.Error.Render("held"), ev.Message
	default:
		word, rest = string(ev.Type), ev.Message
	}
	if p.tty {
		return word + " " + rest
	}
	return ev.Time.Format(time.RFC3339) + " " + word + " " + rest
}

func (p *eventPrinter) when(t time.Time) string {
	if t.IsZero() {
		return "later"
	}
	if p.tty {
		return t.Local().Format("15:04")
	}
	return t.Format(time.RFC3339)
}

func suffix(msg string) string {
	if msg == "" {
		return ""
	}
	return ": " + msg
}

func short(sha string) string { return sha[:min(12, len(sha))] }

// Finish removes the progress bar, or leaves the live view's last frame.
func (p *eventPrinter) Finish() {
	if p.json != nil && p.summary != nil {
		if err := p.json.Encode(*p.summary); err != nil && p.err == nil {
			p.err = err
		}
		p.summary = nil
	}
	if p.view != nil {
		p.view.finish()
		if err := p.view.screen.Err(); err != nil && p.err == nil {
			p.err = err
		}
		return
	}
	if p.progress != nil {
		p.progress.Finish()
	}
}

// runInfo is what the end-of-run summary says besides the counts.
type runInfo struct {
	DryRun  bool
	Offline bool   // the driver dials nothing (gateway.Driver.Offline)
	Outbox  string // the outbox folder, when the gateway is outbox://
	LastFax string // the gateway id of the run's last fax (outbox: its file name)
	Preview string // the command that previews the letter as the fax machine prints it; "" for bulk
}

// summaryText is the end-of-run summary for people: the counts, where the
// faxes went when they went into an outbox, how to preview a letter, and
// the line time when it means something.
func summaryText(s *ui.Styles, sum dispatch.Summary, ri runInfo) string {
	var b strings.Builder
	if ri.DryRun {
		fmt.Fprintf(&b, "%s %d letter(s) composed and planned; nothing was sent", s.Warning.Render("Dry run:"), sum.Planned)
		if sum.Rejected > 0 {
			fmt.Fprintf(&b, "; %d rejected", sum.Rejected)
		}
		b.WriteString("\n")
		if ri.Preview != "" {
			fmt.Fprintf(&b, "Preview the fax page: %s\n", s.Accent.Render(ri.Preview))
		}
		return b.String()
	}
	r := sum.Run
	done := fmt.Sprintf("%d delivered", r[journal.Delivered])
	if ri.Offline {
		done = fmt.Sprintf("%d written", r[journal.Delivered])
	}
	parts := []string{s.Success.Render(done)}
	if n := r[journal.Submitted]; n > 0 {
		parts = append(parts, fmt.Sprintf("%d submitted", n))
	}
	parts = append(parts, fmt.Sprintf("%d petitioned", r[journal.Petitioned]))
	for _, st := range []journal.State{journal.Failed, journal.GaveUp, journal.Unknown, journal.Queued} {
		if n := r[st]; n > 0 {
			parts = append(parts, s.Error.Render(fmt.Sprintf("%d %s", n, st)))
		}
	}
	if n := r[journal.Sending]; n > 0 {
		parts = append(parts, s.Error.Render(fmt.Sprintf("%d still in flight", n)))
	}
	if n := heldCount(sum); n > 0 {
		parts = append(parts, s.Error.Render(fmt.Sprintf("%d held for another run", n)))
	}
	if sum.Already > 0 {
		parts = append(parts, fmt.Sprintf("%d already done", sum.Already))
	}
	if sum.Rejected > 0 {
		parts = append(parts, s.Error.Render(fmt.Sprintf("%d rejected", sum.Rejected)))
	}
	fmt.Fprintf(&b, "%s %s\n", s.Key.Render("Done:"), strings.Join(parts, " · "))
	written := r[journal.Delivered] + r[journal.Submitted]
	switch {
	case ri.Outbox != "" && written == 1 && ri.LastFax != "":
		fmt.Fprintf(&b, "The outbox dials nothing: the fax is %s\n  (fax image %s, manifest %s)\n",
			s.Accent.Render(filepath.Join(ri.Outbox, ri.LastFax+".pdf")), filepath.Join(ri.Outbox, ri.LastFax+".tif"), filepath.Join(ri.Outbox, ri.LastFax+".json"))
	case ri.Outbox != "" && written > 1:
		fmt.Fprintf(&b, "The outbox dials nothing: %d faxes are in %s (a PDF, a fax image TIFF and a JSON manifest each)\n", written, s.Accent.Render(ri.Outbox))
	}
	if ri.Preview != "" && written > 0 {
		fmt.Fprintf(&b, "Preview it as the fax machine prints it: %s\n", s.Accent.Render(ri.Preview))
	}
	if !ri.Offline && sum.Faxes > 0 {
		line := fmt.Sprintf("%d fax attempt(s) in %s", sum.Faxes, sum.Duration.Round(time.Second))
		// Utilisation is line time over the run's capacity: a figure of
		// merit for a bulk run, noise for one fax or a run that never got
		// a line.
		if sum.Faxes >= 2 && sum.LineTime > 0 {
			line += fmt.Sprintf("; line time %s (utilisation %.0f%%)", sum.LineTime.Round(time.Second), sum.Utilisation*100)
		}
		fmt.Fprintf(&b, "%s\n", s.Muted.Render(line))
	}
	return b.String()
}

func heldCount(sum dispatch.Summary) int {
	n := 0
	for _, h := range sum.Held {
		n += h
	}
	return n
}

// partial is the exit status of a finished run with redirect: a
// PartialError when any signer of this run failed, was lost, rejected or is
// still queued, or queued work was held for another redirect.
func partial(sum dispatch.Summary, redirect, selfCmd string) error {
	r := sum.Run
	e := &PartialError{
		Self:     selfCmd,
		Failed:   r[journal.Failed] + r[journal.GaveUp] + r[journal.Unknown],
		Queued:   r[journal.Queued] + r[journal.Sending],
		Rejected: sum.Rejected,
		Redirect: redirect,
	}
	if len(sum.Held) > 0 {
		e.Held = sum.Held
		var hints []string
		for _, to := range slices.Sorted(maps.Keys(sum.Held)) {
			hints = append(hints, dispatch.HeldHint(to, redirect))
		}
		e.HeldHint = strings.Join(hints, "; ")
	}
	if e.Failed+e.Queued+e.Rejected+heldCount(sum) == 0 {
		return nil
	}
	return e
}

// rejectedJSON is a rejected event under --json: the row's line and field
// (when known) and the reason alone, besides the whole message.
type rejectedJSON struct {
	dispatch.Event
	Line   int    `json:"line,omitempty"`
	Field  string `json:"field,omitempty"`
	Reason string `json:"reason"`
}

func rejectedEvent(ev dispatch.Event) rejectedJSON {
	out := rejectedJSON{Event: ev, Reason: strings.TrimPrefix(ev.Message, "letter: ")}
	var re *signers.RowError
	if errors.As(ev.Err, &re) {
		out.Line, out.Field, out.Reason = re.Line, re.Field, re.Reason
	}
	return out
}
