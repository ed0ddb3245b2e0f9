package telnyx

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

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

func openFake(t *testing.T) (*Gateway, *fake) {
	t.Helper()
	raw, f := startFake(t)
	return gatewaytest.Open(t, Driver(), raw).(*Gateway), f
}

func TestLookupWalksPagesNewestFirst(t *testing.T) {
	g, _ := openFake(t)
	g.pageSize = 2
	ctx := context.Background()
	var first gateway.Receipt
	for i := range 5 {
		rc, err := g.Send(ctx, gatewaytest.SampleFax(fmt.Sprintf("k%d", i)))
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = rc
		}
	}
	// k0 is the oldest: on the last of three pages.
	rc, ok, err := g.Lookup(ctx, "k0")
	if err != nil || !ok || rc.ID != first.ID {
		t.Fatalf("Lookup(k0) = %+v, %v, %v; want %s", rc, ok, err, first.ID)
	}
	if _, ok, err := g.Lookup(ctx, "k9"); ok || err != nil {
		t.Fatalf("Lookup(k9) = %v, %v; want not found after the last page", ok, err)
	}
}

func TestLookupPastItsBoundSaysSoRatherThanNotFound(t *testing.T) {
	g, _ := openFake(t)
	g.pageSize, g.maxPages = 1, 2
	ctx := context.Background()
	for i := range 3 {
		if _, err := g.Send(ctx, gatewaytest.SampleFax(fmt.Sprintf("k%d", i))); err != nil {
			t.Fatal(err)
		}
	}
	_, ok, err := g.Lookup(ctx, "k0")
	if ok || err == nil {
		t.Fatalf("Lookup beyond %d pages = %v, %v; want an error, not a verdict", g.maxPages, ok, err)
	}
}

func TestCheckAsksForOneFaxAndMapsAWrongKeyToAuth(t *testing.T) {
	srv := gatewaytest.StartHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("page[size]") != "1" {
			t.Errorf("Check asked for %q, want page[size]=1", r.URL.RawQuery)
		}
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"errors":[{"code":"10009","title":"Authentication failed"}]}`)
	}))
	bad := gatewaytest.Open(t, Driver(), "telnyx://KEYwrong@conn?from=%2B12025550100&endpoint="+url.QueryEscape(srv.URL))
	ge, ok := gateway.AsError(bad.(gateway.Checker).Check(context.Background()))
	if !ok || ge.Reason != gateway.ReasonAuth {
		t.Fatalf("Check with a wrong key = %v, want auth", ge)
	}
}

func TestUploadFailureIsNeverMaybeAccepted(t *testing.T) {
	g, f := openFake(t)
	g.http.HTTP.Timeout = 100 * time.Millisecond
	f.Next(gatewaytest.Outcome{Kind: gatewaytest.Hang})
	_, err := g.Send(context.Background(), gatewaytest.SampleFax("k-hang"))
	ge, ok := gateway.AsError(err)
	if !ok || ge.Accepted {
		t.Fatalf("Send over a hung upload = %v (accepted %v); an upload alone creates no fax", err, ok && ge.Accepted)
	}
}

func TestCreateRefusingTheNumberIsInvalidNumber(t *testing.T) {
	srv := gatewaytest.StartHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/media" {
			w.WriteHeader(http.StatusCreated)
			fmt.Fprint(w, `{"data":{"media_name":"m1"}}`)
			return
		}
		w.WriteHeader(http.StatusUnprocessableEntity)
		fmt.Fprint(w, `{"errors":[{"code":"10016","title":"Invalid phone number","detail":"The 'to' number is not valid","source":{"pointer":"/to"}}]}`)
	}))
	g := gatewaytest.Open(t, Driver(), "telnyx://KEYx@conn?from=%2B12025550100&endpoint="+url.QueryEscape(srv.URL))
	_, err := g.Send(context.Background(), gatewaytest.SampleFax("k"))
	ge, ok := gateway.AsError(err)
	if !ok || ge.Reason != gateway.ReasonInvalidNumber || !strings.Contains(ge.Message, "not valid") {
		t.Fatalf("Send = %v, want invalid-number with Telnyx's detail", err)
	}
}

func TestStateOfEveryTelnyxStatus(t *testing.T) {
	for status, want := range map[string]gateway.State{
		"queued": gateway.Queued, "media.processed": gateway.Queued,
		"originated": gateway.Sending, "sending": gateway.Sending,
		"delivered": gateway.Delivered, "failed": gateway.Failed,
		"initiated": gateway.Queued, "receiving": gateway.Sending, "media.processing": gateway.Queued, "received": gateway.Delivered,
		"brand.new": "",
	} {
		if got := stateOf(status); got != want {
			t.Errorf("stateOf(%q) = %q, want %q", status, got, want)
		}
	}
}

func TestUnknownStatusKeepsPollingAndKeepsTheWord(t *testing.T) {
	st := statusOf(fax{Status: "brand.new"})
	if st.State != gateway.Sending || st.Code != "brand.new" {
		t.Errorf("statusOf(brand.new) = %+v, want sending with the vendor's word", st)
	}
}

func TestReasonOfEveryDocumentedFailure(t *testing.T) {
	want := map[string]gateway.Reason{
		"user_busy":                                   gateway.ReasonBusy,
		"receiver_no_answer":                          gateway.ReasonNoAnswer,
		"receiver_no_response":                        gateway.ReasonNoAnswer,
		"fax_initial_communication_timeout":           gateway.ReasonNoAnswer,
		"receiver_incompatible_destination":           gateway.ReasonNotAFax,
		"destination_invalid":                         gateway.ReasonInvalidNumber,
		"receiver_invalid_number_format":              gateway.ReasonInvalidNumber,
		"receiver_unallocated_number":                 gateway.ReasonInvalidNumber,
		"destination_unreachable":                     gateway.ReasonInvalidNumber,
		"receiver_decline":                            gateway.ReasonRejected,
		"destination_not_in_countries_whitelist":      gateway.ReasonRejected,
		"destination_not_in_service_plan":             gateway.ReasonRejected,
		"unverified_destination_not_allowed":          gateway.ReasonRejected,
		"unverified_origination_number":               gateway.ReasonRejected,
		"account_disabled":                            gateway.ReasonRejected,
		"no_outbound_profile":                         gateway.ReasonRejected,
		"outbound_profile_daily_spend_limit_exceeded": gateway.ReasonRejected,
		"receiver_call_dropped":                       gateway.ReasonLineError,
		"fax_signaling_error":                         gateway.ReasonLineError,
		"receiver_communication_error":                gateway.ReasonLineError,
		"invalid_ecm_response_from_receiver":          gateway.ReasonLineError,
		"receiver_recovery_on_timer_expire":           gateway.ReasonLineError,
		"file_format_invalid":                         gateway.ReasonDocument,
		"file_download_failed":                        gateway.ReasonDocument,
		"file_size_limit_exceeded":                    gateway.ReasonDocument,
		"page_count_limit_exceeded":                   gateway.ReasonDocument,
		"media_processing_exception":                  gateway.ReasonDocument,
		"service_unavailable":                         gateway.ReasonGatewayError,
		"connection_channel_limit_exceeded":           gateway.ReasonGatewayError,
		"outbound_profile_channel_limit_exceeded":     gateway.ReasonGatewayError,
		"user_channel_limit_exceeded":                 gateway.ReasonGatewayError,
		"something_new":                               gateway.ReasonGatewayError,
	}
	for failure, r := range want {
		if got := reasonOf(failure); got != r {
			t.Errorf("reasonOf(%q) = %q, want %q", failure, got, r)
		}
	}
	st := statusOf(fax{Status: "failed", FailureReason: "user_busy"})
	if st.Code != "user_busy" || !st.Retryable {
		t.Errorf("statusOf(failed user_busy) = %+v, want code kept and retryable", st)
	}
}

func TestOpenReadsTheURL(t *testing.T) {
	for _, c := range []struct {
		raw, from, base, err string
	}{
		{raw: "telnyx://KEY@123?from=+12025550100", from: "+12025550100", base: DefaultEndpoint},
		{raw: "telnyx://KEY@123?from=%2B12025550100&endpoint=https://eu.example/v2/", from: "+12025550100", base: "https://eu.example/v2"},
		{raw: "telnyx://KEY@123", err: "missing from"},
		{raw: "telnyx://@123?from=%2B12025550100", err: "missing api_key"},
		{raw: "telnyx://KEY@?from=%2B12025550100", err: "missing connection_id"},
		{raw: "telnyx://KEY@123?from=5550100", err: "from"},
		{raw: "telnyx://KEY@123?from=%2B12025550100&endpoint=ftp://x", err: "endpoint"},
		{raw: "telnyx://KEY@123?from=%2B12025550100&fromm=1", err: "unknown option"},
	} {
		g, ok := gatewaytest.OpenCase(t, Driver(), c.raw, c.err)
		if !ok {
			continue
		}
		if tg := g.(*Gateway); tg.from != c.from || tg.base != c.base || tg.key != "KEY" || tg.connection != "123" {
			t.Errorf("open(%s) = from %q base %q key %q connection %q", c.raw, tg.from, tg.base, tg.key, tg.connection)
		}
	}
}

func FuzzOpen(f *testing.F) {
	f.Add("KEY0123", "1293384261075731499", "from=%2B12025550100")
	f.Add("k", "", "from=+1&endpoint=http://[::1")
	f.Add("", "x:y", "endpoint=%zz")
	f.Fuzz(func(t *testing.T, key, host, query string) {
		const mark = "S3CRET-"
		raw := "telnyx://" + url.User(mark+key).String() + "@" + host + "?" + query
		gatewaytest.OpenHidesSecret(t, Driver(), raw, mark)
	})
}
