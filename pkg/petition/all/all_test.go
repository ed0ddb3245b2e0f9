package all

import (
	"net/url"
	"strings"
	"testing"
)

func TestRedactHidesCredentials(t *testing.T) {
	tests := []struct {
		raw, want string
	}{
		{"actionnetwork://s3cr3t-token@petition-42", "actionnetwork://***@petition-42"},
		{"actionnetwork://s3cr3t-token@petition-42?endpoint=http://127.0.0.1:9/api", "actionnetwork://***@petition-42?endpoint=http://127.0.0.1:9/api"},
		{"https://sign-t0ken@petition.example.org/faxjam", "https://***@petition.example.org/faxjam"},
		{"https://petition.example.org", "https://petition.example.org"},
		{"webhook+https://user:pa55@relay.example.org/hook?api_key=k3y", "webhook+https://***:***@relay.example.org/hook?api_key=***"},
		{"nosuch://x:y@z?token=t", "nosuch://***:***@z?token=***"},
	}
	for _, tt := range tests {
		if got := Redact(tt.raw); got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.raw, got, tt.want)
		}
	}
}

func TestOpenRejectsBadURLsWithoutLeakingSecrets(t *testing.T) {
	tests := []struct {
		raw, wantIn string
	}{
		{"", "empty"},
		{"petition.example.org", "no scheme"},
		{"ftp://tok3n-secret@x", "unknown petition endpoint"},
		{"actionnetwork://tok3n-secret@", "petition (host)"},
		{"actionnetwork://@petition-42", "token (user)"},
		{"actionnetwork://tok3n-secret@p?bogus=1", `unknown option "bogus"`},
		{"https://tok3n-secret@host/x?bogus=1", `unknown option "bogus"`},
		{"webhook+https:///path", "host (host)"},
		{"https://tok3n-secret@host:99999999/%zz", "does not parse"},
	}
	for _, tt := range tests {
		_, err := Open(tt.raw, "test")
		if err == nil {
			t.Errorf("Open(%q) = nil error, want one containing %q", tt.raw, tt.wantIn)
			continue
		}
		if !strings.Contains(err.Error(), tt.wantIn) {
			t.Errorf("Open(%q) = %q, want it to contain %q", tt.raw, err, tt.wantIn)
		}
		if strings.Contains(err.Error(), "tok3n-secret") {
			t.Errorf("Open(%q) error %q leaks the token", tt.raw, err)
		}
	}
}

func TestOpenKnowsEveryScheme(t *testing.T) {
	for _, raw := range []string{
		"actionnetwork://token@petition-42",
		"https://petition.example.org",
		"http://127.0.0.1:8080/prefix",
		"webhook+https://relay.example.org/hook",
		"webhook+http://127.0.0.1:9/hook",
	} {
		p, err := Open(raw, "test")
		if err != nil || p == nil {
			t.Errorf("Open(%q) = %v, %v; want a driver", raw, p, err)
		}
	}
}

func TestEveryDriverDeclaresItself(t *testing.T) {
	for _, d := range Registry().Drivers() {
		if d.Scheme == "" || d.Summary == "" || d.Syntax == "" || d.Example == "" || d.Open == nil {
			t.Errorf("driver %q is missing part of its declaration: %+v", d.Scheme, d)
		}
		if _, err := Open(d.Example, "test"); err != nil {
			t.Errorf("driver %q: its own example %q does not open: %v", d.Scheme, d.Example, err)
		}
	}
}

func FuzzOpen(f *testing.F) {
	for _, s := range []string{
		"actionnetwork://tok3n-secret@petition-42?endpoint=http://127.0.0.1:1/api",
		"https://tok3n-secret@petition.example.org/prefix",
		"webhook+http://tok3n-secret:pw@127.0.0.1:9/hook?x=1",
		"http://[::1", "%zz://", "actionnetwork://tok3n-secret@", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		_, err := Open(raw, "test")
		red := Redact(raw)
		u, perr := url.Parse(strings.TrimSpace(raw))
		if perr != nil || u.User == nil {
			return
		}
		secrets := []string{u.User.Username()}
		if p, ok := u.User.Password(); ok {
			secrets = append(secrets, p)
		}
		for _, s := range secrets {
			// Short or repeated strings occur elsewhere in the URL by chance.
			if len(s) < 6 || strings.Count(raw, s) > 1 {
				continue
			}
			if strings.Contains(red, s) {
				t.Errorf("Redact(%q) = %q keeps the credential %q", raw, red, s)
			}
			if err != nil && strings.Contains(err.Error(), s) {
				t.Errorf("Open(%q) error %q leaks the credential %q", raw, err, s)
			}
		}
	})
}
