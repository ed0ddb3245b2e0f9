package cli

import (
	"context"
	"strings"
	"time"

	"github.com/faxjam/faxjam/pkg/journal"
	"github.com/faxjam/faxjam/pkg/leader"
)

// rescanEvery is how often a hub on PostgreSQL reads its whole queue
// again (dispatch.Config.Rescan): another hub process may commit an action
// behind what the dispatcher has read.
const rescanEvery = 2 * time.Second

func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// hubDispatch is how a hub's journal is shared: alone, or among hub
// processes that elect their dispatcher.
type hubDispatch struct {
	lead   func(ctx context.Context) (<-chan struct{}, func(), error) // nil: this process alone
	rescan time.Duration
	close  func()
}

// openHubJournal opens the hub's journal into rg. SQLite (--db FILE): one
// process, which holds the journal's lock as send does. PostgreSQL: every
// hub process on the database accepts and serves, and they elect the one
// that dispatches through an advisory lock (package leader), so one call
// per line holds across all of them.
func openHubJournal(ctx context.Context, so *SendOptions, rg *rig, dsn, jpath, campaignID string) (hubDispatch, error) {
	if !isPostgres(dsn) {
		so.Journal = jpath
		return hubDispatch{close: func() {}}, rg.openJournal(so)
	}
	j, err := journal.OpenPostgres(ctx, dsn)
	if err != nil {
		return hubDispatch{}, so.Secrets.scrubErr(err)
	}
	rg.UseJournal(j, so.Now)
	el, err := leader.Elect(dsn, "faxjam hub "+campaignID)
	if err != nil {
		return hubDispatch{}, so.Secrets.scrubErr(err)
	}
	return hubDispatch{lead: el.Lead, rescan: rescanEvery, close: func() { el.Close() }}, nil
}
