package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/faxjam/faxjam/pkg/campaign"
	"github.com/faxjam/faxjam/pkg/hub/web"
	"github.com/faxjam/faxjam/pkg/ui"
)

// AboutOptions are the inputs of `faxjam about`.
type AboutOptions struct {
	IO       *ui.IOStreams
	Campaign func(context.Context) (*campaign.Campaign, error)
	JSON     bool
	// Lang picks the campaign's translation of title, summary, facts and
	// asks (translations: in the campaign file); "" = its main text.
	Lang string
}

func newAboutCmd(f *Factory) *cobra.Command {
	opts := &AboutOptions{IO: f.IO, Campaign: f.Campaign}
	cmd := &cobra.Command{
		Use:   "about",
		Short: "Why this campaign matters: background, key facts, what we ask",
		Long: `Tell the campaign's story before you act: who is at risk and why, the facts
behind the appeal, what the letter asks the target to do, and who receives
the faxes. Then 'faxjam letter' shows your letter and 'faxjam send' sends it.

--lang shows title, summary, background, facts and asks in another of the
campaign's languages where the campaign file translates them, and the main
text for what it does not (--json says which language each part is in); the
headings are in that language too (es, en, fr, de or pt, as on the hub's
signing page; English for others).`,
		Example: `  faxjam about
  faxjam about --campaign ./my-campaign/campaign.yaml
  faxjam about --lang es
  faxjam about --json | jq -r .asks[]`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.JSON = f.JSON
			return aboutRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Lang, "lang", "", "show the campaign's text in this of its languages where it is translated (e.g. es)")
	return cmd
}

// aboutJSON is `about --json`: the same content as the text.
type aboutJSON struct {
	ID         string          `json:"id"`
	Title      string          `json:"title"`
	Organizer  string          `json:"organizer"`
	Started    string          `json:"started"`
	Ends       string          `json:"ends,omitempty"`
	Summary    string          `json:"summary"`
	Background string          `json:"background"`
	Facts      []string        `json:"facts"`
	Asks       []string        `json:"asks"`
	TextLangs  aboutLangs      `json:"text_lang"`
	Target     campaign.Target `json:"target"`
	Languages  []string        `json:"languages"`
	Petition   bool            `json:"petition_fallback"`
	Contact    string          `json:"contact"`
}

// aboutLangs says which language each part of about's text is in.
type aboutLangs struct {
	Title      string `json:"title"`
	Summary    string `json:"summary"`
	Background string `json:"background"`
	Facts      string `json:"facts"`
	Asks       string `json:"asks"`
}

func aboutRun(ctx context.Context, opts *AboutOptions) error {
	c, err := opts.Campaign(ctx)
	if err != nil {
		return err
	}
	if err := checkLang(c, opts.Lang); err != nil {
		return err
	}
	t := c.Text(opts.Lang)
	if opts.JSON {
		return ui.NewJSON(opts.IO.Out).Print("about", aboutJSON{
			ID: c.ID, Title: t.Title, Organizer: c.Organizer, Started: c.Started, Ends: c.Ends,
			Summary: t.Summary, Background: t.Background, Facts: t.Facts, Asks: t.Asks,
			TextLangs: aboutLangs{Title: t.TitleLang, Summary: t.SummaryLang, Background: t.BackgroundLang, Facts: t.FactsLang, Asks: t.AsksLang},
			Target:    c.Target, Languages: c.Languages.Codes(), Petition: c.Petition != "", Contact: c.Contact,
		})
	}
	_, err = fmt.Fprint(opts.IO.Out, aboutText(opts.IO.Styles(), min(opts.IO.TerminalWidth(), 100), c, t, opts.Lang))
	return err
}

// aboutText lays the campaign out in width columns.
// t is the campaign's text in the chosen language, lang the language of
// the headings ("" English).
func aboutText(s *ui.Styles, width int, c *campaign.Campaign, t campaign.Text, lang string) string {
	var b strings.Builder
	say := func(key string, args ...any) string { return web.T(lang, key, args...) }
	section := func(key string) { fmt.Fprintf(&b, "\n%s\n", s.Heading.Render(say(key))) }

	b.WriteString(s.Title.Render(ui.Wrap(t.Title, width)) + "\n")
	when := say("since", c.Started)
	if c.Ends != "" {
		when = say("span", c.Started, c.Ends)
	}
	b.WriteString(s.Muted.Render(ui.Wrap(c.Organizer+" · "+when+" · "+c.ID, width)) + "\n\n")
	b.WriteString(ui.Reflow(t.Summary, width) + "\n")

	section("background")
	b.WriteString(ui.Reflow(t.Background, width) + "\n")

	section("facts")
	b.WriteString(ui.Bullets(s, width, t.Facts))

	section("asks")
	b.WriteString(ui.Bullets(s, width, t.Asks))

	section("who_h")
	fictitious := 0
	for _, n := range c.Target.Fax {
		if n.Fictitious {
			fictitious++
		}
	}
	numbers := fmt.Sprintf("%d", len(c.Target.Fax))
	if fictitious > 0 {
		numbers += say("k_fictitious", fictitious)
	}
	kv := []ui.KV{
		{Key: say("k_target"), Value: c.Target.Name},
		{Key: say("k_title"), Value: c.Target.Title},
		{Key: say("k_office"), Value: c.Target.Organization},
		{Key: say("k_numbers"), Value: numbers},
		{Key: say("k_letter_in"), Value: strings.Join(c.Languages.Codes(), ", ")},
	}
	if c.Petition != "" {
		kv = append(kv, ui.KV{Key: say("k_planb"), Value: say("planb_v")})
	}
	b.WriteString(ui.KeyValues(s, width, kv))

	b.WriteString("\n" + ui.Wrap(say("next", s.Accent.Render("faxjam letter"), s.Accent.Render("faxjam send")), width) + "\n")
	return b.String()
}
