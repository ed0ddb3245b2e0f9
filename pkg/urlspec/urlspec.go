// Package urlspec owns what a driver's URL declares — its options, where in
// the URL each one is, which are required and which secret — and what
// follows from that one declaration: reading the options out of a URL with
// errors that name what is missing or unknown, a registry of drivers by
// scheme, and redaction of credentials for printing.
//
// Fax gateways and petition endpoints are both configured by such URLs.
// pkg/gateway and pkg/petition each keep their own Driver type (their Open
// functions differ) and delegate here. It imports the standard library
// only, and must not import gateway, petition or any driver.
package urlspec

import (
	"fmt"
	"maps"
	"net"
	"net/url"
	"slices"
	"sort"
	"strings"
)

// Place is where an option is found in a driver URL.
type Place string

const (
	InUser     Place = "user"     // the URL's user name
	InPassword Place = "password" // the URL's password
	InHost     Place = "host"     // host[:port], or an id (telnyx://KEY@CONNECTION_ID)
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

// Spec is one driver's URL declaration.
type Spec struct {
	Noun    string   // what its URLs configure, for messages: "gateway", "petition"
	Scheme  string   // "telnyx"
	Aliases []string // more schemes for the same driver: "smtps", "webhook+http"
	Syntax  string   // "telnyx://API_KEY@CONNECTION_ID?from=+E164", shown with errors
	Options []Option
}

// Values reads the declared options out of u, defaults filled in. Unknown
// query options and missing required ones are errors naming them; an error
// never repeats a value, so never a secret.
func (s Spec) Values(u *url.URL) (map[string]string, error) {
	v := map[string]string{}
	var missing, known []string
	q := u.Query()
	for _, o := range s.Options {
		var val string
		switch o.Place {
		case InUser:
			val = u.User.Username()
		case InPassword:
			val, _ = u.User.Password()
		case InHost:
			val = u.Host
		case InPath:
			val = u.Path
		case InQuery:
			val = q.Get(o.Name)
			known = append(known, o.Name)
		}
		if val == "" {
			val = o.Default
		}
		if val == "" && o.Required {
			missing = append(missing, fmt.Sprintf("%s (%s)", o.Name, o.Place))
		}
		v[o.Name] = val
	}
	keys := slices.Sorted(maps.Keys(q))
	for _, k := range keys {
		if !slices.Contains(known, k) {
			return nil, s.unknownOption(u, k, known)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s: %s URL is missing %s; syntax: %s", s.Scheme, s.Noun, strings.Join(missing, ", "), s.Syntax)
	}
	return v, nil
}

// unknownOption says what is wrong with query option k: an option that
// belongs in another part of the URL says where, and a scheme without query
// options says so rather than listing none. It names the scheme as given
// (webhook+http, not the driver's webhook+https).
func (s Spec) unknownOption(u *url.URL, k string, known []string) error {
	scheme := strings.ToLower(u.Scheme)
	if scheme == "" {
		scheme = s.Scheme
	}
	for _, o := range s.Options {
		if o.Name == k {
			return fmt.Errorf("%s: %s is not a query option (?%s=): it goes in the URL's %s; syntax: %s", scheme, k, k, o.Place, s.Syntax)
		}
	}
	if len(known) == 0 {
		return fmt.Errorf("%s: unknown option %q: a %s URL takes no ?options; syntax: %s", scheme, k, s.Noun, s.Syntax)
	}
	return fmt.Errorf("%s: unknown option %q in %s URL (known: %s)", scheme, k, s.Noun, strings.Join(known, ", "))
}

// secretQuery names the query options s declares secret.
func (s Spec) secretQuery() []string {
	var n []string
	for _, o := range s.Options {
		if o.Secret && o.Place == InQuery {
			n = append(n, o.Name)
		}
	}
	return n
}

// Declarer is a driver with a URL declaration.
type Declarer interface{ Spec() Spec }

// Kind says, for messages, what a registry's URLs configure.
type Kind struct {
	Noun    string // "gateway": "gateway URL is empty"
	Driver  string // what one driver is called: "gateway", "petition endpoint"
	Example string // URLs to suggest for one without a scheme
	// Hint follows the name of an unknown scheme; empty: the known
	// schemes are listed.
	Hint string
}

// Registry holds the drivers of one kind by scheme and alias. It is built
// explicitly by its owner, never filled by init().
type Registry[D Declarer] struct {
	kind    Kind
	drivers map[string]D
}

// NewRegistry returns a registry of kind's drivers ds.
func NewRegistry[D Declarer](kind Kind, ds ...D) *Registry[D] {
	r := &Registry[D]{kind: kind, drivers: map[string]D{}}
	for _, d := range ds {
		s := d.Spec()
		for _, name := range append([]string{s.Scheme}, s.Aliases...) {
			if prev, dup := r.drivers[name]; dup {
				// A programming error in the one place drivers are
				// registered: refuse it when the registry is built (every
				// registry's test builds it) rather than let the last
				// driver win in silence.
				panic(fmt.Sprintf("urlspec: %s scheme %q registered twice (by %s and %s)", kind.Noun, name, prev.Spec().Scheme, s.Scheme))
			}
			r.drivers[name] = d
		}
	}
	return r
}

// Drivers lists the drivers once each, by scheme.
func (r *Registry[D]) Drivers() []D {
	var out []D
	for k, d := range r.drivers {
		if d.Spec().Scheme == k {
			out = append(out, d)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Spec().Scheme < out[j].Spec().Scheme })
	return out
}

// Lookup finds the driver for a URL's scheme, in any case.
func (r *Registry[D]) Lookup(scheme string) (D, bool) {
	d, ok := r.drivers[strings.ToLower(scheme)]
	return d, ok
}

// Schemes lists every scheme the registry knows, aliases included, sorted.
func (r *Registry[D]) Schemes() []string {
	var s []string
	for k := range r.drivers {
		s = append(s, k)
	}
	sort.Strings(s)
	return s
}

// Parse parses raw and finds its driver. Errors never contain the URL's
// secrets.
func (r *Registry[D]) Parse(raw string) (*url.URL, D, error) {
	var none D
	k := r.kind
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, none, fmt.Errorf("%s URL is empty", k.Noun)
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error quotes the whole URL, secrets included: say less.
		return nil, none, fmt.Errorf("%s URL %q does not parse as a URL", k.Noun, r.Redact(raw))
	}
	if u.Scheme == "" {
		return nil, none, fmt.Errorf("%s URL %q has no scheme (e.g. %s)", k.Noun, r.Redact(raw), k.Example)
	}
	d, ok := r.Lookup(u.Scheme)
	if !ok {
		if k.Hint != "" {
			return nil, none, fmt.Errorf("unknown %s %q; %s", k.Driver, u.Scheme, k.Hint)
		}
		return nil, none, fmt.Errorf("unknown %s %q (known: %s)", k.Driver, u.Scheme, strings.Join(r.Schemes(), ", "))
	}
	return u, d, nil
}

// Resolve parses raw, finds its driver and checks the driver's options:
// what opening a driver URL begins with.
func (r *Registry[D]) Resolve(raw string) (*url.URL, D, error) {
	u, d, err := r.Parse(raw)
	if err == nil {
		_, err = d.Spec().Values(u)
	}
	if err != nil {
		var none D
		return nil, none, err
	}
	return u, d, nil
}

// Redact is the package's Redact that also hides the query options the
// URL's driver, if known, declares secret.
func (r *Registry[D]) Redact(raw string) string {
	var secret []string
	if u, err := url.Parse(strings.TrimSpace(raw)); err == nil {
		if d, ok := r.Lookup(u.Scheme); ok {
			secret = d.Spec().secretQuery()
		}
	}
	return Redact(raw, secret...)
}

// Redact returns raw with its credentials replaced by ***: any user
// information (a password, or a user name that may be a key), the values of
// query options whose names look like credentials, and those of the
// options named in secret. It is for URLs of any driver, known or not, so
// it errs on the side of hiding.
func Redact(raw string, secret ...string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
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
	hide := func(k string) bool { return secretName(k) || slices.Contains(secret, k) }
	q, qerr := url.ParseQuery(u.RawQuery)
	changed := false
	for k := range q {
		if hide(k) {
			q.Set(k, "***")
			changed = true
		}
	}
	switch {
	case qerr != nil:
		// A query that does not decode (a stray %, a ;) would be printed as
		// typed, credentials and all: hide it pair by pair instead.
		u.RawQuery = redactRawQuery(u.RawQuery, hide)
	case changed:
		u.RawQuery = q.Encode()
	}
	return strings.ReplaceAll(u.String(), "%2A%2A%2A", "***")
}

// redactRawQuery hides the value of every pair of an undecodable query
// whose name may be a credential or does not decode itself.
func redactRawQuery(raw string, hide func(string) bool) string {
	pairs := strings.FieldsFunc(raw, func(r rune) bool { return r == '&' || r == ';' })
	for i, p := range pairs {
		k, _, _ := strings.Cut(p, "=")
		name, err := url.QueryUnescape(k)
		switch {
		case err != nil:
			pairs[i] = "***=***"
		case hide(name):
			pairs[i] = k + "=***"
		}
	}
	return strings.Join(pairs, "&")
}

// secretName reports whether a query option's name says it is a credential.
func secretName(k string) bool {
	k = strings.ToLower(k)
	for _, w := range []string{"key", "secret", "token", "pass", "pwd", "auth", "sig", "credential"} {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

// Loopback reports whether host (a URL's Hostname) only reaches this
// machine: "localhost" or a loopback IP.
func Loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
