package smtp

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/gateway/gatewaytest"
)

func TestConformance(t *testing.T) {
	gatewaytest.Run(t, gatewaytest.Harness{
		Driver: Driver(),
		Start:  startMailURL,
		// SMTP has no malformed success and no status to fail in.
		Kinds:      []gatewaytest.Kind{gatewaytest.Unauthorized, gatewaytest.RateLimited, gatewaytest.ServerError, gatewaytest.Hang},
		RetryAfter: false,
		FinalState: gateway.Submitted,
	})
}

func openSMTP(t *testing.T, raw string) (*emailFax, error) {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	g, err := Driver().Open(u, gateway.Env{})
	if err != nil {
		return nil, err
	}
	return g.(*emailFax), nil
}

func fax(key string) gateway.Fax {
	return gateway.Fax{To: gatewaytest.Number, PDF: []byte("%PDF-1.4\n\x00\xff binary\r\n"), Pages: 1, Key: key, Campaign: "norma-cruz-2012"}
}

func TestImplicitTLS(t *testing.T) {
	addr, f := startMail(t, true)
	g, err := openSMTP(t, fmt.Sprintf("smtps://ana%%40example.org:%s@%s?domain=%s&from=%s&insecure_skip_verify=true&timeout=2s", fakePass, addr, fakeDomain, fakeFrom))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := g.Check(ctx); err != nil {
		t.Fatalf("Check over implicit TLS: %v", err)
	}
	fx := fax("norma-cruz-2012/ana/+12025550142")
	rc, err := g.Send(ctx, fx)
	if err != nil {
		t.Fatalf("Send over implicit TLS: %v", err)
	}
	got := f.Received()
	if len(got) != 1 || got[0].To != gatewaytest.Number || !bytes.Equal(got[0].PDF, fx.PDF) || got[0].Key != fx.Key {
		t.Fatalf("server received %+v, want the fax to %s with key %q", got, gatewaytest.Number, fx.Key)
	}
	if want := messageID(fx.Key, fakeFrom); rc.ID != want || rc.State != gateway.Submitted {
		t.Errorf("receipt %+v, want id %s (the Message-ID) and state submitted", rc, want)
	}
	st, err := g.Status(ctx, rc.ID)
	if err != nil || st.State != gateway.Submitted || !strings.Contains(st.Message, "by mail") {
		t.Errorf("Status = %+v, %v; want submitted, saying the outcome comes by mail", st, err)
	}
}

func TestBodyNoneSendsTheDocumentAlone(t *testing.T) {
	raw, f := startMailURL(t)
	f.(*mailFake).noText = true
	g, err := openSMTP(t, raw+"&body=none")
	if err != nil {
		t.Fatal(err)
	}
	fx := fax("k")
	if _, err := g.Send(context.Background(), fx); err != nil {
		t.Fatal(err)
	}
	if got := f.Received(); len(got) != 1 || !bytes.Equal(got[0].PDF, fx.PDF) {
		t.Fatalf("server received %+v, want the document", got)
	}
}

func TestCheckReportsBadCredentials(t *testing.T) {
	addr, _ := startMail(t, false)
	g, err := openSMTP(t, fmt.Sprintf("smtp://ana%%40example.org:wrong-password@%s?domain=%s&from=%s&insecure_skip_verify=true&timeout=2s", addr, fakeDomain, fakeFrom))
	if err != nil {
		t.Fatal(err)
	}
	err = g.Check(context.Background())
	ge, ok := gateway.AsError(err)
	if !ok || ge.Reason != gateway.ReasonAuth || ge.Code != "535" || strings.Contains(err.Error(), "wrong-password") {
		t.Fatalf("Check with a wrong password = %v, want auth (535) without the password", err)
	}
}

func TestSelfSignedCertificateIsRefusedByDefault(t *testing.T) {
	addr, f := startMail(t, false)
	g, err := openSMTP(t, fmt.Sprintf("smtp://ana%%40example.org:%s@%s?domain=%s&from=%s&timeout=2s", fakePass, addr, fakeDomain, fakeFrom))
	if err != nil {
		t.Fatal(err)
	}
	_, err = g.Send(context.Background(), fax("k"))
	ge, ok := gateway.AsError(err)
	if !ok || ge.Reason != gateway.ReasonRejected || ge.Retryable() || !strings.Contains(err.Error(), "not trusted") {
		t.Fatalf("Send to a self-signed server = %v, want a non-retryable rejection saying the certificate is not trusted", err)
	}
	if n := len(f.Received()); n != 0 {
		t.Errorf("server received %d messages over an untrusted connection", n)
	}
}

func TestHangAfterDataMayHaveBeenAccepted(t *testing.T) {
	raw, f := startMailURL(t)
	g, err := openSMTP(t, raw)
	if err != nil {
		t.Fatal(err)
	}
	f.Next(gatewaytest.Outcome{Kind: gatewaytest.Hang})
	start := time.Now()
	_, err = g.Send(context.Background(), fax("k"))
	ge, ok := gateway.AsError(err)
	if !ok || ge.Reason != gateway.ReasonGatewayError || !ge.Accepted {
		t.Fatalf("Send with no reply to DATA = %v (%+v), want a gateway-error marked Accepted", err, ge)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Send took %v with timeout=1s", d)
	}
}

func TestContextCancelStopsAHangingExchange(t *testing.T) {
	raw, f := startMailURL(t)
	g, err := openSMTP(t, strings.Replace(raw, "timeout=1s", "timeout=1m", 1))
	if err != nil {
		t.Fatal(err)
	}
	f.Next(gatewaytest.Outcome{Kind: gatewaytest.Hang})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	_, err = g.Send(ctx, fax("k"))
	if err == nil {
		t.Fatal("Send succeeded although its context was cancelled")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Send took %v after its context was cancelled at 200ms", d)
	}
}

func TestConnectionRefusedIsRetryable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	g, err := openSMTP(t, "smtp://"+addr+"?domain=fax.example&from=a@example.org&timeout=2s")
	if err != nil {
		t.Fatal(err)
	}
	_, err = g.Send(context.Background(), fax("k"))
	ge, ok := gateway.AsError(err)
	if !ok || ge.Reason != gateway.ReasonGatewayError || !ge.Retryable() || ge.Accepted {
		t.Fatalf("Send to a closed port = %v, want a retryable gateway-error, not accepted", err)
	}
}

func TestReplyReason(t *testing.T) {
	tests := []struct {
		code int
		want gateway.Reason
	}{
		{530, gateway.ReasonAuth}, {534, gateway.ReasonAuth}, {535, gateway.ReasonAuth},
		{421, gateway.ReasonRateLimited},
		{450, gateway.ReasonGatewayError}, {451, gateway.ReasonGatewayError}, {452, gateway.ReasonGatewayError},
		{550, gateway.ReasonRejected}, {553, gateway.ReasonRejected}, {554, gateway.ReasonRejected},
		{552, gateway.ReasonDocument},
	}
	for _, tt := range tests {
		if got := replyReason(tt.code); got != tt.want {
			t.Errorf("replyReason(%d) = %s, want %s", tt.code, got, tt.want)
		}
	}
}

func TestRecipientPattern(t *testing.T) {
	tests := []struct {
		name, query, want, wantErr string
	}{
		{"domain gives digits at domain (Documo)", "domain=send.mfax.io", "12025550142@send.mfax.io", ""},
		{"e164 pattern (InterFAX)", "to={e164}@fax.tc", "+12025550142@fax.tc", ""},
		{"digits pattern (Retarus)", "to={digits}@rfax.net", "12025550142@rfax.net", ""},
		{"pattern with domain", "domain=us.rfax.net&to={digits}@{domain}", "12025550142@us.rfax.net", ""},
		{"neither domain nor to", "", "", "domain="},
		{"pattern without the number", "to=fax@fax.tc", "", "{e164} or {digits}"},
		{"pattern without a domain", "to={digits}", "", "{e164} or {digits}"},
		{"domain placeholder without domain", "to={digits}@{domain}", "", "no domain="},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := "from=a@example.org"
			if tt.query != "" {
				q += "&" + tt.query
			}
			g, err := openSMTP(t, "smtp://smtp.example.org?"+q)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Open(?%s) error %v, want one saying %q", q, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := g.recipient(gatewaytest.Number)
			if err != nil || got != tt.want {
				t.Errorf("recipient = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestOpenOptions(t *testing.T) {
	tests := []struct {
		raw      string
		port     int
		implicit bool
		wantErr  string
	}{
		{"smtp://h?domain=d&from=a@b", 587, false, ""},
		{"smtps://h?domain=d&from=a@b", 465, true, ""},
		{"smtp://h:2525?domain=d&from=a@b&tls=required", 2525, false, ""},
		{"smtp://h?domain=d&from=a@b&tls=never", 0, false, "tls="},
		{"smtp://h?domain=d&from=a@b&body=html", 0, false, "body="},
		{"smtp://h?domain=d&from=a@b&timeout=soon", 0, false, "timeout="},
		{"smtp://h?domain=d&from=a@b&insecure_skip_verify=yes", 0, false, "insecure_skip_verify="},
		{"smtp://h?domain=d&from=nobody", 0, false, "from="},
		{"smtp://h?domain=d", 0, false, "from"},
	}
	for _, tt := range tests {
		o, ok := gatewaytest.OpenCase(t, Driver(), tt.raw, tt.wantErr)
		if !ok {
			continue
		}
		g := o.(*emailFax)
		if g.port != tt.port || g.implicit != tt.implicit {
			t.Errorf("Open(%s): port %d implicit %v, want %d %v", tt.raw, g.port, g.implicit, tt.port, tt.implicit)
		}
	}
}

func TestSubjectIsAtMost60Characters(t *testing.T) {
	for _, c := range []string{"", "norma-cruz-2012", strings.Repeat("ñ", 100)} {
		if s := subject(c); len([]rune(s)) > MaxSubject || !strings.HasPrefix(s, "faxjam") {
			t.Errorf("subject(%q) = %q", c, s)
		}
	}
}

func TestMessageIDFollowsTheKey(t *testing.T) {
	a, b := messageID("k1", "x@example.org"), messageID("k1", "x@example.org")
	if a != b || !strings.HasSuffix(a, "@example.org>") {
		t.Errorf("messageID(k1) = %s then %s, want the same id in the sender's domain", a, b)
	}
	n1, n2 := messageID("", "x@example.org"), messageID("", "x@example.org")
	if messageID("k2", "x@example.org") == a || n1 == n2 {
		t.Errorf("different keys (or no key) share a Message-ID")
	}
}

func FuzzOpen(f *testing.F) {
	f.Add("smtp://user:SECRETPASS@smtp.example.org:587?domain=fax.example&from=a@example.org")
	f.Add("smtps://u:SECRETPASS@h?to={e164}@fax.tc&from=a@b&timeout=x")
	f.Add("smtp://u:SECRETPASS@h:99999?domain=d&from=a@b")
	f.Add("smtp://u:SECRETPASS@[::1?domain=d")
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := url.Parse(raw)
		if err != nil {
			return
		}
		p, ok := u.User.Password()
		_, err = Driver().Open(u, gateway.Env{})
		if err == nil || !ok || len(p) < 6 {
			return
		}
		rest := *u
		rest.User = nil
		if strings.Contains(err.Error(), p) && !strings.Contains(rest.String(), p) && !strings.Contains(Driver().Syntax, p) {
			t.Errorf("Open(%q) error %q shows the password", raw, err)
		}
	})
}
