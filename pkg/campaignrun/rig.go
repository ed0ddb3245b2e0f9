package campaignrun

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/faxjam/faxjam/pkg/dispatch"
	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/journal"
	"github.com/faxjam/faxjam/pkg/petition"
)

// Rig is what a campaign's run is wired to: the gateway, the petition
// endpoint (nil: none) and the journal, opened and validated. send,
// status --follow, petition deliver and the hub each build one.
type Rig struct {
	Opened
	Petition    petition.Petition
	PetitionURL string // as it may be shown (redacted)
	Journal     *journal.Journal
	lock        *journal.Lock // this process's claim on the journal
}

// OpenJournal claims and opens the SQLite journal at path, on the clock
// now: one process dispatches from a journal at a time (readers such as
// status take no claim). The folder is made private if it is missing.
func (rg *Rig) OpenJournal(path string, now func() time.Time) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	l, err := journal.Acquire(path)
	if err != nil {
		return err
	}
	j, err := journal.Open(path)
	if err != nil {
		l.Release()
		return fmt.Errorf("journal: %w", err)
	}
	if now != nil {
		j.SetClock(now)
	}
	rg.Journal, rg.lock = j, l
	return nil
}

// UseJournal wires rg to a journal opened elsewhere (a shared PostgreSQL
// journal, whose one dispatcher is elected, not locked); rg closes it.
func (rg *Rig) UseJournal(j *journal.Journal, now func() time.Time) {
	if now != nil {
		j.SetClock(now)
	}
	rg.Journal = j
}

// Engine builds the engine of a run through rg (see Engine): cfg's
// Journal and Petition default to rg's.
func (rg *Rig) Engine(cfg dispatch.Config) (*dispatch.Engine, error) {
	if cfg.Journal == nil {
		cfg.Journal = rg.Journal
	}
	return Engine(cfg, rg.Opened)
}

// Close closes what rg opened and releases its claim on the journal.
func (rg *Rig) Close() error {
	var err error
	if cl, ok := rg.Gateway.(gateway.Closer); ok {
		err = cl.Close()
	}
	if rg.Journal != nil {
		err = errors.Join(err, rg.Journal.Close())
	}
	rg.lock.Release()
	return err
}
