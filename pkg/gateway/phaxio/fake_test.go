package phaxio

import (
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
	fakeKey    = "0123456789abcdef"
	fakeSecret = "fedcba9876543210"
)

var e164 = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

// phaxioErrors says each reason the way Phaxio does, on the recipient:
// error_type, error_id, error_message (phaxio.com/docs/errorMessages).
var phaxioErrors = map[gateway.Reason]struct {
	typ string
	id  int
	msg string
}{
	gateway.ReasonBusy:          {"lineError", 17, "Busy"},
	gateway.ReasonNoAnswer:      {"lineError", 16, "Ring Timeout"},
	gateway.ReasonNotAFax:       {"lineError", 30, "No answer from the fax machine."},
	gateway.ReasonInvalidNumber: {"lineError", 49, "The Receiving Phone Number Is Not Operational"},
	gateway.ReasonRejected:      {"lineError", 50, "Call rejected"},
	gateway.ReasonLineError:     {"lineError", 11, "The call dropped prematurely"},
	gateway.ReasonDocument:      {"documentConversionError", 4, "There was a problem in converting and merging files to the output file format. Contact support."},
	gateway.ReasonGatewayError:  {"generalError", 1, "An unexpected error occurred"},
}

// fake is the Phaxio API v2.1 as docs/gateways.md §2b documents it:
// Basic auth api_key:api_secret, POST /faxes as multipart/form-data (to,
// file part with a filename, tag[NAME]) answered {"success","message",
// "data":{"id"}} with a numeric id, GET /faxes/{id} with recipients, the
// list with direction, tag[NAME], created_after and paging, and GET
// /account/status. Errors are {"success":false,"message"}.
type fake struct {
	gatewaytest.Script
	t *testing.T
}

func startFake(t *testing.T) (string, *fake) {
	f := &fake{t: t}
	srv := gatewaytest.StartHTTP(t, f)
	return "phaxio://" + fakeKey + ":" + fakeSecret + "@?endpoint=" + url.QueryEscape(srv.URL+"/v2.1"), f
}

func phaxioError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"success":false,"message":%q}`, msg)
}

func ok(w http.ResponseWriter, msg string, data any) {
	gatewaytest.WriteJSON(w, http.StatusOK, map[string]any{"success": true, "message": msg, "data": data})
}

func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !gatewaytest.CheckBasic(f.t, r, fakeKey, fakeSecret) {
		phaxioError(w, http.StatusUnauthorized, "You must provide API credentials for this operation (HTTP auth or api_key and api_secret).")
		return
	}
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/v2.1/faxes":
		f.send(w, r)
	case r.Method == http.MethodGet && r.URL.Path == "/v2.1/faxes":
		f.list(w, r)
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/v2.1/faxes/"):
		f.get(w, strings.TrimPrefix(r.URL.Path, "/v2.1/faxes/"))
	case r.Method == http.MethodGet && r.URL.Path == "/v2.1/account/status":
		ok(w, "Account status retrieved successfully", map[string]int{"balance": 5050, "faxes_today": 0, "faxes_this_month": 3})
	default:
		f.t.Errorf("fake phaxio: %s %s is not part of the contract", r.Method, r.URL.Path)
		phaxioError(w, http.StatusNotFound, "The requested resource could not be found.")
	}
}

func answerProtocol(w http.ResponseWriter, r *http.Request, o gatewaytest.Outcome) bool {
	return gatewaytest.HTTPProtocolAs(w, r, o, `{"success":true,"data":{"id":`, func(w http.ResponseWriter, status int) {
		phaxioError(w, status, map[int]string{
			http.StatusUnauthorized:        "The api credentials you provided are invalid.",
			http.StatusTooManyRequests:     "Rate limit exceeded",
			http.StatusInternalServerError: "An internal error occurred",
		}[status])
	})
}

func (f *fake) send(w http.ResponseWriter, r *http.Request) {
	fields, files, readable := gatewaytest.ReadMultipart(f.t, r)
	if !readable {
		phaxioError(w, http.StatusUnprocessableEntity, "Invalid request")
		return
	}
	tags := map[string]string{}
	for k, v := range fields {
		switch {
		case k == "to", k == "callback_url": // callback_url: documented by create_and_send_fax
		case k == "header_text":
			if n := len([]rune(v)); n > 50 {
				f.t.Errorf("fake phaxio: header_text of %d characters, Phaxio takes 50", n)
			}
		case strings.HasPrefix(k, "tag[") && strings.HasSuffix(k, "]"):
			tags[strings.TrimSuffix(strings.TrimPrefix(k, "tag["), "]")] = v
		default:
			f.t.Errorf("fake phaxio: send has field %q faxjam does not send", k)
		}
	}
	to := fields["to"]
	if !e164.MatchString(to) {
		f.t.Errorf("fake phaxio: to %q, want E.164", to)
		phaxioError(w, http.StatusUnprocessableEntity, "Phone number is not formatted correctly")
		return
	}
	pdf, one := gatewaytest.OneFile(f.t, files, "file", "")
	if !one {
		phaxioError(w, http.StatusUnprocessableEntity, "You must provide a file or content_url")
		return
	}
	o := f.Take()
	if answerProtocol(w, r, o) {
		return
	}
	job := f.Accept("32303481", gatewaytest.Received{To: to, PDF: pdf, Key: tags[TagKey], Header: fields["header_text"]}, o)
	id, _ := strconv.Atoi(job.ID)
	ok(w, "Fax queued for sending", map[string]int{"id": id})
}

func faxJSON(j gatewaytest.Job, status string) map[string]any {
	id, _ := strconv.Atoi(j.ID)
	rcp := map[string]any{"phone_number": gatewaytest.Number, "status": status, "retry_count": 0,
		"bitrate": nil, "resolution": nil, "completed_at": nil, "error_type": nil, "error_id": nil, "error_message": nil}
	m := map[string]any{
		"id": id, "direction": "sent", "num_pages": 1, "status": status, "is_test": true,
		"created_at": "2026-01-02T03:04:05.000-06:00", "caller_id": "+12025550100", "from_number": nil,
		"completed_at": nil, "cost": 7, "tags": map[string]string{}, "recipients": []any{rcp},
		"error_type": nil, "error_id": nil, "error_message": nil,
	}
	if j.Key != "" {
		m["tags"] = map[string]string{TagKey: j.Key}
	}
	switch status {
	case "success":
		m["completed_at"], rcp["completed_at"], rcp["bitrate"], rcp["resolution"] = "2026-01-02T03:05:05.000-06:00", "2026-01-02T03:05:05.000-06:00", 14400, 8040
	case "failure":
		e := phaxioErrors[j.Outcome.Reason]
		m["completed_at"] = "2026-01-02T03:05:05.000-06:00"
		m["error_type"], m["error_id"], m["error_message"] = e.typ, e.id, e.msg
		rcp["error_type"], rcp["error_id"], rcp["error_message"] = e.typ, e.id, e.msg
	}
	return m
}

func (f *fake) get(w http.ResponseWriter, id string) {
	j, found := f.Poll(id)
	if !found {
		phaxioError(w, http.StatusNotFound, "Fax not found")
		return
	}
	ok(w, "Metadata for fax", faxJSON(j, gatewaytest.Phase(j, "inprogress", "failure", "success")))
}

func (f *fake) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var tagName, tagValue string
	for k := range q {
		switch {
		case k == "created_before" || k == "created_after" || k == "direction" || k == "status" ||
			k == "phone_number" || k == "per_page" || k == "page":
		case strings.HasPrefix(k, "tag[") && strings.HasSuffix(k, "]"):
			tagName, tagValue = strings.TrimSuffix(strings.TrimPrefix(k, "tag["), "]"), q.Get(k)
		default:
			f.t.Errorf("fake phaxio: list query %q is not documented", k)
		}
	}
	if d := q.Get("direction"); d != "" && d != "sent" && d != "received" {
		f.t.Errorf("fake phaxio: direction %q, want sent or received", d)
	}
	if c := q.Get("created_after"); c != "" {
		if _, err := time.Parse(time.RFC3339, c); err != nil {
			f.t.Errorf("fake phaxio: created_after %q is not RFC 3339", c)
		}
	}
	perPage, page, inRange := gatewaytest.Paging(f.t, q, "per_page", "page", 20, 1000)
	if !inRange {
		phaxioError(w, http.StatusUnprocessableEntity, "Invalid paging")
		return
	}
	var match []gatewaytest.Job
	jobs := f.Jobs()
	for i := len(jobs) - 1; i >= 0; i-- { // newest first
		if tagName == "" || (tagName == TagKey && jobs[i].Key == tagValue) {
			match = append(match, jobs[i])
		}
	}
	data := []any{}
	for i := (page - 1) * perPage; i < len(match) && i < page*perPage; i++ {
		data = append(data, faxJSON(match[i], "queued"))
	}
	gatewaytest.WriteJSON(w, http.StatusOK, map[string]any{"success": true, "message": "Retrieved faxes successfully", "data": data,
		"paging": map[string]int{"total": len(match), "per_page": perPage, "page": page}})
}
