package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/faxjam/faxjam/pkg/campaign"
	"github.com/faxjam/faxjam/pkg/ui"
)

// BannerOptions are the inputs of `faxjam` with no arguments.
type BannerOptions struct {
	IO       *ui.IOStreams
	Campaign func(context.Context) (*campaign.Campaign, error)
	JSON     *bool
	// HasSender reports whether the sender's details are configured, which
	// changes what to do next.
	HasSender func() bool
	// Gateway returns the configured gateway URL ("" for the default
	// outbox), so a first run knows that nothing is dialled yet.
	Gateway func() string
}

func bannerRun(ctx context.Context, opts *BannerOptions) error {
	c, err := opts.Campaign(ctx)
	if err != nil {
		return err
	}
	next := "faxjam about"
	why := "why this matters, then `faxjam letter` and `faxjam send`"
	if opts.HasSender != nil && opts.HasSender() {
		next, why = "faxjam send", "sends your letter (`faxjam letter` shows it first)"
	}
	gw := ""
	if opts.Gateway != nil {
		gw = opts.Gateway()
	}
	if *opts.JSON {
		return ui.NewJSON(opts.IO.Out).Print("banner", map[string]string{
			"campaign": c.ID, "title": c.Title, "organizer": c.Organizer, "gateway": showGateway(gw), "next": next})
	}
	fictitious := 0
	for _, n := range c.Target.Fax {
		if n.Fictitious {
			fictitious++
		}
	}
	numbers := fmt.Sprintf("%d fax numbers", len(c.Target.Fax))
	if fictitious == len(c.Target.Fax) {
		numbers += " (fictitious)"
	}
	s := opts.IO.Styles()
	var b strings.Builder
	fmt.Fprintf(&b, "%s  %s\n", s.Accent.Render("faxjam"), s.Title.Render(c.Title))
	fmt.Fprintf(&b, "%s\n", s.Muted.Render(fmt.Sprintf("%s · %s · %s", c.Organizer, c.ID, numbers)))
	if gw == "" || gw == DefaultGateway {
		fmt.Fprintf(&b, "%s\n", s.Muted.Render("Gateway: outbox:// (writes faxes to a folder, dials nothing)"))
	} else {
		fmt.Fprintf(&b, "%s\n", s.Muted.Render("Gateway: "+showGateway(gw)))
	}
	fmt.Fprintf(&b, "Next: %s — %s\n", s.Accent.Render(next), why)
	_, err = fmt.Fprint(opts.IO.Out, ui.Wrap(b.String(), helpWidth(opts.IO)))
	return err
}
