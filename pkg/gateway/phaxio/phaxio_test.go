package phaxio

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/gateway/gatewaytest"
)

func TestConformance(t *testing.T) {
	gatewaytest.Run(t, gatewaytest.Harness{
		Driver:     Driver(),
		Start:      func(t *testing.T) (string, gatewaytest.Fake) { return startFake(t) },
		Reasons:    gatewaytest.Reasons(),
		RetryAfter: true,
		Keyed:      true,
	})
}

func openURL(t *testing.T, raw string) *Gateway {
	t.Helper()
	return gatewaytest.Open(t, Driver(), raw).(*Gateway)
}

func TestLookupFiltersByTagAndChecksIt(t *testing.T) {
	raw, _ := startFake(t)
	g := openURL(t, raw)
	ctx := context.Background()
	var want gateway.Receipt
	for i := range 3 {
		rc, err := g.Send(ctx, gatewaytest.SampleFax(fmt.Sprintf("k%d", i)))
		if err != nil {
			t.Fatal(err)
		}
		if i == 1 {
			want = rc
		}
	}
	rc, found, err := g.Lookup(ctx, "k1")
	if err != nil || !found || rc.ID != want.ID || rc.To != gatewaytest.Number {
		t.Fatalf("Lookup(k1) = %+v, %v, %v; want %s to %s", rc, found, err, want.ID, gatewaytest.Number)
	}
}

func TestLookupIgnoresFaxesOfOtherTagsWhenTheFilterIsIgnored(t *testing.T) {
	srv := gatewaytest.StartHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A server that ignores tag[…]: answers one stranger's fax.
		fmt.Fprint(w, `{"success":true,"message":"Retrieved faxes successfully","data":[{"id":1,"status":"success","tags":{"faxjam_key":"other"}}],"paging":{"total":1,"per_page":100,"page":1}}`)
	}))
	g := openURL(t, "phaxio://k:s@?endpoint="+url.QueryEscape(srv.URL))
	if _, found, err := g.Lookup(context.Background(), "mine"); found || err != nil {
		t.Fatalf("Lookup = %v, %v; want not found", found, err)
	}
}

func TestSuccessFalseIsRejectedWithPhaxiosMessage(t *testing.T) {
	srv := gatewaytest.StartHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"success":false,"message":"Insufficient credit to send this fax"}`)
	}))
	g := openURL(t, "phaxio://k:s@?endpoint="+url.QueryEscape(srv.URL))
	_, err := g.Send(context.Background(), gatewaytest.SampleFax("k"))
	ge, ok := gateway.AsError(err)
	if !ok || ge.Reason != gateway.ReasonRejected || ge.Accepted || !strings.Contains(ge.Message, "Insufficient credit") {
		t.Fatalf("Send = %v; want rejected, not accepted, with Phaxio's message", err)
	}
}

func TestInvalidNumberAnswerIsInvalidNumber(t *testing.T) {
	srv := gatewaytest.StartHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnprocessableEntity)
		fmt.Fprint(w, `{"success":false,"message":"Invalid phone number: +12025550142"}`)
	}))
	g := openURL(t, "phaxio://k:s@?endpoint="+url.QueryEscape(srv.URL))
	_, err := g.Send(context.Background(), gatewaytest.SampleFax("k"))
	if ge, ok := gateway.AsError(err); !ok || ge.Reason != gateway.ReasonInvalidNumber {
		t.Fatalf("Send = %v; want invalid-number", err)
	}
}

func TestStateOfEveryPhaxioStatus(t *testing.T) {
	for status, want := range map[string]gateway.State{
		"queued": gateway.Queued, "pendingbatch": gateway.Queued, "inprogress": gateway.Sending,
		"success": gateway.Delivered, "failure": gateway.Failed, "partialsuccess": gateway.Failed,
		"ringing": gateway.Sending, "callactive": gateway.Sending, "willretry": gateway.Sending, "archived": "",
	} {
		if got := stateOf(status); got != want {
			t.Errorf("stateOf(%q) = %q, want %q", status, got, want)
		}
	}
}

func TestReasonByIDThenTextThenType(t *testing.T) {
	for _, c := range []struct {
		typ  string
		id   int
		msg  string
		want gateway.Reason
	}{
		{"lineError", 17, "Busy", gateway.ReasonBusy},
		{"lineError", 16, "Ring Timeout", gateway.ReasonNoAnswer},
		{"lineError", 112, "No answer", gateway.ReasonNoAnswer},
		{"lineError", 30, "No answer from the fax machine.", gateway.ReasonNotAFax},
		{"lineError", 87, "No answer from the fax machine", gateway.ReasonNotAFax},
		{"lineError", 32, "Incompatible destination", gateway.ReasonNotAFax},
		{"lineError", 34, "Phone number not operational", gateway.ReasonInvalidNumber},
		{"lineError", 52, "No route available", gateway.ReasonInvalidNumber},
		{"lineError", 50, "Call rejected", gateway.ReasonRejected},
		{"lineError", 11, "The call dropped prematurely", gateway.ReasonLineError},
		{"lineError", 9999, "the line was busy", gateway.ReasonBusy}, // text where the id is unknown
		{"lineError", 9999, "Telephony error", gateway.ReasonLineError},
		{"lineError", 9999, "???", gateway.ReasonLineError},
		{"faxError", 12, "Received no response to DCS or TCF", gateway.ReasonLineError},
		{"faxError", 6, "There was an error communicating with the far side.", gateway.ReasonLineError},
		{"faxError", 7, "Far end cannot receive at the size of image", gateway.ReasonLineError},
		{"documentConversionError", 129, "Mimetype not supported.", gateway.ReasonDocument},
		{"generalError", 0, "Insufficient funds", gateway.ReasonRejected},
		{"fatalError", 0, "", gateway.ReasonGatewayError},
		{"", 0, "", gateway.ReasonGatewayError},
	} {
		if got := reasonOf(c.typ, c.id, c.msg); got != c.want {
			t.Errorf("reasonOf(%s, %d, %q) = %q, want %q", c.typ, c.id, c.msg, got, c.want)
		}
	}
}

func TestStatusReadsTheRecipientFirst(t *testing.T) {
	var f fax
	body := `{"id":323034811,"status":"failure","error_type":"generalError","error_id":null,"error_message":"Fax failed",
		"recipients":[{"phone_number":"+12025550142","status":"failure","error_type":"lineError","error_id":17,"error_message":"Busy"}]}`
	if err := json.Unmarshal([]byte(body), &f); err != nil {
		t.Fatal(err)
	}
	st := statusOf(f)
	if st.State != gateway.Failed || st.Reason != gateway.ReasonBusy || st.Code != "lineError/17" || st.Message != "Busy" || !st.Retryable {
		t.Errorf("statusOf = %+v; want failed busy lineError/17 from the recipient", st)
	}
}

func TestOpenReadsTheURL(t *testing.T) {
	for _, c := range []struct{ raw, base, err string }{
		{raw: "phaxio://k:s@", base: DefaultEndpoint},
		{raw: "phaxio://k:s@?endpoint=http://127.0.0.1:9/v2.1/", base: "http://127.0.0.1:9/v2.1"},
		{raw: "phaxio://k@", err: "missing api_secret"},
		{raw: "phaxio://k:s@api.phaxio.com", err: "nothing goes after the @"},
		{raw: "phaxio://k:s@?from=%2B12025550100", err: "unknown option"},
	} {
		g, ok := gatewaytest.OpenCase(t, Driver(), c.raw, c.err)
		if !ok {
			continue
		}
		if pg := g.(*Gateway); pg.base != c.base || pg.key != "k" || pg.secret != "s" {
			t.Errorf("open(%s) = base %q key %q", c.raw, pg.base, pg.key)
		}
	}
}

func FuzzOpen(f *testing.F) {
	f.Add("key", "secret", "", "")
	f.Add("k", "s", "host", "endpoint=http://[::1")
	f.Add("", "", "", "endpoint=https://u:p@h/")
	f.Fuzz(func(t *testing.T, key, secret, host, query string) {
		const mark = "S3CRET-"
		raw := "phaxio://" + url.UserPassword(mark+key, mark+secret).String() + "@" + host + "?" + query
		gatewaytest.OpenHidesSecret(t, Driver(), raw, mark)
	})
}
