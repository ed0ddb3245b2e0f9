package srfax

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/gateway/gatewaytest"
)

const (
	fakeAccess   = "12345"
	fakePassword = "S3cret-pw"
	fakeCaller   = "2025550100"
	fakeEmail    = "organizer@example.org"
	fakePath     = "/SRF_SecWebSvc.php"
)

// authFailure is how SRFax refuses bad credentials: HTTP 200, Status Failed
// (wording as mfridman/srfax records it).
const authFailure = "Forbidden: Access is denied / Invalid Authentication."

var (
	nanp = regexp.MustCompile(`^1[2-9][0-9]{9}$`)
	intl = regexp.MustCompile(`^011[2-9][0-9]{6,14}$`)
	ymd  = regexp.MustCompile(`^20[0-9]{6}$`)
)

// errorCodes says each reason as SRFax's free-text ErrorCode. Busy, No
// Answer and No Remote Fax are the documented frequent ones; the others
// are plausible wording, read by gateway.ReasonFromText.
var errorCodes = map[gateway.Reason]string{
	gateway.ReasonBusy:          "Busy",
	gateway.ReasonNoAnswer:      "No Answer",
	gateway.ReasonNotAFax:       "No Remote Fax",
	gateway.ReasonInvalidNumber: "Number Not In Service",
	gateway.ReasonRejected:      "Insufficient Funds",
	gateway.ReasonLineError:     "Fax Communication Error",
	gateway.ReasonDocument:      "File Conversion Error - unsupported document",
	gateway.ReasonGatewayError:  "Unspecified Error",
}

// queueFields are Queue_Fax's documented POST variables (srfax.com
// queue_fax), one file.
var queueFields = map[string]bool{
	"action": true, "access_id": true, "access_pwd": true, "sCallerID": true, "sSenderEmail": true,
	"sFaxType": true, "sToFaxNumber": true, "sResponseFormat": true, "sAccountCode": true, "sRetries": true,
	"sCoverPage": true, "sFaxFromHeader": true, "sCPFromName": true, "sCPToName": true, "sCPOrganization": true,
	"sCPSubject": true, "sCPComments": true, "sFileName_1": true, "sFileContent_1": true, "sNotifyURL": true,
	"sQueueFaxDate": true, "sQueueFaxTime": true,
}

// fake is SRFax's web service as docs/gateways.md §4 documents it: one
// POST endpoint taking a JSON body with action, access_id (a number) and
// access_pwd; answers are HTTP 200 {"Status":"Success"|"Failed","Result"}.
// It speaks Queue_Fax, Get_FaxStatus (Result as a one-element array, as
// srfax.py expects), Get_Fax_Outbox and Get_Fax_Usage.
type fake struct {
	gatewaytest.Script
	t *testing.T
}

func startFake(t *testing.T) (string, *fake) {
	f := &fake{t: t}
	srv := gatewaytest.StartHTTP(t, f)
	return "srfax://" + fakeAccess + ":" + fakePassword + "@?caller_id=" + fakeCaller +
		"&sender_email=" + url.QueryEscape(fakeEmail) + "&endpoint=" + url.QueryEscape(srv.URL+fakePath), f
}

func answer(w http.ResponseWriter, status string, result any) {
	gatewaytest.WriteJSON(w, http.StatusOK, map[string]any{"Status": status, "Result": result})
}

func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != fakePath {
		f.t.Errorf("fake srfax: %s %s; SRFax has one endpoint, POST %s", r.Method, r.URL.Path, fakePath)
		http.NotFound(w, r)
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		f.t.Errorf("fake srfax: Content-Type %q, want application/json", ct)
	}
	var body map[string]any
	dec := json.NewDecoder(r.Body)
	dec.UseNumber()
	if err := dec.Decode(&body); err != nil {
		f.t.Errorf("fake srfax: body is not JSON: %v", err)
		answer(w, "Failed", "Invalid request")
		return
	}
	if id, ok := body["access_id"].(json.Number); !ok || id.String() != fakeAccess {
		f.t.Errorf("fake srfax: access_id %v (%T), want the account number %s as an integer", body["access_id"], body["access_id"], fakeAccess)
		answer(w, "Failed", authFailure)
		return
	}
	if pwd, _ := body["access_pwd"].(string); pwd != fakePassword {
		f.t.Errorf("fake srfax: access_pwd is not the account password")
		answer(w, "Failed", authFailure)
		return
	}
	if rf, ok := body["sResponseFormat"]; ok && rf != "JSON" {
		f.t.Errorf("fake srfax: sResponseFormat %v, want JSON", rf)
	}
	switch body["action"] {
	case "Queue_Fax":
		f.queue(w, r, body)
	case "Get_FaxStatus":
		f.status(w, body)
	case "Get_Fax_Outbox":
		f.outbox(w, body)
	case "Get_Fax_Usage":
		answer(w, "Success", []map[string]any{{"Period": "ALL", "ClientName": "Campaign", "BillingNumber": "",
			"UserID": 12345, "SubUserID": 0, "NumberOfFaxes": len(f.Jobs()), "NumberOfPages": len(f.Jobs())}})
	default:
		f.t.Errorf("fake srfax: action %v is not part of the contract", body["action"])
		answer(w, "Failed", "Invalid Action")
	}
}

func (f *fake) queue(w http.ResponseWriter, r *http.Request, body map[string]any) {
	for k := range body {
		if !queueFields[k] {
			f.t.Errorf("fake srfax: Queue_Fax has field %q, not a documented POST variable", k)
		}
	}
	str := func(k string) string { s, _ := body[k].(string); return s }
	if c, ok := body["sCallerID"].(json.Number); !ok || len(c.String()) != 10 || c.String() != fakeCaller {
		f.t.Errorf("fake srfax: sCallerID %v, want the 10-digit number %s", body["sCallerID"], fakeCaller)
	}
	if str("sSenderEmail") != fakeEmail {
		f.t.Errorf("fake srfax: sSenderEmail %q, want %q", str("sSenderEmail"), fakeEmail)
	}
	if str("sFaxType") != "SINGLE" {
		f.t.Errorf("fake srfax: sFaxType %q, want SINGLE", str("sFaxType"))
	}
	if n, ok := body["sRetries"].(json.Number); !ok || n.String() != "0" {
		f.t.Errorf("fake srfax: sRetries %v, want 0 (faxjam retries, not SRFax)", body["sRetries"])
	}
	if code := str("sAccountCode"); len(code) > AccountCodeMax {
		f.t.Errorf("fake srfax: sAccountCode is %d characters, SRFax takes %d", len(code), AccountCodeMax)
	}
	to := str("sToFaxNumber")
	var e164 string
	switch {
	case nanp.MatchString(to):
		e164 = "+" + to
	case intl.MatchString(to):
		e164 = "+" + strings.TrimPrefix(to, "011")
	default:
		f.t.Errorf("fake srfax: sToFaxNumber %q, want 11 digits (1NXXNXXXXXX) or 011 + international number", to)
		answer(w, "Failed", "Invalid Fax Number")
		return
	}
	if name := str("sFileName_1"); !strings.HasSuffix(strings.ToLower(name), ".pdf") {
		f.t.Errorf("fake srfax: sFileName_1 %q, want a .pdf name (SRFax types files by extension)", name)
	}
	pdf, err := base64.StdEncoding.DecodeString(str("sFileContent_1"))
	if err != nil || len(pdf) == 0 {
		f.t.Errorf("fake srfax: sFileContent_1 is not base64 (%v)", err)
		answer(w, "Failed", "No Files to Fax")
		return
	}
	o := f.Take()
	switch o.Kind {
	case gatewaytest.Unauthorized:
		answer(w, "Failed", authFailure)
		return
	case gatewaytest.RateLimited:
		f.t.Errorf("fake srfax: SRFax documents no rate limit answer; the harness must not script one")
		answer(w, "Failed", "Rate limited")
		return
	}
	if gatewaytest.HTTPProtocol(w, r, o, `{"Status":"Success","Result":`) {
		return
	}
	job := f.Accept("38909176", gatewaytest.Received{To: e164, PDF: pdf, Key: str("sAccountCode")}, o)
	id, _ := strconv.ParseInt(job.ID, 10, 64)
	answer(w, "Success", id)
}

func recordJSON(j gatewaytest.Job, sent string) map[string]any {
	m := map[string]any{
		"FileName": "20260102030405-1234-34_1|" + j.ID, "SentStatus": sent,
		"DateQueued": "Jan 02/26 03:04 AM", "DateSent": "Jan 02/26 03:05 AM", "EpochTime": 1767323045,
		"ToFaxNumber": "12025550142", "Pages": 1, "Duration": 24, "RemoteID": "", "ErrorCode": "",
		"Size": 5000, "AccountCode": j.Key,
	}
	if sent == "Failed" {
		m["ErrorCode"] = errorCodes[j.Outcome.Reason]
	}
	return m
}

func (f *fake) status(w http.ResponseWriter, body map[string]any) {
	id, ok := body["sFaxDetailsID"].(json.Number)
	if !ok {
		f.t.Errorf("fake srfax: sFaxDetailsID %v (%T), want a number", body["sFaxDetailsID"], body["sFaxDetailsID"])
		answer(w, "Failed", "Invalid FaxDetailsID")
		return
	}
	j, found := f.Poll(id.String())
	if !found {
		answer(w, "Failed", "FaxDetailsID Not Found")
		return
	}
	answer(w, "Success", []any{recordJSON(j, gatewaytest.Phase(j, "In Progress", "Failed", "Sent"))})
}

func (f *fake) outbox(w http.ResponseWriter, body map[string]any) {
	str := func(k string) string { s, _ := body[k].(string); return s }
	switch str("sPeriod") {
	case "", "ALL":
	case "RANGE":
		start, end := str("sStartDate"), str("sEndDate")
		if !ymd.MatchString(start) || !ymd.MatchString(end) || start > end {
			f.t.Errorf("fake srfax: sPeriod RANGE with sStartDate %q, sEndDate %q; want YYYYMMDD, start ≤ end", start, end)
		}
		if s, err := time.Parse("20060102", start); err == nil && time.Since(s) < 24*time.Hour {
			f.t.Errorf("fake srfax: outbox range starts %s, which does not cover today's faxes", start)
		}
	default:
		f.t.Errorf("fake srfax: sPeriod %q, want ALL or RANGE", str("sPeriod"))
	}
	out := []any{}
	for _, j := range f.Jobs() {
		out = append(out, recordJSON(j, "In Progress"))
	}
	answer(w, "Success", out)
}

// rawAnswer serves one fixed body, for tests of single answers.
func rawAnswer(t *testing.T, body string) string {
	srv := gatewaytest.StartHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b bytes.Buffer
		b.ReadFrom(r.Body)
		if !json.Valid(b.Bytes()) {
			t.Errorf("request body is not JSON")
		}
		fmt.Fprint(w, body)
	}))
	return "srfax://1:p@?caller_id=2025550100&sender_email=a@example.org&endpoint=" + url.QueryEscape(srv.URL)
}
