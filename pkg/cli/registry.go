package cli

import (
	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/gateway/all"
)

// gatewayRegistry is the registry of every gateway driver, built in the one
// place drivers are registered.
func gatewayRegistry() *gateway.Registry { return all.Registry() }
