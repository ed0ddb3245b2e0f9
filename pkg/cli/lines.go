package cli

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/faxjam/faxjam/pkg/campaignrun"
	"github.com/faxjam/faxjam/pkg/e164"
	"github.com/faxjam/faxjam/pkg/ui"
)

func newLinesCmd(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "lines",
		Short: "Look after the target's fax numbers: release a number that was held",
		Long: `Look after the target's fax numbers. 'faxjam status' shows each number's record
(tries, deliveries, busy, no answer, failures, the success rate over 24 hours
and 7 days); a number whose calls found no fax there is held until you
release it.`,
		Example: "  faxjam status              # each number's health\n  faxjam lines release +502 2411 9191",
	}
	cmd.AddCommand(newLinesReleaseCmd(f))
	return cmd
}

func newLinesReleaseCmd(f *Factory) *cobra.Command {
	opts := &PrivacyOptions{}
	cmd := &cobra.Command{
		Use:   "release NUMBER",
		Short: "Dial a held number again, after checking it",
		Long: `A number whose calls in a row all found no fax there (not in service, a voice
line) is held: no run dials it again until the organizer looks, since each
call would waste a signer's try. 'faxjam status' lists it as held. Check the
number (call it, ask the office), fix the campaign if it changed, then
release it here: the next run dials it again.

On a hub, release it on /admin instead (the hub holds its journal).`,
		Example: "  faxjam lines release +502 2411 9191\n  faxjam lines release +50224119191 --journal campaign.db",
		Args:    usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.privacyOptions(opts)
			c, err := f.Campaign(cmd.Context())
			if err != nil {
				return err
			}
			return linesReleaseRun(cmd.Context(), opts, c.ID, args[0])
		},
	}
	privacyFlags(cmd, opts)
	return cmd
}

func linesReleaseRun(ctx context.Context, opts *PrivacyOptions, campaignID, number string) error {
	n, err := e164.Normalize(number)
	if err != nil {
		return usagef("number %q: %v", number, err)
	}
	path := journalPath(opts.Journal, opts.DataDir, rehearsalGateway(opts.Gateways, opts.Gateway))
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return usagef("no journal at %s: nothing was dialled, so nothing is held", path)
	}
	var rg campaignrun.Rig
	if err := rg.OpenJournal(path, opts.Now); err != nil {
		return err
	}
	defer rg.Close()
	released, err := rg.Journal.Release(ctx, campaignID, n)
	if err != nil {
		return err
	}
	if opts.JSON {
		return ui.NewJSON(opts.IO.Out).Print("released", map[string]any{"campaign": campaignID, "number": n, "released": released})
	}
	if !released {
		fmt.Fprintf(opts.IO.ErrOut, "%s was not held or down in %s: nothing to release.\n", e164.Readable(n), campaignID)
		return nil
	}
	fmt.Fprintf(opts.IO.ErrOut, "Released %s: the next run dials it again.\n", e164.Readable(n))
	return nil
}
