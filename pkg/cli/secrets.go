package cli

import (
	"context"
	"encoding/base64"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/faxjam/faxjam/pkg/campaignrun"
	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/petition"
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
			// HTTP Basic auth sends both in base64; a vendor that echoes
			// the Authorization header echoes this.
			s.add(base64.StdEncoding.EncodeToString([]byte(u.User.Username() + ":" + p)))
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

// scrubbedGateway hands the dispatcher a gateway whose error and status
// messages have had the run's credentials removed. The dispatcher writes
// those messages into the journal and into events; a vendor that echoes a
// key back in an error body, or a driver whose url.Error carries a token
// in its query, must not put it on disk.
type scrubbedGateway struct {
	g   gateway.Gateway
	sec *secrets
}

// RequestTimeout and Folder let what g says of itself through the wrapper
// (gateway.Timeouter, gateway.Local): the engine judges a lost call by the
// first (a hub on hylafax://…?timeout=5m must wait 5 minutes, not the HTTP
// default), forget and retain find the outbox by the second. 0 and ""
// when g has none (gateway.RequestTimeout then takes the HTTP client's).
func (s scrubbedGateway) RequestTimeout() time.Duration {
	if t, ok := s.g.(gateway.Timeouter); ok {
		return t.RequestTimeout()
	}
	return 0
}

func (s scrubbedGateway) Folder() string { return campaignrun.Folder(s.g) }

// scrubbedLooker is a scrubbedGateway over a driver that can look faxes up:
// the dispatcher finds Lookup by a type assertion, so it must be there
// exactly when the driver has it.
type scrubbedLooker struct {
	scrubbedGateway
	l gateway.Looker
}

// scrubGateway wraps g for the dispatcher.
func scrubGateway(g gateway.Gateway, sec *secrets) gateway.Gateway {
	sg := scrubbedGateway{g: g, sec: sec}
	if l, ok := g.(gateway.Looker); ok {
		return scrubbedLooker{sg, l}
	}
	return sg
}

func (s scrubbedGateway) Send(ctx context.Context, fax gateway.Fax) (gateway.Receipt, error) {
	r, err := s.g.Send(ctx, fax)
	return r, s.sec.scrubErr(err)
}

func (s scrubbedGateway) Status(ctx context.Context, id string) (gateway.Status, error) {
	st, err := s.g.Status(ctx, id)
	st.Message = s.sec.scrub(st.Message)
	return st, s.sec.scrubErr(err)
}

func (s scrubbedLooker) Lookup(ctx context.Context, key string) (gateway.Receipt, bool, error) {
	r, ok, err := s.l.Lookup(ctx, key)
	return r, ok, s.sec.scrubErr(err)
}

// scrubErr returns err with its text scrubbed. A *gateway.Error stays one
// (the dispatcher decides by its Reason and Accepted), with its message and
// cause scrubbed; the cause still unwraps, so errors.Is(err,
// context.Canceled) keeps working.
func (s *secrets) scrubErr(err error) error {
	if err == nil {
		return nil
	}
	if ge, ok := gateway.AsError(err); ok {
		c := *ge
		c.Message = s.scrub(c.Message)
		if c.Err != nil {
			c.Err = scrubbedError{msg: s.scrub(c.Err.Error()), err: c.Err}
		}
		return &c
	}
	return scrubbedError{msg: s.scrub(err.Error()), err: err}
}

// scrubbedError is an error whose text had secrets removed.
type scrubbedError struct {
	msg string
	err error
}

func (e scrubbedError) Error() string { return e.msg }
func (e scrubbedError) Unwrap() error { return e.err }

// scrubbedPetition is scrubbedGateway for the petition endpoint.
type scrubbedPetition struct {
	p   petition.Petition
	sec *secrets
}

func (s scrubbedPetition) Sign(ctx context.Context, sig petition.Signature) (petition.Receipt, error) {
	r, err := s.p.Sign(ctx, sig)
	if err == nil {
		return r, nil
	}
	if pe, ok := petition.AsError(err); ok {
		c := *pe
		c.Message = s.sec.scrub(c.Message)
		if c.Err != nil {
			c.Err = scrubbedError{msg: s.sec.scrub(c.Err.Error()), err: c.Err}
		}
		return r, &c
	}
	return r, s.sec.scrubErr(err)
}
