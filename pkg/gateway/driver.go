package gateway

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// Where an option is found in a gateway URL.
type Place string

const (
	InUser     Place = "user"     // the URL's user name
	InPassword Place = "password" // the URL's password
	InHost     Place = "host"     // host[:port] (for API drivers often an id: telnyx://KEY@CONNECTION_ID)
	InPath     Place = "path"     // the URL's path
	InQuery    Place = "query"    // ?name=value
)

// Option is one declared setting of a driver's URL.
type Option struct {
	Name     string
	Place    Place
	Help     string
	Required bool
	Secret   bool
	Default  string
}

// Env is what the program gives every driver: nothing global.
type Env struct {
	Version string       // for User-Agent
	HTTP    *http.Client // nil: drivers build their own with sane timeouts
	DataDir string       // default folder for drivers that write files (outbox)
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
	// WantsTIFF drivers take the fax image (TIFF class F, CCITT G3, what a
	// modem transmits) as well as the PDF; the sender renders it only for
	// them.
	WantsTIFF bool
	// MaxDocument is the largest document (bytes) the vendor takes; larger
	// ones are refused before any request. 0: no limit.
	MaxDocument int64
	Options     []Option
	Open        func(u *url.URL, env Env) (Gateway, error)
}

// Values reads the declared options out of u. Missing required options are an
// error naming them.
func (d Driver) Values(u *url.URL) (map[string]string, error) {
	v := map[string]string{}
	var missing []string
	q := u.Query()
	for _, o := range d.Options {
		var s string
		switch o.Place {
		case InUser:
			s = u.User.Username()
		case InPassword:
			s, _ = u.User.Password()
		case InHost:
			s = u.Host
		case InPath:
			s = u.Path
		case InQuery:
			s = q.Get(o.Name)
		}
		if s == "" {
			s = o.Default
		}
		if s == "" && o.Required {
			missing = append(missing, fmt.Sprintf("%s (%s)", o.Name, o.Place))
		}
		v[o.Name] = s
	}
	for k := range q {
		if !d.hasQuery(k) {
			return nil, fmt.Errorf("%s: unknown option %q in gateway URL (known: %s)", d.Scheme, k, d.queryNames())
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s: gateway URL is missing %s; syntax: %s", d.Scheme, strings.Join(missing, ", "), d.Syntax)
	}
	return v, nil
}

func (d Driver) hasQuery(name string) bool {
	for _, o := range d.Options {
		if o.Place == InQuery && o.Name == name {
			return true
		}
	}
	return false
}

func (d Driver) queryNames() string {
	var n []string
	for _, o := range d.Options {
		if o.Place == InQuery {
			n = append(n, o.Name)
		}
	}
	return strings.Join(n, ", ")
}

// Registry holds the drivers a program knows. It is built explicitly (see
// pkg/gateway/all), never filled by init().
type Registry struct {
	drivers map[string]Driver
}

// NewRegistry returns a registry of the given drivers.
func NewRegistry(ds ...Driver) *Registry {
	r := &Registry{drivers: map[string]Driver{}}
	for _, d := range ds {
		r.drivers[d.Scheme] = d
		for _, a := range d.Aliases {
			r.drivers[a] = d
		}
	}
	return r
}

// Drivers lists the drivers once each, by scheme.
func (r *Registry) Drivers() []Driver {
	seen := map[string]bool{}
	var out []Driver
	for _, d := range r.drivers {
		if !seen[d.Scheme] {
			seen[d.Scheme] = true
			out = append(out, d)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Scheme < out[j].Scheme })
	return out
}

// Lookup finds the driver for a URL's scheme.
func (r *Registry) Lookup(scheme string) (Driver, bool) {
	d, ok := r.drivers[strings.ToLower(scheme)]
	return d, ok
}

// Parse parses a gateway URL and finds its driver. Errors never contain the
// URL's secrets.
func (r *Registry) Parse(raw string) (*url.URL, Driver, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, Driver{}, fmt.Errorf("gateway URL is empty")
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error quotes the whole URL, secrets included: say less.
		return nil, Driver{}, fmt.Errorf("gateway URL %q does not parse as a URL", Redact(raw))
	}
	if u.Scheme == "" {
		return nil, Driver{}, fmt.Errorf("gateway URL %q has no scheme (e.g. outbox:///dir, telnyx://KEY@CONNECTION)", Redact(raw))
	}
	d, ok := r.Lookup(u.Scheme)
	if !ok {
		return nil, Driver{}, fmt.Errorf("unknown gateway %q; `faxjam gateway list` shows the drivers", u.Scheme)
	}
	return u, d, nil
}

// Open parses raw and opens its driver.
func (r *Registry) Open(raw string, env Env) (Gateway, Driver, error) {
	u, d, err := r.Parse(raw)
	if err != nil {
		return nil, Driver{}, err
	}
	if _, err := d.Values(u); err != nil {
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
func Redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "***"
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword("***", "***")
		} else {
			u.User = url.User("***")
		}
	}
	q, qerr := url.ParseQuery(u.RawQuery)
	changed := false
	for k := range q {
		if secretName(k) {
			q.Set(k, "***")
			changed = true
		}
	}
	switch {
	case qerr != nil:
		// A query that does not decode (a stray %, a ;) would be printed as
		// typed, credentials and all: hide it pair by pair instead.
		u.RawQuery = redactRawQuery(u.RawQuery)
	case changed:
		u.RawQuery = q.Encode()
	}
	s := u.String()
	return strings.ReplaceAll(s, "%2A%2A%2A", "***")
}

// redactRawQuery hides the value of every pair of an undecodable query
// whose name may be a credential or does not decode itself.
func redactRawQuery(raw string) string {
	pairs := strings.FieldsFunc(raw, func(r rune) bool { return r == '&' || r == ';' })
	for i, p := range pairs {
		k, _, _ := strings.Cut(p, "=")
		name, err := url.QueryUnescape(k)
		if err != nil || secretName(name) {
			pairs[i] = k + "=***"
			if err != nil {
				pairs[i] = "***=***"
			}
		}
	}
	return strings.Join(pairs, "&")
}

func secretName(k string) bool {
	k = strings.ToLower(k)
	for _, w := range []string{"key", "secret", "token", "pass", "pwd", "auth", "sig", "credential"} {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}
