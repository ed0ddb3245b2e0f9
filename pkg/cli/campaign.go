package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"github.com/faxjam/faxjam/pkg/campaign"
	"github.com/faxjam/faxjam/pkg/campaignrun"
	"github.com/faxjam/faxjam/pkg/e164"
	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/letter"
	"github.com/faxjam/faxjam/pkg/pack"
	"github.com/faxjam/faxjam/pkg/ui"
)

// CampaignOptions are the inputs of the campaign subcommands.
type CampaignOptions struct {
	IO   *ui.IOStreams
	JSON bool
	// Active is the campaign reference in use (--campaign, config, default).
	Active string
	// Load loads a campaign by reference the way --campaign does.
	Load func(ctx context.Context, ref string) (*campaign.Campaign, error)
	// Dir holds campaigns added with `campaign add`.
	Dir   string
	Ref   string // show: the campaign; add: the FILE or URL
	Force bool
	Now   func() time.Time
	YAML  bool   // show: print the campaign file
	Font  string // show: extra font to lay the letters out with
	// Gateway is the gateway URL show checks the fax header against
	// (--gateway, config gateway); opened, never dialled.
	Gateway  string
	Gateways func() *gateway.Registry
	Env      gateway.Env
	Secrets  *secrets
}

func (f *Factory) campaignOptions(o *CampaignOptions) {
	o.IO, o.JSON, o.Dir = f.IO, f.JSON, f.CampaignsDir()
	o.Active = f.CampaignRef
	if o.Active == "" {
		o.Active = campaign.Default()
	}
	o.Load = f.loadCampaign
	o.Now = f.Now
	o.Gateways, o.Env, o.Secrets = f.Gateways, f.GatewayEnv(), &f.secrets
}

func newCampaignCmd(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "campaign",
		Short: "Start, list, show and add campaigns",
		Long: `A campaign is a YAML file (plus one letter template per language): the story,
the target and its fax numbers, and the courtesy limits faxjam obeys. faxjam
ships with bundled campaigns; --campaign FILE|URL uses another one, and
'campaign add' keeps a copy so that --campaign ID finds it.`,
		Example: `  faxjam campaign init ./my-campaign --languages es,en
  faxjam campaign list
  faxjam campaign show ./my-campaign/campaign.yaml
  faxjam campaign show --yaml > campaign.yaml
  faxjam campaign add ./my-campaign/campaign.yaml
  faxjam campaign add 'https://example.org/rk.pack#ed25519=KEY'
  faxjam campaign update river-keepers`,
		Args: usageArgs(cobra.NoArgs),
	}
	cmd.AddCommand(newCampaignInitCmd(f), newCampaignListCmd(f), newCampaignShowCmd(f), newCampaignAddCmd(f),
		newCampaignKeygenCmd(f), newCampaignSignCmd(f), newCampaignUpdateCmd(f), newCampaignExportCmd(f))
	return cmd
}

func newCampaignListCmd(f *Factory) *cobra.Command {
	opts := &CampaignOptions{}
	return &cobra.Command{
		Use:   "list",
		Short: "List bundled and added campaigns",
		Long: `List the campaigns faxjam knows: those bundled with it, those kept with
'faxjam campaign add', and the active one (--campaign or config 'campaign'),
marked with *. A kept campaign that no longer loads is named in a warning.`,
		Example: "  faxjam campaign list\n  faxjam campaign list --json | jq -r .id",
		Args:    usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.campaignOptions(opts)
			return campaignListRun(cmd.Context(), opts)
		},
	}
}

type campaignJSON struct {
	ID         string `json:"id"`
	Title      string `json:"title"`
	Organizer  string `json:"organizer"`
	Source     string `json:"source"`
	FaxNumbers int    `json:"fax_numbers"`
	Languages  string `json:"languages"`
	Active     bool   `json:"active"`
}

// listCampaigns gathers the bundled campaigns, the added ones and the active
// one when it is a file or URL. A broken added campaign is listed as a
// problem, not a failure of the whole list.
func listCampaigns(ctx context.Context, opts *CampaignOptions) ([]*campaign.Campaign, []error, error) {
	out, err := campaign.Bundled()
	if err != nil {
		return nil, nil, err
	}
	seen := map[string]bool{}
	for _, c := range out {
		seen[c.ID] = true
	}
	var problems []error
	entries, err := os.ReadDir(opts.Dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, nil, fmt.Errorf("campaigns in %s: %w", opts.Dir, err)
	}
	for _, e := range entries {
		if !e.IsDir() || seen[e.Name()] {
			continue
		}
		c, err := campaign.Load(ctx, filepath.Join(opts.Dir, e.Name(), campaign.FileName))
		if err != nil {
			problems = append(problems, err)
			continue
		}
		seen[c.ID] = true
		out = append(out, c)
	}
	if !seen[opts.Active] {
		c, err := opts.Load(ctx, opts.Active)
		if err != nil {
			return nil, nil, err
		}
		if !seen[c.ID] {
			out = append(out, c)
		}
	}
	return out, problems, nil
}

func campaignListRun(ctx context.Context, opts *CampaignOptions) error {
	list, problems, err := listCampaigns(ctx, opts)
	if err != nil {
		return err
	}
	active := func(c *campaign.Campaign) bool {
		return c.ID == opts.Active || c.Source == opts.Active
	}
	if opts.JSON {
		p := ui.NewJSON(opts.IO.Out)
		for _, c := range list {
			if err := p.Print("campaign", campaignJSON{c.ID, c.Title, c.Organizer, c.Source, len(c.Target.Fax),
				strings.Join(c.Languages.Codes(), ","), active(c)}); err != nil {
				return err
			}
		}
	} else {
		s := opts.IO.Styles()
		rows := make([][]string, 0, len(list))
		for _, c := range list {
			mark := " "
			if active(c) {
				mark = "*"
			}
			rows = append(rows, []string{mark + " " + c.ID, c.Title, fmt.Sprint(len(c.Target.Fax)), strings.Join(c.Languages.Codes(), ","), c.Source})
		}
		fmt.Fprint(opts.IO.Out, ui.Table(s, []string{"  id", "title", "numbers", "letters", "source"}, rows))
	}
	for _, p := range problems {
		fmt.Fprintf(opts.IO.ErrOut, "warning: %v\n", p)
	}
	return nil
}

func newCampaignShowCmd(f *Factory) *cobra.Command {
	opts := &CampaignOptions{}
	cmd := &cobra.Command{
		Use:   "show [ID|FILE|URL]",
		Short: "Show a campaign: target, fax numbers, letters, limits",
		Long: `Show a campaign (default: the active one) and check it: the file against its
schema and every letter composed on a sample signer. An invalid campaign file
is reported with every problem named by its field path, exit code 2. --yaml
prints the campaign file itself; 'campaign export DIR' writes it with its
letter templates, e.g. the bundled one to start your own from.

Every letter is laid out with no note and with the longest note a signer may
write (600 characters in 8 lines), on the tighter of A4 and Letter paper:
show says how much room is left on the page, warns where a long note would
not fit, and refuses (exit 2) a letter over one page without any note. It
warns where a letter would print the campaign's title, asks or facts in
another language than its own (add them under translations).

For a campaign that faxes a US number (+1) it warns when the fax header US
rules ask for (47 CFR 68.318(d)) would lack the sender (no sender_id in the
campaign file) or the sending number (no from= or csid= in the gateway URL,
--gateway or config gateway).`,
		Example: "  faxjam campaign show\n  faxjam campaign show ./campaign.yaml\n  faxjam campaign show --json\n  faxjam campaign show --yaml > campaign.yaml",
		Args:    usageArgs(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.campaignOptions(opts)
			opts.Ref = opts.Active
			if len(args) == 1 {
				opts.Ref = args[0]
			}
			return campaignShowRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.YAML, "yaml", false, "print the campaign file (YAML) instead")
	cmd.Flags().StringVar(&opts.Gateway, "gateway", "", "fax gateway `URL` to check the fax header against (default outbox://)")
	bindConfig(cmd.Flags(), "gateway", "gateway")
	cmd.Flags().StringVar(&opts.Font, "font", "", "extra TrueType font the letters need (as for letter and send)")
	bindConfig(cmd.Flags(), "font", "font")
	return cmd
}

// showInvalid prints a campaign's problems as JSON for scripts; the error
// itself goes to stderr like every error.
func showInvalid(opts *CampaignOptions, err error) error {
	var v *campaign.ValidationError
	if opts.JSON && errors.As(err, &v) {
		_ = ui.NewJSON(opts.IO.Out).Print("campaign_invalid", v)
	}
	return err
}

func campaignShowRun(ctx context.Context, opts *CampaignOptions) error {
	c, err := opts.Load(ctx, opts.Ref)
	if err != nil {
		return showInvalid(opts, err)
	}
	if opts.YAML {
		_, err := opts.IO.Out.Write(c.File())
		return err
	}
	tr, signed := packInfo(c)
	extra, err := readFont(opts.Font)
	if err != nil {
		return err
	}
	fits, err := fitLetters(ctx, c, extra, opts.Now())
	if err != nil {
		return err
	}
	gaps := headerGaps(opts, c)
	if opts.JSON {
		var sig *packTrust
		if signed {
			sig = &tr
		}
		if err := ui.NewJSON(opts.IO.Out).Print("campaign", struct {
			*campaign.Campaign
			Digest  string      `json:"digest"`
			Pack    *packTrust  `json:"pack,omitempty"`
			Letters []letterFit `json:"letters"`
			Header  []string    `json:"header_warnings,omitempty"`
		}{c, c.Digest(), sig, fits, gaps}); err != nil {
			return err
		}
		return tooLongError(c, fits)
	}
	s := opts.IO.Styles()
	w := min(opts.IO.TerminalWidth(), 100)
	var b strings.Builder
	b.WriteString(s.Title.Render(ui.Wrap(c.Title, w)) + "\n\n")
	when := c.Started
	if c.Ends != "" {
		when += " to " + c.Ends
	}
	kv := []ui.KV{
		{Key: "id", Value: c.ID},
		{Key: "organizer", Value: c.Organizer},
		{Key: "fax header", Value: "sent by " + c.Sender()},
		{Key: "dates", Value: when},
		{Key: "source", Value: c.Source},
		{Key: "target", Value: strings.Join(nonEmpty(c.Target.Name, c.Target.Title, c.Target.Organization), ", ")},
		{Key: "time zone", Value: c.Target.Timezone},
		{Key: "letters", Value: strings.Join(c.Languages.Codes(), ", ") + " (first: the target's language)"},
		{Key: "contact", Value: c.Contact},
	}
	if c.Petition != "" {
		kv = append(kv, ui.KV{Key: "petition", Value: redactURL(c.Petition)})
	}
	lim := c.Limits
	kv = append(kv, ui.KV{Key: "limits", Value: limitsText(lim)})
	if c.Closed {
		kv = append(kv, ui.KV{Key: "closed", Value: "yes: its organizer has closed it, `send` refuses it"})
	}
	if c.RequireNote {
		kv = append(kv, ui.KV{Key: "note", Value: "required: every letter carries a personal paragraph"})
	}
	kv = append(kv, ui.KV{Key: "digest", Value: "sha256=" + c.Digest()})
	if signed {
		kv = append(kv, ui.KV{Key: "signed", Value: fmt.Sprintf("version %d, key %s, from %s", tr.Version, tr.Fingerprint, redactURL(tr.Source))})
	}
	b.WriteString(ui.KeyValues(s, w, kv))
	b.WriteString("\n" + s.Heading.Render("Fax numbers") + "\n")
	rows := make([][]string, 0, len(c.Target.Fax))
	for _, n := range c.Target.Fax {
		note := ""
		if n.Fictitious {
			note = s.Warning.Render("fictitious")
		}
		rows = append(rows, []string{e164.Readable(n.Number), n.Label, note})
	}
	b.WriteString(ui.Table(s, []string{"number", "label", ""}, rows))
	b.WriteString("\n" + s.Heading.Render("Letters") + "\n")
	rows = rows[:0]
	for _, f := range fits {
		if f.Problem != "" {
			rows = append(rows, []string{f.Lang, f.Template, s.Warning.Render("cannot lay out: " + f.Problem), ""})
			continue
		}
		empty, long := roomText(f.NoNote), roomText(f.LongNote)
		if f.TooLong {
			empty = s.Error.Render(empty)
		}
		if !f.NoteRoom {
			long = s.Warning.Render(long)
		}
		rows = append(rows, []string{f.Lang, f.Template, empty, long})
	}
	b.WriteString(ui.Table(s, []string{"lang", "template", "without a note", "with the longest note"}, rows))
	if _, err := fmt.Fprint(opts.IO.Out, b.String()); err != nil {
		return err
	}
	for _, g := range gaps {
		fmt.Fprintf(opts.IO.ErrOut, "warning: %s\n", g)
	}
	for _, f := range fits {
		if len(f.Mixed) > 0 {
			fmt.Fprintf(opts.IO.ErrOut, "warning: letter %s (%s) prints the campaign's %s in %s: add translations.%s.%s to the campaign file\n",
				f.Lang, f.Template, strings.Join(f.Mixed, " and "), f.MixedIn, f.Lang, strings.Join(f.Mixed, ", translations."+f.Lang+"."))
		}
		if f.Problem == "" && !f.TooLong && !f.NoteRoom {
			fmt.Fprintf(opts.IO.ErrOut, "warning: letter %s (%s) leaves no room for the longest note (%d characters): a signer's note may be refused; shorten the template by ≈%d characters\n",
				f.Lang, f.Template, letter.MaxNote, -f.LongNote.Chars)
		}
	}
	return tooLongError(c, fits)
}

// limitsText says a campaign's limits in words; a limit left out of the
// file (0) is no cap, not a cap of 0.
func limitsText(l campaign.Limits) string {
	hourly := "no hourly cap per number"
	if l.PerNumberPerHour > 0 {
		hourly = fmt.Sprintf("at most %d pages per number per hour", l.PerNumberPerHour)
	}
	return fmt.Sprintf("%d call(s) per number, %s, at most %d attempts per number, quiet hours %s",
		l.CallsPerNumber, hourly, l.MaxAttemptsPerNumber, orNone(l.QuietHours))
}

func nonEmpty(vs ...string) []string {
	var out []string
	for _, v := range vs {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func newCampaignAddCmd(f *Factory) *cobra.Command {
	opts := &CampaignOptions{}
	cmd := &cobra.Command{
		Use:   "add FILE|URL",
		Short: "Check a campaign and keep a copy so --campaign ID finds it",
		Long: `Load and validate a campaign file (or URL, optionally pinned with
#sha256=DIGEST) and copy it with its letters into faxjam's data folder
($XDG_DATA_HOME/faxjam/campaigns/ID). Afterwards --campaign ID uses it.

A signed campaign pack (made with 'faxjam campaign sign') is verified first.
Pin its publisher's key with #ed25519=KEY, as the organizer publishes it;
without a pin the key of this first pack is pinned (trust on first use: compare
the fingerprint 'campaign show' prints with the organizer's). 'campaign update
ID' later accepts only packs signed by the pinned key with a higher version.`,
		Example: "  faxjam campaign add ./my-campaign/campaign.yaml\n  faxjam campaign add 'https://example.org/c/campaign.yaml#sha256=...'\n  faxjam campaign add 'https://example.org/c/rk.pack#ed25519=KEY'\n  faxjam campaign add ./rk.pack",
		Args:    usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.campaignOptions(opts)
			opts.Ref = args[0]
			return campaignAddRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Force, "force", false, "replace an added campaign with the same id")
	return cmd
}

func campaignAddRun(ctx context.Context, opts *CampaignOptions) error {
	if err := checkCampaignFolder(opts.Ref); err != nil {
		return err
	}
	if done, err := campaignAddPack(ctx, opts); done {
		return err
	}
	c, err := campaign.Load(ctx, opts.Ref)
	if err == nil {
		err = letter.Check(ctx, c, opts.Now())
	}
	if err != nil {
		var v *campaign.ValidationError
		if !errors.As(err, &v) && !strings.Contains(opts.Ref, "://") {
			err = &UsageError{Err: err}
		}
		return showInvalid(opts, err)
	}
	dest, err := addDest(opts, c)
	if err != nil {
		return err
	}
	if err := storeCampaign(c, opts.Dir, dest); err != nil {
		return err
	}
	// Read it back the way --campaign will, so a copy that does not load
	// is caught now.
	if _, err := campaign.Load(ctx, filepath.Join(dest, campaign.FileName)); err != nil {
		return fmt.Errorf("campaign %s was copied to %s but does not load back: %w", c.ID, dest, err)
	}
	if opts.JSON {
		return ui.NewJSON(opts.IO.Out).Print("campaign_added", map[string]string{"id": c.ID, "path": dest, "digest": c.Digest()})
	}
	fmt.Fprintf(opts.IO.ErrOut, "Added campaign %s (%s) to %s\nUse it with: faxjam --campaign %s about\n", c.ID, c.Title, dest, c.ID)
	return nil
}

// storeCampaign writes c (validated) and its templates into dest.
func storeCampaign(c *campaign.Campaign, dir, dest string) error {
	data, err := yaml.Marshal(c)
	if err != nil {
		return fmt.Errorf("campaign add: %w", err)
	}
	files := []pack.File{{Name: campaign.FileName, Data: data}}
	for _, l := range c.Languages {
		files = append(files, pack.File{Name: l.Template, Data: []byte(c.Templates[l.Code])})
	}
	return storeFiles(dir, dest, files)
}

// storeFiles writes files into dest, built in a temp folder beside it and
// renamed into place, so --campaign ID never sees half a campaign.
func storeFiles(dir, dest string, files []pack.File) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("campaign add: %w", err)
	}
	tmp, err := os.MkdirTemp(dir, "."+filepath.Base(dest)+".*")
	if err != nil {
		return fmt.Errorf("campaign add: %w", err)
	}
	defer os.RemoveAll(tmp)
	for _, f := range files {
		p := filepath.Join(tmp, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("campaign add: %w", err)
		}
		if err := writeFileAtomic(p, f.Data, 0o644); err != nil {
			return err
		}
	}
	if err := os.RemoveAll(dest); err != nil {
		return fmt.Errorf("campaign add: %w", err)
	}
	if err := os.Rename(tmp, dest); err != nil {
		return fmt.Errorf("campaign add: %w", err)
	}
	return nil
}

// headerGaps is what c's fax header would lack through the gateway
// configured (campaignrun.HeaderGaps); a gateway URL that does not open
// is said as such, not an error of show's.
func headerGaps(opts *CampaignOptions, c *campaign.Campaign) []string {
	if opts.Gateways == nil {
		return nil
	}
	g, d, err := openGateway(opts.Gateways(), opts.Gateway, opts.Env, opts.Secrets)
	if err != nil {
		return []string{"the fax header was not checked against the gateway: " + opts.Secrets.scrub(err.Error())}
	}
	if cl, ok := g.(gateway.Closer); ok {
		defer cl.Close()
	}
	return campaignrun.HeaderGaps(c, campaignrun.Opened{Gateway: g, Driver: d, Env: opts.Env})
}
