// Package telnyx is the gateway driver for Telnyx Programmable Fax, API v2
// (docs/gateways.md §1). It imports package gateway and httpclient, and no
// other driver.
//
// Contract points it relies on:
//   - Bearer auth with the API v2 key; base https://api.telnyx.com/v2.
//   - Send is two documented calls: POST /media (Media Storage,
//     multipart/form-data, the PDF as the `media` part, max 20 MB, ttl_secs)
//     answers 201 {"data":{"media_name"}}; then POST /faxes as JSON
//     (SendFaxRequest) with connection_id, to, from, media_name and
//     client_state = base64(idempotency key), answered 202 {"data": Fax}.
//   - Status is GET /faxes/{id}: the status enum and failure_reason.
//   - Lookup pages through GET /faxes?filter[direction][eq]=outbound and
//     matches client_state; Check is GET /faxes?page[size]=1.
//
// Why two calls and not one multipart POST /faxes with `contents`: looked
// up (Telnyx OpenAPI fax.yml via the docs and a frozen contract that quotes
// spec3.json), SendFaxMultipartRequest has connection_id, contents, to, from,
// quality, t38_enabled, monochrome, store_media, store_preview — and no
// client_state or webhook_url. Putting client_state there anyway would be
// worse than leaving it out: if Telnyx ignored it, Lookup would answer "not
// found" for a fax that was sent, and the dispatcher would send it again.
// media_url needs the PDF on a public URL, which faxjam does not host. The
// Media Storage upload keeps the document private to the account and lets
// the documented JSON request carry client_state. A failed upload creates no
// fax, so its errors are never "maybe accepted". The stored media expires
// after ttl_secs (a day: the letters carry signers' names).
//
// Lookup's cost: Telnyx cannot filter faxes by client_state, so Lookup
// reads the outbound list newest first, 100 a page, up to 20 pages (2000
// faxes, 20 requests); past that it returns an error rather than a "not
// found" it cannot vouch for.
//
// failure_reason mapping (support.telnyx.com/en/articles/4967498): see
// reasonOf. destination_unreachable is read as invalid-number (no route to
// the number), unknown reasons as gateway-error.
//
// Idempotency (DedupeByKey): no. The Telnyx API v2 documents no
// idempotency key for POST /faxes: client_state is an opaque value echoed in
// the fax object and its webhooks, not a deduplication key, so a repeated
// POST is a second fax. faxjam therefore never posts an attempt again while
// its first request might still be processed: after a crash or a lost
// answer it waits until RequestTimeout + LateMargin since the request began,
// then asks Lookup. LateMargin is 30 s (Telnyx documents no bound on how
// long a request outlives its client or on how soon GET /faxes lists a new
// fax; 30 s covers a request being finished and listed).
package telnyx

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/faxjam/faxjam/pkg/e164"
	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/httpclient"
)

const scheme = "telnyx"

// DefaultEndpoint is Telnyx's API v2 base.
const DefaultEndpoint = "https://api.telnyx.com/v2"

// MaxDocument is Telnyx's limit for an uploaded file (20 MB).
const MaxDocument = 20_000_000

// mediaTTL is how long Telnyx keeps the uploaded letter: long enough for a
// queued fax to fetch it, short because it names its signer.
const mediaTTL = 24 * time.Hour

// Driver declares the telnyx:// URL.
func Driver() gateway.Driver {
	return gateway.Driver{
		DedupeByKey:    false,
		LateMargin:     30 * time.Second,
		Scheme:         scheme,
		Summary:        "Telnyx Programmable Fax (API v2)",
		Syntax:         "telnyx://API_KEY@CONNECTION_ID?from=+E164[&endpoint=URL]",
		Example:        "telnyx://KEY0123456789ABCDEF@1293384261075731499?from=%2B12025550100",
		RealNetwork:    true,
		MaxDocument:    MaxDocument,
		StationOptions: []string{"from"},
		Options: []gateway.Option{
			{Name: "api_key", Place: gateway.InUser, Help: "Telnyx API v2 key (Mission Control → API Keys)", Required: true, Secret: true},
			{Name: "connection_id", Place: gateway.InHost, Help: "the Fax Application's id (Programmable Fax → Fax Applications; it needs an Outbound Voice Profile)", Required: true},
			{Name: "from", Place: gateway.InQuery, Help: "caller id: a Telnyx number of the Fax Application, E.164 (write + as %2B or +)", Required: true},
			{Name: "endpoint", Place: gateway.InQuery, Help: "API base URL", Default: DefaultEndpoint},
			{Name: "webhook_url", Place: gateway.InQuery, Help: "where Telnyx posts the fax's status as it changes: the hub's https://HOST/v1/push/telnyx (serve --push-telnyx-key); polling stays the fallback"},
		},
		Open: open,
	}
}

// Gateway sends faxes through one Telnyx Fax Application. It is not
// changed after Open and is safe for concurrent use.
type Gateway struct {
	key, connection, from, base string
	webhook                     string // webhook_url: the hub's receiver (webhook.go)
	http                        *httpclient.Client
	pageSize, maxPages          int // Lookup's walk through the fax list
}

// Station is the caller id (from=) the fax is sent from, for the header
// faxjam draws: Telnyx documents no header line of its own.
func (g *Gateway) Station() string { return g.from }

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
	if w := v["webhook_url"]; w != "" {
		if wu, err := url.Parse(w); err != nil || wu.Scheme != "https" && wu.Scheme != "http" || wu.Host == "" {
			return nil, fmt.Errorf("%s: webhook_url %q: want the hub's http(s) URL, e.g. https://fax.example.org/v1/push/telnyx", scheme, w)
		}
	}
	return &Gateway{
		key: v["api_key"], connection: v["connection_id"], from: from, base: base, webhook: v["webhook_url"],
		http:     httpclient.New(env.HTTP, env.Version),
		pageSize: 100, maxPages: 20,
	}, nil
}

// fax is the Fax object, as much of it as faxjam reads.
type fax struct {
	ID            string `json:"id"`
	To            string `json:"to"`
	Status        string `json:"status"`
	FailureReason string `json:"failure_reason"`
	ClientState   string `json:"client_state"`
	CreatedAt     string `json:"created_at"`
	UpdatedAt     string `json:"updated_at"`
}

type sendRequest struct {
	ConnectionID string `json:"connection_id"`
	To           string `json:"to"`
	From         string `json:"from"`
	MediaName    string `json:"media_name"`
	ClientState  string `json:"client_state,omitempty"`
	WebhookURL   string `json:"webhook_url,omitempty"`
}

// Send uploads the PDF to Media Storage, then creates the fax from it.
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
	media, err := g.upload(ctx, f.PDF)
	if err != nil {
		return gateway.Receipt{}, err
	}
	body := sendRequest{ConnectionID: g.connection, To: to, From: from, MediaName: media, WebhookURL: g.webhook}
	if f.Key != "" {
		body.ClientState = clientState(f.Key)
	}
	req, err := httpclient.JSON(http.MethodPost, g.base+"/faxes", body)
	if err != nil {
		return gateway.Receipt{}, &gateway.Error{Driver: scheme, Op: "send", Reason: gateway.ReasonGatewayError, Err: err}
	}
	var out struct {
		Data fax `json:"data"`
	}
	if err := g.do(ctx, req, &out); err != nil {
		e := gateway.FromHTTP(scheme, "send", err)
		if invalidTo(err) {
			e.Reason = gateway.ReasonInvalidNumber
		}
		var bad *httpclient.Malformed
		if errors.As(err, &bad) {
			e.Accepted = true // a 2xx to the create: the fax may exist
		}
		return gateway.Receipt{}, e
	}
	if out.Data.ID == "" {
		// Telnyx answered 2xx to the create: the fax may exist. Lookup by
		// key will tell.
		return gateway.Receipt{}, &gateway.Error{Driver: scheme, Op: "send", Reason: gateway.ReasonGatewayError, Accepted: true,
			Message: "malformed answer: the created fax has no id"}
	}
	st := stateOf(out.Data.Status)
	if st == "" || st.Terminal() {
		st = gateway.Queued
	}
	return gateway.Receipt{ID: out.Data.ID, Driver: scheme, To: to, State: st, Submitted: time.Now().UTC()}, nil
}

// upload stores the PDF in Media Storage and returns its media_name.
func (g *Gateway) upload(ctx context.Context, pdf []byte) (string, error) {
	req, err := gateway.MultipartRequest(http.MethodPost, g.base+"/media",
		[]gateway.FormField{{Name: "ttl_secs", Value: strconv.Itoa(int(mediaTTL.Seconds()))}},
		gateway.FormFile{Field: "media", Filename: "faxjam-letter.pdf", ContentType: "application/pdf", Data: pdf})
	if err != nil {
		return "", &gateway.Error{Driver: scheme, Op: "send", Reason: gateway.ReasonGatewayError, Err: err}
	}
	var out struct {
		Data struct {
			MediaName string `json:"media_name"`
		} `json:"data"`
	}
	if err := g.do(ctx, req, &out); err != nil {
		e := gateway.FromHTTP(scheme, "send", err)
		e.Accepted = false // an upload alone creates no fax
		e.Message = "uploading the document: " + e.Message
		return "", e
	}
	if out.Data.MediaName == "" {
		return "", &gateway.Error{Driver: scheme, Op: "send", Reason: gateway.ReasonGatewayError,
			Message: "uploading the document: malformed answer without media_name"}
	}
	return out.Data.MediaName, nil
}

// Status asks Telnyx for one fax.
func (g *Gateway) Status(ctx context.Context, id string) (gateway.Status, error) {
	req, err := http.NewRequest(http.MethodGet, g.base+"/faxes/"+url.PathEscape(id), nil)
	if err != nil {
		return gateway.Status{}, &gateway.Error{Driver: scheme, Op: "status", Reason: gateway.ReasonGatewayError, Err: err}
	}
	var out struct {
		Data fax `json:"data"`
	}
	if err := g.do(ctx, req, &out); err != nil {
		return gateway.Status{}, gateway.FromHTTP(scheme, "status", err)
	}
	st := statusOf(out.Data)
	if st.State == "" {
		return gateway.Status{}, gateway.NoStatus(scheme, id)
	}
	st.ID = id
	return st, nil
}

// Lookup finds the fax sent with key, by its client_state.
func (g *Gateway) Lookup(ctx context.Context, key string) (gateway.Receipt, bool, error) {
	want := clientState(key)
	for page := 1; page <= g.maxPages; page++ {
		q := url.Values{}
		q.Set("filter[direction][eq]", "outbound")
		q.Set("page[number]", strconv.Itoa(page))
		q.Set("page[size]", strconv.Itoa(g.pageSize))
		req, err := http.NewRequest(http.MethodGet, g.base+"/faxes?"+q.Encode(), nil)
		if err != nil {
			return gateway.Receipt{}, false, &gateway.Error{Driver: scheme, Op: "lookup", Reason: gateway.ReasonGatewayError, Err: err}
		}
		var out struct {
			Data []fax `json:"data"`
			Meta struct {
				TotalPages int `json:"total_pages"`
			} `json:"meta"`
		}
		if err := g.do(ctx, req, &out); err != nil {
			return gateway.Receipt{}, false, gateway.FromHTTP(scheme, "lookup", err)
		}
		for _, f := range out.Data {
			if f.ClientState == want {
				st := stateOf(f.Status)
				if st == "" {
					st = gateway.Queued
				}
				created, _ := time.Parse(time.RFC3339, f.CreatedAt)
				return gateway.Receipt{ID: f.ID, Driver: scheme, To: f.To, State: st, Submitted: created}, true, nil
			}
		}
		if len(out.Data) < g.pageSize || (out.Meta.TotalPages > 0 && page >= out.Meta.TotalPages) {
			return gateway.Receipt{}, false, nil
		}
	}
	return gateway.Receipt{}, false, &gateway.Error{Driver: scheme, Op: "lookup", Reason: gateway.ReasonGatewayError,
		Message: fmt.Sprintf("the newest %d outbound faxes do not carry this key and Telnyx cannot search older ones by key; decide by hand whether it was sent", g.pageSize*g.maxPages)}
}

// Check makes the cheapest authenticated call.
func (g *Gateway) Check(ctx context.Context) error {
	req, err := http.NewRequest(http.MethodGet, g.base+"/faxes?page%5Bsize%5D=1", nil)
	if err != nil {
		return &gateway.Error{Driver: scheme, Op: "check", Reason: gateway.ReasonGatewayError, Err: err}
	}
	if err := g.do(ctx, req, nil); err != nil {
		return gateway.FromHTTP(scheme, "check", err)
	}
	return nil
}

func (g *Gateway) do(ctx context.Context, req *http.Request, out any) error {
	req.Header.Set("Authorization", "Bearer "+g.key)
	_, _, err := g.http.Do(ctx, req, out)
	return err
}

// clientState is how the key travels: Telnyx wants client_state in base64.
func clientState(key string) string { return base64.StdEncoding.EncodeToString([]byte(key)) }

// invalidTo reports whether a 422 names the `to` field, which Telnyx does
// for numbers it cannot dial ({"errors":[{"source":{"pointer":"/to"}}]}).
func invalidTo(err error) bool {
	var he *httpclient.Error
	if !errors.As(err, &he) || he.StatusCode != http.StatusUnprocessableEntity {
		return false
	}
	var body struct {
		Errors []struct {
			Source struct {
				Pointer string `json:"pointer"`
			} `json:"source"`
		} `json:"errors"`
	}
	if json.Unmarshal(he.Body, &body) != nil {
		return false
	}
	for _, e := range body.Errors {
		if e.Source.Pointer == "/to" {
			return true
		}
	}
	return false
}

// statusOf maps a Fax object onto gateway.Status (ID aside).
func statusOf(f fax) gateway.Status {
	st := gateway.Status{State: stateOf(f.Status)}
	if st.State == "" && f.Status != "" {
		// A status this driver does not know: keep polling, keep the word.
		st.State, st.Code = gateway.Sending, f.Status
	}
	if st.State == gateway.Failed {
		st.Reason = reasonOf(f.FailureReason)
		st.Retryable = st.Reason.Retryable()
		st.Code = f.FailureReason
		st.Message = strings.ReplaceAll(f.FailureReason, "_", " ")
	}
	st.Updated, _ = time.Parse(time.RFC3339, f.UpdatedAt)
	return st
}

// stateOf maps Telnyx's status enum; "" for a status it does not know.
func stateOf(status string) gateway.State {
	switch status {
	case "queued", "media.processed", "media.processing", "initiated":
		return gateway.Queued
	case "originated", "sending", "receiving":
		return gateway.Sending
	case "delivered", "received":
		return gateway.Delivered
	case "failed":
		return gateway.Failed
	}
	return ""
}

// reasonOf maps failure_reason onto the common vocabulary.
func reasonOf(failure string) gateway.Reason {
	switch failure {
	case "user_busy":
		return gateway.ReasonBusy
	case "receiver_no_answer", "receiver_no_response", "fax_initial_communication_timeout":
		return gateway.ReasonNoAnswer
	case "receiver_incompatible_destination":
		return gateway.ReasonNotAFax
	case "destination_invalid", "receiver_invalid_number_format", "receiver_unallocated_number", "destination_unreachable":
		return gateway.ReasonInvalidNumber
	case "receiver_decline", "destination_not_in_countries_whitelist", "destination_not_in_service_plan",
		"unverified_destination_not_allowed", "unverified_origination_number", "account_disabled",
		"no_outbound_profile", "outbound_profile_daily_spend_limit_exceeded":
		return gateway.ReasonRejected
	case "receiver_call_dropped", "fax_signaling_error", "receiver_communication_error",
		"invalid_ecm_response_from_receiver", "receiver_recovery_on_timer_expire":
		return gateway.ReasonLineError
	case "file_format_invalid", "file_download_failed", "file_size_limit_exceeded",
		"page_count_limit_exceeded", "media_processing_exception":
		return gateway.ReasonDocument
	case "service_unavailable", "connection_channel_limit_exceeded",
		"outbound_profile_channel_limit_exceeded", "user_channel_limit_exceeded":
		return gateway.ReasonGatewayError
	}
	// Unknown (or missing) reasons are the vendor's to explain: retry later.
	return gateway.ReasonGatewayError
}
