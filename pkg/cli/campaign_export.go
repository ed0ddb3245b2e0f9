package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/faxjam/faxjam/pkg/campaign"
	"github.com/faxjam/faxjam/pkg/ui"
)

func newCampaignExportCmd(f *Factory) *cobra.Command {
	opts := &CampaignOptions{}
	var dir string
	cmd := &cobra.Command{
		Use:   "export DIR",
		Short: "Write a whole campaign (its file and every letter template) into a folder",
		Long: `Write the active campaign (or --campaign ID|FILE|URL) into DIR as a campaign
you can edit and use: campaign.yaml as it was written, comments and all, and
every letter template beside it, so 'faxjam --campaign DIR' loads it as is.
DIR must be new or empty (--force writes over the campaign's files in it).
'campaign show --yaml' prints the campaign file alone.`,
		Example: "  faxjam campaign export ./my-campaign\n  faxjam --campaign ./other/campaign.yaml campaign export ./copy",
		Args:    usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.campaignOptions(opts)
			opts.Ref, dir = opts.Active, args[0]
			return campaignExportRun(cmd.Context(), opts, dir)
		},
	}
	cmd.Flags().BoolVar(&opts.Force, "force", false, "write over the campaign's files in a folder that is not empty")
	return cmd
}

// newOrEmpty refuses (exit 2) to write into a folder that holds files,
// unless force: what writes there would mix with what is there.
func newOrEmpty(cmd, dir string, force bool, what string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return &UsageError{Err: fmt.Errorf("%s: %w", cmd, err)}
	case len(entries) > 0 && !force:
		return usagef("%s: %s is not empty; give a new folder (or --force to write over %s)", cmd, dir, what)
	}
	return nil
}

func campaignExportRun(ctx context.Context, opts *CampaignOptions, dir string) error {
	c, err := opts.Load(ctx, opts.Ref)
	if err != nil {
		return showInvalid(opts, err)
	}
	if err := newOrEmpty("campaign export", dir, opts.Force, "the campaign's files"); err != nil {
		return err
	}
	files := map[string][]byte{campaign.FileName: c.File()}
	names := []string{campaign.FileName}
	for _, l := range c.Languages {
		if _, dup := files[l.Template]; !dup {
			names = append(names, l.Template)
		}
		files[l.Template] = []byte(c.Templates[l.Code])
	}
	for _, name := range names {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("campaign export: %w", err)
		}
		if err := writeFileAtomic(p, files[name], 0o644); err != nil {
			return err
		}
	}
	// What export writes must load back as the same campaign.
	file := filepath.Join(dir, campaign.FileName)
	back, err := campaign.Load(ctx, file)
	if err != nil {
		return fmt.Errorf("campaign export: %s does not load back: %w", file, err)
	}
	if back.Digest() != c.Digest() {
		return fmt.Errorf("campaign export: %s loads back different (digest %s, want %s)", file, back.Digest(), c.Digest())
	}
	if opts.JSON {
		return ui.NewJSON(opts.IO.Out).Print("campaign_export", map[string]any{"id": c.ID, "path": file, "files": names})
	}
	fmt.Fprintf(opts.IO.ErrOut, "Wrote campaign %s to %s: %s\nUse it with: faxjam --campaign %s about\n", c.ID, dir, strings.Join(names, ", "), shellQuote(dir))
	return nil
}
