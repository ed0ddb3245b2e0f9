package petition

import (
	"net/http"
	"net/url"

	"github.com/faxjam/faxjam/pkg/urlspec"
)

// Place is where an option is found in a petition URL.
type Place = urlspec.Place

const (
	InUser     = urlspec.InUser     // the URL's user name (actionnetwork://TOKEN@...)
	InPassword = urlspec.InPassword // the URL's password
	InHost     = urlspec.InHost     // host[:port], or an id (actionnetwork://TOKEN@PETITION_ID)
	InPath     = urlspec.InPath     // the URL's path
	InQuery    = urlspec.InQuery    // ?name=value
)

// Option is one declared setting of a driver's URL.
type Option = urlspec.Option

// Env is what the program gives every driver: nothing global.
type Env struct {
	Version string       // for User-Agent
	HTTP    *http.Client // nil: drivers use httpclient's defaults
}

// Driver declares one petition driver: its schemes, its URL options and how
// to open it. The options are the single source for listing, validation and
// redaction.
type Driver struct {
	Scheme  string
	Aliases []string
	Summary string
	Syntax  string
	Example string
	Options []Option
	Open    func(u *url.URL, env Env) (Petition, error)
}

// Spec is the driver's URL declaration.
func (d Driver) Spec() urlspec.Spec {
	return urlspec.Spec{Noun: "petition", Scheme: d.Scheme, Aliases: d.Aliases, Syntax: d.Syntax, Options: d.Options}
}

// Values reads the declared options out of u. Missing required options and
// unknown query options are errors naming them; the error never repeats a
// secret.
func (d Driver) Values(u *url.URL) (map[string]string, error) { return d.Spec().Values(u) }

// Registry holds the petition drivers a program knows: Drivers, Lookup,
// Parse and Redact come from urlspec. Redact hides the user information of
// any URL (for petition drivers it is always a token), the query options a
// known driver declares secret, and query values whose names look like
// credentials. It is built explicitly (see pkg/petition/all), never filled
// by init().
type Registry struct {
	*urlspec.Registry[Driver]
}

// NewRegistry returns a registry of the given drivers.
func NewRegistry(ds ...Driver) *Registry {
	return &Registry{urlspec.NewRegistry(urlspec.Kind{
		Noun:    "petition",
		Driver:  "petition endpoint",
		Example: "https://petition.example.org, actionnetwork://TOKEN@PETITION_ID",
	}, ds...)}
}

// Open parses raw, checks its options and opens its driver.
func (r *Registry) Open(raw string, env Env) (Petition, error) {
	u, d, err := r.Resolve(raw)
	if err != nil {
		return nil, err
	}
	return d.Open(u, env)
}
