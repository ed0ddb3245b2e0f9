package interfax

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/gateway/gatewaytest"
)

const (
	fakeUser     = "campaign-office"
	fakePassword = "S3cret-pw"
)

var e164Pattern = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

// failureCodes says each reason the way InterFAX does: a positive integer
// status (only the codes this driver could verify).
var failureCodes = map[gateway.Reason]int{
	gateway.ReasonBusy:      263,
	gateway.ReasonLineError: 2,
	gateway.ReasonRejected:  205000,
}

// sendParams are the documented query parameters of POST /outbound/faxes.
var sendParams = map[string]bool{
	"faxNumber": true, "contact": true, "postponeTime": true, "retriesToPerform": true, "csid": true,
	"pageHeader": true, "reference": true, "replyAddress": true, "pageSize": true, "fitToPage": true,
	"pageOrientation": true, "resolution": true, "rendering": true,
}

// searchParams are the documented query parameters of GET /outbound/search.
var searchParams = map[string]bool{
	"ids": true, "reference": true, "dateFrom": true, "dateTo": true, "status": true,
	"userId": true, "faxNumber": true, "limit": true, "offset": true,
}

// fake is the InterFAX REST API as docs/gateways.md §3 documents it:
// Basic auth, POST /outbound/faxes with options in the query and the PDF as
// the body (Content-Type application/pdf), answered 201 with Location; GET
// /outbound/faxes/{id} with the integer status; GET /outbound/search by
// reference; GET /outbound/faxes?limit. Errors are {"code","message","more_info"}.
type fake struct {
	gatewaytest.Script
	t   *testing.T
	url string
}

func startFake(t *testing.T) (string, *fake) {
	f := &fake{t: t}
	srv := gatewaytest.StartHTTP(t, f)
	f.url = srv.URL
	return "interfax://" + fakeUser + ":" + fakePassword + "@?csid=%2B12025550100&endpoint=" + url.QueryEscape(srv.URL), f
}

func interfaxError(w http.ResponseWriter, status, code int, msg, more string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"code":%d,"message":%q,"more_info":%q}`, code, msg, more)
}

func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !gatewaytest.CheckBasic(f.t, r, fakeUser, fakePassword) {
		interfaxError(w, http.StatusUnauthorized, -1003, "Unauthorized", "Authentication error")
		return
	}
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/outbound/faxes":
		f.send(w, r)
	case r.Method == http.MethodGet && r.URL.Path == "/outbound/faxes":
		f.list(w, r)
	case r.Method == http.MethodGet && r.URL.Path == "/outbound/search":
		f.search(w, r)
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/outbound/faxes/"):
		f.get(w, strings.TrimPrefix(r.URL.Path, "/outbound/faxes/"))
	default:
		f.t.Errorf("fake interfax: %s %s is not part of the contract", r.Method, r.URL.Path)
		interfaxError(w, http.StatusNotFound, -1005, "Not found", "")
	}
}

func (f *fake) send(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	for k := range q {
		if !sendParams[k] {
			f.t.Errorf("fake interfax: send query parameter %q is not documented", k)
		}
	}
	to := q.Get("faxNumber")
	if !e164Pattern.MatchString(to) {
		f.t.Errorf("fake interfax: faxNumber %q, want +E164", to)
		interfaxError(w, http.StatusBadRequest, -112, "Invalid fax number", "faxNumber "+to+" is not a valid fax number")
		return
	}
	if ref := q.Get("reference"); len(ref) > ReferenceMax {
		f.t.Errorf("fake interfax: reference is %d characters, InterFAX takes %d", len(ref), ReferenceMax)
	}
	if csid := q.Get("csid"); len(csid) > gateway.CSIDMax {
		f.t.Errorf("fake interfax: csid is %d characters, InterFAX takes %d", len(csid), gateway.CSIDMax)
	}
	if res := q.Get("resolution"); res != "" && res != "fine" && res != "standard" {
		f.t.Errorf("fake interfax: resolution %q", res)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/pdf" {
		f.t.Errorf("fake interfax: send Content-Type %q, want application/pdf (the document is the body)", ct)
	}
	pdf, err := io.ReadAll(r.Body)
	if err != nil || len(pdf) == 0 {
		f.t.Errorf("fake interfax: send body: %d bytes, %v", len(pdf), err)
		interfaxError(w, http.StatusBadRequest, -123, "No valid documents attached", "")
		return
	}
	o := f.Take()
	if gatewaytest.HTTPProtocol(w, r, o, `{"id":`) {
		return
	}
	job := f.Accept("13120140929", gatewaytest.Received{To: to, PDF: pdf, Key: q.Get("reference")}, o)
	w.Header().Set("Location", f.url+"/outbound/faxes/"+job.ID)
	w.WriteHeader(http.StatusCreated)
}

func (f *fake) faxJSON(j gatewaytest.Job, status int) map[string]any {
	id, _ := strconv.ParseInt(j.ID, 10, 64)
	m := map[string]any{
		"id": id, "uri": f.url + "/outbound/faxes/" + j.ID, "status": status, "userId": fakeUser,
		"pagesSent": 0, "completionTime": "2026-01-02T03:05:05Z", "remoteCSID": "", "duration": 0,
		"priority": 0, "units": 0, "costPerUnit": 0.09, "attemptsMade": 1, "pageSize": "A4",
		"pageOrientation": "Portrait", "pageResolution": "Fine", "rendering": "Standard", "pageHeader": "",
		"submitTime": "2026-01-02T03:04:05Z", "subject": "", "destinationFax": gatewaytest.Number,
		"replyEmail": "", "pagesSubmitted": 1, "senderCSID": "+12025550100", "attemptsToPerform": 1, "contact": "",
		"reference": j.Key,
	}
	if status == 0 {
		m["pagesSent"] = 1
	}
	return m
}

func (f *fake) get(w http.ResponseWriter, id string) {
	j, ok := f.Poll(id)
	if !ok {
		interfaxError(w, http.StatusNotFound, -1005, "Transaction does not exist", "Transaction ID "+id+" not found")
		return
	}
	// -3 is InterFAX's "in progress"; 0 delivered.
	gatewaytest.WriteJSON(w, http.StatusOK, f.faxJSON(j, gatewaytest.Phase(j, -3, failureCodes[j.Outcome.Reason], 0)))
}

func (f *fake) search(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	for k := range q {
		if !searchParams[k] {
			f.t.Errorf("fake interfax: search parameter %q is not documented", k)
		}
	}
	ref := q.Get("reference")
	out := []map[string]any{}
	jobs := f.Jobs()
	for i := len(jobs) - 1; i >= 0; i-- { // newest first
		if ref == "" || jobs[i].Key == ref {
			out = append(out, f.faxJSON(jobs[i], -2))
		}
	}
	gatewaytest.WriteJSON(w, http.StatusOK, out)
}

func (f *fake) list(w http.ResponseWriter, r *http.Request) {
	for k := range r.URL.Query() {
		switch k {
		case "limit", "lastId", "sortOrder", "userId":
		default:
			f.t.Errorf("fake interfax: list parameter %q is not documented", k)
		}
	}
	if n, err := strconv.Atoi(r.URL.Query().Get("limit")); r.URL.Query().Has("limit") && (err != nil || n < 1 || n > 250) {
		f.t.Errorf("fake interfax: limit %q out of range 1..250", r.URL.Query().Get("limit"))
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprint(w, `[]`)
}
