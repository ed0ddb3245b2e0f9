// Package petitiontest is the one conformance suite every petition driver
// passes against its contract fake (or, for faxjam's own server, against the
// real server on loopback). A driver's whole conformance test is
//
//	func TestConformance(t *testing.T) { petitiontest.Run(t, harness) }
//
// The endpoint answers every signature the way the suite asks (Kind); the
// suite checks that the driver maps each answer onto petition.Receipt and
// *petition.Error, that a retried key is harmless, that hostile input arrives
// verbatim and that no credential leaks into an error.
package petitiontest

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/petition"
)

// Kind is how an endpoint answers every signature it is sent.
type Kind int

const (
	// Accept: store the signature (once per key) and answer its id.
	Accept Kind = iota
	// Reject: refuse the signature as invalid (HTTP 400 or 422) with a
	// message naming the field. The suite sends a signature without a name.
	Reject
	// Unauthorized: refuse the credentials (HTTP 401).
	Unauthorized
	// RateLimited: HTTP 429 with a Retry-After of at least one second.
	RateLimited
	// ServerError: the endpoint's own failure (HTTP 5xx).
	ServerError
	// Hang: accept the connection and never answer.
	Hang
	// Malformed: answer 2xx with a body that is not the endpoint's answer.
	Malformed
)

func (k Kind) String() string {
	return [...]string{"accept", "reject", "unauthorized", "rate-limited", "server-error", "hang", "malformed"}[k]
}

// Endpoint is a started endpoint, as the suite sees it.
type Endpoint interface {
	// Received lists the signatures the endpoint stored, in order, decoded
	// back from its wire format (Campaign may be left empty where the
	// endpoint has no place for it).
	Received() []petition.Signature
}

// Harness describes one driver to the suite.
type Harness struct {
	Driver petition.Driver
	// Start starts an endpoint answering as k says (stopped with
	// t.Cleanup) and returns the driver's petition URL for it, credentials
	// included.
	Start func(t *testing.T, k Kind) (rawURL string, e Endpoint)
	// RequiresEmail: the endpoint cannot take a signer without an email,
	// and the driver must refuse one before sending anything.
	RequiresEmail bool
}

// Campaign is the campaign id the suite signs people onto.
const Campaign = "norma-cruz-2012"

// Timeout is the HTTP client timeout the suite gives drivers; Hang must
// fail within a few times this.
const Timeout = 500 * time.Millisecond

// Hostile returns signatures whose fields must arrive byte for byte:
// several scripts, combining marks, zero-width non-joiners, quotes and SQL
// and LIKE metacharacters. They pass letter.ValidateSigner and are already in
// the form letter.Normalize gives, so an endpoint that validates and
// normalizes must still keep them verbatim.
func Hostile() []petition.Signature {
	return []petition.Signature{
		{Campaign: Campaign, Name: "Zoë O'Brien-Łukasiewicz", City: "Saint-Jean-d'Angély", Country: "France", Email: "zoe+test@example.org", Note: `Robert'); DROP TABLE signatures;-- 100% "solidaridad" \ _ %`, Key: "k-hostile-1"},
		{Campaign: Campaign, Name: "محمد الأحمد", City: "الرباط", Country: "المغرب", Email: "m@example.org", Note: "حرية", Key: "k-hostile-2"},
		{Campaign: Campaign, Name: "李小龙 Nguyễn", City: "東京", Country: "日本", Email: "li@example.org", Key: "k-hostile-3"},
		{Campaign: Campaign, Name: "Ἀλέξανδρος Δημητρίου", City: "Αθήνα", Country: "Ελλάδα", Email: "a@example.org", Note: "1 OR 1=1; SELECT * FROM users WHERE name LIKE '%'", Key: "k-hostile-4"},
		{Campaign: Campaign, Name: "Ёжик Тума\u0301нов", City: "Санкт-Петербург", Country: "Россия", Email: "yo@example.org", Key: "k-hostile-5"},
		{Campaign: Campaign, Name: "نرگس می\u200cرزایی", City: "تهران", Country: "ایران", Email: "n@example.org", Key: "k-hostile-6"},
	}
}

// Run runs the suite.
func Run(t *testing.T, h Harness) {
	t.Helper()
	open := func(t *testing.T, k Kind) (petition.Petition, Endpoint, []string) {
		t.Helper()
		raw, e := h.Start(t, k)
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatalf("harness URL: %v", err)
		}
		if _, err := h.Driver.Values(u); err != nil {
			t.Fatalf("harness URL does not satisfy the driver's options: %v", err)
		}
		p, err := h.Driver.Open(u, petition.Env{Version: "test", HTTP: &http.Client{Timeout: Timeout}})
		if err != nil {
			t.Fatalf("open %s: %v", h.Driver.Scheme, err)
		}
		return p, e, secrets(u)
	}
	ctx := func(t *testing.T) context.Context {
		c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		t.Cleanup(cancel)
		return c
	}
	sig := func(key string) petition.Signature {
		return petition.Signature{Campaign: Campaign, Name: "José Pérez García", City: "Quetzaltenango", Country: "Guatemala", Email: "jose@example.org", Note: "Con Norma Cruz.", Key: key}
	}

	t.Run("new signature gets an id", func(t *testing.T) {
		p, e, secret := open(t, Accept)
		s := sig("k-new")
		rc, err := p.Sign(ctx(t), s)
		if err != nil {
			t.Fatalf("Sign: %v", err)
		}
		if rc.ID == "" || rc.Duplicate {
			t.Fatalf("Sign = %+v, want a new signature's id", rc)
		}
		wantReceived(t, e, s)
		noSecret(t, fmt.Sprintf("%+v", rc), secret)
	})

	t.Run("the same key again is harmless", func(t *testing.T) {
		p, e, _ := open(t, Accept)
		s := sig("k-twice")
		first, err := p.Sign(ctx(t), s)
		if err != nil {
			t.Fatalf("first Sign: %v", err)
		}
		again, err := p.Sign(ctx(t), s)
		if err != nil {
			t.Fatalf("second Sign with the same key: %v", err)
		}
		if !again.Duplicate && again.ID != first.ID {
			t.Fatalf("second Sign = %+v after %+v: neither marked duplicate nor the same id", again, first)
		}
		wantReceived(t, e, s)
	})

	t.Run("hostile input arrives verbatim", func(t *testing.T) {
		p, e, _ := open(t, Accept)
		in := Hostile()
		for _, s := range in {
			if _, err := p.Sign(ctx(t), s); err != nil {
				t.Fatalf("Sign(%q): %v", s.Name, err)
			}
		}
		wantReceived(t, e, in...)
	})

	t.Run("a signer without email", func(t *testing.T) {
		p, e, _ := open(t, Accept)
		s := sig("k-no-email")
		s.Email = ""
		_, err := p.Sign(ctx(t), s)
		if !h.RequiresEmail {
			if err != nil {
				t.Fatalf("Sign without email: %v (email is optional)", err)
			}
			wantReceived(t, e, s)
			return
		}
		pe := wantError(t, err)
		if pe.Retryable || pe.Auth || !strings.Contains(err.Error(), "needs an email") {
			t.Errorf("error %q (%+v): want a final error saying an email is needed", err, pe)
		}
		if n := len(e.Received()); n != 0 {
			t.Errorf("endpoint received %d signatures; one without email must not be sent", n)
		}
	})

	t.Run("refused signature is final and says why", func(t *testing.T) {
		p, _, _ := open(t, Reject)
		s := sig("k-reject")
		s.Name = ""
		_, err := p.Sign(ctx(t), s)
		pe := wantError(t, err)
		if pe.Retryable || pe.Auth {
			t.Errorf("error %+v: a refused signature is neither retryable nor an auth failure", pe)
		}
		if pe.HTTPStatus != http.StatusBadRequest && pe.HTTPStatus != http.StatusUnprocessableEntity {
			t.Errorf("HTTPStatus = %d, want 400 or 422", pe.HTTPStatus)
		}
		if !strings.Contains(pe.Message, "name") {
			t.Errorf("message %q does not carry the endpoint's reason (naming the field)", pe.Message)
		}
	})

	protocol := []struct {
		kind            Kind
		auth, retryable bool
	}{
		{Unauthorized, true, false},
		{RateLimited, false, true},
		{ServerError, false, true},
		{Hang, false, true},
		{Malformed, false, true},
	}
	for _, pc := range protocol {
		t.Run("answered "+pc.kind.String(), func(t *testing.T) {
			p, _, secret := open(t, pc.kind)
			start := time.Now()
			_, err := p.Sign(ctx(t), sig("k-"+pc.kind.String()))
			pe := wantError(t, err)
			if pe.Auth != pc.auth || pe.Retryable != pc.retryable {
				t.Errorf("error %q: Auth=%v Retryable=%v, want %v %v", err, pe.Auth, pe.Retryable, pc.auth, pc.retryable)
			}
			switch pc.kind {
			case RateLimited:
				if pe.RetryAfter < time.Second {
					t.Errorf("RetryAfter = %v, want the endpoint's Retry-After (>= 1s)", pe.RetryAfter)
				}
			case Unauthorized:
				if !strings.Contains(err.Error(), "token") {
					t.Errorf("auth error %q does not say which credential to check", err)
				}
			case Hang:
				if d := time.Since(start); d > 10*Timeout {
					t.Errorf("Sign to a hanging endpoint took %v, want it bounded by the client timeout %v", d, Timeout)
				}
			}
			noSecret(t, err.Error(), secret)
		})
	}
}

func wantReceived(t *testing.T, e Endpoint, want ...petition.Signature) {
	t.Helper()
	got := e.Received()
	if len(got) != len(want) {
		t.Fatalf("endpoint stored %d signatures, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Campaign == "" {
			w.Campaign = ""
		}
		if g != w {
			t.Errorf("signature %d arrived as\n\t%+q\nwant\n\t%+q", i, g, w)
		}
	}
}

func wantError(t *testing.T, err error) *petition.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want a *petition.Error")
	}
	pe, ok := petition.AsError(err)
	if !ok {
		t.Fatalf("error %T %q is not a *petition.Error", err, err)
	}
	if pe.Driver == "" {
		t.Errorf("error %q names no driver", err)
	}
	return pe
}

// secrets lists the credentials in a petition URL: its user information and
// the values of query options whose names say they are secret.
func secrets(u *url.URL) []string {
	var s []string
	if u.User != nil {
		if n := u.User.Username(); len(n) >= 4 {
			s = append(s, n)
		}
		if p, ok := u.User.Password(); ok && len(p) >= 4 {
			s = append(s, p)
		}
	}
	for k, vs := range u.Query() {
		k = strings.ToLower(k)
		if strings.Contains(k, "token") || strings.Contains(k, "key") || strings.Contains(k, "secret") {
			for _, v := range vs {
				if len(v) >= 4 {
					s = append(s, v)
				}
			}
		}
	}
	return s
}

func noSecret(t *testing.T, text string, secrets []string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(text, s) {
			t.Errorf("a credential from the petition URL appears in %q", text)
		}
	}
}
