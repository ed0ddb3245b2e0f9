package urlspec

import (
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// drv is a driver as gateway and petition declare theirs.
type drv struct{ spec Spec }

func (d drv) Spec() Spec { return d.spec }

var relay = drv{Spec{Noun: "gateway", Scheme: "relay", Aliases: []string{"relay+http"}, Syntax: "relay://TOKEN@host[?from=+E164]",
	Options: []Option{
		{Name: "token", Place: InUser, Required: true, Secret: true},
		{Name: "host", Place: InHost, Required: true},
		{Name: "from", Place: InQuery},
		{Name: "stamp", Place: InQuery, Secret: true}, // a secret whose name does not say so
		{Name: "timeout", Place: InQuery, Default: "30s"},
	}}}

// TestUnknownOptionWithoutQueryOptions: a scheme that takes no ?options
// says so, under the scheme as given, instead of an empty "known:" list.
func TestUnknownOptionWithoutQueryOptions(t *testing.T) {
	hook := Spec{Scheme: "hook+https", Noun: "petition", Syntax: "hook+https://[TOKEN@]host/path", Options: []Option{
		{Name: "token", Place: InUser}, {Name: "host", Place: InHost, Required: true}}}
	u, _ := url.Parse("hook+http://127.0.0.1/x?tok=1")
	_, err := hook.Values(u)
	if err == nil || err.Error() != `hook+http: unknown option "tok": a petition URL takes no ?options; syntax: hook+https://[TOKEN@]host/path` {
		t.Errorf("err = %v", err)
	}
}

func TestValues(t *testing.T) {
	tests := []struct {
		raw     string
		want    map[string]string
		wantErr string
	}{
		{raw: "relay://t0k@h.example?from=%2B1202", want: map[string]string{"token": "t0k", "host": "h.example", "from": "+1202", "stamp": "", "timeout": "30s"}},
		{raw: "relay://t0k@h?timeout=5s", want: map[string]string{"token": "t0k", "host": "h", "from": "", "stamp": "", "timeout": "5s"}},
		{raw: "relay://h", wantErr: "relay: gateway URL is missing token (user); syntax: relay://TOKEN@host"},
		{raw: "relay://", wantErr: "missing token (user), host (host)"},
		{raw: "relay://t0k@h?bogus=1", wantErr: `relay: unknown option "bogus" in gateway URL (known: from, stamp, timeout)`},
		{raw: "relay://h?token=", wantErr: "relay: token is not a query option (?token=): it goes in the URL's user; syntax: relay://TOKEN@host"},
		{raw: "RELAY://h?token=t0k", wantErr: "relay: token is not a query option"},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			u, err := url.Parse(tt.raw)
			if err != nil {
				t.Fatal(err)
			}
			got, err := relay.Spec().Values(u)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Values = %v, %v; want an error containing %q", got, err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "t0k") {
					t.Errorf("error %q shows the token", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("Values (-want +got):\n%s", d)
			}
		})
	}
}

func TestRegistryParse(t *testing.T) {
	listed := NewRegistry(Kind{Noun: "petition", Driver: "petition endpoint", Example: "https://p.example"}, relay)
	hinted := NewRegistry(Kind{Noun: "gateway", Driver: "gateway", Example: "outbox:///dir", Hint: "`faxjam gateway list` shows the drivers"}, relay)
	tests := []struct {
		r       *Registry[drv]
		raw     string
		wantErr string
	}{
		{listed, "  relay://t0k@h  ", ""},
		{listed, "RELAY+HTTP://t0k@h", ""},
		{listed, "", "petition URL is empty"},
		{listed, "p.example/x", `petition URL "p.example/x" has no scheme (e.g. https://p.example)`},
		{listed, "ftp://t0k@h", `unknown petition endpoint "ftp" (known: relay, relay+http)`},
		{hinted, "ftp://t0k@h", "unknown gateway \"ftp\"; `faxjam gateway list` shows the drivers"},
		{hinted, "relay://t0k@h:99999999/%zz", "does not parse as a URL"},
	}
	for _, tt := range tests {
		u, d, err := tt.r.Parse(tt.raw)
		if tt.wantErr == "" {
			if err != nil || d.Spec().Scheme != "relay" || u.Host != "h" {
				t.Errorf("Parse(%q) = %v, %v, %v; want the relay driver", tt.raw, u, d, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("Parse(%q) error %v, want one containing %q", tt.raw, err, tt.wantErr)
		}
		if err != nil && strings.Contains(err.Error(), "t0k") {
			t.Errorf("Parse(%q) error %q shows the token", tt.raw, err)
		}
	}
}

func TestRegistryDriversOnceEach(t *testing.T) {
	other := drv{Spec{Scheme: "another"}}
	r := NewRegistry(Kind{}, relay, other)
	var got []string
	for _, d := range r.Drivers() {
		got = append(got, d.Spec().Scheme)
	}
	if d := cmp.Diff([]string{"another", "relay"}, got); d != "" {
		t.Errorf("Drivers (-want +got):\n%s", d)
	}
}

func TestRedact(t *testing.T) {
	r := NewRegistry(Kind{}, relay)
	tests := []struct {
		name, raw, want string
		registry        bool
	}{
		{"user is a key", "relay://t0k@h/p", "relay://***@h/p", false},
		{"user and password", "x://u:pw@h", "x://***:***@h", false},
		{"query names that say credential", "x://h/?api_key=k&from=%2B1", "x://h/?api_key=***&from=%2B1", false},
		{"declared secret, unknown to the name rule", "relay://t0k@h?stamp=s1gn&from=1", "relay://***@h?from=1&stamp=***", true},
		{"declared secret without the registry", "relay://h?stamp=s1gn", "relay://h?stamp=s1gn", false},
		{"surrounding space", "  x://u:pw@h  ", "x://***:***@h", false},
		{"does not parse", "x://u:pw@h:99999999/%zz", "***", false},
		{"undecodable query, pair by pair", "x://h/?from=%zz&token=abc%zzS3CRET", "x://h/?from=%zz&token=***", false},
		{"undecodable name", "x://h/?S3CRET%zz=1&a=1", "x://h/?***=***&a=1", false},
		{"undecodable query, declared secret", "relay://h?stamp=%zzS3CRET", "relay://h?stamp=***", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Redact(tt.raw)
			if tt.registry {
				got = r.Redact(tt.raw)
			}
			if got != tt.want {
				t.Errorf("Redact(%q) = %q, want %q", tt.raw, got, tt.want)
			}
		})
	}
}

func FuzzRedact(f *testing.F) {
	for _, s := range []string{"relay://t0k3n-secret@h?stamp=s1gnature&from=1", "x://u:pa55word@h/?token=abc%zzSECRET", " x://u:p@h ", "%zz://"} {
		f.Add(s)
	}
	r := NewRegistry(Kind{}, relay)
	f.Fuzz(func(t *testing.T, raw string) {
		red := r.Redact(raw)
		u, err := url.Parse(strings.TrimSpace(raw))
		if err != nil || u.User == nil {
			return
		}
		for _, s := range []string{u.User.Username(), func() string { p, _ := u.User.Password(); return p }()} {
			// Short or repeated strings occur elsewhere in the URL by chance.
			if len(s) >= 6 && strings.Count(raw, s) == 1 && strings.Contains(red, s) {
				t.Errorf("Redact(%q) = %q keeps the credential %q", raw, red, s)
			}
		}
	})
}

func TestRegistryResolveChecksOptions(t *testing.T) {
	r := NewRegistry(Kind{Noun: "gateway", Driver: "gateway"}, relay)
	for raw, want := range map[string]string{"relay://t0k@h?bogus=1": `unknown option "bogus"`, "relay://h": "missing token (user)", "nosuch://h": `unknown gateway "nosuch"`} {
		if _, _, err := r.Resolve(raw); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Resolve(%q) = %v, want an error containing %q", raw, err, want)
		}
	}
	if u, d, err := r.Resolve("relay://t0k@h"); err != nil || u.Host != "h" || d.Spec().Scheme != "relay" {
		t.Errorf("Resolve = %v, %v, %v; want the relay driver", u, d, err)
	}
}

// TestRegistryRefusesASchemeTwice: two drivers claiming one scheme (or an
// alias another driver has) stop the program when the registry is built,
// naming both, instead of the last one winning in silence.
func TestRegistryRefusesASchemeTwice(t *testing.T) {
	for _, tt := range []struct {
		name string
		ds   []drv
		want string
	}{
		{"scheme", []drv{relay, {Spec{Scheme: "relay"}}}, `gateway scheme "relay" registered twice (by relay and relay)`},
		{"alias", []drv{relay, {Spec{Scheme: "other", Aliases: []string{"relay+http"}}}}, `gateway scheme "relay+http" registered twice (by relay and other)`},
		{"own alias", []drv{{Spec{Scheme: "x", Aliases: []string{"x"}}}}, `gateway scheme "x" registered twice (by x and x)`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if got := recover(); got != "urlspec: "+tt.want {
					t.Errorf("panic %v, want %q", got, "urlspec: "+tt.want)
				}
			}()
			NewRegistry(Kind{Noun: "gateway"}, tt.ds...)
		})
	}
}
