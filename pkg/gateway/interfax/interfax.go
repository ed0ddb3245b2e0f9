// Package interfax is the gateway driver for the InterFAX REST API (Upland,
// docs/gateways.md §3). It imports package gateway and httpclient, and no
// other driver.
//
// Contract points it relies on:
//   - Base https://rest.interfax.net; HTTP Basic auth username:password.
//   - Send: POST /outbound/faxes?faxNumber=+E164[&reference=KEY][&csid=][&resolution=]
//     — options are query parameters; the body is the PDF itself with
//     Content-Type: application/pdf. The answer is a 2xx whose Location
//     header names the new fax (…/outbound/faxes/{id}); the id is its last
//     path segment, the body is not read.
//   - Status: GET /outbound/faxes/{id}: the integer `status` — 0 sent,
//     negative in progress, positive failed.
//   - Lookup: GET /outbound/search?reference=KEY&limit=10.
//   - Check: GET /outbound/faxes?limit=1.
//
// Looked up (UNVERIFIED in docs/gateways.md):
//   - Send's status code. InterFAX's "Response format" page says a created
//     resource is answered with its URI in Location (example
//     Location: https://rest-sl.interfax.net/outbound/faxes/131201409296898);
//     the official clients (interfax-python client.py, interfax-dotnet
//     Outbound.SendFax) accept any success and read Location's last
//     segment. So does this driver: any 2xx with a Location is accepted; the
//     contract fake answers 201. A 2xx without Location may have created a
//     fax: it is an error marked Accepted, and Lookup will tell.
//   - The idempotency key travels in `reference` ("String (up to 60
//     characters) … your internal ID … obtained by status query, but not
//     included in the transmitted fax message", send-fax reference): it
//     never appears on the paper. Keys longer than 60 characters travel as
//     a SHA-256 prefix (gateway.KeyField); the dispatcher's keys are ~50.
//   - Search parameters (interfax-dotnet SearchOptions, interfax-python
//     Outbound.search): ids, reference, dateFrom, dateTo, status, userId,
//     faxNumber, limit, offset. Which field of the answer echoes the
//     reference is not documented (the full fax object has `subject`, "a
//     name or other optional identifier"); Lookup accepts a fax whose
//     reference or subject equals the key, skips one whose field holds
//     another value, and trusts the server's filter when neither is set.
//   - Status codes (help.uplandsoftware.com/interfax … fax-status-codes):
//     -1/-11 pre-processing and -2 ready are queued, -22 "out of credit,
//     awaiting top-up" is queued, -3 "sending or pending retry" and any other
//     negative value are sending; 0 delivered. Failures: 1 internal error
//     (call disconnected without a page break), 2 and 12 telephony error →
//     line-error; 263 "the receiving line is in use" → busy (InterFAX
//     Appendix C status codes, as quoted by wix-incubator/libfax); 205000
//     canceled after 24 h without credit → rejected. The rest of the
//     published table (no answer, not a fax, invalid number codes) was not
//     reachable: unknown positive codes are gateway-error, and the fax
//     object carries no text to fall back on beyond an optional message
//     field, which is read through gateway.ReasonFromText when present.
//   - Limits (System limitations): ≤ 20 MB of attachments, 100 pages,
//     status polling up to 6 requests a minute (MinPoll).
//
// MinPoll is a hint for the dispatcher: package gateway's Driver has no
// field for a vendor's polling limit, so it is documented here and in the
// driver's Summary rather than enforced by sleeping inside Status.
//
// Idempotency (DedupeByKey): no. InterFAX documents no idempotency key for
// POST /outbound/faxes: reference is free text shown with the fax and
// searchable, and a repeated POST is a second fax. After a crash or a lost
// answer faxjam waits until RequestTimeout + LateMargin since the request
// began, then searches the reference, and only then counts "not found" as
// not sent. LateMargin is 30 s (no bound is documented).
package interfax

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/faxjam/faxjam/pkg/e164"
	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/httpclient"
)

const scheme = "interfax"

// DefaultEndpoint is InterFAX's REST base.
const DefaultEndpoint = "https://rest.interfax.net"

// MaxDocument is InterFAX's limit for a fax's attachments (20 MB).
const MaxDocument = 20_000_000

// MinPoll is the shortest interval between status requests InterFAX allows
// ("up to 6 requests per minute").
const MinPoll = 10 * time.Second

// ReferenceMax is the length of InterFAX's reference field, which carries
// the idempotency key.
const ReferenceMax = 60

// Driver declares the interfax:// URL.
func Driver() gateway.Driver {
	return gateway.Driver{
		DedupeByKey:    false,
		LateMargin:     30 * time.Second,
		Scheme:         scheme,
		Summary:        "InterFAX REST API (Upland); status polling is limited to 6 a minute: use --poll 10s or more",
		Syntax:         "interfax://USERNAME:PASSWORD@[?csid=ID&resolution=fine|standard&endpoint=URL]",
		Example:        "interfax://campaign-office:S3cret@?csid=%2B1%20202%20555%200100",
		RealNetwork:    true,
		MaxDocument:    MaxDocument,
		StationOptions: []string{"csid"},
		Options: []gateway.Option{
			{Name: "username", Place: gateway.InUser, Help: "InterFAX account user name", Required: true},
			{Name: "password", Place: gateway.InPassword, Help: "InterFAX account password", Required: true, Secret: true},
			gateway.CSIDOption("sender's fax id (CSID) the receiving machine prints and faxjam's header shows; default: the control panel's"),
			{Name: "resolution", Place: gateway.InQuery, Help: "fine or standard; default: the control panel's"},
			{Name: "endpoint", Place: gateway.InQuery, Help: "API base URL", Default: DefaultEndpoint},
		},
		Open: open,
	}
}

// Gateway sends faxes through one InterFAX account. It is not changed after
// Open and is safe for concurrent use.
type Gateway struct {
	user, password, base string
	csid, resolution     string
	http                 *httpclient.Client
	now                  func() time.Time
}

// Station is the CSID (csid=) the fax is sent with, for the header
// faxjam draws: InterFAX documents pageHeader's placeholders for the date
// and time only in its control panel (UNVERIFIED), so this driver asks for
// no header of InterFAX's.
func (g *Gateway) Station() string { return g.csid }

func open(u *url.URL, env gateway.Env) (gateway.Gateway, error) {
	d := Driver()
	v, err := d.Values(u)
	if err != nil {
		return nil, err
	}
	if err := gateway.NoHost(d, u); err != nil {
		return nil, err
	}
	base, err := gateway.Endpoint(scheme, v["endpoint"])
	if err != nil {
		return nil, err
	}
	csid, err := gateway.CSID(scheme, "csid", v["csid"])
	if err != nil {
		return nil, err
	}
	switch v["resolution"] {
	case "", "fine", "standard":
	default:
		return nil, fmt.Errorf("interfax: option resolution %q: want fine or standard", v["resolution"])
	}
	return &Gateway{
		user: v["username"], password: v["password"], base: base,
		csid: csid, resolution: v["resolution"],
		http: httpclient.New(env.HTTP, env.Version),
		now:  time.Now,
	}, nil
}

// fax is the outbound fax object, as much of it as faxjam reads.
type fax struct {
	ID             json.Number `json:"id"`
	Status         *int        `json:"status"`
	PagesSent      int         `json:"pagesSent"`
	CompletionTime string      `json:"completionTime"`
	SubmitTime     string      `json:"submitTime"`
	DestinationFax string      `json:"destinationFax"`
	Reference      string      `json:"reference"`
	Subject        string      `json:"subject"`
	Message        string      `json:"message"`
}

// Send posts the PDF as the request body; the options ride in the query.
func (g *Gateway) Send(ctx context.Context, f gateway.Fax) (gateway.Receipt, error) {
	to, err := gateway.PreparePDF(Driver(), f)
	if err != nil {
		return gateway.Receipt{}, err
	}
	q := url.Values{}
	q.Set("faxNumber", to)
	if f.Key != "" {
		q.Set("reference", gateway.KeyField(f.Key, ReferenceMax))
	}
	if g.csid != "" {
		q.Set("csid", g.csid)
	}
	if g.resolution != "" {
		q.Set("resolution", g.resolution)
	}
	req, err := http.NewRequest(http.MethodPost, g.base+"/outbound/faxes?"+q.Encode(), bytes.NewReader(f.PDF))
	if err != nil {
		return gateway.Receipt{}, &gateway.Error{Driver: scheme, Op: "send", Reason: gateway.ReasonGatewayError, Message: "building the request failed"}
	}
	req.Header.Set("Content-Type", "application/pdf")
	resp, err := g.do(ctx, req, nil)
	if err != nil {
		e := gateway.FromHTTP(scheme, "send", err)
		var he *httpclient.Error
		if errors.As(err, &he) && he.StatusCode >= 400 && he.StatusCode < 500 {
			if r, ok := gateway.ReasonFromText(e.Message + " " + moreInfo(he.Body)); ok && r == gateway.ReasonInvalidNumber {
				e.Reason = r
			}
		}
		return gateway.Receipt{}, e
	}
	id := idFromLocation(resp.Header.Get("Location"))
	if id == "" {
		// A 2xx to the send: the fax may exist. Lookup by key will tell.
		return gateway.Receipt{}, &gateway.Error{Driver: scheme, Op: "send", Reason: gateway.ReasonGatewayError, Accepted: true,
			HTTPStatus: resp.StatusCode, Message: "malformed answer: no Location header naming the new fax"}
	}
	return gateway.Receipt{ID: id, Driver: scheme, To: to, State: gateway.Queued, Submitted: g.now().UTC()}, nil
}

// Status asks InterFAX for one fax.
func (g *Gateway) Status(ctx context.Context, id string) (gateway.Status, error) {
	req, err := http.NewRequest(http.MethodGet, g.base+"/outbound/faxes/"+url.PathEscape(id), nil)
	if err != nil {
		return gateway.Status{}, &gateway.Error{Driver: scheme, Op: "status", Reason: gateway.ReasonGatewayError, Message: "building the request failed"}
	}
	var out fax
	if _, err := g.do(ctx, req, &out); err != nil {
		return gateway.Status{}, gateway.FromHTTP(scheme, "status", err)
	}
	if out.Status == nil {
		return gateway.Status{}, gateway.NoStatus(scheme, id)
	}
	st := statusOf(out)
	st.ID = id
	return st, nil
}

// Lookup finds the fax sent with key by its reference.
func (g *Gateway) Lookup(ctx context.Context, key string) (gateway.Receipt, bool, error) {
	ref := gateway.KeyField(key, ReferenceMax)
	q := url.Values{}
	q.Set("reference", ref)
	q.Set("limit", "10")
	req, err := http.NewRequest(http.MethodGet, g.base+"/outbound/search?"+q.Encode(), nil)
	if err != nil {
		return gateway.Receipt{}, false, &gateway.Error{Driver: scheme, Op: "lookup", Reason: gateway.ReasonGatewayError, Message: "building the request failed"}
	}
	var out []fax
	if _, err := g.do(ctx, req, &out); err != nil {
		return gateway.Receipt{}, false, gateway.FromHTTP(scheme, "lookup", err)
	}
	for _, f := range out {
		if !carries(f, ref) || f.ID == "" {
			continue
		}
		st := gateway.Queued
		if f.Status != nil {
			st = stateOf(*f.Status)
		}
		to, _ := e164.Normalize(f.DestinationFax)
		submitted, _ := time.Parse(time.RFC3339, f.SubmitTime)
		return gateway.Receipt{ID: f.ID.String(), Driver: scheme, To: to, State: st, Submitted: submitted}, true, nil
	}
	return gateway.Receipt{}, false, nil
}

// carries reports whether f may be the fax sent with reference ref: one of
// the fields that can echo it holds ref, or neither says anything and the
// server's reference filter is trusted.
func carries(f fax, ref string) bool {
	if f.Reference == "" && f.Subject == "" {
		return true
	}
	return f.Reference == ref || f.Subject == ref
}

// Check makes the cheapest authenticated call.
func (g *Gateway) Check(ctx context.Context) error {
	req, err := http.NewRequest(http.MethodGet, g.base+"/outbound/faxes?limit=1", nil)
	if err != nil {
		return &gateway.Error{Driver: scheme, Op: "check", Reason: gateway.ReasonGatewayError, Message: "building the request failed"}
	}
	if _, err := g.do(ctx, req, nil); err != nil {
		return gateway.FromHTTP(scheme, "check", err)
	}
	return nil
}

func (g *Gateway) do(ctx context.Context, req *http.Request, out any) (*http.Response, error) {
	req.SetBasicAuth(g.user, g.password)
	resp, _, err := g.http.Do(ctx, req, out)
	return resp, err
}

// idFromLocation is the last path segment of the Location header.
func idFromLocation(loc string) string {
	u, err := url.Parse(strings.TrimSpace(loc))
	if err != nil || u.Path == "" {
		return ""
	}
	id := path.Base(strings.TrimRight(u.Path, "/"))
	if id == "." || id == "/" {
		return ""
	}
	return id
}

// moreInfo reads InterFAX's error detail ({"code","message","more_info"}).
func moreInfo(body []byte) string {
	var e struct {
		MoreInfo string `json:"more_info"`
	}
	_ = json.Unmarshal(body, &e) // best effort: the message is already in hand
	return e.MoreInfo
}

// statusOf maps the fax object onto gateway.Status (ID aside).
func statusOf(f fax) gateway.Status {
	code := *f.Status
	st := gateway.Status{State: stateOf(code), Code: strconv.Itoa(code)}
	switch st.State {
	case gateway.Delivered:
		st.Pages = f.PagesSent
		st.Message = describe(code)
	case gateway.Failed:
		st.Reason = reasonOf(code, f.Message)
		st.Retryable = st.Reason.Retryable()
		st.Message = f.Message
		if st.Message == "" {
			st.Message = describe(code)
		}
	default:
		st.Message = describe(code)
	}
	st.Updated, _ = time.Parse(time.RFC3339, f.CompletionTime)
	return st
}

// stateOf maps InterFAX's integer status.
func stateOf(code int) gateway.State {
	switch {
	case code == 0:
		return gateway.Delivered
	case code == -1 || code == -11 || code == -2 || code == -22:
		return gateway.Queued
	case code < 0:
		return gateway.Sending
	}
	return gateway.Failed
}

// reasonOf maps a failure code, then the text, onto the common vocabulary.
func reasonOf(code int, text string) gateway.Reason {
	switch code {
	case 263:
		return gateway.ReasonBusy
	case 1, 2, 12:
		return gateway.ReasonLineError
	case 205000:
		return gateway.ReasonRejected
	}
	if r, ok := gateway.ReasonFromText(text); ok {
		return r
	}
	return gateway.ReasonGatewayError
}

// describe is InterFAX's own description of the codes this driver knows.
func describe(code int) string {
	switch code {
	case 0:
		return "OK"
	case -1, -11:
		return "Pre-processing"
	case -2:
		return "Ready"
	case -3:
		return "Sending (or pending retry)"
	case -22:
		return "Out of credit, awaiting top-up"
	case 1:
		return "Internal error"
	case 2, 12:
		return "Telephony error"
	case 263:
		return "Busy: the receiving line is in use"
	case 205000:
		return "Canceled: no credit for 24 hours"
	}
	if code < 0 {
		return "Fax is being handled"
	}
	return "Failed (InterFAX status " + strconv.Itoa(code) + ")"
}
