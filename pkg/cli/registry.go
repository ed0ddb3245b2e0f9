package cli

import (
	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/gateway/hylafax"
	"github.com/faxjam/faxjam/pkg/gateway/outbox"
	"github.com/faxjam/faxjam/pkg/gateway/sinch"
	"github.com/faxjam/faxjam/pkg/gateway/telnyx"
)

// gatewayRegistry is the registry of gateway drivers.
//
// TODO: use pkg/gateway/all.Registry() once it lands; until then the drivers
// already in the tree, listed once here.
func gatewayRegistry() *gateway.Registry {
	return gateway.NewRegistry(outbox.Driver(), telnyx.Driver(), sinch.Driver(), hylafax.Driver())
}
