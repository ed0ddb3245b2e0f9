package sinch

import (
	"fmt"
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
	fakeKeyID     = "0f1e2d3c-key-id"
	fakeKeySecret = "s3cr3t-key-secret"
	fakeProject   = "a1b2c3d4-project"
	fakeFrom      = "+12025550100"
)

var e164Pattern = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

// sinchErrors says each reason the way Sinch does: errorType, errorCode,
// errorMessage (Error-Messages page of the Fax API reference).
var sinchErrors = map[gateway.Reason]struct {
	typ  string
	code int
	msg  string
}{
	gateway.ReasonBusy:          {"CALL_ERROR", 17, "Busy"},
	gateway.ReasonNoAnswer:      {"CALL_ERROR", 16, "Ring Timeout"},
	gateway.ReasonNotAFax:       {"FAX_ERROR", 132, "No fax tone detected"},
	gateway.ReasonInvalidNumber: {"CALL_ERROR", 34, "Phone number not operational"},
	gateway.ReasonRejected:      {"FAX_ERROR", 46, "Insufficient funds"},
	gateway.ReasonLineError:     {"CALL_ERROR", 11, "The call dropped prematurely"},
	gateway.ReasonDocument:      {"DOCUMENT_CONVERSION_ERROR", 4, "There was a problem in converting and merging files to the output file format. Contact support."},
	gateway.ReasonGatewayError:  {"GENERAL_ERROR", 1, "Internal error"},
}

// fake is the Sinch Fax API v3 as docs/gateways.md §2a documents it:
// Basic auth with keyId:keySecret, POST /faxes as multipart/form-data (to,
// from, file part, labels[KEY] parts) answered with the Fax object, GET
// /faxes/{id}, and the list (direction, createTime, pageSize, page; key
// `faxes`). Errors come as {"code","error","message"}.
type fake struct {
	gatewaytest.Script
	t *testing.T
}

func startFake(t *testing.T) (string, *fake) {
	f := &fake{t: t}
	srv := gatewaytest.StartHTTP(t, f)
	raw := "sinch://" + fakeKeyID + ":" + fakeKeySecret + "@" + fakeProject + "?from=" + url.QueryEscape(fakeFrom) +
		"&endpoint=" + url.QueryEscape(srv.URL+"/v3")
	return raw, f
}

func sinchError(w http.ResponseWriter, status int, title, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"code":%q,"error":%q,"message":%q}`, strconv.Itoa(status), title, msg)
}

func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !gatewaytest.CheckBasic(f.t, r, fakeKeyID, fakeKeySecret) {
		sinchError(w, http.StatusUnauthorized, "Unauthorized", "Empty body, or you have the wrong API key, secret, or project.")
		return
	}
	prefix := "/v3/projects/" + fakeProject + "/faxes"
	switch {
	case r.Method == http.MethodPost && r.URL.Path == prefix:
		f.send(w, r)
	case r.Method == http.MethodGet && r.URL.Path == prefix:
		f.list(w, r)
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, prefix+"/"):
		f.get(w, strings.TrimPrefix(r.URL.Path, prefix+"/"))
	default:
		f.t.Errorf("fake sinch: %s %s is not part of the contract", r.Method, r.URL.Path)
		sinchError(w, http.StatusNotFound, "Not found", "The resource is not found, not available, or does not exist.")
	}
}

func answerProtocol(w http.ResponseWriter, r *http.Request, o gatewaytest.Outcome) bool {
	return gatewaytest.HTTPProtocolAs(w, r, o, `{"id": 17, "status": [`, func(w http.ResponseWriter, status int) {
		switch status {
		case http.StatusUnauthorized:
			sinchError(w, status, "Unauthorized", "Empty body, or you have the wrong API key, secret, or project.")
		case http.StatusTooManyRequests:
			sinchError(w, status, "Too many requests", "Rate limit exceeded")
		default:
			sinchError(w, status, "Internal server error", "Something went wrong")
		}
	})
}

func (f *fake) send(w http.ResponseWriter, r *http.Request) {
	fields, files, readable := gatewaytest.ReadMultipart(f.t, r)
	if !readable {
		sinchError(w, http.StatusBadRequest, "Bad Request", "malformed multipart body")
		return
	}
	labels := map[string]string{}
	for k, v := range fields {
		switch {
		case k == "to" || k == "from" || k == "headerText" || k == "headerTimeZone":
		case k == "headerPageNumbers":
			if v != "true" && v != "false" {
				f.t.Errorf("fake sinch: headerPageNumbers %q, want true or false", v)
			}
		case strings.HasPrefix(k, "labels[") && strings.HasSuffix(k, "]"):
			labels[strings.TrimSuffix(strings.TrimPrefix(k, "labels["), "]")] = v
		default:
			// A plain "labels" field (JSON text) is not what the SDKs send.
			f.t.Errorf("fake sinch: send has field %q faxjam does not send (labels travel as labels[KEY])", k)
		}
	}
	to, from := fields["to"], fields["from"]
	if !e164Pattern.MatchString(to) || (from != "" && !e164Pattern.MatchString(from)) {
		f.t.Errorf("fake sinch: to %q / from %q, want E.164 with the leading +", to, from)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnprocessableEntity)
		fmt.Fprintf(w, `{"code":"422","error":"Invalid parameters","message":"invalid","details":{"fieldViolations":[{"field":"to","description":"The (%s) is not a valid phone number"}]}}`, to)
		return
	}
	pdf, one := gatewaytest.OneFile(f.t, files, "file", "application/pdf")
	if !one {
		sinchError(w, http.StatusBadRequest, "Bad Request", "file or contentUrl is required")
		return
	}
	o := f.Take()
	if answerProtocol(w, r, o) {
		return
	}
	if n := len([]rune(fields["headerText"])); n > 50 {
		f.t.Errorf("fake sinch: headerText of %d characters, Sinch takes 50", n)
	}
	job := f.Accept("01J0SINCH", gatewaytest.Received{To: to, PDF: pdf, Key: labels[LabelKey], Header: fields["headerText"]}, o)
	gatewaytest.WriteJSON(w, http.StatusOK, faxJSON(*job, "QUEUED", labels))
}

func faxJSON(j gatewaytest.Job, status string, labels map[string]string) map[string]any {
	m := map[string]any{
		"id": j.ID, "direction": "OUTBOUND", "from": fakeFrom, "to": gatewaytest.Number,
		"numberOfPages": 1, "status": status, "createTime": "2026-01-02T03:04:05Z",
		"headerTimeZone": "America/New_York", "retryDelaySeconds": 60, "maxRetries": 0,
		"labels": labels, "projectId": fakeProject, "serviceId": "svc-1", "hasFile": true,
	}
	switch status {
	case "COMPLETED":
		m["pagesSentSuccessfully"] = 1
		m["completedTime"] = "2026-01-02T03:05:05Z"
	case "FAILURE":
		e := sinchErrors[j.Outcome.Reason]
		m["errorType"], m["errorCode"], m["errorMessage"] = e.typ, e.code, e.msg
		m["completedTime"] = "2026-01-02T03:05:05Z"
	}
	return m
}

func labelsOf(j gatewaytest.Job) map[string]string {
	if j.Key == "" {
		return map[string]string{}
	}
	return map[string]string{LabelKey: j.Key}
}

func (f *fake) get(w http.ResponseWriter, id string) {
	j, ok := f.Poll(id)
	if !ok {
		sinchError(w, http.StatusNotFound, "Not found", "The resource is not found, not available, or does not exist.")
		return
	}
	gatewaytest.WriteJSON(w, http.StatusOK, faxJSON(j, gatewaytest.Phase(j, "IN_PROGRESS", "FAILURE", "COMPLETED"), labelsOf(j)))
}

var month = regexp.MustCompile(`^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$`)

func (f *fake) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	for k := range q {
		switch k {
		case "createTime", "direction", "status", "to", "from", "pageSize", "page":
		default:
			f.t.Errorf("fake sinch: list query %q is not documented", k)
		}
	}
	if d := q.Get("direction"); d != "" && d != "OUTBOUND" && d != "INBOUND" {
		f.t.Errorf("fake sinch: direction %q", d)
	}
	if c := q.Get("createTime"); c != "" && !month.MatchString(c) {
		f.t.Errorf("fake sinch: createTime %q is not a (partial) date", c)
	}
	size, page, inRange := gatewaytest.Paging(f.t, q, "pageSize", "page", 100, 1000)
	if !inRange {
		sinchError(w, http.StatusBadRequest, "Bad Request", "invalid paging")
		return
	}
	jobs := f.Jobs()
	faxes := []map[string]any{}
	for i := len(jobs) - 1 - (page-1)*size; i >= 0 && i > len(jobs)-1-page*size; i-- {
		faxes = append(faxes, faxJSON(jobs[i], "QUEUED", labelsOf(jobs[i])))
	}
	gatewaytest.WriteJSON(w, http.StatusOK, map[string]any{"faxes": faxes, "page": page, "pageSize": size,
		"totalItems": len(jobs), "totalPages": (len(jobs) + size - 1) / size})
}
