package ui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// Wrap word-wraps text to width columns, paragraph by paragraph: blank lines
// and explicit line breaks are kept, and lines break only at spaces, so a
// word is never broken, not even at a hyphen ("-hex", "e-mail"); a word
// longer than a line runs past the width (a URL or a digest must stay
// copyable). Width is in terminal cells (accents and wide characters
// counted right), and escape sequences are ignored.
func Wrap(text string, width int) string {
	if width <= 0 {
		return text
	}
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if ansi.StringWidth(l) > width {
			lines[i] = wrapLine(l, width)
		}
		lines[i] = strings.TrimRight(lines[i], " ")
	}
	return strings.Join(lines, "\n")
}

// wrapLine breaks one line at spaces; its leading spaces are kept on its
// first line.
func wrapLine(l string, width int) string {
	indent := l[:len(l)-len(strings.TrimLeft(l, " "))]
	var b strings.Builder
	b.WriteString(indent)
	col := ansi.StringWidth(indent)
	first := true
	for _, w := range strings.Fields(l[len(indent):]) {
		ww := ansi.StringWidth(w)
		switch {
		case first:
		case col+1+ww > width:
			b.WriteString("\n")
			col = 0
		default:
			b.WriteString(" ")
			col++
		}
		b.WriteString(w)
		col += ww
		first = false
	}
	return b.String()
}

// Indent prefixes every non-empty line of text.
func Indent(text, prefix string) string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "\n")
}

// KV is one row of a key/value block.
type KV struct {
	Key   string
	Value string
}

// KeyValues lays out keys in a column and their values beside them, values
// wrapped to width under their own column.
func KeyValues(s *Styles, width int, rows []KV) string {
	kw := 0
	for _, r := range rows {
		kw = max(kw, ansi.StringWidth(r.Key))
	}
	vw := width - kw - 2
	if vw < 20 {
		vw = 20
	}
	var b strings.Builder
	for _, r := range rows {
		key := r.Key + strings.Repeat(" ", kw-ansi.StringWidth(r.Key))
		val := strings.Split(Wrap(r.Value, vw), "\n")
		for i, v := range val {
			if i == 0 {
				b.WriteString(s.Key.Render(key))
			} else {
				b.WriteString(strings.Repeat(" ", kw))
			}
			b.WriteString("  ")
			b.WriteString(v)
			b.WriteString("\n")
		}
	}
	return b.String()
}

// Bullets renders items as a wrapped bullet list.
func Bullets(s *Styles, width int, items []string) string {
	var b strings.Builder
	mark := "•"
	if !s.Color {
		mark = "-"
	}
	for _, it := range items {
		lines := strings.Split(Wrap(it, width-2), "\n")
		for i, l := range lines {
			if i == 0 {
				b.WriteString(s.Accent.Render(mark) + " " + l + "\n")
			} else {
				b.WriteString("  " + l + "\n")
			}
		}
	}
	return b.String()
}

// Table aligns rows under headers. Headers are styled as keys on colour
// output and upper-cased on plain output, so both read as a header.
func Table(s *Styles, headers []string, rows [][]string) string {
	widths := make([]int, len(headers))
	for i, h := range headers {
		widths[i] = ansi.StringWidth(h)
	}
	for _, r := range rows {
		for i := 0; i < len(r) && i < len(widths); i++ {
			widths[i] = max(widths[i], ansi.StringWidth(r[i]))
		}
	}
	var b strings.Builder
	line := func(cells []string, style func(string) string) {
		for i := range widths {
			c := ""
			if i < len(cells) {
				c = cells[i]
			}
			if i == len(widths)-1 {
				b.WriteString(style(c))
				break
			}
			b.WriteString(style(c) + strings.Repeat(" ", widths[i]-ansi.StringWidth(c)+2))
		}
		b.WriteString("\n")
	}
	hs := make([]string, len(headers))
	for i, h := range headers {
		hs[i] = strings.ToUpper(h)
	}
	line(hs, func(c string) string { return s.Key.Render(c) })
	for _, r := range rows {
		line(r, func(c string) string { return c })
	}
	out := b.String()
	ls := strings.Split(out, "\n")
	for i := range ls {
		ls[i] = strings.TrimRight(ls[i], " ")
	}
	return strings.Join(ls, "\n")
}

// Reflow re-wraps prose written with hard line breaks (YAML block scalars):
// lines of a paragraph are joined, paragraphs stay separated by a blank
// line, and each is wrapped to width.
func Reflow(text string, width int) string {
	paras := strings.Split(strings.TrimSpace(text), "\n\n")
	for i, p := range paras {
		paras[i] = Wrap(strings.Join(strings.Fields(p), " "), width)
	}
	return strings.Join(paras, "\n\n")
}
