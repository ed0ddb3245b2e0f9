package all

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/gateway"
)

func env(t testing.TB) gateway.Env {
	return gateway.Env{Version: "test", HTTP: &http.Client{Timeout: 200 * time.Millisecond}, DataDir: t.TempDir()}
}

func closeGateway(g gateway.Gateway) {
	if c, ok := g.(gateway.Closer); ok {
		c.Close()
	}
}

func TestEveryDriverIsRegisteredOnceUnderItsSchemeAndAliases(t *testing.T) {
	r := Registry()
	ds := r.Drivers()
	if len(ds) < 3 {
		t.Fatalf("registry lists %d drivers, want at least outbox, webhook and smtp", len(ds))
	}
	for _, d := range ds {
		for _, s := range append([]string{d.Scheme}, d.Aliases...) {
			got, ok := r.Lookup(s)
			if !ok || got.Scheme != d.Scheme {
				t.Errorf("scheme %q finds %q (%v), want driver %s", s, got.Scheme, ok, d.Scheme)
			}
		}
	}
	if _, ok := r.Lookup("outbox"); !ok {
		t.Errorf("the default driver outbox is not registered")
	}
}

func TestDeclarationsAreComplete(t *testing.T) {
	r := Registry()
	for _, d := range r.Drivers() {
		t.Run(d.Scheme, func(t *testing.T) {
			if d.Scheme != strings.ToLower(d.Scheme) || d.Summary == "" || d.Open == nil {
				t.Errorf("scheme %q, summary %q, open %v: want a lower-case scheme, a summary and Open", d.Scheme, d.Summary, d.Open != nil)
			}
			if !strings.HasPrefix(d.Syntax, d.Scheme+":") {
				t.Errorf("Syntax %q does not start with %s:", d.Syntax, d.Scheme)
			}
			if d.MaxDocument <= 0 {
				t.Errorf("MaxDocument %d: every gateway has a size limit", d.MaxDocument)
			}
			seen := map[string]bool{}
			for _, o := range d.Options {
				switch o.Place {
				case gateway.InUser, gateway.InPassword, gateway.InHost, gateway.InPath, gateway.InQuery:
				default:
					t.Errorf("option %q: place %q", o.Name, o.Place)
				}
				if o.Name == "" || o.Help == "" {
					t.Errorf("option %+v: want a name and help", o)
				}
				if seen[o.Name] {
					t.Errorf("option %q declared twice", o.Name)
				}
				seen[o.Name] = true
			}
			u, got, err := r.Parse(d.Example)
			if err != nil || got.Scheme != d.Scheme {
				t.Fatalf("Example %q parses to %q, %v", d.Example, got.Scheme, err)
			}
			v, err := d.Values(u)
			if err != nil {
				t.Fatalf("Example %q: %v", d.Example, err)
			}
			red := gateway.Redact(d.Example)
			for _, o := range d.Options {
				if o.Secret && len(v[o.Name]) >= 3 && strings.Contains(red, v[o.Name]) {
					t.Errorf("Redact(Example) = %q shows secret option %s", red, o.Name)
				}
			}
			g, err := d.Open(u, env(t))
			if err != nil {
				t.Fatalf("Example %q does not open: %v", d.Example, err)
			}
			closeGateway(g)
		})
	}
}

// marked returns the driver's Example with every secret option (and the
// user name, which is often an API key) set to a recognisable marker.
func marked(t *testing.T, d gateway.Driver) (string, []string) {
	t.Helper()
	u, err := url.Parse(d.Example)
	if err != nil {
		t.Fatal(err)
	}
	var markers []string
	q := u.Query()
	for i, o := range d.Options {
		if !o.Secret && o.Place != gateway.InUser && o.Place != gateway.InPassword {
			continue
		}
		m := fmt.Sprintf("Zq%dMarkerOf%s", i, strings.ReplaceAll(o.Name, "_", ""))
		if o.Place == gateway.InUser {
			m = fmt.Sprintf("90817263%d", 50+i) // user names may have to be account numbers (SRFax)
		}
		markers = append(markers, m)
		user, pass, hasPass := "", "", false
		if u.User != nil {
			user = u.User.Username()
			pass, hasPass = u.User.Password()
		}
		switch o.Place {
		case gateway.InUser:
			user = m
		case gateway.InPassword:
			pass, hasPass = m, true
		case gateway.InQuery:
			q.Set(o.Name, m)
		case gateway.InHost:
			u.Host = m
		case gateway.InPath:
			u.Path = "/" + m
		}
		if hasPass {
			u.User = url.UserPassword(user, pass)
		} else if user != "" {
			u.User = url.User(user)
		}
	}
	u.RawQuery = q.Encode()
	return u.String(), markers
}

// broken returns variants of raw that a user could plausibly type wrong.
func broken(d gateway.Driver, raw string) []string {
	u, _ := url.Parse(raw)
	var out []string
	add := func(f func(v *url.URL)) {
		v := *u
		if u.User != nil {
			uu := *u.User
			v.User = &uu
		}
		f(&v)
		out = append(out, v.String())
	}
	add(func(v *url.URL) { v.RawQuery = strings.TrimPrefix(v.RawQuery+"&bogus=1", "&") })
	add(func(v *url.URL) { v.Host = "host:99999" })
	add(func(v *url.URL) { v.Host = "" })
	add(func(v *url.URL) { v.Scheme = strings.ToUpper(v.Scheme) })
	add(func(v *url.URL) { v.RawQuery = "" })
	for _, o := range d.Options {
		if o.Place != gateway.InQuery || o.Secret {
			continue
		}
		add(func(v *url.URL) {
			q := v.Query()
			q.Del(o.Name)
			v.RawQuery = q.Encode()
		})
		add(func(v *url.URL) {
			q := v.Query()
			q.Set(o.Name, "not valid ☹")
			v.RawQuery = q.Encode()
		})
	}
	// A URL that no longer parses, with its credentials in it.
	out = append(out, raw+"%zz", strings.Replace(raw, "://", "://[", 1))
	return out
}

func TestRedactionHidesEveryCredential(t *testing.T) {
	r := Registry()
	for _, d := range r.Drivers() {
		t.Run(d.Scheme, func(t *testing.T) {
			raw, markers := marked(t, d)
			leaks := func(what, text string) {
				t.Helper()
				for _, m := range markers {
					if strings.Contains(text, m) {
						t.Errorf("%s shows a credential: %q", what, text)
					}
				}
			}
			if len(markers) == 0 {
				t.Logf("%s declares no credentials", d.Scheme)
			}
			leaks("Redact", gateway.Redact(raw))
			g, _, err := r.Open(raw, env(t))
			if err != nil {
				t.Fatalf("marked example %s does not open: %v", gateway.Redact(raw), err)
			}
			closeGateway(g)
			for _, b := range broken(d, raw) {
				leaks("Redact of a broken URL", gateway.Redact(b))
				if u, dd, err := r.Parse(b); err != nil {
					leaks("Parse error", err.Error())
				} else if _, err := dd.Values(u); err != nil {
					leaks("Values error", err.Error())
				}
				g, _, err := r.Open(b, env(t))
				if err != nil {
					leaks("Open error", err.Error())
					continue
				}
				closeGateway(g)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	r := Registry()
	for _, d := range r.Drivers() {
		f.Add(d.Example)
	}
	f.Add("smtp://u:p%40ss@h:25?from=a@b&domain=d&token=TOKENVALUE")
	f.Add("webhook+https://relay/x?token=SECRET%zz")
	f.Add("telnyx://KEY@[::1]:80?from=+1")
	f.Add("outbox:relative")
	f.Add(" Outbox:///x ")
	f.Fuzz(func(t *testing.T, raw string) {
		red := gateway.Redact(raw)
		u, d, err := r.Parse(raw)
		pu, perr := url.Parse(strings.TrimSpace(raw))
		if perr != nil {
			if err == nil {
				t.Fatalf("Parse(%q) succeeded on a URL that does not parse", raw)
			}
			return
		}
		// Secrets: the password, and the values of query options whose
		// names say they are credentials (Redact's rule) or that a driver
		// declares secret.
		var secrets []string
		if p, ok := pu.User.Password(); ok {
			secrets = append(secrets, p)
		}
		// Pair by pair as typed: a query that does not decode still holds them.
		for _, p := range strings.FieldsFunc(pu.RawQuery, func(r rune) bool { return r == '&' || r == ';' }) {
			k, v, _ := strings.Cut(p, "=")
			if name, err := url.QueryUnescape(k); err == nil {
				k = name
			}
			if isSecret(r, pu.Scheme, k) {
				secrets = append(secrets, v)
				if dv, err := url.QueryUnescape(v); err == nil {
					secrets = append(secrets, dv)
				}
			}
		}
		q := pu.Query()
		// The same URL without its secrets: anything in it is not a leak.
		rest := *pu
		rest.User = nil
		for k := range q {
			if isSecret(r, pu.Scheme, k) {
				q.Del(k)
			}
		}
		rest.RawQuery = q.Encode()
		innocent := rest.String() + " "
		var texts []string
		texts = append(texts, red)
		if err != nil {
			texts = append(texts, err.Error())
		} else {
			if _, verr := d.Values(u); verr != nil {
				texts = append(texts, verr.Error())
			}
			innocent += d.Syntax + d.Example + fmt.Sprint(d.Options)
		}
		for _, s := range secrets {
			if len(s) < 6 || strings.Contains(innocent, s) || strings.Contains(url.QueryEscape(innocent), s) {
				continue
			}
			for _, text := range texts {
				if strings.Contains(text, s) {
					t.Errorf("%q: secret %q shows in %q", raw, s, text)
				}
			}
		}
	})
}

// isSecret reports whether query option k of a URL with scheme holds a
// credential: by the driver's declaration or by Redact's naming rule.
func isSecret(r *gateway.Registry, scheme, k string) bool {
	if d, ok := r.Lookup(scheme); ok {
		for _, o := range d.Options {
			if o.Place == gateway.InQuery && o.Name == k {
				return o.Secret
			}
		}
	}
	// The value must vanish: an option literally named "***" leaves "***"
	// in the output without saying anything about its value.
	return !strings.Contains(gateway.Redact("x://h/?"+url.QueryEscape(k)+"=SECRETVALUE"), "SECRETVALUE")
}

// TestStationIDs: every driver that takes csid= refuses one that is not a
// station id (at most 20 digits, spaces and +), naming the option, and
// reports a good one as the station the fax header shows; drivers whose
// vendor prints no header (faxjam draws it) know their station.
func TestStationIDs(t *testing.T) {
	r := Registry()
	for _, d := range r.Drivers() {
		has := false
		for _, o := range d.Options {
			has = has || o.Name == "csid"
		}
		if !has {
			continue
		}
		t.Run(d.Scheme, func(t *testing.T) {
			with := func(csid string) (gateway.Gateway, error) {
				u, err := url.Parse(d.Example)
				if err != nil {
					t.Fatal(err)
				}
				q := u.Query()
				q.Set("csid", csid)
				u.RawQuery = q.Encode()
				if _, err := d.Values(u); err != nil {
					return nil, err
				}
				return d.Open(u, env(t))
			}
			for _, bad := range []string{"AMNESTY", "+1 202 555 0100 00000"} {
				if g, err := with(bad); err == nil || !strings.Contains(err.Error(), "option csid") {
					if g != nil {
						closeGateway(g)
					}
					t.Errorf("csid=%q: %v; want an error naming option csid", bad, err)
				}
			}
			g, err := with("+1 202 555 0100")
			if err != nil {
				t.Fatal(err)
			}
			defer closeGateway(g)
			st, ok := g.(gateway.Stationer)
			if !ok || st.Station() != "+1 202 555 0100" {
				t.Errorf("csid=+1 202 555 0100: Station() %v; want it", ok && st != nil)
			}
		})
	}
}

// TestStationOptionsAreDeclaredAndReported: a driver's StationOptions are
// options it declares, and its opened gateway reports the station
// (gateway.Stationer), so `campaign show` and the header read the same.
func TestStationOptionsAreDeclaredAndReported(t *testing.T) {
	for _, d := range Registry().Drivers() {
		if len(d.StationOptions) == 0 {
			continue
		}
		declared := map[string]bool{}
		for _, o := range d.Options {
			declared[o.Name] = o.Place == gateway.InQuery
		}
		for _, n := range d.StationOptions {
			if !declared[n] {
				t.Errorf("%s: station option %s is not a declared query option", d.Scheme, n)
			}
		}
		u, err := url.Parse(d.Example)
		if err != nil {
			t.Fatal(err)
		}
		g, err := d.Open(u, env(t))
		if err != nil {
			t.Fatalf("%s: %v", d.Scheme, err)
		}
		if _, ok := g.(gateway.Stationer); !ok {
			t.Errorf("%s declares station options %v but its gateway is no Stationer", d.Scheme, d.StationOptions)
		}
		closeGateway(g)
	}
}
