// Package webhook is the gateway driver for organizers' own relays: a small
// HTTP protocol, defined here (it is faxjam's, not a vendor's), that a relay
// implements to take faxes from faxjam and fax them however it likes.
//
// URL: webhook+https://[USER:PASS@]host/path[?token=TOKEN] (webhook+http://
// for relays on a trusted network: credentials then travel in clear). USER
// and PASS become HTTP Basic auth, token an `Authorization: Bearer` header;
// neither is ever put in the requested URL. The URL is the relay's endpoint,
// so this driver has no endpoint= option.
//
// The protocol, with URL the gateway URL without "webhook+", credentials or
// query:
//
//	POST URL          multipart/form-data: fields to (E.164), from (E.164 or
//	                  empty), key (idempotency key), campaign, pages, sender,
//	                  fictitious ("true" when the number is a documented
//	                  fictitious one, so the relay can refuse it); file part
//	                  "file" (fax.pdf, application/pdf) and, when faxjam has
//	                  one, "tiff" (fax.tif, image/tiff, class F G3).
//	                  → 2xx {"id": "...", "status": "queued"}
//	                  A relay must treat a repeated key as the same fax and
//	                  answer with the first fax's id (see Idempotency).
//	GET URL/{id}      → {"id", "status": queued|sending|delivered|failed,
//	                     "reason"?, "message"?, "pages"?}
//	                  404 when there is no such fax.
//	GET URL?key=K     → {"id", "to"?, "status", ...} of the fax sent with key K,
//	                  or 404.
//	GET URL           the check: 2xx, 404 or 405 mean reachable and
//	                  authorized, 401/403 that the credentials are wrong.
//
// "reason" is faxjam's failure vocabulary as is (busy, no-answer, not-a-fax,
// invalid-number, rejected, line-error, document, gateway-error, ...); an
// unknown reason is kept in Status.Code and counts as rejected, so a fax is
// never resent on a word faxjam does not know. Errors are JSON {"message"} or
// {"error"} with 4xx/5xx; a 4xx error body may carry a "reason" too (e.g.
// invalid-number), which faxjam then uses. 429 may carry Retry-After.
//
// RealNetwork is false: the relay decides what it dials, and it is told when a
// number is fictitious. It imports package gateway and pkg/httpclient only.
//
// Idempotency (DedupeByKey): required of relays by this protocol. A relay
// must treat a POST whose key it already has as the same fax — answer with
// the first fax's id and status and dial nothing — also while the first
// POST is still being processed (take a lock per key). faxjam relies on it:
// after a crash or a lost answer it posts the same attempt again with the
// same key to the same number instead of waiting. LateMargin is 30 s: the
// time a relay may still take to record a fax after faxjam gave up on the
// request (RequestTimeout, the HTTP client's timeout); only after it does a
// lookup's 404 mean the fax was never taken.
package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/httpclient"
)

// Scheme is the webhook driver's scheme; SchemeHTTP its plain-HTTP alias.
const (
	Scheme     = "webhook+https"
	SchemeHTTP = "webhook+http"
)

// MaxDocument is what a relay is expected to take.
const MaxDocument = 20 << 20

// Driver declares the webhook driver.
func Driver() gateway.Driver {
	return gateway.Driver{
		DedupeByKey:    true,
		LateMargin:     30 * time.Second,
		Scheme:         Scheme,
		Aliases:        []string{SchemeHTTP},
		Summary:        "posts each fax to an organizer's relay (faxjam's own small HTTP protocol)",
		Syntax:         "webhook+https://[USER:PASS@]HOST/PATH[?token=TOKEN]",
		Example:        "webhook+https://relay.example.org/fax?token=RELAY_TOKEN",
		MaxDocument:    MaxDocument,
		StationOptions: []string{"csid"},
		Options: []gateway.Option{
			{Name: "host", Place: gateway.InHost, Required: true, Help: "the relay's host[:port]"},
			{Name: "path", Place: gateway.InPath, Help: "the relay's path; faxes are POSTed here, statuses read below it"},
			{Name: "user", Place: gateway.InUser, Help: "user name for HTTP Basic auth, if the relay wants it"},
			{Name: "password", Place: gateway.InPassword, Secret: true, Help: "password for HTTP Basic auth"},
			{Name: "token", Place: gateway.InQuery, Secret: true, Help: "bearer token, sent as Authorization: Bearer TOKEN"},
			gateway.CSIDOption("the sending number the fax header faxjam draws shows"),
		},
		Open: open,
	}
}

type relay struct {
	url          string // without credentials or query, no trailing slash
	user, pass   string
	token        string
	client       *httpclient.Client
	scheme       string
	hasBasicAuth bool
	csid         string // for the header faxjam draws
}

// Station is the csid= the header faxjam draws shows.
func (r *relay) Station() string { return r.csid }

func open(u *url.URL, env gateway.Env) (gateway.Gateway, error) {
	d := Driver()
	v, err := d.Values(u)
	if err != nil {
		return nil, err
	}
	target := url.URL{Path: strings.TrimRight(u.Path, "/"), Host: u.Host}
	scheme := strings.ToLower(u.Scheme)
	switch scheme {
	case Scheme:
		target.Scheme = "https"
	case SchemeHTTP:
		target.Scheme = "http"
	default:
		return nil, fmt.Errorf("webhook: scheme %q: want %s or %s", u.Scheme, Scheme, SchemeHTTP)
	}
	r := &relay{
		url:    target.String(),
		token:  v["token"],
		client: httpclient.New(env.HTTP, env.Version),
		// Errors name the scheme the organizer gave: a webhook+http relay
		// called webhook+https would send them looking for a TLS problem.
		scheme: scheme,
	}
	if u.User != nil {
		r.user, r.pass, r.hasBasicAuth = v["user"], v["password"], true
	}
	if r.csid, err = gateway.CSID(scheme, "csid", v["csid"]); err != nil {
		return nil, err
	}
	return r, nil
}

// answer is the relay's JSON for a fax.
type answer struct {
	ID      string `json:"id"`
	To      string `json:"to"`
	Status  string `json:"status"`
	Reason  string `json:"reason"`
	Message string `json:"message"`
	Pages   int    `json:"pages"`
}

func (r *relay) Send(ctx context.Context, fax gateway.Fax) (gateway.Receipt, error) {
	to, err := gateway.Prepare(Driver(), fax)
	if err != nil {
		return gateway.Receipt{}, err
	}
	fields := []gateway.FormField{
		{Name: "to", Value: to},
		{Name: "from", Value: fax.From},
		{Name: "key", Value: fax.Key},
		{Name: "campaign", Value: fax.Campaign},
		{Name: "pages", Value: strconv.Itoa(fax.Pages)},
		{Name: "sender", Value: fax.Sender},
	}
	if fax.Fictitious {
		fields = append(fields, gateway.FormField{Name: "fictitious", Value: "true"})
	}
	var files []gateway.FormFile
	if len(fax.PDF) > 0 {
		files = append(files, gateway.FormFile{Field: "file", Filename: "fax.pdf", ContentType: "application/pdf", Data: fax.PDF})
	}
	if len(fax.TIFF) > 0 {
		files = append(files, gateway.FormFile{Field: "tiff", Filename: "fax.tif", ContentType: "image/tiff", Data: fax.TIFF})
	}
	req, err := gateway.MultipartRequest(http.MethodPost, r.url, fields, files...)
	if err != nil {
		return gateway.Receipt{}, &gateway.Error{Driver: r.scheme, Op: "send", Reason: gateway.ReasonGatewayError, Message: err.Error()}
	}
	a, err := r.do(ctx, "send", req)
	if err != nil {
		return gateway.Receipt{}, err
	}
	st, err := r.status(a, "send")
	if err != nil {
		return gateway.Receipt{}, err
	}
	return gateway.Receipt{ID: a.ID, Driver: r.scheme, To: to, State: st.State}, nil
}

func (r *relay) Status(ctx context.Context, id string) (gateway.Status, error) {
	if id == "" {
		return gateway.Status{}, &gateway.Error{Driver: r.scheme, Op: "status", Reason: gateway.ReasonRejected, Message: "empty fax id"}
	}
	req, err := http.NewRequest(http.MethodGet, r.url+"/"+url.PathEscape(id), nil)
	if err != nil {
		return gateway.Status{}, &gateway.Error{Driver: r.scheme, Op: "status", Reason: gateway.ReasonGatewayError, Message: "building the status request failed"}
	}
	a, err := r.do(ctx, "status", req)
	if err != nil {
		return gateway.Status{}, err
	}
	return r.status(a, "status")
}

func (r *relay) Lookup(ctx context.Context, key string) (gateway.Receipt, bool, error) {
	req, err := http.NewRequest(http.MethodGet, r.url+"?key="+url.QueryEscape(key), nil)
	if err != nil {
		return gateway.Receipt{}, false, &gateway.Error{Driver: r.scheme, Op: "lookup", Reason: gateway.ReasonGatewayError, Message: "building the lookup request failed"}
	}
	a, err := r.do(ctx, "lookup", req)
	if ge, ok := gateway.AsError(err); ok && ge.HTTPStatus == http.StatusNotFound {
		return gateway.Receipt{}, false, nil
	}
	if err != nil {
		return gateway.Receipt{}, false, err
	}
	st, err := r.status(a, "lookup")
	if err != nil {
		return gateway.Receipt{}, false, err
	}
	return gateway.Receipt{ID: a.ID, Driver: r.scheme, To: a.To, State: st.State}, true, nil
}

func (r *relay) Check(ctx context.Context) error {
	req, err := http.NewRequest(http.MethodGet, r.url, nil)
	if err != nil {
		return &gateway.Error{Driver: r.scheme, Op: "check", Reason: gateway.ReasonGatewayError, Message: "building the check request failed"}
	}
	r.authorize(req)
	_, _, err = r.client.Do(ctx, req, nil)
	var he *httpclient.Error
	if errors.As(err, &he) && (he.StatusCode == http.StatusNotFound || he.StatusCode == http.StatusMethodNotAllowed) {
		return nil // reachable and past authentication; the relay only does not list here
	}
	if err != nil {
		return gateway.FromHTTP(r.scheme, "check", err)
	}
	return nil
}

func (r *relay) authorize(req *http.Request) {
	if r.hasBasicAuth {
		req.SetBasicAuth(r.user, r.pass)
	}
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
}

// do sends req and decodes the relay's answer, mapping failures; a 4xx
// body's "reason" in faxjam's vocabulary takes precedence.
func (r *relay) do(ctx context.Context, op string, req *http.Request) (answer, error) {
	r.authorize(req)
	var a answer
	_, _, err := r.client.Do(ctx, req, &a)
	if err != nil {
		ge := gateway.FromHTTP(r.scheme, op, err)
		var he *httpclient.Error
		if errors.As(err, &he) && he.StatusCode >= 400 && he.StatusCode < 500 {
			var body struct {
				Reason string `json:"reason"`
			}
			if json.Unmarshal(he.Body, &body) == nil {
				if reason, ok := known(body.Reason); ok && reason != gateway.ReasonNone {
					ge.Reason = reason
					ge.Code = body.Reason
				}
			}
		}
		return answer{}, ge
	}
	if a.ID == "" {
		return answer{}, &gateway.Error{Driver: r.scheme, Op: op, Reason: gateway.ReasonGatewayError, Message: "relay answered without a fax id"}
	}
	return a, nil
}

// status maps the relay's answer onto a Status.
func (r *relay) status(a answer, op string) (gateway.Status, error) {
	st := gateway.Status{ID: a.ID, Message: a.Message, Pages: a.Pages, Code: a.Reason}
	switch a.Status {
	case "queued":
		st.State = gateway.Queued
	case "sending":
		st.State = gateway.Sending
	case "delivered":
		st.State = gateway.Delivered
	case "failed":
		st.State = gateway.Failed
		reason, ok := known(a.Reason)
		if !ok || reason == gateway.ReasonNone {
			reason = gateway.ReasonRejected
		}
		st.Reason = reason
		st.Retryable = reason.Retryable()
		if st.Code == "" && st.Message == "" {
			st.Message = "the relay reported the fax failed without saying why"
		}
	default:
		return gateway.Status{}, &gateway.Error{Driver: r.scheme, Op: op, Reason: gateway.ReasonGatewayError,
			Message: fmt.Sprintf("relay answered status %q for fax %s; want queued, sending, delivered or failed", a.Status, a.ID)}
	}
	return st, nil
}

// known reports whether s is a word of faxjam's failure vocabulary.
func known(s string) (gateway.Reason, bool) {
	switch r := gateway.Reason(s); r {
	case gateway.ReasonNone, gateway.ReasonBusy, gateway.ReasonNoAnswer, gateway.ReasonNotAFax,
		gateway.ReasonInvalidNumber, gateway.ReasonRejected, gateway.ReasonLineError, gateway.ReasonDocument,
		gateway.ReasonAuth, gateway.ReasonRateLimited, gateway.ReasonGatewayError, gateway.ReasonFictitious:
		return r, true
	}
	return "", false
}
