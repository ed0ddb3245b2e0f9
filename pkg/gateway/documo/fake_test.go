package documo

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/gateway/gatewaytest"
)

const fakeKey = "eyJhbGciOiJIUzI1NiJ9.fake-documo-key"

var digitsOnly = regexp.MustCompile(`^[1-9][0-9]{6,14}$`)

// failures says each reason as a failed fax's texts. Documo's result code
// list is not published where it could be found: the codes are
// illustrative, the words are the common fax-platform wording the driver
// reads.
var failures = map[gateway.Reason]struct{ code, info string }{
	gateway.ReasonBusy:          {"17", "User busy"},
	gateway.ReasonNoAnswer:      {"19", "No answer"},
	gateway.ReasonNotAFax:       {"30", "No fax tone detected"},
	gateway.ReasonInvalidNumber: {"1", "Unallocated number"},
	gateway.ReasonRejected:      {"21", "Call rejected"},
	gateway.ReasonLineError:     {"41", "Call dropped"},
	gateway.ReasonDocument:      {"500", "File could not be rendered"},
	gateway.ReasonGatewayError:  {"999", "Internal error"},
}

// fake is the Documo API as docs/gateways.md §5 documents it: the raw
// key after "Basic", POST /v1/faxes as multipart/form-data (faxNumber in
// digits, attachments file part) answered with the fax JSON (messageId,
// status processing), GET /v1/fax/{id}/info, GET /v1/fax/history. Errors
// are {"error":{"name","message"}} with 4xx/5xx.
type fake struct {
	gatewaytest.Script
	t *testing.T
}

func startFake(t *testing.T) (string, *fake) {
	f := &fake{t: t}
	srv := gatewaytest.StartHTTP(t, f)
	return "documo://" + fakeKey + "@?endpoint=" + url.QueryEscape(srv.URL), f
}

func documoError(w http.ResponseWriter, status int, name, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"error":{"name":%q,"message":%q}}`, name, msg)
}

func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if got := r.Header.Get("Authorization"); got != "Basic "+fakeKey {
		f.t.Errorf("fake documo: Authorization %q, want Basic and the raw API key", got)
		documoError(w, http.StatusUnauthorized, "UnauthorizedError", "Invalid API key")
		return
	}
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/v1/faxes":
		f.send(w, r)
	case r.Method == http.MethodGet && r.URL.Path == "/v1/fax/history":
		f.history(w, r)
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/v1/fax/") && strings.HasSuffix(r.URL.Path, "/info"):
		f.info(w, strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/v1/fax/"), "/info"))
	default:
		f.t.Errorf("fake documo: %s %s is not part of the contract", r.Method, r.URL.Path)
		documoError(w, http.StatusNotFound, "NotFoundError", "Not found")
	}
}

func (f *fake) send(w http.ResponseWriter, r *http.Request) {
	fields, files, readable := gatewaytest.ReadMultipart(f.t, r)
	if !readable {
		documoError(w, http.StatusBadRequest, "ValidationError", "Invalid request")
		return
	}
	for k := range fields {
		switch k {
		case "faxNumber", "recipientName", "senderName", "subject", "notes", "callerId", "coverPage", "scheduledDate":
		default:
			f.t.Errorf("fake documo: send has field %q faxjam does not send", k)
		}
	}
	num := fields["faxNumber"]
	if !digitsOnly.MatchString(num) {
		f.t.Errorf("fake documo: faxNumber %q, want digits with the country code, no +", num)
		documoError(w, http.StatusBadRequest, "ValidationError", "faxNumber is not a valid phone number")
		return
	}
	pdf, one := gatewaytest.OneFile(f.t, files, "attachments", "application/pdf")
	if !one {
		documoError(w, http.StatusBadRequest, "ValidationError", "attachments are required")
		return
	}
	o := f.Take()
	if gatewaytest.HTTPProtocol(w, r, o, `{"messageId":`) {
		return
	}
	job := f.Accept("d1077489-5ea1-4db1-9760-853f175e82", gatewaytest.Received{To: "+" + num, PDF: pdf}, o)
	gatewaytest.WriteJSON(w, http.StatusOK, faxJSON(*job, "processing"))
}

func faxJSON(j gatewaytest.Job, status string) map[string]any {
	m := map[string]any{
		"messageId": j.ID, "status": status, "faxNumber": gatewaytest.Number, "faxCallerId": "2025550100",
		"faxCsid": "mFax", "direction": "outbound", "pagesCount": 1, "pagesComplete": 0, "isArchived": false,
		"resultCode": nil, "resultInfo": nil, "errorCode": nil, "errorInfo": nil, "duration": nil,
		"resolvedDate": nil, "createdAt": "2026-01-02T03:04:05.000Z", "deliveryId": nil, "tags": []any{},
		"channelType": "api", "processingStatusName": status,
	}
	switch status {
	case "success":
		m["resultCode"], m["resultInfo"], m["pagesComplete"], m["resolvedDate"], m["duration"] = "0", "OK", 1, "2026-01-02T03:05:05.000Z", 41235
	case "failed":
		e := failures[j.Outcome.Reason]
		m["resultCode"], m["resultInfo"], m["resolvedDate"] = e.code, e.info, "2026-01-02T03:05:05.000Z"
	}
	return m
}

func (f *fake) info(w http.ResponseWriter, id string) {
	j, ok := f.Poll(id)
	if !ok {
		documoError(w, http.StatusNotFound, "NotFoundError", "Fax not found")
		return
	}
	gatewaytest.WriteJSON(w, http.StatusOK, faxJSON(j, gatewaytest.Phase(j, "processing", "failed", "success")))
}

func (f *fake) history(w http.ResponseWriter, r *http.Request) {
	for k := range r.URL.Query() {
		switch k {
		case "limit", "offset", "direction", "status", "fromDate", "toDate":
		default:
			f.t.Errorf("fake documo: history parameter %q is not one faxjam expects", k)
		}
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprint(w, `{"rows":[],"count":0}`)
}
