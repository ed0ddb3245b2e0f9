// Package gatewaytest is the one conformance suite every gateway driver
// passes against its contract fake. A driver's whole conformance test is
//
//	func TestConformance(t *testing.T) { gatewaytest.Run(t, harness) }
//
// The fake follows the vendor's documented contract (docs/gateways.md) and
// fails the test on any deviation in the requests it receives; the suite
// scripts how the fake answers and checks that the driver maps every answer
// onto the common vocabulary of package gateway.
package gatewaytest

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/gateway"
)

// Kind is how a fake answers.
type Kind int

const (
	// Deliver: accept the fax; its status goes sending (or queued) then delivered.
	Deliver Kind = iota
	// Fail: accept the fax; its status ends failed with Outcome.Reason,
	// expressed the way the vendor expresses it.
	Fail
	// Unauthorized: refuse the request for bad credentials (HTTP 401, SMTP 535, FTP 530).
	Unauthorized
	// RateLimited: refuse the request as too many (HTTP 429 with Retry-After,
	// SMTP 421/451), when the protocol has it.
	RateLimited
	// ServerError: the vendor's own failure (HTTP 500, SMTP 451, FTP 4xx).
	ServerError
	// Hang: accept the connection and never answer.
	Hang
	// Malformed: answer success with a body the driver cannot understand.
	Malformed
)

func (k Kind) String() string {
	return [...]string{"deliver", "fail", "unauthorized", "rate-limited", "server-error", "hang", "malformed"}[k]
}

// Outcome scripts the fake's answer to the next Send (and, for Deliver and
// Fail, the statuses of the fax that Send creates).
type Outcome struct {
	Kind       Kind
	Reason     gateway.Reason // for Fail
	RetryAfter time.Duration  // for RateLimited (whole seconds)
}

// Received is what a fake got, decoded from the vendor's wire format.
type Received struct {
	To  string // E.164, converted back from the vendor's number format
	PDF []byte // the document bytes as they arrived
	Key string // the idempotency key, where the vendor keeps one ("" otherwise)
	// Header is the header text the vendor was asked to print on each
	// page (Driver.Header drivers; "" otherwise).
	Header string
}

// Fake is a driver's contract fake, as the suite sees it.
type Fake interface {
	// Next sets how the fake answers the next Send. Until called, it delivers.
	Next(o Outcome)
	// Received lists the faxes the fake accepted, in order.
	Received() []Received
}

// Harness describes one driver to the suite.
type Harness struct {
	Driver gateway.Driver
	// Start starts the contract fake (closed with t.Cleanup) and returns a
	// gateway URL for the driver pointing at it, credentials included.
	Start func(t *testing.T) (rawURL string, fake Fake)
	// Reasons lists the failure reasons the vendor can express in a
	// status; the suite checks each maps through.
	Reasons []gateway.Reason
	// Kinds lists the protocol-level answers the vendor's protocol can give
	// besides Deliver (e.g. SMTP has no Malformed status). Nil: all.
	Kinds []Kind
	// RetryAfter reports whether the protocol carries a retry delay.
	RetryAfter bool
	// Keyed reports whether the vendor keeps an idempotency key the fake
	// returns in Received.Key.
	Keyed bool
	// FinalState is the terminal state of a delivered fax for this driver:
	// Delivered, or Submitted for drivers that cannot learn the outcome.
	FinalState gateway.State
}

// Poll is how often the suite asks for a status.
const Poll = 5 * time.Millisecond

// SenderID is the organization the suite's faxes are from: a Header
// driver's fake must receive it in the header it is asked to print.
const SenderID = "Amnesty International USA"

// Number is the destination the suite sends to: a North American
// fictitious-range number (555-01XX).
const Number = "+12025550142"

// Run runs the suite.
func Run(t *testing.T, h Harness) {
	t.Helper()
	if h.FinalState == "" {
		h.FinalState = gateway.Delivered
	}
	pdf := samplePDF()
	open := func(t *testing.T) (gateway.Gateway, Fake, []string) {
		raw, fake := h.Start(t)
		env := gateway.Env{Version: "test", HTTP: &http.Client{Timeout: 500 * time.Millisecond}, DataDir: t.TempDir()}
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatalf("harness URL: %v", err)
		}
		if _, err := h.Driver.Values(u); err != nil {
			t.Fatalf("harness URL does not satisfy the driver's options: %v", err)
		}
		g, err := h.Driver.Open(u, env)
		if err != nil {
			t.Fatalf("open %s: %v", h.Driver.Scheme, err)
		}
		if c, ok := g.(gateway.Closer); ok {
			t.Cleanup(func() { c.Close() })
		}
		return g, fake, secrets(u)
	}
	fax := func(key string) gateway.Fax {
		return gateway.Fax{To: Number, PDF: pdf, Pages: 1, Key: key, Campaign: "test-campaign", Sender: "José Pérez",
			SenderID: SenderID, TimeZone: "America/New_York"}
	}
	ctx := func(t *testing.T) context.Context {
		c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		t.Cleanup(cancel)
		return c
	}

	t.Run("delivers and reports delivered", func(t *testing.T) {
		g, fake, secret := open(t)
		rc, err := g.Send(ctx(t), fax("k-deliver"))
		if err != nil {
			t.Fatalf("Send: %v", err)
		}
		if rc.ID == "" {
			t.Fatalf("Send: receipt without the vendor's id: %+v", rc)
		}
		st := waitTerminal(t, ctx(t), g, rc.ID)
		if st.State != h.FinalState {
			t.Fatalf("Status = %+v, want state %s", st, h.FinalState)
		}
		got := fake.Received()
		if len(got) != 1 {
			t.Fatalf("fake received %d faxes, want 1", len(got))
		}
		if got[0].To != Number {
			t.Errorf("fake received To %q, want %q", got[0].To, Number)
		}
		if !bytes.Equal(got[0].PDF, pdf) {
			t.Errorf("document arrived changed: %d bytes, want the %d sent", len(got[0].PDF), len(pdf))
		}
		if h.Keyed && got[0].Key != "k-deliver" {
			t.Errorf("idempotency key arrived as %q, want %q", got[0].Key, "k-deliver")
		}
		// A driver that has the vendor print the fax header (47 CFR
		// 68.318(d)) must ask for one naming the sender; faxjam draws
		// none for it.
		if h.Driver.Header && !strings.Contains(got[0].Header, SenderID) {
			t.Errorf("the vendor was asked for the header %q; want one naming the sender %q", got[0].Header, SenderID)
		}
		noSecret(t, fmt.Sprintf("%+v %+v", rc, st), secret)
	})

	for _, r := range h.Reasons {
		t.Run("failure "+string(r), func(t *testing.T) {
			g, fake, secret := open(t)
			fake.Next(Outcome{Kind: Fail, Reason: r})
			rc, err := g.Send(ctx(t), fax("k-"+string(r)))
			if err != nil {
				t.Fatalf("Send: %v (the failure belongs in the status)", err)
			}
			st := waitTerminal(t, ctx(t), g, rc.ID)
			if st.State != gateway.Failed || st.Reason != r {
				t.Fatalf("Status = %+v, want failed with reason %s", st, r)
			}
			if st.Retryable != r.Retryable() {
				t.Errorf("Retryable = %v, want %v for %s", st.Retryable, r.Retryable(), r)
			}
			if st.Code == "" && st.Message == "" {
				t.Errorf("Status keeps neither the vendor's code nor its text: %+v", st)
			}
			noSecret(t, fmt.Sprintf("%+v", st), secret)
		})
	}

	protocol := []struct {
		kind      Kind
		reason    gateway.Reason
		retryable bool
	}{
		{Unauthorized, gateway.ReasonAuth, false},
		{RateLimited, gateway.ReasonRateLimited, true},
		{ServerError, gateway.ReasonGatewayError, true},
		{Hang, gateway.ReasonGatewayError, true},
		{Malformed, gateway.ReasonGatewayError, true},
	}
	for _, p := range protocol {
		if !h.has(p.kind) {
			continue
		}
		t.Run("send answered "+p.kind.String(), func(t *testing.T) {
			g, fake, secret := open(t)
			fake.Next(Outcome{Kind: p.kind, RetryAfter: 7 * time.Second})
			_, err := g.Send(ctx(t), fax("k-"+p.kind.String()))
			ge := wantError(t, err, p.reason)
			if ge.Retryable() != p.retryable {
				t.Errorf("Retryable() = %v, want %v", ge.Retryable(), p.retryable)
			}
			if p.kind == RateLimited && h.RetryAfter && ge.RetryAfter != 7*time.Second {
				t.Errorf("RetryAfter = %v, want 7s from the vendor's answer", ge.RetryAfter)
			}
			if p.kind == Unauthorized && !strings.Contains(err.Error(), "credential") {
				t.Errorf("auth error %q does not say which credential to check", err)
			}
			noSecret(t, err.Error(), secret)
		})
	}

	t.Run("refuses an oversized document before sending", func(t *testing.T) {
		if h.Driver.MaxDocument == 0 {
			t.Fatalf("driver %s declares no MaxDocument: every vendor has a size limit", h.Driver.Scheme)
		}
		g, fake, _ := open(t)
		f := fax("k-big")
		f.PDF = bytes.Repeat([]byte{'%'}, int(h.Driver.MaxDocument)+1)
		_, err := g.Send(ctx(t), f)
		wantError(t, err, gateway.ReasonDocument)
		if n := len(fake.Received()); n != 0 {
			t.Errorf("fake received %d faxes; an oversized document must not be uploaded", n)
		}
	})

	t.Run("fictitious numbers", func(t *testing.T) {
		g, fake, _ := open(t)
		f := fax("k-fict")
		f.Fictitious = true
		_, err := g.Send(ctx(t), f)
		if h.Driver.RealNetwork {
			wantError(t, err, gateway.ReasonFictitious)
			if n := len(fake.Received()); n != 0 {
				t.Errorf("fake received %d faxes for a fictitious number", n)
			}
			return
		}
		if err != nil {
			t.Fatalf("%s dials nothing real, yet refused a fictitious number: %v", h.Driver.Scheme, err)
		}
	})

	t.Run("refuses a number that is not E.164", func(t *testing.T) {
		g, fake, _ := open(t)
		f := fax("k-bad")
		f.To = "5550142"
		_, err := g.Send(ctx(t), f)
		wantError(t, err, gateway.ReasonInvalidNumber)
		if n := len(fake.Received()); n != 0 {
			t.Errorf("fake received %d faxes for an invalid number", n)
		}
	})

	t.Run("status of an unknown id is an error", func(t *testing.T) {
		g, _, _ := open(t)
		if _, err := g.Status(ctx(t), "no-such-fax-4711"); err == nil {
			t.Fatalf("Status of an unknown id returned no error")
		}
	})

	t.Run("check passes and sends nothing", func(t *testing.T) {
		g, fake, _ := open(t)
		c, ok := g.(gateway.Checker)
		if !ok {
			return
		}
		if err := c.Check(ctx(t)); err != nil {
			t.Fatalf("Check: %v", err)
		}
		if n := len(fake.Received()); n != 0 {
			t.Fatalf("Check sent %d faxes", n)
		}
	})

	t.Run("lookup by key finds the fax", func(t *testing.T) {
		g, _, _ := open(t)
		l, ok := g.(gateway.Looker)
		if !ok {
			if h.Keyed {
				t.Fatalf("%s keeps the idempotency key but does not implement gateway.Looker", h.Driver.Scheme)
			}
			return
		}
		rc, err := g.Send(ctx(t), fax("k-lookup"))
		if err != nil {
			t.Fatalf("Send: %v", err)
		}
		found, ok, err := l.Lookup(ctx(t), "k-lookup")
		if err != nil || !ok || found.ID != rc.ID {
			t.Fatalf("Lookup(k-lookup) = %+v, %v, %v; want the receipt %s", found, ok, err, rc.ID)
		}
		if _, ok, err := l.Lookup(ctx(t), "k-never-sent"); err != nil || ok {
			t.Fatalf("Lookup(k-never-sent) = %v, %v; want not found", ok, err)
		}
	})
}

func (h Harness) has(k Kind) bool {
	if h.Kinds == nil {
		return true
	}
	for _, x := range h.Kinds {
		if x == k {
			return true
		}
	}
	return false
}

func waitTerminal(t *testing.T, ctx context.Context, g gateway.Gateway, id string) gateway.Status {
	t.Helper()
	for {
		st, err := g.Status(ctx, id)
		if err != nil {
			t.Fatalf("Status(%s): %v", id, err)
		}
		if st.State.Terminal() {
			return st
		}
		select {
		case <-ctx.Done():
			t.Fatalf("Status(%s) never reached a terminal state; last %+v", id, st)
		case <-time.After(Poll):
		}
	}
}

func wantError(t *testing.T, err error, r gateway.Reason) *gateway.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s", r)
	}
	ge, ok := gateway.AsError(err)
	if !ok {
		t.Fatalf("error %T %q is not a *gateway.Error", err, err)
	}
	if ge.Reason != r {
		t.Fatalf("reason %q (%v), want %q", ge.Reason, err, r)
	}
	return ge
}

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
	return s
}

func noSecret(t *testing.T, text string, secrets []string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(text, s) {
			t.Errorf("a credential from the gateway URL appears in %q", text)
		}
	}
}

// samplePDF is a small valid PDF with binary bytes, so a driver that mangles
// bytes (text encodings, line endings) is caught.
func samplePDF() []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	b.WriteString("1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n")
	b.WriteString("3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n")
	for i := 0; i < 256; i++ {
		b.WriteByte(byte(i))
	}
	b.WriteString("\r\n\x00\r\rtrailer<</Root 1 0 R>>\n%%EOF\n")
	return b.Bytes()
}
