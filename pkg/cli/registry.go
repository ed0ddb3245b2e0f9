package cli

import (
	"github.com/faxjam/faxjam/pkg/gateway"
	gatewayall "github.com/faxjam/faxjam/pkg/gateway/all"
	"github.com/faxjam/faxjam/pkg/petition"
	petitionall "github.com/faxjam/faxjam/pkg/petition/all"
)

// gatewayRegistry and petitionRegistry are the registries of every gateway
// and petition driver, built in the one place each kind is registered.
func gatewayRegistry() *gateway.Registry { return gatewayall.Registry() }

func petitionRegistry() *petition.Registry { return petitionall.Registry() }
