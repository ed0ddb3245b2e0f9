package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/faxjam/faxjam/pkg/campaign"
	"github.com/faxjam/faxjam/pkg/journal"
	"github.com/faxjam/faxjam/pkg/letter"
	"github.com/faxjam/faxjam/pkg/render"
	"github.com/faxjam/faxjam/pkg/ui/termimage"
)

// errNotSameFax is a document made again that is not the one faxed.
var errNotSameFax = errors.New("the letter made again from the journal is not the document that was faxed")

// sentFax draws the fax sub was sent as, again, from the journal: the same
// signer and campaign through the same compose path, on the day it was
// composed (an attempt's start, else when it was queued). The renderer is
// deterministic, so the PDF made again must have the SHA-256 recorded when
// it went; one that does not (another --paper or --font, the campaign
// edited since) is refused, never shown as the fax.
func sentFax(ctx context.Context, so *SendOptions, c *campaign.Campaign, sub journal.Submission, atts []journal.Attempt) (*render.Renderer, *render.Layout, error) {
	if sub.DocSHA256 == "" {
		return nil, nil, fmt.Errorf("submission #%d has not been composed yet: nothing was faxed", sub.ID)
	}
	r, err := newRenderer(so.Paper, so.Font)
	if err != nil {
		return nil, nil, err
	}
	s := letter.Signer{Name: sub.Name, City: sub.City, Country: sub.Country, Email: sub.Email, Note: sub.Note, Lang: sub.Lang}
	var when []time.Time
	for _, a := range slices.Backward(atts) {
		when = append(when, a.Started)
	}
	when = append(when, sub.Updated, sub.Created)
	tried := map[string]bool{}
	for _, t := range when {
		if t.IsZero() || tried[t.String()] {
			continue
		}
		tried[t.String()] = true
		_, lay, err := composeLetter(ctx, c, r, "", s, t)
		if err != nil {
			return nil, nil, err
		}
		pdf, err := document(r, lay, "pdf")
		if err != nil {
			return nil, nil, err
		}
		if sum := sha256.Sum256(pdf); hex.EncodeToString(sum[:]) == sub.DocSHA256 {
			return r, lay, nil
		}
	}
	return nil, nil, fmt.Errorf("%w (sha256 %s…): give the --paper it was sent with, or the campaign as it was then", errNotSameFax, short(sub.DocSHA256))
}

// thumbCols and thumbPixels are the size of a fax's picture in the
// terminal: 40 cells wide (kitty, iTerm2), 432 pixels (a quarter of the
// fax's 1728, and sixel's own size).
const (
	thumbCols   = 40
	thumbPixels = 432
)

// showSentFax puts the picture of sub's fax under its receipt on a
// terminal that can draw images, and elsewhere the command that writes it
// as a PNG.
func showSentFax(ctx context.Context, so *SendOptions, c *campaign.Campaign, sub journal.Submission, atts []journal.Attempt) error {
	if sub.DocSHA256 == "" {
		return nil
	}
	s := so.IO.Styles()
	p := termimage.Detect(so.IO.Getenv)
	if p == termimage.None {
		_, err := fmt.Fprintf(so.IO.Out, "\nThe fax as it was sent: %s\n", s.Accent.Render(sentFaxCommand(so, sub.ID)))
		return err
	}
	r, lay, err := sentFax(ctx, so, c, sub, atts)
	if err != nil {
		_, err = fmt.Fprintf(so.IO.Out, "\n%s\n", s.Muted.Render("No picture: "+err.Error()))
		return err
	}
	img, err := r.Raster(lay, 0)
	if err != nil {
		return err
	}
	fmt.Fprintln(so.IO.Out)
	return termimage.Write(so.IO.Out, p, termimage.Thumbnail(img, thumbPixels), thumbCols)
}

// sentFaxCommand is the command that writes submission id's fax as a PNG.
func sentFaxCommand(so *SendOptions, id int64) string {
	cmd := "faxjam "
	if so.CampaignRef != "" {
		cmd += "--campaign " + shellQuote(so.CampaignRef) + " "
	}
	return cmd + fmt.Sprintf("status %d --preview -o fax-%d.png", id, id)
}
