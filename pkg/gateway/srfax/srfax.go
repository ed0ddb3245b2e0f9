// Package srfax is the gateway driver for the SRFax web-service API
// (docs/gateways.md §4). It imports package gateway and httpclient, and no
// other driver.
//
// Contract points it relies on:
//   - One endpoint, POST https://secure.srfax.com/SRF_SecWebSvc.php, a JSON
//     body whose `action` selects the operation; every body carries
//     access_id (the account number, an integer) and access_pwd.
//   - Answers are HTTP 200 either way: {"Status":"Success","Result":…} or
//     {"Status":"Failed","Result":"<reason>"}. A Failed answer is a refusal
//     (the fax was not queued): its text decides the reason — "Invalid
//     Access", "Access is denied / Invalid Authentication" and password
//     wording are auth (SRFax has no 401), an invalid number is
//     invalid-number, anything else rejected.
//   - Queue_Fax: sCallerID (10 digits), sSenderEmail, sFaxType SINGLE,
//     sToFaxNumber (11 digits for North America, 15551234567; elsewhere
//     011 + country code + number, as the python library srfax.py does),
//     sFileName_1/sFileContent_1 (base64 PDF), sResponseFormat JSON,
//     sAccountCode and sRetries 0 — faxjam's dispatcher decides retries, so
//     SRFax must not redial on its own. Result is the FaxDetailsID, a number
//     or a numeric string (mfridman/srfax shows "Result":"389091764").
//   - Get_FaxStatus: sFaxDetailsID → Result, an object or a one-element
//     array (srfax.py unwraps it), with SentStatus In Progress | Sending
//     Email (sending), Sent (delivered), Failed; ErrorCode is free text.
//   - Lookup: Get_Fax_Outbox with sPeriod RANGE, sStartDate/sEndDate
//     (YYYYMMDD) over the last 30 days; each record carries AccountCode and
//     FileName "<name>|<FaxDetailsID>" (mfridman/srfax Outbox, IDFromName).
//   - Check: Get_Fax_Usage, the lightest authenticated call (mfridman/srfax
//     CheckAuth uses it the same way).
//
// The idempotency key: sAccountCode ("Internal Reference Number, maximum of
// 20 characters", srfax.com queue_fax) is the only free field of a queued
// fax that SRFax returns in its outbox records and never prints on the
// page. Keys longer than 20 characters — the dispatcher's are about 50 —
// travel as the first 20 hex digits of their SHA-256 (gateway.KeyField):
// 80 bits, no collisions within a campaign.
//
// ErrorCode (free text; "most frequent Busy, No Answer, No Remote Fax"):
// Busy → busy, No Answer → no-answer, No Remote Fax (a voice line or
// nothing that answers as a fax) → not-a-fax; other wording goes through
// gateway.ReasonFromText, and what it does not know is gateway-error.
//
// UNVERIFIED, looked up without result: SRFax's document size limit (the
// queue_fax page lists none; MaxDocument assumes 20 MB like its peers —
// the base64 body is a third larger) and any rate limit (none is
// documented, so the contract fake has no 429).
//
// Idempotency (DedupeByKey): no. SRFax's Queue_Fax documents no
// idempotency key: sAccountCode is a label, and a repeated Queue_Fax is a
// second fax. After a crash or a lost answer faxjam waits until
// RequestTimeout + LateMargin since the request began before it trusts a
// lookup's "not found". LateMargin is 30 s (no bound is documented).
package srfax

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/faxjam/faxjam/pkg/e164"
	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/httpclient"
)

const scheme = "srfax"

// DefaultEndpoint is SRFax's one web-service URL.
const DefaultEndpoint = "https://secure.srfax.com/SRF_SecWebSvc.php"

// MaxDocument is the assumed document limit (20 MB; SRFax documents none).
const MaxDocument = 20_000_000

// AccountCodeMax is the length of sAccountCode, which carries the key.
const AccountCodeMax = 20

// lookupWindow is how far back Lookup reads the outbox.
const lookupWindow = 30 * 24 * time.Hour

// Driver declares the srfax:// URL.
func Driver() gateway.Driver {
	return gateway.Driver{
		DedupeByKey:    false,
		LateMargin:     30 * time.Second,
		Scheme:         scheme,
		Summary:        "SRFax web-service API",
		Syntax:         "srfax://ACCESS_ID:PASSWORD@?caller_id=NXXNXXXXXX&sender_email=ADDRESS[&endpoint=URL]",
		Example:        "srfax://12345:S3cret@?caller_id=2025550100&sender_email=organizer@example.org",
		RealNetwork:    true,
		MaxDocument:    MaxDocument,
		StationOptions: []string{"caller_id"},
		Options: []gateway.Option{
			{Name: "access_id", Place: gateway.InUser, Help: "SRFax account number", Required: true},
			{Name: "password", Place: gateway.InPassword, Help: "SRFax account password", Required: true, Secret: true},
			{Name: "caller_id", Place: gateway.InQuery, Help: "sender's fax number: 10 digits (or +1 and 10 digits)", Required: true},
			{Name: "sender_email", Place: gateway.InQuery, Help: "sender's email address (SRFax requires one; confirmations go there)", Required: true},
			{Name: "endpoint", Place: gateway.InQuery, Help: "web-service URL", Default: DefaultEndpoint},
		},
		Open: open,
	}
}

// Gateway sends faxes through one SRFax account. It is not changed after
// Open and is safe for concurrent use.
type Gateway struct {
	accessID, password, callerID, senderEmail, endpoint string
	http                                                *httpclient.Client
	now                                                 func() time.Time
}

// Station is the caller id (caller_id=) the fax is sent from, for the
// header faxjam draws.
func (g *Gateway) Station() string { return g.callerID }

func open(u *url.URL, env gateway.Env) (gateway.Gateway, error) {
	d := Driver()
	v, err := d.Values(u)
	if err != nil {
		return nil, err
	}
	if err := gateway.NoHost(d, u); err != nil {
		return nil, err
	}
	if !digits(v["access_id"]) {
		return nil, errors.New("srfax: access_id must be the SRFax account number (digits only)")
	}
	caller, err := callerID(v["caller_id"])
	if err != nil {
		return nil, err
	}
	addr, err := mail.ParseAddress(v["sender_email"])
	if err != nil || addr.Name != "" {
		return nil, fmt.Errorf("srfax: option sender_email %q is not a plain email address", v["sender_email"])
	}
	endpoint, err := gateway.Endpoint(scheme, v["endpoint"])
	if err != nil {
		return nil, err
	}
	return &Gateway{
		accessID: v["access_id"], password: v["password"], callerID: caller, senderEmail: addr.Address,
		endpoint: endpoint, http: httpclient.New(env.HTTP, env.Version), now: time.Now,
	}, nil
}

// callerID reads caller_id: 10 digits, or a North American number in E.164.
func callerID(raw string) (string, error) {
	s := raw
	if strings.HasPrefix(s, "+") || strings.HasPrefix(s, " ") {
		n, err := gateway.CallerID(scheme, s)
		if err != nil {
			return "", err
		}
		if !strings.HasPrefix(n, "+1") || len(n) != 12 {
			return "", fmt.Errorf("srfax: option caller_id %s: SRFax takes a 10-digit North American number", n)
		}
		s = n[2:]
	}
	if len(s) != 10 || !digits(s) {
		return "", fmt.Errorf("srfax: option caller_id %q: want 10 digits, e.g. 2025550100", raw)
	}
	return s, nil
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Number converts an E.164 number to SRFax's dialling format: 11 digits
// inside the North American plan, 011 and the international number
// elsewhere.
func Number(number string) string {
	d := e164.Digits(number)
	if strings.HasPrefix(d, "1") {
		return d
	}
	return "011" + d
}

// text is a field SRFax sends as a string or a number, depending on the
// operation and the decade.
type text string

func (t *text) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*t = ""
		return nil
	}
	var s string
	if json.Unmarshal(b, &s) == nil {
		*t = text(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("want a string or a number, got %s", b)
	}
	*t = text(n)
	return nil
}

// record is a fax status record (Get_FaxStatus, Get_Fax_Outbox).
type record struct {
	FileName    text `json:"FileName"`
	SentStatus  text `json:"SentStatus"`
	EpochTime   text `json:"EpochTime"`
	ToFaxNumber text `json:"ToFaxNumber"`
	Pages       text `json:"Pages"`
	ErrorCode   text `json:"ErrorCode"`
	AccountCode text `json:"AccountCode"`
}

// id is the FaxDetailsID, after the pipe of FileName.
func (r record) id() string {
	_, id, ok := strings.Cut(string(r.FileName), "|")
	if !ok || !digits(id) {
		return ""
	}
	return id
}

// Send queues the fax with Queue_Fax.
func (g *Gateway) Send(ctx context.Context, f gateway.Fax) (gateway.Receipt, error) {
	to, err := gateway.PreparePDF(Driver(), f)
	if err != nil {
		return gateway.Receipt{}, err
	}
	params := map[string]any{
		"sCallerID":      json.Number(g.callerID),
		"sSenderEmail":   g.senderEmail,
		"sFaxType":       "SINGLE",
		"sToFaxNumber":   Number(to),
		"sFileName_1":    "faxjam-letter.pdf",
		"sFileContent_1": base64.StdEncoding.EncodeToString(f.PDF),
		"sRetries":       0,
	}
	if f.Key != "" {
		params["sAccountCode"] = gateway.KeyField(f.Key, AccountCodeMax)
	}
	var id text
	if err := g.call(ctx, "send", "Queue_Fax", params, &id); err != nil {
		return gateway.Receipt{}, err
	}
	if !digits(string(id)) {
		return gateway.Receipt{}, malformed("send", "Queue_Fax succeeded without a FaxDetailsID")
	}
	return gateway.Receipt{ID: string(id), Driver: scheme, To: to, State: gateway.Queued, Submitted: g.now().UTC()}, nil
}

// Status asks Get_FaxStatus for one fax.
func (g *Gateway) Status(ctx context.Context, id string) (gateway.Status, error) {
	if !digits(id) {
		return gateway.Status{}, &gateway.Error{Driver: scheme, Op: "status", Reason: gateway.ReasonRejected,
			Message: fmt.Sprintf("%q is not an SRFax FaxDetailsID (digits)", id)}
	}
	var raw json.RawMessage
	if err := g.call(ctx, "status", "Get_FaxStatus", map[string]any{"sFaxDetailsID": json.Number(id)}, &raw); err != nil {
		return gateway.Status{}, err
	}
	r, err := oneRecord(raw)
	if err != nil || r.SentStatus == "" {
		return gateway.Status{}, malformed("status", fmt.Sprintf("fax %s has no SentStatus", id))
	}
	st := statusOf(r)
	st.ID = id
	return st, nil
}

// oneRecord reads Get_FaxStatus's Result: an object, or an array of one.
func oneRecord(raw json.RawMessage) (record, error) {
	var r record
	if s := strings.TrimSpace(string(raw)); strings.HasPrefix(s, "[") {
		var rs []record
		if err := json.Unmarshal(raw, &rs); err != nil {
			return r, err
		}
		if len(rs) != 1 {
			return r, fmt.Errorf("%d status records for one fax", len(rs))
		}
		return rs[0], nil
	}
	err := json.Unmarshal(raw, &r)
	return r, err
}

// Lookup finds the fax sent with key by its account code, in the outbox of
// the last 30 days.
func (g *Gateway) Lookup(ctx context.Context, key string) (gateway.Receipt, bool, error) {
	code := gateway.KeyField(key, AccountCodeMax)
	now := g.now()
	params := map[string]any{
		"sPeriod":    "RANGE",
		"sStartDate": now.Add(-lookupWindow).Format("20060102"),
		// SRFax keeps its dates in its own time zone: a day of slack.
		"sEndDate": now.Add(24 * time.Hour).Format("20060102"),
	}
	var raw json.RawMessage
	if err := g.call(ctx, "lookup", "Get_Fax_Outbox", params, &raw); err != nil {
		return gateway.Receipt{}, false, err
	}
	var rs []record
	if s := strings.TrimSpace(string(raw)); s != "" && s != "null" && s != `""` {
		if err := json.Unmarshal(raw, &rs); err != nil {
			return gateway.Receipt{}, false, malformed("lookup", "the outbox is not a list of faxes")
		}
	}
	var best record
	var bestAt int64 = -1
	for _, r := range rs {
		if string(r.AccountCode) != code || r.id() == "" {
			continue
		}
		at, _ := strconv.ParseInt(string(r.EpochTime), 10, 64)
		if at > bestAt {
			best, bestAt = r, at
		}
	}
	if bestAt < 0 {
		return gateway.Receipt{}, false, nil
	}
	st := stateOf(string(best.SentStatus))
	if st == "" {
		st = gateway.Queued
	}
	rc := gateway.Receipt{ID: best.id(), Driver: scheme, To: fromDialling(string(best.ToFaxNumber)), State: st}
	if bestAt > 0 {
		rc.Submitted = time.Unix(bestAt, 0).UTC()
	}
	return rc, true, nil
}

// fromDialling converts SRFax's dialling format back to E.164; "" when it cannot.
func fromDialling(n string) string {
	n = strings.TrimPrefix(n, "011")
	if !digits(n) {
		return ""
	}
	s, err := e164.Normalize("+" + n)
	if err != nil {
		return ""
	}
	return s
}

// Check asks Get_Fax_Usage, which needs valid credentials and sends nothing.
func (g *Gateway) Check(ctx context.Context) error {
	return g.call(ctx, "check", "Get_Fax_Usage", map[string]any{}, nil)
}

// call posts one action and decodes a Success answer's Result into out.
func (g *Gateway) call(ctx context.Context, op, action string, params map[string]any, out any) error {
	params["action"] = action
	params["access_id"] = json.Number(g.accessID)
	params["access_pwd"] = g.password
	params["sResponseFormat"] = "JSON"
	req, err := httpclient.JSON(http.MethodPost, g.endpoint, params)
	if err != nil {
		return &gateway.Error{Driver: scheme, Op: op, Reason: gateway.ReasonGatewayError, Message: "building the request failed"}
	}
	var env struct {
		Status string          `json:"Status"`
		Result json.RawMessage `json:"Result"`
	}
	if _, _, err := g.http.Do(ctx, req, &env); err != nil {
		e := gateway.FromHTTP(scheme, op, err)
		var bad *httpclient.Malformed
		if errors.As(err, &bad) {
			e.Accepted = op == "send" // HTTP 200 to Queue_Fax: the fax may be queued
		}
		return e
	}
	switch env.Status {
	case "Success":
		if out == nil {
			return nil
		}
		if err := json.Unmarshal(env.Result, out); err != nil {
			return malformed(op, fmt.Sprintf("%s Result: %v", action, err))
		}
		return nil
	case "Failed":
		return failed(op, failureText(env.Result))
	}
	return malformed(op, fmt.Sprintf("%s Status %q", action, env.Status))
}

// malformed is the error for an answer the driver cannot read. After
// Queue_Fax it may hide a queued fax: Lookup will tell.
func malformed(op, msg string) *gateway.Error {
	return &gateway.Error{Driver: scheme, Op: op, Reason: gateway.ReasonGatewayError, Accepted: op == "send",
		Message: "malformed answer: " + msg}
}

// failureText reads a Failed answer's Result: a string, or (srfax.py) a
// one-element list whose ErrorCode says why.
func failureText(raw json.RawMessage) string {
	var s text
	if json.Unmarshal(raw, &s) == nil && s != "" {
		return string(s)
	}
	var rs []record
	if json.Unmarshal(raw, &rs) == nil && len(rs) == 1 && rs[0].ErrorCode != "" {
		return string(rs[0].ErrorCode)
	}
	return "SRFax answered Status: Failed"
}

// failed is the error for a Failed answer.
func failed(op, msg string) *gateway.Error {
	e := &gateway.Error{Driver: scheme, Op: op, Reason: gateway.ReasonRejected, Message: msg}
	if authText(msg) {
		e.Reason = gateway.ReasonAuth
	} else if r, ok := gateway.ReasonFromText(msg); ok && r == gateway.ReasonInvalidNumber {
		e.Reason = r
	}
	return e
}

// authText reports whether a Failed answer's text is about the credentials.
func authText(msg string) bool {
	s := strings.ToLower(msg)
	for _, w := range []string{"invalid access", "access is denied", "access denied", "authenticat", "password", "access_id"} {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// statusOf maps a status record onto gateway.Status (ID aside).
func statusOf(r record) gateway.Status {
	word := string(r.SentStatus)
	st := gateway.Status{State: stateOf(word)}
	switch st.State {
	case "":
		// A status this driver does not know: keep polling, keep the word.
		st.State, st.Code = gateway.Sending, word
	case gateway.Delivered:
		st.Pages, _ = strconv.Atoi(string(r.Pages))
	case gateway.Failed:
		st.Code = string(r.ErrorCode)
		st.Message = word
		st.Reason = reasonOf(st.Code)
		st.Retryable = st.Reason.Retryable()
	}
	if at, err := strconv.ParseInt(string(r.EpochTime), 10, 64); err == nil && at > 0 {
		st.Updated = time.Unix(at, 0).UTC()
	}
	return st
}

// stateOf maps SentStatus; "" for a word it does not know.
func stateOf(sent string) gateway.State {
	switch strings.ToLower(strings.TrimSpace(sent)) {
	case "in progress", "sending email":
		return gateway.Sending
	case "sent":
		return gateway.Delivered
	case "failed":
		return gateway.Failed
	}
	return ""
}

// reasonOf maps ErrorCode, SRFax's free-text failure reason.
func reasonOf(errorCode string) gateway.Reason {
	switch strings.ToLower(strings.TrimSpace(errorCode)) {
	case "busy":
		return gateway.ReasonBusy
	case "no answer":
		return gateway.ReasonNoAnswer
	case "no remote fax":
		return gateway.ReasonNotAFax
	}
	if r, ok := gateway.ReasonFromText(errorCode); ok {
		return r
	}
	return gateway.ReasonGatewayError
}
