package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/faxjam/faxjam/pkg/letter"
	"github.com/faxjam/faxjam/pkg/ui"
)

// Prompter asks the person at the terminal. Commands take it as an option
// so tests can answer without a terminal.
type Prompter interface {
	// Signer asks for the missing details of s (name, city, country, and
	// an optional note).
	Signer(ctx context.Context, s *letter.Signer, requireNote bool) error
	// Confirm asks one yes/no question.
	Confirm(ctx context.Context, question, yes, no string) (bool, error)
}

// linePrompter asks one question at a time on stderr and takes each answer
// as one line of stdin, read through the streams' shared buffer. It never
// changes the terminal's mode and uses no TUI framework: huh brought in
// bubbletea v1, whose init() asked the terminal for its background colour
// on every start of faxjam (up to 5 s, and junk on terminals that do not
// answer).
type linePrompter struct {
	ios *ui.IOStreams
}

// errAborted is the person stopping at a question: Ctrl-C or Ctrl-D
// (exit 130).
var errAborted = errors.New("cancelled; nothing was sent")

// errDeclined is the person answering no to sending: not an error (exit 0).
var errDeclined = errors.New("declined; nothing was sent")

// maxTries is how many answers a question takes before giving up: enough
// for typos, and a script feeding the wrong input does not loop forever.
const maxTries = 5

func (p linePrompter) Signer(ctx context.Context, s *letter.Signer, requireNote bool) error {
	noteHelp := "optional: a few words of your own make the letter yours (one line; Enter for none)"
	if requireNote {
		noteHelp = "required by this campaign: a few words of your own (one line)"
	}
	questions := []struct {
		field, question, help string
		v                     *string
	}{
		{"name", "Your name", "as it goes under the letter", &s.Name},
		{"city", "Your city", "", &s.City},
		{"country", "Your country", "", &s.Country},
		{"note", "A personal note", noteHelp, &s.Note},
	}
	for _, q := range questions {
		if strings.TrimSpace(*q.v) != "" {
			continue
		}
		v, err := p.ask(ctx, query{field: q.field, question: q.question, help: q.help,
			hint: "give it with --" + q.field, rule: signerRule(q.field, requireNote)})
		if err != nil {
			return err
		}
		*q.v = v
	}
	return nil
}

// signerRule refuses what letter.ValidateSigner would refuse in field, so
// the person is asked again at once instead of failing after the last
// question.
func signerRule(field string, requireNote bool) func(string) string {
	return func(v string) string {
		probe := letter.Signer{Name: "x", City: "x", Country: "x"}
		switch field {
		case "name":
			probe.Name = v
		case "city":
			probe.City = v
		case "country":
			probe.Country = v
		case "note":
			probe.Note = v
		}
		var fe *letter.FieldErrors
		if err := letter.ValidateSigner(probe, field == "note" && requireNote); errors.As(err, &fe) {
			return fe.Reason(field)
		}
		return ""
	}
}

// Confirm asks a yes/no question whose answer defaults to no: the question
// is whether to send, and a fax costs money and paper, so only a typed yes
// sends. It takes y, yes, s, si, sí and the yes label, or n, no and the no
// label, in any case.
func (p linePrompter) Confirm(ctx context.Context, question, yes, no string) (bool, error) {
	ok := false
	_, err := p.ask(ctx, query{
		field:    "answer",
		question: question + " [y/N]",
		help:     fmt.Sprintf("y: %s · n or Enter: %s", yes, no),
		hint:     "--yes sends without asking",
		rule: func(v string) string {
			v = strings.ToLower(v)
			switch {
			case v == "" || v == "n" || v == "no" || v == strings.ToLower(no):
				ok = false
			case v == "y" || v == "yes" || v == "s" || v == "si" || v == "sí" || v == strings.ToLower(yes):
				ok = true
			default:
				return fmt.Sprintf("%q is neither yes nor no: type y (%s) or n (%s)", v, yes, no)
			}
			return ""
		},
	})
	return ok, err
}

// query is one question: the rule returns why an answer is refused, or "".
type query struct {
	field, question, help string
	hint                  string // what to do instead, after maxTries refusals
	rule                  func(string) string
}

// ask asks until q.rule takes the answer, at most maxTries times. End of
// input and ctx ending are the person cancelling.
func (p linePrompter) ask(ctx context.Context, q query) (string, error) {
	st := p.ios.ErrStyles()
	width := min(p.ios.TerminalWidth(), 80)
	reason := ""
	for range maxTries {
		fmt.Fprint(p.ios.ErrOut, ui.Question(st, width, q.question, q.help))
		line, err := p.ios.ReadLine(ctx)
		echoed := p.ios.IsStdinTTY() && p.ios.IsStderrTTY() && (err == nil || errors.Is(err, ui.ErrLineTooLong))
		if !echoed {
			// No echo of an answer and its Enter landed on stderr (a
			// pipe, or Ctrl-C/Ctrl-D, which end no line): end the line
			// so what follows does not run on after "> ".
			fmt.Fprintln(p.ios.ErrOut)
		}
		switch {
		case errors.Is(err, io.EOF), ctx.Err() != nil:
			return "", errAborted
		case errors.Is(err, ui.ErrLineTooLong):
			reason = fmt.Sprintf("more than %d bytes on one line", ui.MaxLine)
		case err != nil:
			return "", fmt.Errorf("prompt: read %s: %w", q.field, err)
		default:
			line = strings.TrimSpace(line)
			if reason = q.rule(line); reason == "" {
				return line, nil
			}
		}
		fmt.Fprint(p.ios.ErrOut, ui.Refusal(st, width, reason))
	}
	return "", &UsageError{Err: fmt.Errorf("%s: %s (asked %d times)", q.field, reason, maxTries), Hint: q.hint}
}
