package sinch

import (
	"context"
	"encoding/json"
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

func openURL(t *testing.T, raw string) *Gateway {
	t.Helper()
	return gatewaytest.Open(t, Driver(), raw).(*Gateway)
}

func TestLookupWalksPagesAndMonths(t *testing.T) {
	raw, _ := startFake(t)
	g := openURL(t, raw)
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
	rc, ok, err := g.Lookup(ctx, "k0")
	if err != nil || !ok || rc.ID != first.ID {
		t.Fatalf("Lookup(k0) = %+v, %v, %v; want %s", rc, ok, err, first.ID)
	}
	if _, ok, err := g.Lookup(ctx, "k9"); ok || err != nil {
		t.Fatalf("Lookup(k9) = %v, %v; want not found", ok, err)
	}
	g.maxPages = 4 // 3 pages for this month, then the budget ends in the previous one
	if _, ok, err := g.Lookup(ctx, "k9"); ok || err == nil {
		t.Fatalf("Lookup(k9) past the page budget = %v, %v; want an error, not a verdict", ok, err)
	}
}

func TestLookupAsksForThisMonthThenThePrevious(t *testing.T) {
	var months []string
	srv := gatewaytest.StartHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		months = append(months, r.URL.Query().Get("createTime"))
		fmt.Fprint(w, `{"faxes":[],"page":1,"pageSize":1000,"totalItems":0,"totalPages":0}`)
	}))
	g := openURL(t, "sinch://id:secret@proj?endpoint="+url.QueryEscape(srv.URL))
	g.now = func() time.Time { return time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC) }
	if _, ok, err := g.Lookup(context.Background(), "k"); ok || err != nil {
		t.Fatalf("Lookup = %v, %v", ok, err)
	}
	if got := strings.Join(months, ","); got != "2026-01,2025-12" {
		t.Errorf("createTime asked %q, want 2026-01,2025-12", got)
	}
}

func TestSendReadsTheArrayAnswerToo(t *testing.T) {
	for _, body := range []string{
		`{"id":"01ABC","status":"QUEUED"}`,
		`[{"id":"01ABC","status":"QUEUED"}]`,
	} {
		f, err := decodeSent([]byte(body))
		if err != nil || f.ID != "01ABC" {
			t.Errorf("decodeSent(%s) = %+v, %v", body, f, err)
		}
	}
	if _, err := decodeSent([]byte(`[]`)); err == nil {
		t.Errorf("decodeSent([]): no error")
	}
}

func TestMalformedSendAnswerMayHaveBeenAccepted(t *testing.T) {
	srv := gatewaytest.StartHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"id":`)
	}))
	g := openURL(t, "sinch://id:secret@proj?endpoint="+url.QueryEscape(srv.URL))
	_, err := g.Send(context.Background(), gatewaytest.SampleFax("k"))
	ge, ok := gateway.AsError(err)
	if !ok || ge.Reason != gateway.ReasonGatewayError || !ge.Accepted {
		t.Fatalf("Send = %v; want gateway-error marked maybe accepted (Sinch said 2xx)", err)
	}
}

func TestStateOfEverySinchStatus(t *testing.T) {
	for status, want := range map[string]gateway.State{
		"QUEUED": gateway.Queued, "IN_PROGRESS": gateway.Sending,
		"COMPLETED": gateway.Delivered, "FAILURE": gateway.Failed, "PAUSED": "",
	} {
		if got := stateOf(status); got != want {
			t.Errorf("stateOf(%q) = %q, want %q", status, got, want)
		}
	}
	if st := statusOf(fax{Status: "PAUSED"}); st.State != gateway.Sending || st.Code != "PAUSED" {
		t.Errorf("statusOf(PAUSED) = %+v, want sending with the vendor's word", st)
	}
}

func TestReasonOfSinchErrors(t *testing.T) {
	for _, c := range []struct {
		typ  string
		code int
		msg  string
		want gateway.Reason
	}{
		{"CALL_ERROR", 17, "Busy", gateway.ReasonBusy},
		{"CALL_ERROR", 16, "Ring Timeout", gateway.ReasonNoAnswer},
		{"CALL_ERROR", 30, "No answer from a fax machine", gateway.ReasonNotAFax},
		{"CALL_ERROR", 32, "Incompatible destination", gateway.ReasonNotAFax},
		{"CALL_ERROR", 34, "Number not operational", gateway.ReasonInvalidNumber},
		{"CALL_ERROR", 49, "Number not active", gateway.ReasonInvalidNumber},
		{"CALL_ERROR", 11, "Call dropped", gateway.ReasonLineError},
		{"CALL_ERROR", 15, "Congestion", gateway.ReasonLineError},
		{"CALL_ERROR", 19, "Immediate hangup", gateway.ReasonLineError},
		{"CALL_ERROR", 43, "Connection problem", gateway.ReasonLineError},
		{"CALL_ERROR", 999, "new", gateway.ReasonLineError},
		{"LINE_ERROR", 0, "", gateway.ReasonLineError},
		{"FAX_ERROR", 132, "No fax tone", gateway.ReasonNotAFax},
		{"FAX_ERROR", 48, "No answer (out of paper)", gateway.ReasonNoAnswer},
		{"FAX_ERROR", 133, "Number not permitted", gateway.ReasonRejected},
		{"FAX_ERROR", 46, "Insufficient funds", gateway.ReasonRejected},
		{"FAX_ERROR", 75, "Manually canceled", gateway.ReasonRejected},
		{"FAX_ERROR", 76, "Canceled by timeout", gateway.ReasonGatewayError},
		{"FAX_ERROR", 8, "No response after sending a page", gateway.ReasonLineError},
		{"DOCUMENT_CONVERSION_ERROR", 4, "", gateway.ReasonDocument},
		{"FATAL_ERROR", 1, "", gateway.ReasonGatewayError},
		{"GENERAL_ERROR", 1, "", gateway.ReasonGatewayError},
		{"", 0, "Busy", gateway.ReasonBusy},
		{"", 0, "", gateway.ReasonGatewayError},
	} {
		if got := reasonOf(c.typ, c.code, c.msg); got != c.want {
			t.Errorf("reasonOf(%s, %d, %q) = %q, want %q", c.typ, c.code, c.msg, got, c.want)
		}
	}
	st := statusOf(fax{Status: "FAILURE", ErrorType: "CALL_ERROR", ErrorCode: 17, ErrorMessage: "Busy"})
	if st.Code != "CALL_ERROR/17" || st.Message != "Busy" || !st.Retryable {
		t.Errorf("statusOf(busy) = %+v, want code CALL_ERROR/17, message Busy, retryable", st)
	}
}

func TestErrorCodeAsNumberOrString(t *testing.T) {
	for _, body := range []string{`{"errorCode":17}`, `{"errorCode":"17"}`} {
		var f fax
		if err := json.Unmarshal([]byte(body), &f); err != nil || f.ErrorCode != 17 {
			t.Errorf("%s → %d, %v", body, f.ErrorCode, err)
		}
	}
}

func TestOpenReadsTheURL(t *testing.T) {
	for _, c := range []struct {
		raw, from, base, err string
	}{
		{raw: "sinch://id:sec@proj", base: DefaultEndpoint + "/projects/proj"},
		{raw: "sinch://id:sec@proj?from=+12025550100&endpoint=https://eu1.fax.api.sinch.com/v3/", from: "+12025550100", base: "https://eu1.fax.api.sinch.com/v3/projects/proj"},
		{raw: "sinch://id@proj", err: "missing key_secret"},
		{raw: "sinch://id:sec@", err: "missing project_id"},
		{raw: "sinch://id:sec@proj?from=12", err: "from"},
		{raw: "sinch://id:sec@proj?endpoint=fax.api.sinch.com", err: "endpoint"},
	} {
		g, ok := gatewaytest.OpenCase(t, Driver(), c.raw, c.err)
		if !ok {
			continue
		}
		if sg := g.(*Gateway); sg.from != c.from || sg.base != c.base || sg.keyID != "id" || sg.keySecret != "sec" {
			t.Errorf("open(%s) = from %q base %q id %q", c.raw, sg.from, sg.base, sg.keyID)
		}
	}
}

func TestSummaryNamesTheFreeTestNumber(t *testing.T) {
	if !strings.Contains(Driver().Summary, TestNumber) {
		t.Errorf("Summary %q does not mention %s", Driver().Summary, TestNumber)
	}
}

func FuzzOpen(f *testing.F) {
	f.Add("id", "secret", "proj", "from=%2B12025550100")
	f.Add("", "", "", "endpoint=http://[::1")
	f.Add("a", "b", "c:d", "from=+&from=x")
	f.Fuzz(func(t *testing.T, id, secret, host, query string) {
		const mark = "S3CRET-"
		raw := "sinch://" + url.UserPassword(id, mark+secret).String() + "@" + host + "?" + query
		gatewaytest.OpenHidesSecret(t, Driver(), raw, mark)
	})
}
