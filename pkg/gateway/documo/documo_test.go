package documo

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/gateway/gatewaytest"
)

// TestConformance runs the suite. Documo keeps no idempotency key faxjam
// can find again (see the package comment), so the driver has no Lookup
// and the harness is not Keyed; Retry-After on its 429 is not documented.
func TestConformance(t *testing.T) {
	gatewaytest.Run(t, gatewaytest.Harness{
		Driver:  Driver(),
		Start:   func(t *testing.T) (string, gatewaytest.Fake) { return startFake(t) },
		Reasons: gatewaytest.Reasons(),
	})
}

func openURL(t *testing.T, raw string) *Gateway {
	t.Helper()
	return gatewaytest.Open(t, Driver(), raw).(*Gateway)
}

func serve(t *testing.T, status int, body string) string {
	srv := gatewaytest.StartHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}))
	return "documo://k@?endpoint=" + url.QueryEscape(srv.URL)
}

func TestNoLookupByKey(t *testing.T) {
	var g gateway.Gateway = &Gateway{}
	if _, ok := g.(gateway.Looker); ok {
		t.Fatalf("documo implements Looker, but Documo keeps no key faxjam can search")
	}
}

func TestSendWithoutMessageIDMayHaveBeenAccepted(t *testing.T) {
	for _, body := range []string{`{"status":"processing"}`, `{"messageId":`} {
		_, err := openURL(t, serve(t, http.StatusOK, body)).Send(context.Background(), gatewaytest.SampleFax("k"))
		if ge, ok := gateway.AsError(err); !ok || ge.Reason != gateway.ReasonGatewayError || !ge.Accepted {
			t.Errorf("Send answered %s = %v; want gateway-error, maybe accepted", body, err)
		}
	}
}

func TestSendRefusedNumberIsInvalidNumber(t *testing.T) {
	_, err := openURL(t, serve(t, http.StatusBadRequest, `{"error":{"name":"ValidationError","message":"faxNumber is not a valid phone number"}}`)).Send(context.Background(), gatewaytest.SampleFax("k"))
	if ge, ok := gateway.AsError(err); !ok || ge.Reason != gateway.ReasonInvalidNumber || ge.Accepted {
		t.Fatalf("Send = %v; want invalid-number", err)
	}
}

func TestCheckWithAWrongKeyIsAuth(t *testing.T) {
	err := openURL(t, serve(t, http.StatusUnauthorized, `{"error":{"name":"UnauthorizedError","message":"Invalid API key"}}`)).Check(context.Background())
	if ge, ok := gateway.AsError(err); !ok || ge.Reason != gateway.ReasonAuth {
		t.Fatalf("Check with a wrong key = %v, want auth", err)
	}
}

func TestStateOfDocumoStatuses(t *testing.T) {
	for word, want := range map[string]gateway.State{
		"processing": gateway.Sending, "queued": gateway.Queued, "success": gateway.Delivered,
		"failed": gateway.Failed, "Failed": gateway.Failed, "cancelled": gateway.Failed, "partial": gateway.Failed,
		"archived": "",
	} {
		if got := stateOf(word); got != want {
			t.Errorf("stateOf(%q) = %q, want %q", word, got, want)
		}
	}
	if st := statusOf(fax{Status: "archived"}); st.State != gateway.Sending || st.Code != "archived" {
		t.Errorf("statusOf(unknown) = %+v, want sending with the word kept", st)
	}
}

func TestFailureReadsErrorInfoBeforeResultInfo(t *testing.T) {
	for _, c := range []struct {
		f    fax
		want gateway.Reason
		code string
		msg  string
	}{
		{fax{Status: "failed", ResultCode: "17", ResultInfo: "User busy"}, gateway.ReasonBusy, "17", "User busy"},
		{fax{Status: "failed", ResultCode: "3", ResultInfo: "Failed", ErrorCode: "E30", ErrorInfo: "No fax tone detected"}, gateway.ReasonNotAFax, "E30", "No fax tone detected"},
		{fax{Status: "failed", ResultInfo: "No answer"}, gateway.ReasonNoAnswer, "", "No answer"},
		{fax{Status: "failed"}, gateway.ReasonGatewayError, "failed", ""},
	} {
		st := statusOf(c.f)
		if st.State != gateway.Failed || st.Reason != c.want || st.Code != c.code || st.Message != c.msg || st.Retryable != c.want.Retryable() {
			t.Errorf("statusOf(%+v) = %+v; want %s, code %q, message %q", c.f, st, c.want, c.code, c.msg)
		}
	}
}

func TestOpenReadsTheURL(t *testing.T) {
	for _, c := range []struct{ raw, base, err string }{
		{raw: "documo://KEY@", base: DefaultEndpoint},
		{raw: "documo://KEY@?endpoint=https://api.sandbox.documo.com/", base: "https://api.sandbox.documo.com"},
		{raw: "documo://@", err: "missing api_key"},
		{raw: "documo://KEY:x@", err: "without a ':password'"},
		{raw: "documo://KEY@api.documo.com", err: "nothing goes after the @"},
		{raw: "documo://KEY@?subject=x", err: "unknown option"},
		{raw: "documo://KEY@?endpoint=ftp://x", err: "endpoint"},
	} {
		g, ok := gatewaytest.OpenCase(t, Driver(), c.raw, c.err)
		if !ok {
			continue
		}
		if dg := g.(*Gateway); dg.base != c.base || dg.key != "KEY" {
			t.Errorf("open(%s) = base %q key %q", c.raw, dg.base, dg.key)
		}
	}
}

func FuzzOpen(f *testing.F) {
	f.Add("KEY0123", "", "")
	f.Add("k", "host", "endpoint=http://[::1")
	f.Add("", "", "endpoint=https://u:p@h/&x=%zz")
	f.Fuzz(func(t *testing.T, key, host, query string) {
		const mark = "S3CRET-"
		raw := "documo://" + url.User(mark+key).String() + "@" + host + "?" + query
		gatewaytest.OpenHidesSecret(t, Driver(), raw, mark)
	})
}
