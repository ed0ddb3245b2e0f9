package live

import (
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/charmbracelet/x/ansi"
)

// Escape sequences Screen writes. Synchronized output (DEC mode 2026) makes
// the terminal show a redraw whole or not at all, so there is no flicker
// where it is supported and no harm where it is not (an unknown mode is
// ignored). Nothing here asks the terminal anything.
const (
	syncBegin = "\x1b[?2026h"
	syncEnd   = "\x1b[?2026l"
	eraseLine = "\x1b[K" // to the end of the line
	eraseDown = "\x1b[J" // to the end of the screen
	// clearScreen moves to the top left corner and erases the screen.
	clearScreen = "\x1b[H\x1b[2J"
)

// keepPrinted is how many lines printed above the frame are shown again
// after a resize.
const keepPrinted = 5

// Screen draws frames in place at the bottom of a terminal: the first frame
// is printed, each next one moves the cursor back to the frame's first line
// and rewrites only the lines that changed. Print puts a line above the
// frame (it scrolls away with the terminal's history). It is safe for
// concurrent use.
type Screen struct {
	mu      sync.Mutex
	w       io.Writer
	prev    []string // the frame on screen, one entry per line
	width   int      // the width it was drawn at; 0: nothing drawn yet
	printed []string // the last lines Print put above it
	err     error
}

// NewScreen returns a screen writing to w, a terminal.
func NewScreen(w io.Writer) *Screen { return &Screen{w: w} }

// Draw shows frame (lines ending in "\n", each narrower than width) in
// place of the last one. A change of width redraws everything: the old
// lines may have been reflowed by the terminal.
func (s *Screen) Draw(frame string, width int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	lines := strings.Split(strings.TrimSuffix(frame, "\n"), "\n")
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, max(1, width-1), "")
	}
	var b strings.Builder
	b.WriteString(syncBegin)
	full := width != s.width
	if full && s.width != 0 {
		// Resized: where the old frame now is depends on the terminal
		// (some reflow it, some cut it, tmux pushes it into history), so
		// start again at the top of a clear screen, with the last lines
		// printed above the frame.
		b.WriteString(clearScreen)
		for _, l := range s.printed {
			b.WriteString(ansi.Truncate(l, max(1, width-1), "…") + "\n")
		}
	} else {
		s.home(&b)
	}
	for i, l := range lines {
		if !full && i < len(s.prev) && s.prev[i] == l {
			b.WriteString("\n")
			continue
		}
		b.WriteString(l + eraseLine + "\n")
	}
	if len(lines) < len(s.prev) {
		b.WriteString(eraseDown)
	}
	b.WriteString(syncEnd)
	s.write(b.String())
	s.prev, s.width = lines, width
}

// home moves the cursor to the first line of the frame on screen.
func (s *Screen) home(b *strings.Builder) {
	if len(s.prev) > 0 {
		b.WriteString("\r\x1b[" + strconv.Itoa(len(s.prev)) + "A")
	}
}

// Print puts line above the frame: the frame is cleared, the line printed,
// and the frame drawn again below it.
func (s *Screen) Print(line string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b strings.Builder
	b.WriteString(syncBegin)
	s.home(&b)
	b.WriteString(eraseDown + line + "\n")
	s.printed = append(s.printed, line)
	if len(s.printed) > keepPrinted {
		s.printed = s.printed[1:]
	}
	for _, l := range s.prev {
		b.WriteString(l + eraseLine + "\n")
	}
	b.WriteString(syncEnd)
	s.write(b.String())
}

// Clear removes the frame, leaving the cursor where it began.
func (s *Screen) Clear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b strings.Builder
	s.home(&b)
	b.WriteString(eraseDown)
	s.write(b.String())
	s.prev = nil
}

// Err is the first write error.
func (s *Screen) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

func (s *Screen) write(text string) {
	if _, err := io.WriteString(s.w, text); err != nil && s.err == nil {
		s.err = err
	}
}
