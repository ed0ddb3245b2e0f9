package gatewaytest

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/gateway"
)

// Open opens rawURL with d for a driver's own tests (loopback fakes and
// one-answer servers): a test client with a short timeout, no data folder.
func Open(t *testing.T, d gateway.Driver, rawURL string) gateway.Gateway {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	g, err := d.Open(u, gateway.Env{Version: "test", HTTP: &http.Client{Timeout: 2 * time.Second}})
	if err != nil {
		t.Fatalf("open %s: %v", d.Scheme, err)
	}
	return g
}

// SampleFax is a small fax to Number with the idempotency key key, for
// tests that look at one answer rather than at the document.
func SampleFax(key string) gateway.Fax {
	return gateway.Fax{To: Number, PDF: []byte("%PDF-1.4 test\n%%EOF\n"), Key: key}
}

// Reasons lists every reason a fax status can end with, for harnesses of
// vendors that can express them all.
func Reasons() []gateway.Reason {
	return []gateway.Reason{
		gateway.ReasonBusy, gateway.ReasonNoAnswer, gateway.ReasonNotAFax, gateway.ReasonInvalidNumber,
		gateway.ReasonRejected, gateway.ReasonLineError, gateway.ReasonDocument, gateway.ReasonGatewayError,
	}
}

// OpenCase is one row of a table test of URL parsing: it opens raw with d
// and an empty Env. When wantErr is set it checks the error mentions it and
// returns false; otherwise it fails on an error. It returns the gateway and
// true when the row goes on to check what was opened.
func OpenCase(t *testing.T, d gateway.Driver, raw, wantErr string) (gateway.Gateway, bool) {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("url.Parse(%s): %v", raw, err)
	}
	g, err := d.Open(u, gateway.Env{})
	if wantErr != "" {
		if err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Errorf("open(%s) error %v, want one mentioning %q", raw, err, wantErr)
		}
		return nil, false
	}
	if err != nil {
		t.Errorf("open(%s): %v", raw, err)
		return nil, false
	}
	return g, true
}

// OpenHidesSecret is the body of a driver's FuzzOpen: opening raw (when it
// parses) must not panic, and an error must not show mark, the prefix the
// fuzz target gave every credential in raw.
func OpenHidesSecret(t *testing.T, d gateway.Driver, raw, mark string) {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		return
	}
	if _, err := d.Open(u, gateway.Env{}); err != nil && strings.Contains(err.Error(), mark) {
		t.Errorf("open error %q shows a credential", err)
	}
}
