package ui

import (
	"bytes"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/term"
)

// IOStreams are the three standard streams and what is known about them.
// Terminal queries are lazy: `faxjam --help` and `faxjam version` never ask.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	// Getenv reads the environment (NO_COLOR, CLICOLOR_FORCE, COLUMNS, TERM).
	Getenv func(string) string

	stdinTTY  func() bool
	stdoutTTY func() bool
	stderrTTY func() bool
	width     func() int
	size      func() (int, int) // SetSize; nil: ask the system (StderrSize)

	mu        sync.Mutex
	noColor   bool
	outStyles *Styles
	errStyles *Styles

	readMu sync.Mutex // guards lines (ReadLine)
	lines  lineReader
}

// New returns streams for the given reader and writers. A stream is a
// terminal only if it is an *os.File (or anything with an Fd) on a terminal.
func New(in io.Reader, out, errOut io.Writer, getenv func(string) string) *IOStreams {
	if getenv == nil {
		getenv = os.Getenv
	}
	s := &IOStreams{In: in, Out: out, ErrOut: errOut, Getenv: getenv}
	s.stdinTTY = sync.OnceValue(func() bool { return isTerminal(in) })
	s.stdoutTTY = sync.OnceValue(func() bool { return isTerminal(out) })
	s.stderrTTY = sync.OnceValue(func() bool { return isTerminal(errOut) })
	s.width = sync.OnceValue(func() int { return terminalWidth(out, errOut, getenv) })
	return s
}

// Test returns streams over buffers, none of them a terminal, with an empty
// environment and an 80-column width. The Set* methods make them terminals.
func Test() (ios *IOStreams, in *bytes.Buffer, out *bytes.Buffer, errOut *bytes.Buffer) {
	in, out, errOut = &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	env := map[string]string{}
	ios = &IOStreams{In: in, Out: out, ErrOut: errOut, Getenv: func(k string) string { return env[k] }}
	ios.SetStdinTTY(false)
	ios.SetStdoutTTY(false)
	ios.SetStderrTTY(false)
	ios.SetWidth(80)
	return ios, in, out, errOut
}

// SetStdinTTY declares whether stdin is a terminal (tests).
func (s *IOStreams) SetStdinTTY(v bool) { s.stdinTTY = func() bool { return v } }

// SetStdoutTTY declares whether stdout is a terminal (tests).
func (s *IOStreams) SetStdoutTTY(v bool) { s.stdoutTTY = func() bool { return v }; s.resetStyles() }

// SetStderrTTY declares whether stderr is a terminal (tests).
func (s *IOStreams) SetStderrTTY(v bool) { s.stderrTTY = func() bool { return v }; s.resetStyles() }

// SetWidth fixes the terminal width (tests).
func (s *IOStreams) SetWidth(w int) { s.width = func() int { return w } }

// SetNoColor turns colour off whatever the terminal can do (--no-color).
func (s *IOStreams) SetNoColor(v bool) {
	s.mu.Lock()
	s.noColor = v
	s.mu.Unlock()
	s.resetStyles()
}

func (s *IOStreams) resetStyles() {
	s.mu.Lock()
	s.outStyles, s.errStyles = nil, nil
	s.mu.Unlock()
}

// IsStdinTTY reports whether stdin is a terminal: the condition for prompts.
func (s *IOStreams) IsStdinTTY() bool { return s.stdinTTY() }

// IsStdoutTTY reports whether stdout is a terminal.
func (s *IOStreams) IsStdoutTTY() bool { return s.stdoutTTY() }

// IsStderrTTY reports whether stderr is a terminal.
func (s *IOStreams) IsStderrTTY() bool { return s.stderrTTY() }

// TerminalWidth is the width to lay text out in: the terminal's columns,
// else $COLUMNS, else 80.
func (s *IOStreams) TerminalWidth() int { return s.width() }

// ColorEnabled reports whether output to a stream that is (or is not) a
// terminal gets colour: --no-color and NO_COLOR turn it off, CLICOLOR_FORCE
// turns it on even into a pipe, TERM=dumb turns it off, otherwise only
// terminals get colour.
func (s *IOStreams) ColorEnabled(tty bool) bool {
	s.mu.Lock()
	off := s.noColor
	s.mu.Unlock()
	if off || s.Getenv("NO_COLOR") != "" {
		return false
	}
	if f := s.Getenv("CLICOLOR_FORCE"); f != "" && f != "0" {
		return true
	}
	if s.Getenv("TERM") == "dumb" || s.Getenv("CLICOLOR") == "0" {
		return false
	}
	return tty
}

// Styles are the styles for stdout, built once from a renderer bound to it.
func (s *IOStreams) Styles() *Styles {
	s.mu.Lock()
	st := s.outStyles
	s.mu.Unlock()
	if st != nil {
		return st
	}
	st = NewStyles(s.Out, s.ColorEnabled(s.IsStdoutTTY()), s.Getenv)
	s.mu.Lock()
	s.outStyles = st
	s.mu.Unlock()
	return st
}

// ErrStyles are the styles for stderr (progress, errors, prompts).
func (s *IOStreams) ErrStyles() *Styles {
	s.mu.Lock()
	st := s.errStyles
	s.mu.Unlock()
	if st != nil {
		return st
	}
	st = NewStyles(s.ErrOut, s.ColorEnabled(s.IsStderrTTY()), s.Getenv)
	s.mu.Lock()
	s.errStyles = st
	s.mu.Unlock()
	return st
}

type fder interface{ Fd() uintptr }

func isTerminal(v any) bool {
	f, ok := v.(fder)
	return ok && term.IsTerminal(int(f.Fd()))
}

func terminalWidth(out, errOut io.Writer, getenv func(string) string) int {
	for _, w := range []io.Writer{out, errOut} {
		if f, ok := w.(fder); ok && term.IsTerminal(int(f.Fd())) {
			if cols, _, err := term.GetSize(int(f.Fd())); err == nil && cols > 0 {
				return cols
			}
		}
	}
	if n, err := strconv.Atoi(strings.TrimSpace(getenv("COLUMNS"))); err == nil && n > 0 {
		return n
	}
	return 80
}
