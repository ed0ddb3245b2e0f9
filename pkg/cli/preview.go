package cli

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/faxjam/faxjam/pkg/campaign"
	"github.com/faxjam/faxjam/pkg/journal"
	"github.com/faxjam/faxjam/pkg/letter"
	"github.com/faxjam/faxjam/pkg/ui"
)

// `faxjam status ID --preview -o FILE.png` draws the fax that was sent. The
// renderer is deterministic, so the letter is made again from what the
// journal keeps (the signer's details, the day it was composed) and its
// PDF is checked against the SHA-256 recorded for the fax before the image
// is written: a preview never shows what was not sent.

// findSubmission looks ref up; a miss (no such id, an ambiguous or short
// key) is the user's to fix (exit 2), anything else the journal's (exit 1).
func findSubmission(ctx context.Context, j *journal.Journal, c *campaign.Campaign, ref string) (journal.Submission, error) {
	sub, err := j.Submission(ctx, c.ID, ref)
	const hint = "give the submission's number or its key (6+ characters); `faxjam status --export csv` lists them"
	switch {
	case errors.Is(err, journal.ErrNotFound):
		return sub, &UsageError{Err: fmt.Errorf("no submission %s in campaign %s", clip(ref, 40), c.ID), Hint: hint}
	case errors.Is(err, journal.ErrAmbiguous):
		return sub, &UsageError{Err: err, Hint: hint}
	}
	return sub, err
}

func previewSubmission(ctx context.Context, so *SendOptions, j *journal.Journal, c *campaign.Campaign, ref, out string) error {
	sub, err := findSubmission(ctx, j, c, ref)
	if err != nil {
		return err
	}
	if sub.DocSHA256 == "" {
		return usagef("submission #%d (%s) has no fax yet: it is %s", sub.ID, sub.Name, sub.State)
	}
	atts, err := j.Attempts(ctx, sub.ID)
	if err != nil {
		return err
	}
	r, lay, err := sentFax(ctx, so, c, sub, atts)
	if err != nil {
		return err
	}
	png, err := document(r, lay, "png")
	if err != nil {
		return err
	}
	if err := writeFileAtomic(out, png, 0o600); err != nil {
		return err
	}
	h := sub.DocSHA256
	if so.JSON {
		return ui.NewJSON(so.IO.Out).Print("preview", map[string]any{"submission": sub.ID, "path": out, "sha256": h, "matches": true})
	}
	fmt.Fprintf(so.IO.ErrOut, "Wrote %s: the fax of #%d (%s) as the fax machine printed it; its PDF matches the journal's sha256 %s…\n", out, sub.ID, sub.Name, short(h))
	return nil
}

// statusPreviewCommand is the short command that draws the fax just sent
// to s: status finds it by its key.
func statusPreviewCommand(opts *SendOptions, c *campaign.Campaign, s letter.Signer) string {
	args := []string{self(opts.Self)}
	if slices.Contains(opts.Typed, "campaign") {
		args = append(args, "--campaign", shellQuote(opts.CampaignRef))
	}
	args = append(args, "status", letter.SignerKey(c.ID, s)[:8], "--preview")
	if opts.Journal != "" {
		args = append(args, "--journal", shellQuote(opts.Journal))
	}
	for _, f := range []struct{ name, v string }{{"paper", opts.Paper}, {"font", opts.Font}} {
		if slices.Contains(opts.Typed, f.name) {
			args = append(args, "--"+f.name, shellQuote(f.v))
		}
	}
	return strings.Join(append(args, "-o", "preview.png"), " ")
}
