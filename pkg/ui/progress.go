package ui

import (
	"fmt"
	"io"
	"sync"

	"github.com/schollz/progressbar/v3"
)

// Tally is where a dispatch run stands, for the progress line.
type Tally struct {
	Total      int // submissions in the run; 0 when not known yet (streamed signers)
	Done       int // delivered (or submitted, for gateways that cannot tell)
	Queued     int // waiting or in flight
	Failed     int // gave up on every number, no petition
	Petitioned int // went to the petition endpoint
	Rejected   int // rows or letters that could not be made into a fax: never faxed
	Already    int // rows done by an earlier run: not sent again
}

// Finished is how many submissions reached an end.
func (t Tally) Finished() int { return t.Done + t.Failed + t.Petitioned + t.Rejected + t.Already }

// String is the plain one-line tally.
func (t Tally) String() string {
	s := fmt.Sprintf("done %d · queued %d · failed %d · petitioned %d", t.Done, t.Queued, t.Failed, t.Petitioned)
	if t.Rejected > 0 {
		s += fmt.Sprintf(" · rejected %d", t.Rejected)
	}
	if t.Already > 0 {
		s += fmt.Sprintf(" · already done %d", t.Already)
	}
	return s
}

// Progress prints dispatch progress on stderr: on a terminal a progress bar
// (rate, ETA) with event lines scrolling above it; into a pipe, one plain
// line per event and nothing else.
type Progress struct {
	mu    sync.Mutex
	w     io.Writer
	s     *Styles
	tty   bool
	width int
	bar   *progressbar.ProgressBar
	tally Tally
}

// NewProgress returns a progress printer for ios.ErrOut.
func NewProgress(ios *IOStreams) *Progress {
	return &Progress{w: ios.ErrOut, s: ios.ErrStyles(), tty: ios.IsStderrTTY(), width: ios.TerminalWidth()}
}

// newBar starts the bar; total ≤ 0 (signers still streaming in) is a
// spinner until the total is known. Events come at fax pace (a page takes
// about a minute on the line), so there is no throttle: every event shows.
func (p *Progress) newBar(total int) *progressbar.ProgressBar {
	if total <= 0 {
		total = -1
	}
	return progressbar.NewOptions(total,
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionSetWidth(min(30, max(10, p.width-80))),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("fax"),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionEnableColorCodes(p.s.Color),
		progressbar.OptionSpinnerType(14),
	)
}

// Event prints line (already styled by the caller with p's styles) and
// moves the bar to t.
func (p *Progress) Event(line string, t Tally) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.tty {
		if line != "" {
			fmt.Fprintln(p.w, line)
		}
		p.tally = t
		return
	}
	if p.bar == nil {
		p.bar = p.newBar(t.Total)
	}
	if line != "" {
		_ = p.bar.Clear()
		fmt.Fprintln(p.w, line)
	}
	if t.Total > 0 && t.Total != p.tally.Total {
		p.bar.ChangeMax(t.Total)
	}
	p.tally = t
	p.bar.Describe(t.String())
	_ = p.bar.Set(t.Finished())
}

// Styles are the styles event lines should be rendered with.
func (p *Progress) Styles() *Styles { return p.s }

// Finish removes the bar; the caller prints the summary.
func (p *Progress) Finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		_ = p.bar.Clear()
		p.bar = nil
	}
}
