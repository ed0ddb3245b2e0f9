// Package all is the one place where faxjam's gateway drivers are
// registered: adding a driver is one line in Registry. It imports every
// driver package and is imported only by the program's wiring (pkg/cli);
// drivers never import it.
package all

import (
	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/gateway/documo"
	"github.com/faxjam/faxjam/pkg/gateway/hylafax"
	"github.com/faxjam/faxjam/pkg/gateway/interfax"
	"github.com/faxjam/faxjam/pkg/gateway/outbox"
	"github.com/faxjam/faxjam/pkg/gateway/phaxio"
	"github.com/faxjam/faxjam/pkg/gateway/sim"
	"github.com/faxjam/faxjam/pkg/gateway/sinch"
	"github.com/faxjam/faxjam/pkg/gateway/smtp"
	"github.com/faxjam/faxjam/pkg/gateway/srfax"
	"github.com/faxjam/faxjam/pkg/gateway/telnyx"
	"github.com/faxjam/faxjam/pkg/gateway/webhook"
)

// Registry returns a registry of every gateway driver.
func Registry() *gateway.Registry {
	return gateway.NewRegistry(
		outbox.Driver(),
		webhook.Driver(),
		smtp.Driver(),
		telnyx.Driver(),
		sinch.Driver(),
		phaxio.Driver(),
		interfax.Driver(),
		srfax.Driver(),
		documo.Driver(),
		hylafax.Driver(),
		sim.Driver(),
	)
}
