// Package sinch is the gateway driver for the Sinch Fax API v3
// (docs/gateways.md §2a). It imports package gateway and httpclient, and
// no other driver.
//
// Contract points it relies on:
//   - Base https://fax.api.sinch.com/v3/projects/{projectId}; HTTP Basic
//     auth with keyId:keySecret (the documented "Basic" method; no OAuth
//     token round trip).
//   - Send: POST /faxes, multipart/form-data with `to`, `from` (when set),
//     the PDF as the `file` part, and the idempotency key as the label
//     faxjam_key. The fax header (Driver.Header): `headerText` is the
//     campaign's sender (Sinch's header line carries it with the date and
//     time), `headerPageNumbers` true, `headerTimeZone` the target's zone
//     (the SDKs' FaxRequest fields; the zone's format, IANA, is
//     UNVERIFIED). The answer is the Fax object (JSON) — or, in the newer
//     "send one or many" form of the API, an array of them; both are read.
//   - Status: GET /faxes/{id}: QUEUED, IN_PROGRESS, COMPLETED, FAILURE with
//     errorType, errorCode and errorMessage.
//   - Lookup: GET /faxes?direction=OUTBOUND&createTime=YYYY-MM&pageSize&page,
//     matching labels.faxjam_key; Check: GET /faxes?pageSize=1.
//   - +19898989898 is Sinch's documented test destination: it "emulates all
//     aspects of a real fax without charging your account". Rehearse a run
//     with --redirect +19898989898.
//
// Looked up (UNVERIFIED in docs/gateways.md): how labels, a string→string map,
// travel in multipart. Sinch's .NET SDK (src/Sinch/Core/Http.cs,
// BuildMultipartFormDataContent) writes one part per entry named
// labels[KEY]; the Node SDK hands the object to its form encoder. faxjam
// sends labels[faxjam_key]=KEY and the contract fake accepts only that.
// The list filter by labels (Node SDK ListFaxesRequestData.labels) has no
// documented query encoding, so Lookup does not use it: it reads the
// outbound list of this month and the previous one (createTime=YYYY-MM,
// documented partial dates; without createTime Sinch lists the last week
// only), 1000 a page, at most 10 pages, and answers an error rather than
// "not found" past that bound.
//
// errorType/errorCode mapping (developers.sinch.com …/Error-Messages): see
// reasonOf. CALL_ERROR codes are the table Sinch shares with Phaxio
// (gateway.CallErrorReason); 30 "no answer from a fax machine" is
// not-a-fax (the call was answered, by no fax), 16 "ring timeout" is
// no-answer.
//
// Idempotency (DedupeByKey): no. The Sinch Fax API v3 documents no
// idempotency key for POST /faxes: labels are stored and listed, nothing
// deduplicates on them, so a repeated POST is a second fax. After a crash or
// a lost answer faxjam waits until RequestTimeout + LateMargin since the
// request began, then asks Lookup, and only then counts "not found" as not
// sent. LateMargin is 30 s (no bound is documented for a request that
// outlives its client, nor for how soon GET /faxes lists a new fax).
package sinch

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/faxjam/faxjam/pkg/e164"
	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/httpclient"
)

const scheme = "sinch"

// DefaultEndpoint is Sinch's global Fax API base (regional hosts:
// https://eu1.fax.api.sinch.com/v3 and the like); the project path follows.
const DefaultEndpoint = "https://fax.api.sinch.com/v3"

// TestNumber is Sinch's documented free test destination.
const TestNumber = "+19898989898"

// LabelKey is the label that carries faxjam's idempotency key.
const LabelKey = "faxjam_key"

// MaxDocument bounds the upload. Sinch publishes no file limit for the Fax
// API; 20 MB is the limit of its predecessor Phaxio's v2 uploads and keeps
// a letter far from any proxy's request cap.
const MaxDocument = 20_000_000

// Driver declares the sinch:// URL.
func Driver() gateway.Driver {
	return gateway.Driver{
		DedupeByKey:    false,
		LateMargin:     30 * time.Second,
		Scheme:         scheme,
		Summary:        "Sinch Fax API v3 (free rehearsal: --redirect " + TestNumber + ", Sinch's test number)",
		Syntax:         "sinch://KEY_ID:KEY_SECRET@PROJECT_ID[?from=+E164][&endpoint=URL]",
		Example:        "sinch://0f1e2d3c-key-id:s3cr3t@a1b2c3d4-project?from=%2B12025550100",
		RealNetwork:    true,
		MaxDocument:    MaxDocument,
		Header:         true,
		StationOptions: []string{"from"},
		Options: []gateway.Option{
			{Name: "key_id", Place: gateway.InUser, Help: "access key id (Sinch dashboard → Settings → Access Keys)", Required: true, Secret: true},
			{Name: "key_secret", Place: gateway.InPassword, Help: "access key secret", Required: true, Secret: true},
			{Name: "project_id", Place: gateway.InHost, Help: "the project id", Required: true},
			{Name: "from", Place: gateway.InQuery, Help: "caller id, E.164 (write + as %2B or +); default: the fax service's number"},
			{Name: "endpoint", Place: gateway.InQuery, Help: "API base URL, without /projects/…", Default: DefaultEndpoint},
		},
		Open: open,
	}
}

// Gateway sends faxes through one Sinch project. It is not changed after
// Open and is safe for concurrent use.
type Gateway struct {
	keyID, keySecret, from, base string // base ends in /projects/{id}
	http                         *httpclient.Client
	pageSize, maxPages           int
	now                          func() time.Time
}

func open(u *url.URL, env gateway.Env) (gateway.Gateway, error) {
	v, err := Driver().Values(u)
	if err != nil {
		return nil, err
	}
	from, err := gateway.CallerID(scheme, v["from"])
	if err != nil {
		return nil, err
	}
	base, err := gateway.Endpoint(scheme, v["endpoint"])
	if err != nil {
		return nil, err
	}
	return &Gateway{
		keyID: v["key_id"], keySecret: v["key_secret"], from: from,
		base:     base + "/projects/" + url.PathEscape(v["project_id"]),
		http:     httpclient.New(env.HTTP, env.Version),
		pageSize: 1000, maxPages: 10, now: time.Now,
	}, nil
}

// Station is the caller id (from=) the fax is sent from.
func (g *Gateway) Station() string { return g.from }

// fax is the Fax object, as much of it as faxjam reads.
type fax struct {
	ID            string            `json:"id"`
	To            string            `json:"to"`
	Status        string            `json:"status"`
	ErrorType     string            `json:"errorType"`
	ErrorCode     code              `json:"errorCode"`
	ErrorMessage  string            `json:"errorMessage"`
	PagesSent     int               `json:"pagesSentSuccessfully"`
	Labels        map[string]string `json:"labels"`
	CreateTime    string            `json:"createTime"`
	CompletedTime string            `json:"completedTime"`
}

// code is errorCode, documented as a number; a string is read too.
type code int

func (c *code) UnmarshalJSON(b []byte) error {
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		var s string
		if json.Unmarshal(b, &s) != nil {
			return fmt.Errorf("errorCode %s is not a number", b)
		}
		n = json.Number(s)
	}
	if n == "" {
		*c = 0
		return nil
	}
	i, err := strconv.Atoi(string(n))
	if err != nil {
		return fmt.Errorf("errorCode %s is not a whole number", b)
	}
	*c = code(i)
	return nil
}

// Send posts the fax as multipart/form-data.
func (g *Gateway) Send(ctx context.Context, f gateway.Fax) (gateway.Receipt, error) {
	to, err := gateway.PreparePDF(Driver(), f)
	if err != nil {
		return gateway.Receipt{}, err
	}
	from := g.from
	if f.From != "" {
		if from, err = e164.Normalize(f.From); err != nil {
			return gateway.Receipt{}, &gateway.Error{Driver: scheme, Op: "send", Reason: gateway.ReasonRejected, Message: "caller id: " + err.Error()}
		}
	}
	fields := []gateway.FormField{{Name: "to", Value: to}}
	if from != "" {
		fields = append(fields, gateway.FormField{Name: "from", Value: from})
	}
	if f.SenderID != "" {
		fields = append(fields, gateway.FormField{Name: "headerText", Value: f.SenderID}, gateway.FormField{Name: "headerPageNumbers", Value: "true"})
	}
	if f.TimeZone != "" {
		fields = append(fields, gateway.FormField{Name: "headerTimeZone", Value: f.TimeZone})
	}
	if f.Key != "" {
		fields = append(fields, gateway.FormField{Name: "labels[" + LabelKey + "]", Value: f.Key})
	}
	req, err := gateway.MultipartRequest(http.MethodPost, g.base+"/faxes", fields,
		gateway.FormFile{Field: "file", Filename: "faxjam-letter.pdf", ContentType: "application/pdf", Data: f.PDF})
	if err != nil {
		return gateway.Receipt{}, &gateway.Error{Driver: scheme, Op: "send", Reason: gateway.ReasonGatewayError, Err: err}
	}
	body, err := g.do(ctx, req, nil)
	if err != nil {
		return gateway.Receipt{}, gateway.FromHTTP(scheme, "send", err)
	}
	sent, err := decodeSent(body)
	if err != nil || sent.ID == "" {
		if err == nil {
			err = fmt.Errorf("the fax has no id")
		}
		// Sinch answered 2xx: the fax may exist. Lookup by label will tell.
		return gateway.Receipt{}, &gateway.Error{Driver: scheme, Op: "send", Reason: gateway.ReasonGatewayError, Accepted: true,
			Message: "malformed answer: " + err.Error()}
	}
	st := stateOf(sent.Status)
	if st == "" || st.Terminal() {
		st = gateway.Queued
	}
	return gateway.Receipt{ID: sent.ID, Driver: scheme, To: to, State: st, Submitted: g.now().UTC()}, nil
}

// decodeSent reads the answer to a send: one Fax, or an array of them.
func decodeSent(body []byte) (fax, error) {
	b := bytes.TrimSpace(body)
	if len(b) > 0 && b[0] == '[' {
		var fs []fax
		if err := json.Unmarshal(b, &fs); err != nil {
			return fax{}, err
		}
		if len(fs) != 1 {
			return fax{}, fmt.Errorf("%d faxes for one recipient", len(fs))
		}
		return fs[0], nil
	}
	var f fax
	err := json.Unmarshal(b, &f)
	return f, err
}

// Status asks Sinch for one fax.
func (g *Gateway) Status(ctx context.Context, id string) (gateway.Status, error) {
	req, err := http.NewRequest(http.MethodGet, g.base+"/faxes/"+url.PathEscape(id), nil)
	if err != nil {
		return gateway.Status{}, &gateway.Error{Driver: scheme, Op: "status", Reason: gateway.ReasonGatewayError, Err: err}
	}
	var f fax
	if _, err := g.do(ctx, req, &f); err != nil {
		return gateway.Status{}, gateway.FromHTTP(scheme, "status", err)
	}
	st := statusOf(f)
	if st.State == "" {
		return gateway.Status{}, gateway.NoStatus(scheme, id)
	}
	st.ID = id
	return st, nil
}

// Lookup finds the fax sent with key, by its faxjam_key label, among the
// outbound faxes of this month and the previous one.
func (g *Gateway) Lookup(ctx context.Context, key string) (gateway.Receipt, bool, error) {
	now := g.now().UTC()
	thisMonth := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	budget := g.maxPages
	for _, month := range []time.Time{thisMonth, thisMonth.AddDate(0, -1, 0)} {
		for page := 1; ; page++ {
			if budget == 0 {
				return gateway.Receipt{}, false, &gateway.Error{Driver: scheme, Op: "lookup", Reason: gateway.ReasonGatewayError,
					Message: fmt.Sprintf("searched %d outbound faxes without finding this key and Sinch cannot search by label; decide by hand whether it was sent", g.pageSize*g.maxPages)}
			}
			budget--
			q := url.Values{}
			q.Set("direction", "OUTBOUND")
			q.Set("createTime", month.Format("2006-01"))
			q.Set("pageSize", strconv.Itoa(g.pageSize))
			q.Set("page", strconv.Itoa(page))
			req, err := http.NewRequest(http.MethodGet, g.base+"/faxes?"+q.Encode(), nil)
			if err != nil {
				return gateway.Receipt{}, false, &gateway.Error{Driver: scheme, Op: "lookup", Reason: gateway.ReasonGatewayError, Err: err}
			}
			var out struct {
				Faxes      []fax `json:"faxes"`
				Page       int   `json:"page"`
				PageNumber int   `json:"pageNumber"`
				TotalPages int   `json:"totalPages"`
			}
			if _, err := g.do(ctx, req, &out); err != nil {
				return gateway.Receipt{}, false, gateway.FromHTTP(scheme, "lookup", err)
			}
			for _, f := range out.Faxes {
				if f.Labels[LabelKey] == key {
					st := stateOf(f.Status)
					if st == "" {
						st = gateway.Queued
					}
					created, _ := time.Parse(time.RFC3339, f.CreateTime)
					return gateway.Receipt{ID: f.ID, Driver: scheme, To: f.To, State: st, Submitted: created}, true, nil
				}
			}
			current := max(out.Page, out.PageNumber, page)
			if len(out.Faxes) < g.pageSize || (out.TotalPages > 0 && current >= out.TotalPages) {
				break
			}
		}
	}
	return gateway.Receipt{}, false, nil
}

// Check makes the cheapest authenticated call.
func (g *Gateway) Check(ctx context.Context) error {
	req, err := http.NewRequest(http.MethodGet, g.base+"/faxes?pageSize=1", nil)
	if err != nil {
		return &gateway.Error{Driver: scheme, Op: "check", Reason: gateway.ReasonGatewayError, Err: err}
	}
	if _, err := g.do(ctx, req, nil); err != nil {
		return gateway.FromHTTP(scheme, "check", err)
	}
	return nil
}

func (g *Gateway) do(ctx context.Context, req *http.Request, out any) ([]byte, error) {
	req.SetBasicAuth(g.keyID, g.keySecret)
	_, body, err := g.http.Do(ctx, req, out)
	return body, err
}

// statusOf maps a Fax object onto gateway.Status (ID aside).
func statusOf(f fax) gateway.Status {
	st := gateway.Status{State: stateOf(f.Status), Pages: f.PagesSent}
	if st.State == "" && f.Status != "" {
		// A status this driver does not know: keep polling, keep the word.
		st.State, st.Code = gateway.Sending, f.Status
	}
	if st.State == gateway.Failed {
		st.Reason = reasonOf(f.ErrorType, int(f.ErrorCode), f.ErrorMessage)
		st.Retryable = st.Reason.Retryable()
		st.Code = f.ErrorType + "/" + strconv.Itoa(int(f.ErrorCode))
		st.Message = f.ErrorMessage
	}
	st.Updated, _ = time.Parse(time.RFC3339, f.CompletedTime)
	return st
}

// stateOf maps Sinch's status enum; "" for a status it does not know.
func stateOf(status string) gateway.State {
	switch status {
	case "QUEUED":
		return gateway.Queued
	case "IN_PROGRESS":
		return gateway.Sending
	case "COMPLETED":
		return gateway.Delivered
	case "FAILURE":
		return gateway.Failed
	}
	return ""
}

// reasonOf maps errorType and errorCode onto the common vocabulary.
func reasonOf(errorType string, code int, message string) gateway.Reason {
	switch errorType {
	case "CALL_ERROR", "LINE_ERROR":
		if r, ok := gateway.CallErrorReason(code); ok {
			return r
		}
		return gateway.ReasonLineError
	case "FAX_ERROR":
		switch code {
		case 132: // no fax tone
			return gateway.ReasonNotAFax
		case 48: // no answer (out of paper)
			return gateway.ReasonNoAnswer
		case 133, 46, 75: // number not permitted, insufficient funds, cancelled
			return gateway.ReasonRejected
		case 76: // cancelled by timeout: Sinch gave up, not the line
			return gateway.ReasonGatewayError
		}
		return gateway.ReasonLineError // T.30 trouble during the call
	case "DOCUMENT_CONVERSION_ERROR":
		return gateway.ReasonDocument
	case "FATAL_ERROR", "GENERAL_ERROR":
		if code == 46 || code == 75 {
			return gateway.ReasonRejected
		}
		return gateway.ReasonGatewayError
	}
	if r, ok := gateway.ReasonFromText(message); ok {
		return r
	}
	return gateway.ReasonGatewayError
}
