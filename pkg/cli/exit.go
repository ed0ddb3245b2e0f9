package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/faxjam/faxjam/pkg/campaign"
	"github.com/faxjam/faxjam/pkg/letter"
	"github.com/faxjam/faxjam/pkg/render"
	"github.com/faxjam/faxjam/pkg/ui"
)

// Exit codes, documented in the README. ExitCode is the one table that maps
// errors to them.
const (
	ExitOK      = 0 // everything done
	ExitError   = 1 // something went wrong (network, disk, gateway auth...)
	ExitUsage   = 2 // bad flags, arguments, config values or input data
	ExitPartial = 3 // the run finished but some submissions failed or are still queued
	// ExitInterrupted is the shell's 128+SIGINT: stopped by Ctrl-C (or
	// SIGTERM), or input ended (Ctrl-D) at a question.
	ExitInterrupted = 130
)

// UsageError is bad input from the user: flags, arguments, a campaign or
// signer file that does not validate, a letter that does not fit one page.
type UsageError struct {
	Err  error
	Hint string // what to do, when the error does not already say
}

func (e *UsageError) Error() string {
	if e.Hint == "" {
		return e.Err.Error()
	}
	return e.Err.Error() + "; " + e.Hint
}

func (e *UsageError) Unwrap() error { return e.Err }

// usagef is a UsageError with a formatted message.
func usagef(format string, a ...any) error {
	return &UsageError{Err: fmt.Errorf(format, a...)}
}

// PartialError says a run finished with some submissions not delivered.
type PartialError struct {
	Failed   int // failed on every number (and the petition), or lost
	Queued   int // still waiting when --wait ran out
	Rejected int // rows or letters that could not be made into a fax
	// Redirect is the rehearsal number of the run, which carrying on must
	// repeat: without it the queued faxes would go to the target.
	Redirect string
	// Again, when set, is how to carry on instead of `status --follow`
	// (petition deliver: its document is not a letter status can compose).
	Again string
	// Held counts queued submissions the run left alone because they were
	// queued for another redirect, by that redirect ("" = the real
	// campaign); HeldHint says what to do about them.
	Held     map[string]int
	HeldHint string
	// Self is how to run faxjam in the hint ("" is "faxjam").
	Self string
}

func (e *PartialError) Error() string {
	var parts []string
	if e.Failed > 0 {
		parts = append(parts, fmt.Sprintf("%d failed", e.Failed))
	}
	if e.Rejected > 0 {
		parts = append(parts, fmt.Sprintf("%d rejected", e.Rejected))
	}
	if e.Queued > 0 {
		parts = append(parts, fmt.Sprintf("%d still queued", e.Queued))
	}
	held := 0
	for _, n := range e.Held {
		held += n
	}
	if held > 0 {
		parts = append(parts, fmt.Sprintf("%d held", held))
	}
	msg := "partly done: " + strings.Join(parts, ", ")
	if held > 0 && e.HeldHint != "" {
		msg += "; held: " + e.HeldHint
	}
	switch {
	case e.Queued > 0 && e.Again != "":
		return msg + "; " + e.Again
	case e.Queued > 0 && e.Redirect != "":
		return msg + "; `" + self(e.Self) + " status --follow --redirect " + e.Redirect + "` (or the same `send` again) carries on"
	case e.Queued > 0:
		return msg + "; `" + self(e.Self) + " status --follow` (or the same `send` again) carries on"
	case e.Failed > 0:
		return msg + "; `" + self(e.Self) + " status` shows why"
	case e.Rejected > 0:
		return msg + "; fix the rejected rows (see --rejects) and send them again"
	default:
		return msg
	}
}

// ExitCode is the one table from errors to exit codes.
func ExitCode(err error) int {
	var ue *UsageError
	var pe *PartialError
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, context.Canceled), errors.Is(err, errAborted):
		return ExitInterrupted
	case errors.As(err, &pe):
		return ExitPartial
	case errors.As(err, &ue), isInputError(err):
		return ExitUsage
	default:
		return ExitError
	}
}

// printError writes err to stderr: "Error: " and the first line saying what
// is wrong and what to do, then any detail lines (e.g. every problem of a
// campaign file).
func printError(ios *ui.IOStreams, cmdPath string, err error, scrub func(string) string) {
	s := ios.ErrStyles()
	msg := errorMessage(err, scrub)
	label := s.Error.Render("Error:")
	if ExitCode(err) == ExitInterrupted {
		label = s.Warning.Render("Interrupted:") // the person's choice, not a fault
	}
	first, rest, _ := strings.Cut(msg, "\n")
	fmt.Fprintf(ios.ErrOut, "%s %s\n", label, first)
	if rest != "" {
		fmt.Fprintln(ios.ErrOut, rest)
	}
	var ue *UsageError
	if errors.As(err, &ue) && cmdPath != "" && strings.Contains(first, "flag") {
		fmt.Fprintf(ios.ErrOut, "Run '%s --help' for usage.\n", cmdPath)
	}
}

// errorJSON is the last line of a command that fails under --json (as
// restic does): what went wrong, the exit code, and what to do about it.
type errorJSON struct {
	Message  string `json:"message"`
	ExitCode int    `json:"exit_code"`
	Hint     string `json:"hint"`
}

// printErrorJSON writes err as the final {"type":"error"} line on stdout,
// and nothing on stderr unless stdout cannot take it.
func printErrorJSON(ios *ui.IOStreams, err error, scrub func(string) string) {
	e := errorJSON{Message: errorMessage(err, scrub), ExitCode: ExitCode(err)}
	var ue *UsageError
	var pe *PartialError
	switch {
	case errors.As(err, &ue) && ue.Hint != "":
		e.Message, e.Hint = scrub(ue.Err.Error()), scrub(ue.Hint)
	case errors.Is(err, context.Canceled):
		e.Message, e.Hint = "interrupted", e.Message
	case errors.As(err, &pe):
		// "what happened; what to do": the hint is what follows.
		if m, h, ok := strings.Cut(e.Message, "; "); ok {
			e.Message, e.Hint = m, h
		}
	}
	if werr := ui.NewJSON(ios.Out).Print("error", e); werr != nil {
		printError(ios, "", err, scrub)
	}
}

// errorMessage is err as a person reads it: secrets scrubbed, a campaign's
// problems one per line after the first.
func errorMessage(err error, scrub func(string) string) string {
	msg := scrub(err.Error())
	if errors.Is(err, context.Canceled) {
		msg = "nothing is lost: re-run the same command to carry on"
	}
	var v *campaign.ValidationError
	if errors.As(err, &v) {
		// One line first, then every problem on its own line, so an
		// organizer fixes the whole file in one pass.
		src := v.Source
		if src == "" {
			src = "file"
		}
		lines := []string{fmt.Sprintf("campaign %s has %d problem(s); fix them and try again:", src, len(v.Problems))}
		for _, p := range v.Problems {
			lines = append(lines, "  "+p.String())
		}
		msg = strings.Join(lines, "\n")
	}
	return msg
}

// isInputError reports errors of other packages that are bad input: a
// campaign that does not validate, a letter that does not fit one page.
func isInputError(err error) bool {
	var (
		v  *campaign.ValidationError
		fe *letter.FieldErrors
		oe *render.OverflowError
		ge *render.GlyphError
	)
	return errors.As(err, &v) || errors.As(err, &fe) || errors.As(err, &oe) || errors.As(err, &ge)
}
