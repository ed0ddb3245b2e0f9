// Package all is the one place where faxjam's petition drivers are
// registered. Adding a driver is one line in Registry.
package all

import (
	"github.com/faxjam/faxjam/pkg/petition"
	"github.com/faxjam/faxjam/pkg/petition/actionnetwork"
	faxjamhttp "github.com/faxjam/faxjam/pkg/petition/http"
	"github.com/faxjam/faxjam/pkg/petition/webhook"
)

// Registry returns a registry of every petition driver.
func Registry() *petition.Registry {
	return petition.NewRegistry(
		actionnetwork.Driver(),
		faxjamhttp.Driver(),
		webhook.Driver(),
	)
}

// Open opens the petition endpoint at raw: https:// (faxjam's own petition
// server or a compatible one), webhook+https:// (a relay) or
// actionnetwork://TOKEN@PETITION_ID; Registry's drivers declare their URL
// options. version goes into the User-Agent.
func Open(raw, version string) (petition.Petition, error) {
	return Registry().Open(raw, petition.Env{Version: version})
}

// OpenEnv is Open with a caller's environment (an *http.Client with its own
// timeouts, for instance).
func OpenEnv(raw string, env petition.Env) (petition.Petition, error) {
	return Registry().Open(raw, env)
}

// Redact returns raw with its credentials replaced by ***, for printing.
func Redact(raw string) string {
	return Registry().Redact(raw)
}
