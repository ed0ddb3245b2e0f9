// Package phaxio is the gateway driver for the Phaxio API v2.1, the legacy
// API Sinch keeps for migrated Phaxio accounts (docs/gateways.md §2b; new
// Sinch accounts use the sinch driver). It imports package gateway and
// httpclient, and no other driver.
//
// Contract points it relies on:
//   - Base https://api.phaxio.com/v2.1; HTTP Basic auth api_key:api_secret.
//   - Send: POST /faxes, multipart/form-data with `to` (E.164), the PDF as
//     the `file` part (with a filename) and tag[faxjam_key] = idempotency
//     key; answered {"success":true,"message":"Fax queued for sending",
//     "data":{"id":323034811}} (the numeric id becomes a string). The fax
//     header (Driver.Header): `header_text` (at most 50 characters) is the
//     campaign's sender; Phaxio prints it at the top of each page with the
//     date, time and page numbers (create_and_send_fax). A 200
//     with "success":false was not queued: it is refused (rejected) with
//     Phaxio's message. Non-2xx bodies carry "message".
//   - Status: GET /faxes/{id}: data.status (queued, pendingbatch,
//     inprogress, success, failure, partialsuccess) and the first
//     recipient's error_type, error_id and error_message.
//   - Lookup: GET /faxes?direction=sent&tag[faxjam_key]=KEY with
//     created_after 90 days back (documented list filters,
//     phaxio.com/docs/api/v2/faxes/list_faxes; the default window is one
//     week). The tag on each answer is checked too, so a server ignoring
//     the filter cannot make a stranger's fax ours.
//   - Check: GET /account/status (phaxio-ruby Account.status).
//
// Reasons (phaxio.com/docs/errorMessages): lineError ids are the call-error
// table Phaxio shares with Sinch (gateway.CallErrorReason: 17 busy, 16/112
// no answer, 30/87 no answer from the fax machine = not-a-fax, 34/49
// number not operational, 50 call rejected, …). Where the code says less —
// a lineError id outside that table, a faxError, a fatal or general error,
// or no type at all — the text decides (gateway.ReasonFromText: "busy",
// "no answer", "no fax tone", "insufficient funds", …), and failing that
// the type: lineError and faxError are line-error, documentConversionError
// document, the rest gateway-error. caller_id as a request parameter is
// UNVERIFIED, so this driver sets none (the account's number is used).
//
// Idempotency (DedupeByKey): no. Phaxio v2.1 documents no idempotency key
// for POST /faxes: tags are metadata to search by, and a repeated POST is a
// second fax. After a crash or a lost answer faxjam waits until
// RequestTimeout + LateMargin since the request began, then looks the tag up,
// and only then counts "not found" as not sent. LateMargin is 30 s (no bound
// is documented for a request outliving its client or for the search index).
package phaxio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/httpclient"
)

const scheme = "phaxio"

// DefaultEndpoint is Phaxio's API v2.1 base.
const DefaultEndpoint = "https://api.phaxio.com/v2.1"

// TagKey is the tag that carries faxjam's idempotency key.
const TagKey = "faxjam_key"

// MaxDocument is Phaxio's upload limit (20 MB per request).
const MaxDocument = 20_000_000

// lookupWindow is how far back Lookup searches.
const lookupWindow = 90 * 24 * time.Hour

// Driver declares the phaxio:// URL.
func Driver() gateway.Driver {
	return gateway.Driver{
		DedupeByKey: false,
		LateMargin:  30 * time.Second,
		Scheme:      scheme,
		Summary:     "Phaxio API v2.1 (legacy Phaxio accounts at Sinch)",
		Syntax:      "phaxio://API_KEY:API_SECRET@[?endpoint=URL]",
		Example:     "phaxio://0123456789abcdef:fedcba9876543210@",
		RealNetwork: true,
		MaxDocument: MaxDocument,
		Header:      true,
		Options: []gateway.Option{
			{Name: "api_key", Place: gateway.InUser, Help: "API key (Phaxio console → API Settings)", Required: true, Secret: true},
			{Name: "api_secret", Place: gateway.InPassword, Help: "API secret", Required: true, Secret: true},
			{Name: "endpoint", Place: gateway.InQuery, Help: "API base URL", Default: DefaultEndpoint},
			{Name: "callback_url", Place: gateway.InQuery, Help: "where Phaxio posts the fax's outcome: the hub's https://HOST/v1/push/phaxio (serve --push-phaxio-token); polling stays the fallback"},
		},
		Open: open,
	}
}

// Gateway sends faxes through one Phaxio account. It is not changed after
// Open and is safe for concurrent use.
type Gateway struct {
	key, secret, base  string
	callback           string // callback_url: the hub's receiver (callback.go)
	http               *httpclient.Client
	pageSize, maxPages int
	now                func() time.Time
}

func open(u *url.URL, env gateway.Env) (gateway.Gateway, error) {
	v, err := Driver().Values(u)
	if err != nil {
		return nil, err
	}
	if err := gateway.NoHost(Driver(), u); err != nil {
		return nil, err
	}
	base, err := gateway.Endpoint(scheme, v["endpoint"])
	if err != nil {
		return nil, err
	}
	if c := v["callback_url"]; c != "" {
		if cu, err := url.Parse(c); err != nil || cu.Scheme != "https" && cu.Scheme != "http" || cu.Host == "" {
			return nil, fmt.Errorf("%s: callback_url %q: want the hub's http(s) URL, e.g. https://fax.example.org/v1/push/phaxio", scheme, c)
		}
	}
	return &Gateway{
		key: v["api_key"], secret: v["api_secret"], base: base, callback: v["callback_url"],
		http:     httpclient.New(env.HTTP, env.Version),
		pageSize: 100, maxPages: 5, now: time.Now,
	}, nil
}

// envelope is every Phaxio answer.
type envelope[T any] struct {
	Success bool   `json:"success"`
	Message string `json:"message"`
	Data    T      `json:"data"`
}

// fax is the Fax object, as much of it as faxjam reads.
type fax struct {
	ID           json.Number       `json:"id"`
	Status       string            `json:"status"`
	NumPages     int               `json:"num_pages"`
	CreatedAt    string            `json:"created_at"`
	CompletedAt  string            `json:"completed_at"`
	Tags         map[string]string `json:"tags"`
	ErrorType    string            `json:"error_type"`
	ErrorID      json.Number       `json:"error_id"`
	ErrorMessage string            `json:"error_message"`
	Recipients   []recipient       `json:"recipients"`
}

type recipient struct {
	PhoneNumber  string      `json:"phone_number"`
	Status       string      `json:"status"`
	ErrorType    string      `json:"error_type"`
	ErrorID      json.Number `json:"error_id"`
	ErrorMessage string      `json:"error_message"`
}

// Send posts the fax as multipart/form-data.
func (g *Gateway) Send(ctx context.Context, f gateway.Fax) (gateway.Receipt, error) {
	to, err := gateway.PreparePDF(Driver(), f)
	if err != nil {
		return gateway.Receipt{}, err
	}
	fields := []gateway.FormField{{Name: "to", Value: to}}
	if f.SenderID != "" {
		fields = append(fields, gateway.FormField{Name: "header_text", Value: f.SenderID})
	}
	if f.Key != "" {
		fields = append(fields, gateway.FormField{Name: "tag[" + TagKey + "]", Value: f.Key})
	}
	if g.callback != "" {
		fields = append(fields, gateway.FormField{Name: "callback_url", Value: g.callback})
	}
	req, err := gateway.MultipartRequest(http.MethodPost, g.base+"/faxes", fields,
		gateway.FormFile{Field: "file", Filename: "faxjam-letter.pdf", ContentType: "application/pdf", Data: f.PDF})
	if err != nil {
		return gateway.Receipt{}, &gateway.Error{Driver: scheme, Op: "send", Reason: gateway.ReasonGatewayError, Err: err}
	}
	var out envelope[struct {
		ID json.Number `json:"id"`
	}]
	if err := g.do(ctx, req, &out); err != nil {
		e := gateway.FromHTTP(scheme, "send", err)
		var he *httpclient.Error
		if errors.As(err, &he) && he.StatusCode == http.StatusUnprocessableEntity {
			if r, ok := gateway.ReasonFromText(e.Message); ok && r == gateway.ReasonInvalidNumber {
				e.Reason = r
			}
		}
		var bad *httpclient.Malformed
		if errors.As(err, &bad) {
			e.Accepted = true // a 2xx to the send: the fax may exist
		}
		return gateway.Receipt{}, e
	}
	if !out.Success {
		return gateway.Receipt{}, &gateway.Error{Driver: scheme, Op: "send", Reason: gateway.ReasonRejected, Message: nonEmpty(out.Message, "Phaxio answered success: false")}
	}
	if out.Data.ID == "" {
		return gateway.Receipt{}, &gateway.Error{Driver: scheme, Op: "send", Reason: gateway.ReasonGatewayError, Accepted: true,
			Message: "malformed answer: the queued fax has no id"}
	}
	return gateway.Receipt{ID: out.Data.ID.String(), Driver: scheme, To: to, State: gateway.Queued, Submitted: g.now().UTC()}, nil
}

// Status asks Phaxio for one fax.
func (g *Gateway) Status(ctx context.Context, id string) (gateway.Status, error) {
	req, err := http.NewRequest(http.MethodGet, g.base+"/faxes/"+url.PathEscape(id), nil)
	if err != nil {
		return gateway.Status{}, &gateway.Error{Driver: scheme, Op: "status", Reason: gateway.ReasonGatewayError, Err: err}
	}
	var out envelope[fax]
	if err := g.do(ctx, req, &out); err != nil {
		return gateway.Status{}, gateway.FromHTTP(scheme, "status", err)
	}
	if !out.Success {
		return gateway.Status{}, &gateway.Error{Driver: scheme, Op: "status", Reason: gateway.ReasonRejected, Message: nonEmpty(out.Message, "Phaxio answered success: false")}
	}
	st := statusOf(out.Data)
	if st.State == "" {
		return gateway.Status{}, gateway.NoStatus(scheme, id)
	}
	st.ID = id
	return st, nil
}

// Lookup finds the fax sent with key by its tag, among the sent faxes of
// the last 90 days.
func (g *Gateway) Lookup(ctx context.Context, key string) (gateway.Receipt, bool, error) {
	for page := 1; page <= g.maxPages; page++ {
		q := url.Values{}
		q.Set("direction", "sent")
		q.Set("tag["+TagKey+"]", key)
		q.Set("created_after", g.now().UTC().Add(-lookupWindow).Format(time.RFC3339))
		q.Set("per_page", strconv.Itoa(g.pageSize))
		q.Set("page", strconv.Itoa(page))
		req, err := http.NewRequest(http.MethodGet, g.base+"/faxes?"+q.Encode(), nil)
		if err != nil {
			return gateway.Receipt{}, false, &gateway.Error{Driver: scheme, Op: "lookup", Reason: gateway.ReasonGatewayError, Err: err}
		}
		var out struct {
			envelope[[]fax]
			Paging struct {
				Total   int `json:"total"`
				PerPage int `json:"per_page"`
				Page    int `json:"page"`
			} `json:"paging"`
		}
		if err := g.do(ctx, req, &out); err != nil {
			return gateway.Receipt{}, false, gateway.FromHTTP(scheme, "lookup", err)
		}
		for _, f := range out.Data {
			if f.Tags[TagKey] != key {
				continue
			}
			var to string
			if len(f.Recipients) > 0 {
				to = f.Recipients[0].PhoneNumber
			}
			st := stateOf(f.Status)
			if st == "" {
				st = gateway.Queued
			}
			created, _ := time.Parse(time.RFC3339, f.CreatedAt)
			return gateway.Receipt{ID: f.ID.String(), Driver: scheme, To: to, State: st, Submitted: created}, true, nil
		}
		if len(out.Data) < g.pageSize || (out.Paging.Total > 0 && page*g.pageSize >= out.Paging.Total) {
			return gateway.Receipt{}, false, nil
		}
	}
	return gateway.Receipt{}, false, &gateway.Error{Driver: scheme, Op: "lookup", Reason: gateway.ReasonGatewayError,
		Message: fmt.Sprintf("Phaxio listed more than %d faxes for one tag; decide by hand whether this one was sent", g.pageSize*g.maxPages)}
}

// Check makes the cheapest authenticated call.
func (g *Gateway) Check(ctx context.Context) error {
	req, err := http.NewRequest(http.MethodGet, g.base+"/account/status", nil)
	if err != nil {
		return &gateway.Error{Driver: scheme, Op: "check", Reason: gateway.ReasonGatewayError, Err: err}
	}
	var out envelope[json.RawMessage]
	if err := g.do(ctx, req, &out); err != nil {
		return gateway.FromHTTP(scheme, "check", err)
	}
	if !out.Success {
		return &gateway.Error{Driver: scheme, Op: "check", Reason: gateway.ReasonRejected, Message: nonEmpty(out.Message, "Phaxio answered success: false")}
	}
	return nil
}

func (g *Gateway) do(ctx context.Context, req *http.Request, out any) error {
	req.SetBasicAuth(g.key, g.secret)
	_, _, err := g.http.Do(ctx, req, out)
	return err
}

func nonEmpty(s, otherwise string) string {
	if s != "" {
		return s
	}
	return otherwise
}

// statusOf maps a Fax object onto gateway.Status (ID aside).
func statusOf(f fax) gateway.Status {
	st := gateway.Status{State: stateOf(f.Status)}
	if st.State == "" && f.Status != "" {
		// A status this driver does not know: keep polling, keep the word.
		st.State, st.Code = gateway.Sending, f.Status
	}
	switch st.State {
	case gateway.Delivered:
		st.Pages = f.NumPages
	case gateway.Failed:
		typ, id, msg := f.ErrorType, f.ErrorID, f.ErrorMessage
		if len(f.Recipients) > 0 && f.Recipients[0].ErrorType != "" {
			r := f.Recipients[0]
			typ, id, msg = r.ErrorType, r.ErrorID, r.ErrorMessage
		}
		n, _ := strconv.Atoi(id.String())
		st.Reason = reasonOf(typ, n, msg)
		st.Retryable = st.Reason.Retryable()
		st.Code = typ + "/" + id.String()
		st.Message = msg
	}
	st.Updated, _ = time.Parse(time.RFC3339, f.CompletedAt)
	return st
}

// stateOf maps Phaxio's fax status; "" for a status it does not know.
// partialsuccess is failed: with one recipient per fax it does not happen,
// and a fax not received in full is not delivered.
func stateOf(status string) gateway.State {
	switch status {
	case "queued", "pendingbatch":
		return gateway.Queued
	case "inprogress", "ringing", "callactive", "willretry":
		return gateway.Sending
	case "success":
		return gateway.Delivered
	case "failure", "partialsuccess":
		return gateway.Failed
	}
	return ""
}

// reasonOf maps error_type, error_id and error_message (see the package
// comment for the order: id table, then text, then type).
func reasonOf(errorType string, id int, message string) gateway.Reason {
	if errorType == "lineError" {
		if r, ok := gateway.CallErrorReason(id); ok {
			return r
		}
	}
	if errorType == "documentConversionError" {
		return gateway.ReasonDocument
	}
	if r, ok := gateway.ReasonFromText(message); ok {
		return r
	}
	switch errorType {
	case "lineError", "faxError":
		return gateway.ReasonLineError
	}
	return gateway.ReasonGatewayError
}
