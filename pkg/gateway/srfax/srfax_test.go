package srfax

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/gateway/gatewaytest"
)

// TestConformance runs the suite. SRFax answers HTTP 200 to everything it
// understands: bad credentials are a Status Failed body (the fake's
// Unauthorized), it documents no rate-limit answer (no RateLimited, no
// Retry-After); a 500, a hang or an unreadable body can happen to any web
// service.
func TestConformance(t *testing.T) {
	gatewaytest.Run(t, gatewaytest.Harness{
		Driver:  Driver(),
		Start:   func(t *testing.T) (string, gatewaytest.Fake) { return startFake(t) },
		Reasons: gatewaytest.Reasons(),
		Kinds:   []gatewaytest.Kind{gatewaytest.Unauthorized, gatewaytest.ServerError, gatewaytest.Hang, gatewaytest.Malformed},
		Keyed:   true,
	})
}

func openURL(t *testing.T, raw string) *Gateway {
	t.Helper()
	return gatewaytest.Open(t, Driver(), raw).(*Gateway)
}

func TestNumberFollowsSRFaxDialling(t *testing.T) {
	for in, want := range map[string]string{
		"+12025550142":  "12025550142",
		"+50224119191":  "01150224119191",
		"+442079460000": "011442079460000",
	} {
		if got := Number(in); got != want {
			t.Errorf("Number(%s) = %s, want %s", in, got, want)
		}
		if back := fromDialling(want); back != in {
			t.Errorf("fromDialling(%s) = %q, want %s", want, back, in)
		}
	}
}

func TestFailedAnswersMapByTheirText(t *testing.T) {
	for _, c := range []struct {
		text string
		want gateway.Reason
	}{
		{"Invalid Access", gateway.ReasonAuth},
		{"Forbidden: Access is denied / Invalid Authentication.", gateway.ReasonAuth},
		{"Invalid password", gateway.ReasonAuth},
		{"Invalid Fax Number: not a valid phone number", gateway.ReasonInvalidNumber},
		{"Insufficient funds", gateway.ReasonRejected},
		{"Invalid Senders Email Address /", gateway.ReasonRejected},
	} {
		if got := failed("send", c.text); got.Reason != c.want || got.Message != c.text || got.Accepted {
			t.Errorf("failed(%q) = %+v, want %s with the text, not accepted", c.text, got, c.want)
		}
	}
	err := failed("send", "Invalid Access")
	if !strings.Contains(err.Error(), "credential") {
		t.Errorf("auth error %q does not point at the credentials", err)
	}
}

func TestSendReadsTheIDAsNumberOrString(t *testing.T) {
	for _, body := range []string{`{"Status":"Success","Result":389091764}`, `{"Status":"Success","Result":"389091764"}`} {
		rc, err := openURL(t, rawAnswer(t, body)).Send(context.Background(), gatewaytest.SampleFax("k"))
		if err != nil || rc.ID != "389091764" {
			t.Errorf("Send answered %s = %+v, %v; want id 389091764", body, rc, err)
		}
	}
}

func TestSendAnswersThatMayHideAQueuedFaxAreAccepted(t *testing.T) {
	for _, body := range []string{`{"Status":"Success","Result":""}`, `{"Status":"Maybe"}`, `not json`} {
		_, err := openURL(t, rawAnswer(t, body)).Send(context.Background(), gatewaytest.SampleFax("k"))
		ge, ok := gateway.AsError(err)
		if !ok || ge.Reason != gateway.ReasonGatewayError || !ge.Accepted {
			t.Errorf("Send answered %s = %v; want gateway-error, maybe accepted", body, err)
		}
	}
	_, err := openURL(t, rawAnswer(t, `{"Status":"Failed","Result":"No Files to Fax"}`)).Send(context.Background(), gatewaytest.SampleFax("k"))
	if ge, ok := gateway.AsError(err); !ok || ge.Accepted || ge.Reason != gateway.ReasonRejected {
		t.Errorf("Send answered Failed = %v; want rejected, not accepted", err)
	}
}

func TestStatusReadsAnObjectOrAnArrayOfOne(t *testing.T) {
	rec := `{"FileName":"x|7","SentStatus":"Failed","ErrorCode":"Busy","EpochTime":"1767323045","Pages":"1"}`
	for _, body := range []string{`{"Status":"Success","Result":` + rec + `}`, `{"Status":"Success","Result":[` + rec + `]}`} {
		st, err := openURL(t, rawAnswer(t, body)).Status(context.Background(), "7")
		if err != nil || st.State != gateway.Failed || st.Reason != gateway.ReasonBusy || st.Code != "Busy" || !st.Retryable || st.Updated.IsZero() {
			t.Errorf("Status from %s = %+v, %v; want failed busy", body, st, err)
		}
	}
	if _, err := openURL(t, rawAnswer(t, `{"Status":"Success","Result":[]}`)).Status(context.Background(), "7"); err == nil {
		t.Errorf("Status of an empty record list: no error")
	}
}

func TestLookupMatchesTheAccountCodeNewestFirst(t *testing.T) {
	long := strings.Repeat("0123456789abcdef", 2) + "-12025550142-1"
	code := gateway.KeyField(long, AccountCodeMax)
	body := `{"Status":"Success","Result":[
		{"FileName":"a|1","SentStatus":"Sent","EpochTime":100,"ToFaxNumber":"12025550142","AccountCode":"` + code + `"},
		{"FileName":"a|2","SentStatus":"Failed","EpochTime":200,"ToFaxNumber":"01150224119191","AccountCode":"` + code + `"},
		{"FileName":"a|3","SentStatus":"Sent","EpochTime":300,"ToFaxNumber":"12025550142","AccountCode":"other"}]}`
	rc, found, err := openURL(t, rawAnswer(t, body)).Lookup(context.Background(), long)
	if err != nil || !found || rc.ID != "2" || rc.State != gateway.Failed || rc.To != "+50224119191" || rc.Submitted.Unix() != 200 {
		t.Fatalf("Lookup = %+v, %v, %v; want fax 2, the newest with the key", rc, found, err)
	}
	for _, empty := range []string{`{"Status":"Success","Result":[]}`, `{"Status":"Success","Result":""}`, `{"Status":"Success","Result":null}`} {
		if _, found, err := openURL(t, rawAnswer(t, empty)).Lookup(context.Background(), long); found || err != nil {
			t.Errorf("Lookup in %s = %v, %v; want not found", empty, found, err)
		}
	}
}

func TestCheckWithBadCredentialsIsAuth(t *testing.T) {
	err := openURL(t, rawAnswer(t, `{"Status":"Failed","Result":"Invalid Access"}`)).Check(context.Background())
	if ge, ok := gateway.AsError(err); !ok || ge.Reason != gateway.ReasonAuth {
		t.Fatalf("Check with bad credentials = %v, want auth", err)
	}
}

func TestStateOfEverySentStatus(t *testing.T) {
	for word, want := range map[string]gateway.State{
		"In Progress": gateway.Sending, "Sending Email": gateway.Sending, "Sent": gateway.Delivered,
		"Failed": gateway.Failed, "Unknown": "", "": "",
	} {
		if got := stateOf(word); got != want {
			t.Errorf("stateOf(%q) = %q, want %q", word, got, want)
		}
	}
	if st := statusOf(record{SentStatus: "Queued Later"}); st.State != gateway.Sending || st.Code != "Queued Later" {
		t.Errorf("statusOf(unknown word) = %+v, want sending with the word kept", st)
	}
	if st := statusOf(record{SentStatus: "Sent", Pages: "2"}); st.State != gateway.Delivered || st.Pages != 2 {
		t.Errorf("statusOf(Sent) = %+v, want delivered, 2 pages", st)
	}
}

func TestReasonOfErrorCodeText(t *testing.T) {
	for text, want := range map[string]gateway.Reason{
		"Busy": gateway.ReasonBusy, "BUSY ": gateway.ReasonBusy,
		"No Answer":               gateway.ReasonNoAnswer,
		"No Remote Fax":           gateway.ReasonNotAFax,
		"No fax tone":             gateway.ReasonNotAFax,
		"Number Not In Service":   gateway.ReasonInvalidNumber,
		"Insufficient Funds":      gateway.ReasonRejected,
		"Fax Communication Error": gateway.ReasonLineError,
		"":                        gateway.ReasonGatewayError,
		"Something new":           gateway.ReasonGatewayError,
	} {
		if got := reasonOf(text); got != want {
			t.Errorf("reasonOf(%q) = %q, want %q", text, got, want)
		}
	}
}

func TestOpenReadsTheURL(t *testing.T) {
	for _, c := range []struct{ raw, caller, endpoint, err string }{
		{raw: "srfax://123:p@?caller_id=2025550100&sender_email=a@example.org", caller: "2025550100", endpoint: DefaultEndpoint},
		{raw: "srfax://123:p@?caller_id=%2B12025550100&sender_email=a@example.org&endpoint=http://127.0.0.1:9/x.php", caller: "2025550100", endpoint: "http://127.0.0.1:9/x.php"},
		{raw: "srfax://123:p@?caller_id=+12025550100&sender_email=a@example.org", caller: "2025550100", endpoint: DefaultEndpoint},
		{raw: "srfax://123:p@?sender_email=a@example.org", err: "missing caller_id"},
		{raw: "srfax://123:p@?caller_id=2025550100", err: "missing sender_email"},
		{raw: "srfax://123@?caller_id=2025550100&sender_email=a@example.org", err: "missing password"},
		{raw: "srfax://abc:p@?caller_id=2025550100&sender_email=a@example.org", err: "account number"},
		{raw: "srfax://123:p@?caller_id=555&sender_email=a@example.org", err: "10 digits"},
		{raw: "srfax://123:p@?caller_id=%2B442079460000&sender_email=a@example.org", err: "North American"},
		{raw: "srfax://123:p@?caller_id=2025550100&sender_email=nobody", err: "sender_email"},
		{raw: "srfax://123:p@host?caller_id=2025550100&sender_email=a@example.org", err: "nothing goes after the @"},
		{raw: "srfax://123:p@?caller_id=2025550100&sender_email=a@example.org&from_email=x", err: "unknown option"},
	} {
		g, ok := gatewaytest.OpenCase(t, Driver(), c.raw, c.err)
		if !ok {
			continue
		}
		if sg := g.(*Gateway); sg.callerID != c.caller || sg.endpoint != c.endpoint || sg.accessID != "123" {
			t.Errorf("open(%s) = caller %q endpoint %q", c.raw, sg.callerID, sg.endpoint)
		}
	}
}

func FuzzOpen(f *testing.F) {
	f.Add("12345", "secret", "", "caller_id=2025550100&sender_email=a@example.org")
	f.Add("1", "p", "host", "caller_id=%2B1&sender_email=%zz&endpoint=http://[::1")
	f.Add("", "", "", "caller_id=+44&sender_email=<a@b>")
	f.Fuzz(func(t *testing.T, id, password, host, query string) {
		const mark = "S3CRET-"
		raw := "srfax://" + url.UserPassword(id, mark+password).String() + "@" + host + "?" + query
		gatewaytest.OpenHidesSecret(t, Driver(), raw, mark)
	})
}
