package petition

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// Place is where an option is found in a petition URL.
type Place string

const (
	InUser     Place = "user"     // the URL's user name (actionnetwork://TOKEN@...)
	InPassword Place = "password" // the URL's password
	InHost     Place = "host"     // host[:port], or an id (actionnetwork://TOKEN@PETITION_ID)
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

// Values reads the declared options out of u. Missing required options and
// unknown query options are errors naming them; the error never repeats a
// secret.
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
	var known []string
	for _, o := range d.Options {
		if o.Place == InQuery {
			known = append(known, o.Name)
		}
	}
	for k := range q {
		if !contains(known, k) {
			return nil, fmt.Errorf("%s: unknown option %q in petition URL (known: %s)", d.Scheme, k, strings.Join(known, ", "))
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s: petition URL is missing %s; syntax: %s", d.Scheme, strings.Join(missing, ", "), d.Syntax)
	}
	return v, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Registry holds the petition drivers a program knows. It is built
// explicitly (see pkg/petition/all), never filled by init().
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

// Parse parses a petition URL and finds its driver. Errors never contain the
// URL's secrets.
func (r *Registry) Parse(raw string) (*url.URL, Driver, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, Driver{}, fmt.Errorf("petition URL is empty")
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error quotes the whole URL, secrets included: say less.
		return nil, Driver{}, fmt.Errorf("petition URL %q does not parse as a URL", r.Redact(raw))
	}
	if u.Scheme == "" {
		return nil, Driver{}, fmt.Errorf("petition URL %q has no scheme (e.g. https://petition.example.org, actionnetwork://TOKEN@PETITION_ID)", r.Redact(raw))
	}
	d, ok := r.drivers[strings.ToLower(u.Scheme)]
	if !ok {
		return nil, Driver{}, fmt.Errorf("unknown petition endpoint %q (known: %s)", u.Scheme, strings.Join(r.schemes(), ", "))
	}
	return u, d, nil
}

func (r *Registry) schemes() []string {
	var s []string
	for k := range r.drivers {
		s = append(s, k)
	}
	sort.Strings(s)
	return s
}

// Open parses raw, checks its options and opens its driver.
func (r *Registry) Open(raw string, env Env) (Petition, error) {
	u, d, err := r.Parse(raw)
	if err != nil {
		return nil, err
	}
	if _, err := d.Values(u); err != nil {
		return nil, err
	}
	return d.Open(u, env)
}

// Redact returns raw with its credentials replaced by ***: the user
// information of any URL (for petition drivers it is always a token), the
// query options a known driver declares secret, and, for any URL, query
// values whose names look like credentials. It errs on the side of hiding.
func (r *Registry) Redact(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "***"
	}
	var secret []string
	if d, ok := r.drivers[strings.ToLower(u.Scheme)]; ok {
		for _, o := range d.Options {
			if o.Secret && o.Place == InQuery {
				secret = append(secret, o.Name)
			}
		}
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword("***", "***")
		} else {
			u.User = url.User("***")
		}
	}
	q := u.Query()
	changed := false
	for k := range q {
		if contains(secret, k) || secretName(k) {
			q.Set(k, "***")
			changed = true
		}
	}
	if changed {
		u.RawQuery = q.Encode()
	}
	return strings.ReplaceAll(u.String(), "%2A%2A%2A", "***")
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
