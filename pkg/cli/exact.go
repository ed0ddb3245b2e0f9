package cli

import (
	"github.com/faxjam/faxjam/pkg/dispatch"
	"github.com/faxjam/faxjam/pkg/gateway"
)

// exactly tells the engine what it must know of rg's gateway so that an
// interrupted fax is never sent twice: the driver's declaration (dedupe by
// key, late margin) and how long one request may take (the timeout it was
// opened with).
func (rg *rig) exactly(cfg *dispatch.Config) {
	cfg.Declare(rg.driver)
	cfg.RequestTimeout = gateway.RequestTimeout(rg.gw, rg.env)
}
