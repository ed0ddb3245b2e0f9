package cli

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/faxjam/faxjam/pkg/ui"
)

// Help is laid out for the width of the terminal it is read on: prose
// paragraphs are reflowed, flag descriptions wrap under their column, and
// long example commands continue on the next line with a backslash, so
// they still paste into a shell. Words (flags, URLs, values) are never
// broken. Help printed into a pipe is laid out for 80 columns.

// helpWidth is the width help and the banner are laid out in.
func helpWidth(ios *ui.IOStreams) int {
	if !ios.IsStdoutTTY() {
		return 80
	}
	return min(max(ios.TerminalWidth(), 40), 120)
}

// helpFunc is the root's help function, for every command.
func helpFunc(ios *ui.IOStreams) func(*cobra.Command, []string) {
	return func(cmd *cobra.Command, _ []string) {
		fmt.Fprint(cmd.OutOrStdout(), helpText(cmd, helpWidth(ios)))
	}
}

// helpText is cobra's help layout (description, usage, aliases, examples,
// commands, flags) fitted to width.
func helpText(cmd *cobra.Command, width int) string {
	var b strings.Builder
	desc := cmd.Long
	if desc == "" {
		desc = cmd.Short
	}
	if desc != "" {
		b.WriteString(reflow(strings.TrimRight(desc, "\n"), width) + "\n\n")
	}
	b.WriteString("Usage:\n")
	if cmd.Runnable() {
		b.WriteString(ui.Wrap("  "+cmd.UseLine(), width) + "\n")
	}
	if cmd.HasAvailableSubCommands() {
		b.WriteString("  " + cmd.CommandPath() + " [command]\n")
	}
	if len(cmd.Aliases) > 0 {
		b.WriteString("\nAliases:\n" + ui.Wrap("  "+strings.Join(append([]string{cmd.Name()}, cmd.Aliases...), ", "), width) + "\n")
	}
	if cmd.HasExample() {
		b.WriteString("\nExamples:\n" + examples(cmd.Example, width) + "\n")
	}
	if cmd.HasAvailableSubCommands() {
		b.WriteString("\nAvailable Commands:\n")
		pad := 0
		for _, c := range cmd.Commands() {
			if c.IsAvailableCommand() || c.Name() == "help" {
				pad = max(pad, len(c.Name()))
			}
		}
		for _, c := range cmd.Commands() {
			if !(c.IsAvailableCommand() || c.Name() == "help") {
				continue
			}
			b.WriteString(hanging(fmt.Sprintf("  %-*s  ", pad, c.Name()), c.Short, width) + "\n")
		}
	}
	if cmd.HasAvailableLocalFlags() {
		b.WriteString("\nFlags:\n" + flagUsages(cmd.LocalFlags(), width))
	}
	if cmd.HasAvailableInheritedFlags() {
		b.WriteString("\nGlobal Flags:\n" + flagUsages(cmd.InheritedFlags(), width))
	}
	if cmd.HasAvailableSubCommands() {
		b.WriteString("\n" + ui.Wrap(fmt.Sprintf("Use \"%s [command] --help\" for more information about a command.", cmd.CommandPath()), width) + "\n")
	}
	return b.String()
}

// flagUsages is pflag's flag table with each description wrapped under its
// column (pflag's own wrapping leaves a line whole when a word is longer
// than the space left).
func flagUsages(fs *pflag.FlagSet, width int) string {
	var out []string
	for _, l := range strings.Split(strings.TrimRight(fs.FlagUsagesWrapped(0), "\n"), "\n") {
		col := column(l, width)
		out = append(out, hanging(l[:col], strings.TrimLeft(l[col:], " "), width))
	}
	return strings.Join(out, "\n") + "\n"
}

// reflow rewraps prose to width: consecutive lines that start at the
// margin are one paragraph; indented lines (tables, endpoints, lists) keep
// their own line and wrap under their indent.
func reflow(text string, width int) string {
	var out, para []string
	flush := func() {
		if len(para) > 0 {
			out = append(out, ui.Wrap(strings.Join(para, " "), width))
			para = para[:0]
		}
	}
	for _, l := range strings.Split(text, "\n") {
		switch {
		case strings.TrimSpace(l) == "":
			flush()
			out = append(out, "")
		case l[0] == ' ' || l[0] == '\t':
			flush()
			col := column(l, width)
			out = append(out, hanging(l[:col], strings.TrimLeft(l[col:], " "), width))
		default:
			para = append(para, l)
		}
	}
	flush()
	return strings.Join(out, "\n")
}

// column is where an indented line's text continues when it wraps: after
// its last run of two or more spaces (the value column of a table like
// "  key    value"), else after its indent.
func column(l string, width int) int {
	col := len(l) - len(strings.TrimLeft(l, " \t"))
	for i := col; i+1 < len(l); i++ {
		if l[i] == ' ' && l[i+1] == ' ' {
			j := i
			for j < len(l) && l[j] == ' ' {
				j++
			}
			if ansi.StringWidth(l[:j]) <= width-20 {
				col = j
			}
			i = j
		}
	}
	return col
}

// hanging wraps text to width after prefix, continuation lines indented to
// the prefix's width.
func hanging(prefix, text string, width int) string {
	indent := strings.Repeat(" ", ansi.StringWidth(prefix))
	w := max(width-len(indent), 20)
	lines := strings.Split(ui.Wrap(text, w), "\n")
	for i := range lines {
		if i == 0 {
			lines[i] = prefix + lines[i]
		} else {
			lines[i] = indent + lines[i]
		}
	}
	return strings.Join(lines, "\n")
}

// examples fits example commands to width: a trailing "# comment" goes on
// its own line above its command, and a command too long for a line
// continues with " \" at a space outside quotes, so it still pastes.
func examples(text string, width int) string {
	var out []string
	for _, l := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		if ansi.StringWidth(l) <= width {
			out = append(out, l)
			continue
		}
		indent := l[:len(l)-len(strings.TrimLeft(l, " "))]
		command, comment := splitComment(strings.TrimLeft(l, " "))
		if comment != "" {
			out = append(out, hanging(indent+"# ", comment, width))
		}
		out = append(out, continued(indent, command, width)...)
	}
	return strings.Join(out, "\n")
}

// splitComment splits a shell line at a " #" outside quotes.
func splitComment(l string) (command, comment string) {
	at := -1
	unquoted(l, func(i int, r rune) bool {
		if r == '#' && i > 0 && l[i-1] == ' ' {
			at = i
			return false
		}
		return true
	})
	if at < 0 {
		return l, ""
	}
	return strings.TrimRight(l[:at], " "), strings.TrimSpace(l[at+1:])
}

// unquoted calls fn with each rune of s (and its byte offset) outside
// single or double quotes, until fn returns false.
func unquoted(s string, fn func(i int, r rune) bool) {
	quote := rune(0)
	for i, r := range s {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '\'' || r == '"':
			quote = r
		default:
			if !fn(i, r) {
				return
			}
		}
	}
}

// continued breaks a shell command into lines of at most width (where its
// words allow), each but the last ending in " \".
func continued(indent, command string, width int) []string {
	words := shellWords(command)
	var lines []string
	line := indent
	for _, w := range words {
		if line != indent && line != indent+"    " && ansi.StringWidth(line)+1+ansi.StringWidth(w)+2 > width {
			lines = append(lines, line+" \\")
			line = indent + "    "
		}
		if line != indent && line != indent+"    " {
			line += " "
		}
		line += w
	}
	return append(lines, line)
}

// shellWords splits at spaces outside quotes, keeping the quotes.
func shellWords(s string) []string {
	var words []string
	start := 0
	unquoted(s, func(i int, r rune) bool {
		if r == ' ' {
			if i > start {
				words = append(words, s[start:i])
			}
			start = i + 1
		}
		return true
	})
	if start < len(s) {
		words = append(words, s[start:])
	}
	return words
}
