package gateway

import (
	"net/http"
	"net/url"
	"time"

	"github.com/faxjam/faxjam/pkg/httpclient"
	"github.com/faxjam/faxjam/pkg/urlspec"
)

// Place is where an option is found in a gateway URL.
type Place = urlspec.Place

const (
	InUser     = urlspec.InUser     // the URL's user name
	InPassword = urlspec.InPassword // the URL's password
	InHost     = urlspec.InHost     // host[:port] (for API drivers often an id: telnyx://KEY@CONNECTION_ID)
	InPath     = urlspec.InPath     // the URL's path
	InQuery    = urlspec.InQuery    // ?name=value
)

// Option is one declared setting of a driver's URL.
type Option = urlspec.Option

// Env is what the program gives every driver: nothing global.
type Env struct {
	Version string       // for User-Agent
	HTTP    *http.Client // nil: drivers build their own with sane timeouts
	DataDir string       // default folder for drivers that write files (outbox)
}

// RequestTimeout is the longest one HTTP request of a driver opened with
// env may take: the timeout of env.HTTP, or of the client httpclient builds
// when env.HTTP is nil (httpclient.DefaultTimeout).
func (env Env) RequestTimeout() time.Duration {
	if env.HTTP != nil && env.HTTP.Timeout > 0 {
		return env.HTTP.Timeout
	}
	return httpclient.DefaultTimeout
}

// Timeouter is implemented by drivers whose calls are bounded by a timeout
// of their own (a URL option) rather than by Env's HTTP client.
type Timeouter interface {
	RequestTimeout() time.Duration
}

// RequestTimeout is the longest one call of g may take, so the dispatcher
// knows when a request it lost track of (a crash, a timeout) can no longer
// reach the gateway: g's own bound when it has one, else env's.
func RequestTimeout(g Gateway, env Env) time.Duration {
	if t, ok := g.(Timeouter); ok && t.RequestTimeout() > 0 {
		return t.RequestTimeout()
	}
	return env.RequestTimeout()
}

// Driver declares one gateway driver: its scheme, its URL options and how to
// open it. The options are the single source for `gateway list`, validation
// and redaction.
type Driver struct {
	Scheme  string   // "telnyx"; several schemes may share a driver via Aliases
	Aliases []string // e.g. "smtps" for smtp, "webhook+http" for webhook
	Summary string   // one line
	Syntax  string   // "telnyx://API_KEY@CONNECTION_ID?from=+E164"
	Example string
	// RealNetwork drivers dial the telephone network: they refuse fictitious numbers.
	RealNetwork bool
	// Offline drivers write documents only and dial nothing at all, so the
	// campaign's courtesy limits to the target's lines — quiet hours,
	// hourly caps, calls per number — do not apply to them. A relay that
	// may dial (webhook) is not Offline.
	Offline bool
	// Rehearsal drivers simulate the telephone network (sim): nothing they
	// "deliver" reached anyone, so a run through one keeps a journal of its
	// own and never marks real work done.
	Rehearsal bool
	// WantsTIFF drivers take the fax image (TIFF class F, CCITT G3, what a
	// modem transmits) as well as the PDF; the sender renders it only for
	// them.
	WantsTIFF bool
	// Header drivers have the vendor print the header line US rules ask of
	// a fax (47 CFR 68.318(d): date and time sent, the sender, the sending
	// number, at the top of each page) from the Fax's SenderID and their
	// own caller or station id. For any other driver faxjam draws that line
	// into the page itself, in the top margin.
	Header bool
	// StationOptions name the URL options the sending number or station
	// id comes from (from, csid, caller_id), which the opened gateway
	// reports as a Stationer: the header shows it.
	StationOptions []string
	// MaxDocument is the largest document (bytes) the vendor takes; larger
	// ones are refused before any request. 0: no limit.
	MaxDocument int64
	// DedupeByKey says the gateway treats a repeated idempotency key as the
	// same fax (it answers with the first fax and dials nothing more), as
	// its documented contract promises. The dispatcher then resends an
	// interrupted attempt with the same key to the same number at once;
	// without it, it waits until the lost request can no longer arrive
	// (RequestTimeout + LateMargin) and looks the fax up again.
	DedupeByKey bool
	// LateMargin is how long after the client gave up on a request the
	// gateway may still record the fax (and before its Lookup finds it):
	// the vendor finishing a request whose client went away, a listing
	// that lags behind. A lookup's "not found" counts only after the
	// request's start + RequestTimeout + LateMargin.
	LateMargin time.Duration
	Options    []Option
	Open       func(u *url.URL, env Env) (Gateway, error)
}

// Spec is the driver's URL declaration.
func (d Driver) Spec() urlspec.Spec {
	return urlspec.Spec{Noun: "gateway", Scheme: d.Scheme, Aliases: d.Aliases, Syntax: d.Syntax, Options: d.Options}
}

// Values reads the declared options out of u. Missing required options and
// unknown query options are errors naming them.
func (d Driver) Values(u *url.URL) (map[string]string, error) { return d.Spec().Values(u) }

// Registry holds the drivers a program knows: Drivers, Lookup, Parse and
// Redact (which also hides the options a known driver declares secret)
// come from urlspec. It is built explicitly (see pkg/gateway/all), never
// filled by init().
type Registry struct {
	*urlspec.Registry[Driver]
}

// NewRegistry returns a registry of the given drivers.
func NewRegistry(ds ...Driver) *Registry {
	return &Registry{urlspec.NewRegistry(urlspec.Kind{
		Noun:    "gateway",
		Driver:  "gateway",
		Example: "outbox:///dir, telnyx://KEY@CONNECTION",
		Hint:    "`faxjam gateway list` shows the drivers",
	}, ds...)}
}

// Open parses raw and opens its driver.
func (r *Registry) Open(raw string, env Env) (Gateway, Driver, error) {
	u, d, err := r.Resolve(raw)
	if err != nil {
		return nil, Driver{}, err
	}
	g, err := d.Open(u, env)
	if err != nil {
		return nil, Driver{}, err
	}
	return g, d, nil
}

// Redact returns raw with any password, user name that may be a key, and
// query values that look like credentials replaced by ***. It is for URLs of
// any driver, known or not, so it errs on the side of hiding.
func Redact(raw string) string { return urlspec.Redact(raw) }
