package cli

import (
	"fmt"
	"time"

	"github.com/faxjam/faxjam/pkg/campaign"
)

// refuseClosed stops a run of a campaign that is closed or over, saying why
// and whom to ask. A dry run (which dials nothing) is let through.
func refuseClosed(c *campaign.Campaign, now time.Time, dryRun bool) error {
	why := c.ClosedWhy(now)
	if why == "" || dryRun {
		return nil
	}
	return &UsageError{Err: fmt.Errorf("campaign %s is closed: %s; nothing is sent", c.ID, why),
		Hint: fmt.Sprintf("ask the campaign's contact, %s, whether there is a new campaign to join", c.Contact)}
}
