package cli

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/faxjam/faxjam/pkg/campaign"
	"github.com/faxjam/faxjam/pkg/campaignrun"
	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/journal"
	"github.com/faxjam/faxjam/pkg/render"
	"github.com/faxjam/faxjam/pkg/ui/termimage"
)

// sentFax draws the fax sub was sent as, again, from the journal: the same
// signer and campaign through the same compose path, on the day it was
// composed (an attempt's start, else when it was queued). The renderer is
// deterministic, so the PDF made again must have the SHA-256 recorded when
// it went; one that does not (another --paper or --font, the campaign
// edited since) is refused (exit 2), never shown as the fax. status ID
// shows its picture, status ID --preview -o FILE.png writes it.
func sentFax(ctx context.Context, so *SendOptions, c *campaign.Campaign, sub journal.Submission, atts []journal.Attempt) (*render.Renderer, *render.Layout, error) {
	if sub.DocSHA256 == "" {
		return nil, nil, fmt.Errorf("submission #%d has not been composed yet: nothing was faxed", sub.ID)
	}
	r, err := newRenderer(so.Paper, so.Font)
	if err != nil {
		return nil, nil, err
	}
	hdr, err := faxHeader(so, c)
	if err != nil {
		return nil, nil, err
	}
	lay, err := campaignrun.Sent(ctx, c, r, hdr, sub, atts)
	if errors.Is(err, campaignrun.ErrChanged) {
		return nil, nil, &UsageError{Err: fmt.Errorf("the letter of #%d made again does not match the fax sent (sha256 %s…)", sub.ID, short(sub.DocSHA256)),
			Hint: "give the --paper, --font and --gateway it was sent with (the gateway decides the fax header); a petition delivery or another version of the campaign cannot be made again"}
	}
	if err != nil {
		return nil, nil, err
	}
	return r, lay, nil
}

// faxHeader is the header faxjam draws on c's faxes through the gateway
// configured (opened, which dials nothing), or nil when its vendor prints
// its own: what a fax sent through it carried.
func faxHeader(so *SendOptions, c *campaign.Campaign) (*campaignrun.Header, error) {
	g, d, err := openGateway(so.Gateways(), so.Gateway, so.GatewayEnv, so.Secrets)
	if err != nil {
		return nil, err
	}
	if cl, ok := g.(gateway.Closer); ok {
		defer cl.Close()
	}
	return campaignrun.HeaderFor(c, campaignrun.Opened{Gateway: g, Driver: d, Env: so.GatewayEnv})
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

// sentFaxCommand is the command that writes submission id's fax as a PNG,
// repeating the campaign, journal and paper it was looked up with.
func sentFaxCommand(so *SendOptions, id int64) string {
	args := []string{"faxjam"}
	if so.CampaignRef != "" {
		args = append(args, "--campaign", shellQuote(so.CampaignRef))
	}
	args = append(args, "status", strconv.FormatInt(id, 10), "--preview")
	if slices.Contains(so.Typed, "journal") && so.Journal != "" {
		args = append(args, "--journal", shellQuote(so.Journal))
	}
	if so.Paper != "" && so.Paper != "a4" {
		args = append(args, "--paper", shellQuote(so.Paper))
	}
	return strings.Join(append(args, "-o", fmt.Sprintf("fax-%d.png", id)), " ")
}
