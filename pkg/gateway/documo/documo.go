// Package documo is the gateway driver for the Documo (mFax) API
// (docs/gateways.md §5). It imports package gateway and httpclient, and no
// other driver.
//
// Contract points it relies on:
//   - Base https://api.documo.com; `Authorization: Basic <API_KEY>` — the
//     raw key, not base64 of user:password (docs.documo.com
//     Authentication: "token Basic YOUR_API_KEY").
//   - Send: POST /v1/faxes, multipart/form-data with faxNumber (country
//     code and number, digits only) and the PDF as the `attachments` file
//     part (documo-elixir fax_test.exs); the answer is the fax as JSON,
//     messageId (a UUID) and status "processing".
//   - Status: GET /v1/fax/{messageId}/info → status, resultCode,
//     resultInfo, errorCode, errorInfo, pagesComplete, resolvedDate
//     (dataphone.cloud "Monitor Fax Delivery Status Using the Documo API").
//   - Check: GET /v1/fax/history?limit=1.
//
// Looked up (UNVERIFIED in docs/gateways.md) and what follows from it:
//   - Status values: only "processing" and "success" are confirmed. This
//     driver reads processing (and queued, sending, in_progress, pending)
//     as sending; success as delivered; failed, failure, error, canceled,
//     cancelled and partial as failed; any other word keeps polling with the
//     word kept in Status.Code. The failure resultCode list is not
//     published where it could be found: the reason comes from the text
//     (errorInfo, else resultInfo) through gateway.ReasonFromText, and is
//     gateway-error when the text says nothing known. Code keeps errorCode
//     (else resultCode), Message the text.
//   - The idempotency key: the optional send fields (subject, notes,
//     recipientName, tags) come from a secondary source only; subject and
//     notes are cover-page text, so a key there could be printed on the
//     fax, and neither the send answer (documo-elixir fixture) nor any
//     documented history filter echoes them back. So faxjam sends no key,
//     implements no Lookup (Keyed false), and an attempt whose outcome was
//     lost is left for the organizer to decide ("unknown") rather than
//     matched by guesswork.
//   - Limits: fax history/reports are limited to 8 calls a minute (429
//     beyond; an aggregator's reading of Documo's best-practice page) — Check
//     makes one such call. No Retry-After is documented. The attachment size
//     limit is not published where it could be found: MaxDocument assumes
//     20 MB like its peers.
//
// Idempotency (DedupeByKey): no. Documo documents no idempotency key for
// POST /v1/faxes, and this driver cannot look a fax up by key either: a
// send whose answer was lost is recorded unknown (not resent) for the
// organizer to check. LateMargin (30 s) is declared for completeness.
package documo

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/faxjam/faxjam/pkg/e164"
	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/httpclient"
)

const scheme = "documo"

// DefaultEndpoint is Documo's API base (the sandbox is
// https://api.sandbox.documo.com).
const DefaultEndpoint = "https://api.documo.com"

// MaxDocument is the assumed attachment limit (20 MB; Documo publishes none).
const MaxDocument = 20_000_000

// Driver declares the documo:// URL.
func Driver() gateway.Driver {
	return gateway.Driver{
		DedupeByKey:    false,
		LateMargin:     30 * time.Second,
		Scheme:         scheme,
		Summary:        "Documo mFax API (no lookup by key: a lost outcome is left to the organizer)",
		Syntax:         "documo://API_KEY@[?endpoint=URL]",
		Example:        "documo://eyJhbGciOiJIUzI1NiJ9.example@",
		RealNetwork:    true,
		MaxDocument:    MaxDocument,
		StationOptions: []string{"csid"},
		Options: []gateway.Option{
			{Name: "api_key", Place: gateway.InUser, Help: "Documo API key (web app → Settings → API)", Required: true, Secret: true},
			{Name: "endpoint", Place: gateway.InQuery, Help: "API base URL (sandbox: https://api.sandbox.documo.com)", Default: DefaultEndpoint},
			gateway.CSIDOption("the sending number the fax header faxjam draws shows (Documo's callerId is UNVERIFIED: not sent)"),
		},
		Open: open,
	}
}

// Gateway sends faxes through one Documo account. It is not changed after
// Open and is safe for concurrent use.
type Gateway struct {
	key, base string
	csid      string // for the header faxjam draws
	http      *httpclient.Client
	now       func() time.Time
}

func open(u *url.URL, env gateway.Env) (gateway.Gateway, error) {
	d := Driver()
	v, err := d.Values(u)
	if err != nil {
		return nil, err
	}
	if err := gateway.NoHost(d, u); err != nil {
		return nil, err
	}
	if _, has := u.User.Password(); has {
		return nil, errors.New("documo: the API key goes before the @ alone, without a ':password'")
	}
	base, err := gateway.Endpoint(scheme, v["endpoint"])
	if err != nil {
		return nil, err
	}
	csid, err := gateway.CSID(scheme, "csid", v["csid"])
	if err != nil {
		return nil, err
	}
	return &Gateway{key: v["api_key"], base: base, csid: csid, http: httpclient.New(env.HTTP, env.Version), now: time.Now}, nil
}

// Station is the csid= the header faxjam draws shows.
func (g *Gateway) Station() string { return g.csid }

// fax is Documo's fax object, as much of it as faxjam reads.
type fax struct {
	MessageID     string `json:"messageId"`
	Status        string `json:"status"`
	ResultCode    string `json:"resultCode"`
	ResultInfo    string `json:"resultInfo"`
	ErrorCode     string `json:"errorCode"`
	ErrorInfo     string `json:"errorInfo"`
	PagesComplete int    `json:"pagesComplete"`
	ResolvedDate  string `json:"resolvedDate"`
}

// Send posts the fax as multipart/form-data.
func (g *Gateway) Send(ctx context.Context, f gateway.Fax) (gateway.Receipt, error) {
	to, err := gateway.PreparePDF(Driver(), f)
	if err != nil {
		return gateway.Receipt{}, err
	}
	req, err := gateway.MultipartRequest(http.MethodPost, g.base+"/v1/faxes",
		[]gateway.FormField{{Name: "faxNumber", Value: e164.Digits(to)}},
		gateway.FormFile{Field: "attachments", Filename: "faxjam-letter.pdf", ContentType: "application/pdf", Data: f.PDF})
	if err != nil {
		return gateway.Receipt{}, &gateway.Error{Driver: scheme, Op: "send", Reason: gateway.ReasonGatewayError, Err: err}
	}
	var out fax
	if err := g.do(ctx, req, &out); err != nil {
		e := gateway.FromHTTP(scheme, "send", err)
		var he *httpclient.Error
		if errors.As(err, &he) && he.StatusCode >= 400 && he.StatusCode < 500 {
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
	if out.MessageID == "" {
		return gateway.Receipt{}, &gateway.Error{Driver: scheme, Op: "send", Reason: gateway.ReasonGatewayError, Accepted: true,
			Message: "malformed answer: the sent fax has no messageId"}
	}
	st := stateOf(out.Status)
	if st == "" || st.Terminal() {
		st = gateway.Queued
	}
	return gateway.Receipt{ID: out.MessageID, Driver: scheme, To: to, State: st, Submitted: g.now().UTC()}, nil
}

// Status asks Documo for one fax.
func (g *Gateway) Status(ctx context.Context, id string) (gateway.Status, error) {
	req, err := http.NewRequest(http.MethodGet, g.base+"/v1/fax/"+url.PathEscape(id)+"/info", nil)
	if err != nil {
		return gateway.Status{}, &gateway.Error{Driver: scheme, Op: "status", Reason: gateway.ReasonGatewayError, Message: "building the request failed"}
	}
	var out fax
	if err := g.do(ctx, req, &out); err != nil {
		return gateway.Status{}, gateway.FromHTTP(scheme, "status", err)
	}
	if out.Status == "" {
		return gateway.Status{}, gateway.NoStatus(scheme, id)
	}
	st := statusOf(out)
	st.ID = id
	return st, nil
}

// Check makes the cheapest authenticated call (one of the 8 history calls
// a minute Documo allows).
func (g *Gateway) Check(ctx context.Context) error {
	req, err := http.NewRequest(http.MethodGet, g.base+"/v1/fax/history?limit=1", nil)
	if err != nil {
		return &gateway.Error{Driver: scheme, Op: "check", Reason: gateway.ReasonGatewayError, Message: "building the request failed"}
	}
	if err := g.do(ctx, req, nil); err != nil {
		return gateway.FromHTTP(scheme, "check", err)
	}
	return nil
}

func (g *Gateway) do(ctx context.Context, req *http.Request, out any) error {
	req.Header.Set("Authorization", "Basic "+g.key)
	_, _, err := g.http.Do(ctx, req, out)
	return err
}

// statusOf maps the fax object onto gateway.Status (ID aside).
func statusOf(f fax) gateway.Status {
	st := gateway.Status{State: stateOf(f.Status)}
	switch st.State {
	case "":
		// A status this driver does not know: keep polling, keep the word.
		st.State, st.Code = gateway.Sending, f.Status
	case gateway.Delivered:
		st.Pages = f.PagesComplete
		st.Code, st.Message = f.ResultCode, f.ResultInfo
	case gateway.Failed:
		st.Code, st.Message = f.ResultCode, f.ResultInfo
		if f.ErrorCode != "" {
			st.Code = f.ErrorCode
		}
		if f.ErrorInfo != "" {
			st.Message = f.ErrorInfo
		}
		if st.Code == "" && st.Message == "" {
			st.Code = f.Status
		}
		st.Reason = reasonOf(f.ErrorInfo, f.ResultInfo)
		st.Retryable = st.Reason.Retryable()
	}
	st.Updated, _ = time.Parse(time.RFC3339, f.ResolvedDate)
	return st
}

// stateOf maps Documo's status word; "" for a word it does not know.
func stateOf(status string) gateway.State {
	switch strings.ToLower(status) {
	case "queued", "pending", "scheduled":
		return gateway.Queued
	case "processing", "sending", "in_progress", "inprogress":
		return gateway.Sending
	case "success", "delivered":
		return gateway.Delivered
	case "failed", "failure", "error", "canceled", "cancelled", "partial", "partial_success":
		return gateway.Failed
	}
	return ""
}

// reasonOf reads the failure texts, the specific one first.
func reasonOf(texts ...string) gateway.Reason {
	for _, t := range texts {
		if r, ok := gateway.ReasonFromText(t); ok {
			return r
		}
	}
	return gateway.ReasonGatewayError
}
