package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/charmbracelet/huh"

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

// huhPrompter prompts with charmbracelet/huh on the given streams. Where
// stderr is not a terminal (or ACCESSIBLE is set) it uses huh's accessible
// mode: plain numbered questions read line by line.
type huhPrompter struct {
	ios *ui.IOStreams
}

func (p huhPrompter) form(groups ...*huh.Group) *huh.Form {
	accessible := !p.ios.IsStderrTTY() || p.ios.Getenv("ACCESSIBLE") != ""
	return huh.NewForm(groups...).
		WithInput(p.ios.In).
		WithOutput(p.ios.ErrOut).
		WithAccessible(accessible).
		WithShowHelp(false).
		WithWidth(min(p.ios.TerminalWidth(), 80))
}

// errAborted is the person saying no (Esc, Ctrl-C or "Cancel").
var errAborted = errors.New("cancelled; nothing was sent")

func (p huhPrompter) Signer(ctx context.Context, s *letter.Signer, requireNote bool) error {
	rule := func(field string) func(string) error {
		return func(v string) error {
			probe := letter.Signer{Name: "x", City: "x", Country: "x"}
			switch field {
			case "name":
				probe.Name = v
			case "city":
				probe.City = v
			case "country":
				probe.Country = v
			}
			var fe *letter.FieldErrors
			if err := letter.ValidateSigner(probe, false); errors.As(err, &fe) {
				if r := fe.Reason(field); r != "" {
					return errors.New(r)
				}
			}
			return nil
		}
	}
	var fields []huh.Field
	if strings.TrimSpace(s.Name) == "" {
		fields = append(fields, huh.NewInput().Title("Your name").Description("as it goes under the letter").Value(&s.Name).Validate(rule("name")))
	}
	if strings.TrimSpace(s.City) == "" {
		fields = append(fields, huh.NewInput().Title("Your city").Value(&s.City).Validate(rule("city")))
	}
	if strings.TrimSpace(s.Country) == "" {
		fields = append(fields, huh.NewInput().Title("Your country").Value(&s.Country).Validate(rule("country")))
	}
	if strings.TrimSpace(s.Note) == "" {
		desc := "optional: a few words of your own make the letter yours"
		if requireNote {
			desc = "required by this campaign: a few words of your own"
		}
		fields = append(fields, huh.NewText().Title("A personal note").Description(desc).CharLimit(letter.MaxNote).Lines(3).Value(&s.Note))
	}
	if len(fields) == 0 {
		return nil
	}
	return p.run(ctx, p.form(huh.NewGroup(fields...)))
}

func (p huhPrompter) Confirm(ctx context.Context, question, yes, no string) (bool, error) {
	ok := false
	err := p.run(ctx, p.form(huh.NewGroup(huh.NewConfirm().Title(question).Affirmative(yes).Negative(no).Value(&ok))))
	return ok, err
}

func (p huhPrompter) run(ctx context.Context, f *huh.Form) error {
	err := f.RunWithContext(ctx)
	if errors.Is(err, huh.ErrUserAborted) {
		return errAborted
	}
	if err != nil {
		return fmt.Errorf("prompt: %w", err)
	}
	return nil
}
