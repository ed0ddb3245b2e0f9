package cli

import (
	"net/url"
	"strings"
	"sync"

	"github.com/faxjam/faxjam/pkg/gateway"
)

// secrets remembers the credentials of the URLs a run uses, so that a
// message from any layer (a vendor's error text, a wrapped url.Error) is
// scrubbed before it reaches the terminal. URLs are already printed through
// gateway.Redact; this is the second belt.
type secrets struct {
	mu   sync.Mutex
	vals []string
}

// addURL records the user, password and credential-like query values of
// raw, plus the values of options d declares secret.
func (s *secrets) addURL(raw string, d *gateway.Driver) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		// An unparsable URL is never printed whole; remember its parts.
		for _, p := range strings.FieldsFunc(raw, func(r rune) bool { return strings.ContainsRune(":/@?&=#", r) }) {
			s.add(p)
		}
		return
	}
	if u.User != nil {
		s.add(u.User.Username())
		if p, ok := u.User.Password(); ok {
			s.add(p)
		}
	}
	for k, vs := range u.Query() {
		if credentialName(k) {
			for _, v := range vs {
				s.add(v)
			}
		}
	}
	if d != nil {
		if v, err := d.Values(u); err == nil {
			for _, o := range d.Options {
				if o.Secret {
					s.add(v[o.Name])
				}
			}
		}
	}
}

func (s *secrets) add(v string) {
	if len(v) < 4 { // too short to be a credential; scrubbing it would mangle text
		return
	}
	s.mu.Lock()
	s.vals = append(s.vals, v)
	s.mu.Unlock()
}

// scrub replaces every remembered secret in msg with ***.
func (s *secrets) scrub(msg string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range s.vals {
		msg = strings.ReplaceAll(msg, v, "***")
		if e := url.QueryEscape(v); e != v {
			msg = strings.ReplaceAll(msg, e, "***")
		}
	}
	return msg
}
