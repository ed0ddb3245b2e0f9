package ui

import (
	"io"
	"os"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// Styles is every style faxjam uses, for one output stream. Build it with
// NewStyles (or IOStreams.Styles); without colour every style renders plain
// text, and boxes lose their borders so piped text stays greppable.
type Styles struct {
	// Color reports whether these styles emit escape sequences.
	Color bool

	Title   lipgloss.Style // the campaign title, banners
	Heading lipgloss.Style // section headings
	Key     lipgloss.Style // keys of key/value blocks, table headers
	Muted   lipgloss.Style // secondary text
	Accent  lipgloss.Style // commands to type, ids
	Success lipgloss.Style // delivered, ok
	Warning lipgloss.Style // queued, fictitious, dry run
	Error   lipgloss.Style // failed, problems
	Box     lipgloss.Style // a framed block (banner, letter preview)

	renderer *lipgloss.Renderer
}

// NewStyles builds the styles for w. color is the decision made by the
// caller (IOStreams.ColorEnabled); the colour profile is then read from the
// environment (COLORTERM, TERM) but never by querying the terminal, so
// building styles costs no round trip.
func NewStyles(w io.Writer, color bool, getenv func(string) string) *Styles {
	if getenv == nil {
		getenv = os.Getenv
	}
	r := lipgloss.NewRenderer(w, termenv.WithTTY(color), termenv.WithEnvironment(environ(getenv)))
	// Never ask the terminal for its background colour (an OSC round trip
	// that can stall on slow terminals): assume dark, use colours that read
	// on both.
	r.SetHasDarkBackground(true)
	if color {
		p := r.Output().EnvColorProfile()
		if p == termenv.Ascii {
			p = termenv.ANSI
		}
		r.SetColorProfile(p)
	} else {
		r.SetColorProfile(termenv.Ascii)
	}
	s := &Styles{Color: color, renderer: r}
	ns := r.NewStyle
	s.Title = ns().Bold(true).Foreground(lipgloss.Color("11"))
	s.Heading = ns().Bold(true).Foreground(lipgloss.Color("12"))
	s.Key = ns().Bold(true)
	s.Muted = ns().Foreground(lipgloss.Color("8"))
	s.Accent = ns().Foreground(lipgloss.Color("14"))
	s.Success = ns().Foreground(lipgloss.Color("10"))
	s.Warning = ns().Foreground(lipgloss.Color("11"))
	s.Error = ns().Bold(true).Foreground(lipgloss.Color("9"))
	if color {
		s.Box = ns().Border(lipgloss.RoundedBorder()).BorderForeground(lipgloss.Color("8")).Padding(0, 1)
	} else {
		s.Box = ns()
	}
	return s
}

// NewStyle returns an empty style from the same renderer.
func (s *Styles) NewStyle() lipgloss.Style { return s.renderer.NewStyle() }

// environ adapts a getenv func to termenv.Environ.
type environ func(string) string

func (e environ) Getenv(k string) string { return e(k) }
func (e environ) Environ() []string      { return nil }
