package interfax

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/gateway/gatewaytest"
)

// TestConformance runs the suite. InterFAX's fax object carries an integer
// status and no failure text, so the fake can express only the reasons
// whose codes were verified (busy 263, telephony error 2, canceled 205000).
// Retry-After on InterFAX's 429 is not documented, so it is not asserted.
func TestConformance(t *testing.T) {
	gatewaytest.Run(t, gatewaytest.Harness{
		Driver:  Driver(),
		Start:   func(t *testing.T) (string, gatewaytest.Fake) { return startFake(t) },
		Reasons: []gateway.Reason{gateway.ReasonBusy, gateway.ReasonLineError, gateway.ReasonRejected},
		Keyed:   true,
	})
}

func openURL(t *testing.T, raw string) *Gateway {
	t.Helper()
	return gatewaytest.Open(t, Driver(), raw).(*Gateway)
}

func TestSendPutsTheKeyInReferenceAndTheOptionsInTheQuery(t *testing.T) {
	var got url.Values
	srv := gatewaytest.StartHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.URL.Query()
		w.Header().Set("Location", "https://rest.interfax.net/outbound/faxes/131201409296898")
		w.WriteHeader(http.StatusCreated)
	}))
	g := openURL(t, "interfax://u:p@?csid=%2B12025550100&resolution=fine&endpoint="+url.QueryEscape(srv.URL))
	long := strings.Repeat("ab", 40) // 80 characters: too long for reference
	rc, err := g.Send(context.Background(), gatewaytest.SampleFax(long))
	if err != nil {
		t.Fatal(err)
	}
	if rc.ID != "131201409296898" || rc.State != gateway.Queued {
		t.Errorf("receipt %+v, want the Location's last segment, queued", rc)
	}
	if got.Get("faxNumber") != gatewaytest.Number || got.Get("csid") != "+12025550100" || got.Get("resolution") != "fine" {
		t.Errorf("query %v", got)
	}
	if ref := got.Get("reference"); ref != gateway.KeyField(long, ReferenceMax) || len(ref) > ReferenceMax {
		t.Errorf("reference %q, want the key fitted into %d characters", ref, ReferenceMax)
	}
}

func TestSendWithoutLocationMayHaveBeenAccepted(t *testing.T) {
	srv := gatewaytest.StartHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusCreated)
	}))
	_, err := openURL(t, "interfax://u:p@?endpoint="+url.QueryEscape(srv.URL)).Send(context.Background(), gatewaytest.SampleFax("k"))
	ge, ok := gateway.AsError(err)
	if !ok || ge.Reason != gateway.ReasonGatewayError || !ge.Accepted {
		t.Fatalf("Send = %v; want gateway-error, maybe accepted", err)
	}
}

func TestSendRefusedNumberIsInvalidNumber(t *testing.T) {
	srv := gatewaytest.StartHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"code":-112,"message":"Invalid parameter","more_info":"faxNumber is not a valid phone number"}`)
	}))
	_, err := openURL(t, "interfax://u:p@?endpoint="+url.QueryEscape(srv.URL)).Send(context.Background(), gatewaytest.SampleFax("k"))
	if ge, ok := gateway.AsError(err); !ok || ge.Reason != gateway.ReasonInvalidNumber || ge.Accepted {
		t.Fatalf("Send = %v; want invalid-number, not accepted", err)
	}
}

func TestLookupSkipsFaxesCarryingAnotherReference(t *testing.T) {
	srv := gatewaytest.StartHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("reference") != "mine" {
			t.Errorf("search query %q, want reference=mine", r.URL.RawQuery)
		}
		// A server ignoring the filter: a stranger's fax first, then ours.
		fmt.Fprint(w, `[{"id":1,"status":0,"reference":"other"},{"id":2,"status":-3,"subject":"mine","destinationFax":"+12025550142"}]`)
	}))
	rc, found, err := openURL(t, "interfax://u:p@?endpoint="+url.QueryEscape(srv.URL)).Lookup(context.Background(), "mine")
	if err != nil || !found || rc.ID != "2" || rc.State != gateway.Sending || rc.To != "+12025550142" {
		t.Fatalf("Lookup = %+v, %v, %v; want fax 2, sending, to +12025550142", rc, found, err)
	}
}

func TestStateOfEveryDocumentedStatus(t *testing.T) {
	for code, want := range map[int]gateway.State{
		-1: gateway.Queued, -11: gateway.Queued, -2: gateway.Queued, -22: gateway.Queued,
		-3: gateway.Sending, -7: gateway.Sending,
		0: gateway.Delivered,
		1: gateway.Failed, 2: gateway.Failed, 12: gateway.Failed, 263: gateway.Failed, 205000: gateway.Failed, 3912: gateway.Failed,
	} {
		if got := stateOf(code); got != want {
			t.Errorf("stateOf(%d) = %q, want %q", code, got, want)
		}
	}
}

func TestReasonByCodeThenText(t *testing.T) {
	for _, c := range []struct {
		code int
		text string
		want gateway.Reason
	}{
		{263, "", gateway.ReasonBusy},
		{1, "", gateway.ReasonLineError},
		{2, "", gateway.ReasonLineError},
		{12, "", gateway.ReasonLineError},
		{205000, "", gateway.ReasonRejected},
		{4711, "No answer", gateway.ReasonNoAnswer},
		{4711, "Fax machine not detected: voice answered", gateway.ReasonNotAFax},
		{4711, "", gateway.ReasonGatewayError},
	} {
		if got := reasonOf(c.code, c.text); got != c.want {
			t.Errorf("reasonOf(%d, %q) = %q, want %q", c.code, c.text, got, c.want)
		}
	}
	st := statusOf(fax{Status: ptr(263)})
	if st.Code != "263" || st.Message == "" || !st.Retryable {
		t.Errorf("statusOf(263) = %+v; want the code, InterFAX's description, retryable", st)
	}
}

func ptr(n int) *int { return &n }

func TestIDFromLocation(t *testing.T) {
	for loc, want := range map[string]string{
		"https://rest.interfax.net/outbound/faxes/131201409296898":     "131201409296898",
		"https://rest-sl.interfax.net/outbound/faxes/131201409296898/": "131201409296898",
		"/outbound/faxes/77": "77",
		"":                   "",
		"%zz":                "",
	} {
		if got := idFromLocation(loc); got != want {
			t.Errorf("idFromLocation(%q) = %q, want %q", loc, got, want)
		}
	}
}

func TestOpenReadsTheURL(t *testing.T) {
	for _, c := range []struct{ raw, base, err string }{
		{raw: "interfax://u:p@", base: DefaultEndpoint},
		{raw: "interfax://u:p@?endpoint=http://127.0.0.1:9/&csid=%2B12025550100&resolution=standard", base: "http://127.0.0.1:9"},
		{raw: "interfax://u@", err: "missing password"},
		{raw: "interfax://:p@", err: "missing username"},
		{raw: "interfax://u:p@rest.interfax.net", err: "nothing goes after the @"},
		{raw: "interfax://u:p@?csid=" + strings.Repeat("x", 21), err: "csid"},
		{raw: "interfax://u:p@?resolution=ultra", err: "resolution"},
		{raw: "interfax://u:p@?reference=x", err: "unknown option"},
		{raw: "interfax://u:p@?endpoint=ftp://x", err: "endpoint"},
	} {
		g, ok := gatewaytest.OpenCase(t, Driver(), c.raw, c.err)
		if !ok {
			continue
		}
		if ig := g.(*Gateway); ig.base != c.base || ig.user != "u" || ig.password != "p" {
			t.Errorf("open(%s) = base %q user %q", c.raw, ig.base, ig.user)
		}
	}
}

func FuzzOpen(f *testing.F) {
	f.Add("user", "secret", "", "csid=%2B12025550100")
	f.Add("u", "p", "host", "endpoint=http://[::1")
	f.Add("", "", "", "endpoint=https://u:p@h/&resolution=%zz")
	f.Fuzz(func(t *testing.T, user, password, host, query string) {
		const mark = "S3CRET-"
		raw := "interfax://" + url.UserPassword(user, mark+password).String() + "@" + host + "?" + query
		gatewaytest.OpenHidesSecret(t, Driver(), raw, mark)
	})
}
