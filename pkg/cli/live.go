package cli

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/faxjam/faxjam/pkg/campaign"
	"github.com/faxjam/faxjam/pkg/dispatch"
	"github.com/faxjam/faxjam/pkg/ui"
	"github.com/faxjam/faxjam/pkg/ui/live"
)

// liveTick is how often the live view is drawn again: the clock, the time
// each fax has been on its line, and the terminal's size, which is read
// again each time (so a resized terminal reflows within a tick, on every
// platform, without a signal handler).
const liveTick = 200 * time.Millisecond

// wantsLive reports whether a run's progress should be the live view of
// the lines: only on a terminal with colour. A pipe, --json, NO_COLOR,
// --no-color and TERM=dumb keep the plain event lines.
func wantsLive(ios *ui.IOStreams, asJSON bool) bool {
	return !asJSON && ios.IsStderrTTY() && ios.ColorEnabled(true)
}

// campaignLines are the rows of the live view: the campaign's numbers, or
// the one rehearsal number every fax goes to.
func campaignLines(c *campaign.Campaign, redirect string) []live.Line {
	if redirect != "" {
		return []live.Line{{Label: "rehearsal", Number: redirect}}
	}
	var out []live.Line
	for _, f := range c.Target.Fax {
		out = append(out, live.Line{Label: f.Label, Number: f.Number})
	}
	return out
}

// liveView draws a State on stderr, in place, until stopped.
type liveView struct {
	ios    *ui.IOStreams
	screen *live.Screen
	now    func() time.Time

	mu      *sync.Mutex // the eventPrinter's, guarding st
	st      *live.State
	stop    chan struct{}
	done    chan struct{}
	start   sync.Once
	started bool         // set by the first event, read by finish (one goroutine)
	drawn   atomic.Int64 // when the last frame was drawn, Unix ns
}

func newLiveView(ios *ui.IOStreams, mu *sync.Mutex, st *live.State, now func() time.Time) *liveView {
	return &liveView{ios: ios, screen: live.NewScreen(ios.ErrOut), now: now, mu: mu, st: st,
		stop: make(chan struct{}), done: make(chan struct{})}
}

// frame renders the state at the terminal's size now.
func (v *liveView) frame() (string, int) {
	w, h := v.ios.StderrSize()
	v.mu.Lock()
	defer v.mu.Unlock()
	return live.Render(v.st, live.Options{Width: w, Height: h, Now: v.now(), Styles: v.ios.ErrStyles()}), w
}

func (v *liveView) draw() {
	v.screen.Draw(v.frame())
	v.drawn.Store(time.Now().UnixNano())
}

// liveEvery is the least time between redraws for events: a run through a
// fast gateway reports hundreds a second, and the engine waits for each.
const liveEvery = 50 * time.Millisecond

// run draws on every tick until stop.
func (v *liveView) run() {
	defer close(v.done)
	t := time.NewTicker(liveTick)
	defer t.Stop()
	for {
		select {
		case <-v.stop:
			return
		case <-t.C:
			v.draw()
		}
	}
}

// event shows that something happened: the first event starts the view;
// a line worth keeping (a rejected row, a signer given up on) goes above it.
func (v *liveView) event(ev dispatch.Event, line string) {
	v.start.Do(func() { v.started = true; go v.run() })
	switch ev.Type {
	case dispatch.EventRejected, dispatch.EventGaveUp, dispatch.EventUnknown, dispatch.EventHeld,
		dispatch.EventNumberDown, dispatch.EventNumberHeld, dispatch.EventWaiting:
		if line != "" {
			v.screen.Print(line)
		}
	}
	if time.Since(time.Unix(0, v.drawn.Load())) >= liveEvery {
		v.draw()
	}
}

// finish stops drawing and leaves the last frame on screen. It is called
// after the last event, from the same goroutine.
func (v *liveView) finish() {
	v.start.Do(func() {}) // no event came: nothing runs
	if v.started {
		close(v.stop)
		<-v.done
		v.draw()
	}
}
