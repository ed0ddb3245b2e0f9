package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/faxjam/faxjam/pkg/gateway"
)

// echoGateway fails every call with a message carrying the credential, as
// a careless vendor would.
type echoGateway struct{ secret string }

func (g echoGateway) Send(context.Context, gateway.Fax) (gateway.Receipt, error) {
	return gateway.Receipt{}, &gateway.Error{Driver: "x", Op: "send", Reason: gateway.ReasonAuth, Accepted: true,
		Message: "bad key " + g.secret, Err: fmt.Errorf("post https://api/?key=%s: %w", g.secret, context.Canceled)}
}

func (g echoGateway) Status(context.Context, string) (gateway.Status, error) {
	return gateway.Status{Message: "queued for " + g.secret}, errors.New("status of " + g.secret)
}

type echoLooker struct{ echoGateway }

func (g echoLooker) Lookup(context.Context, string) (gateway.Receipt, bool, error) {
	return gateway.Receipt{}, false, errors.New("lookup with " + g.secret)
}

// TestScrubbedGatewayHidesCredentialsKeepsMeaning: what the dispatcher
// journals has no credential, while the error keeps its type, reason,
// Accepted flag and cause, and Lookup is there exactly when the driver
// has it.
func TestScrubbedGatewayHidesCredentialsKeepsMeaning(t *testing.T) {
	const secret = "TOPSECRETKEY42"
	var sec secrets
	sec.addURL("telnyx://"+secret+"@conn", nil)
	for _, g := range []gateway.Gateway{echoGateway{secret}, echoLooker{echoGateway{secret}}} {
		sg := scrubGateway(g, &sec)
		_, err := sg.Send(context.Background(), gateway.Fax{})
		ge, ok := gateway.AsError(err)
		if !ok || ge.Reason != gateway.ReasonAuth || !ge.Accepted || !errors.Is(err, context.Canceled) {
			t.Errorf("Send error lost its meaning: %#v", err)
		}
		st, err := sg.Status(context.Background(), "id")
		for _, s := range []string{ge.Error(), st.Message, err.Error()} {
			if strings.Contains(s, secret) || !strings.Contains(s, "***") {
				t.Errorf("not scrubbed: %q", s)
			}
		}
		_, isLooker := g.(gateway.Looker)
		l, hasLookup := sg.(gateway.Looker)
		if isLooker != hasLookup {
			t.Errorf("%T: Lookup present = %v, want %v", g, hasLookup, isLooker)
		}
		if hasLookup {
			if _, _, err := l.Lookup(context.Background(), "k"); strings.Contains(err.Error(), secret) {
				t.Errorf("Lookup error not scrubbed: %v", err)
			}
		}
	}
}

func TestSecretsScrubBasicAuthHeader(t *testing.T) {
	var sec secrets
	sec.addURL("sinch://KEYID1234:KEYSECRET5678@proj", nil)
	got := sec.scrub("vendor said: Basic S0VZSUQxMjM0OktFWVNFQ1JFVDU2Nzg= is wrong")
	if strings.Contains(got, "S0VZSUQxMjM0") {
		t.Errorf("Basic credentials not scrubbed: %q", got)
	}
}
