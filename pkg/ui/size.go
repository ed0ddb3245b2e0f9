package ui

import "golang.org/x/term"

// StderrSize is stderr's terminal size now (columns, rows), read again on
// every call so that a view can follow the terminal as it is resized; it
// is a system call, never a query written to the terminal. Off a terminal
// it is TerminalWidth and 0 rows (no limit).
func (s *IOStreams) StderrSize() (width, height int) {
	s.mu.Lock()
	fixed := s.size
	s.mu.Unlock()
	if fixed != nil {
		return fixed()
	}
	if f, ok := s.ErrOut.(fder); ok && term.IsTerminal(int(f.Fd())) {
		if w, h, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
			return w, h
		}
	}
	return s.TerminalWidth(), 0
}

// SetSize fixes what StderrSize answers (tests); size is called each time.
func (s *IOStreams) SetSize(size func() (width, height int)) {
	s.mu.Lock()
	s.size = size
	s.mu.Unlock()
}
