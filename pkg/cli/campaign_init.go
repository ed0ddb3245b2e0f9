package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/faxjam/faxjam/pkg/campaign"
	"github.com/faxjam/faxjam/pkg/letter"
	"github.com/faxjam/faxjam/pkg/ui"
)

// CampaignInitOptions are the inputs of `faxjam campaign init`.
type CampaignInitOptions struct {
	Campaign  CampaignOptions
	Dir       string
	ID        string   // default: from the folder's name
	Languages []string // the first is the target's
	Force     bool
}

func newCampaignInitCmd(f *Factory) *cobra.Command {
	opts := &CampaignInitOptions{}
	cmd := &cobra.Command{
		Use:   "init DIR",
		Short: "Write a starter campaign to edit: a commented campaign.yaml and its letters",
		Long: `Write a new campaign into DIR: a campaign.yaml whose comments document every
field, and one letter template per language (--languages, the first being the
language the target reads). It is a working campaign with a fictitious fax
number, so 'faxjam campaign show --campaign DIR' accepts it as written; edit
the story, the target and its numbers, then check it again. DIR must be new
or empty (--force writes over the starter's files).`,
		Example: `  faxjam campaign init river-keepers
  faxjam campaign init ./my-campaign --languages es,en --id my-campaign
  faxjam campaign show --campaign ./my-campaign`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.campaignOptions(&opts.Campaign)
			opts.Dir = args[0]
			return campaignInitRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringSliceVar(&opts.Languages, "languages", []string{"en"}, "letter languages, comma-separated; the first is the target's (e.g. es,en)")
	fl.StringVar(&opts.ID, "id", "", "the campaign id (default: from DIR's name)")
	fl.BoolVar(&opts.Force, "force", false, "write over the starter's files in a folder that is not empty")
	return cmd
}

var notID = regexp.MustCompile(`[^a-z0-9]+`)

// idFromDir makes a campaign id from a folder's name: "River Keepers" →
// "river-keepers".
func idFromDir(dir string) string {
	id := strings.Trim(notID.ReplaceAllString(strings.ToLower(filepath.Base(filepath.Clean(dir))), "-"), "-")
	if len(id) > 64 {
		id = strings.Trim(id[:64], "-")
	}
	if id == "" {
		id = "my-campaign"
	}
	return id
}

func campaignInitRun(ctx context.Context, opts *CampaignInitOptions) error {
	co := &opts.Campaign
	id := opts.ID
	if id == "" {
		id = idFromDir(opts.Dir)
	}
	if !campaignID.MatchString(id) || len(id) > 64 {
		return usagef("--id %q: want lowercase letters, digits and dashes (at most 64)", id)
	}
	if len(opts.Languages) == 0 {
		return usagef("--languages: give at least one language code, e.g. es,en")
	}
	for i, l := range opts.Languages {
		if !campaign.ValidLanguage(l) {
			return usagef("--languages: %q is not a language code: want a BCP 47 tag (e.g. es, en, pt-BR)", l)
		}
		if slices.Contains(opts.Languages[:i], l) {
			return usagef("--languages: %s given twice", l)
		}
	}
	if err := newOrEmpty("campaign init", opts.Dir, opts.Force, "the starter's files"); err != nil {
		return err
	}
	files := campaign.Starter(id, opts.Languages, co.Now())
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return fmt.Errorf("campaign init: %w", err)
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if err := writeFileAtomic(filepath.Join(opts.Dir, name), []byte(files[name]), 0o644); err != nil {
			return err
		}
	}
	// What init writes must be what show accepts.
	file := filepath.Join(opts.Dir, campaign.FileName)
	c, err := campaign.Load(ctx, file)
	if err == nil {
		err = letter.Check(ctx, c, co.Now())
	}
	if err != nil {
		return fmt.Errorf("campaign init: the starter does not load (a bug in faxjam): %w", err)
	}
	if co.JSON {
		return ui.NewJSON(co.IO.Out).Print("campaign_init", map[string]any{"id": id, "path": file, "files": names})
	}
	fmt.Fprintf(co.IO.ErrOut, "Wrote a starter campaign %s to %s: %s\nEdit it, then check it with: faxjam campaign show --campaign %s\n",
		id, opts.Dir, strings.Join(names, ", "), shellQuote(opts.Dir))
	return nil
}
