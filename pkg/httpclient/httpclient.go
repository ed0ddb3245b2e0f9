// Package httpclient is the one HTTP client every vendor driver (fax gateways
// and petition endpoints) uses: timeouts, User-Agent, JSON bodies, the
// vendor's error message out of an error body, Retry-After, and a
// classification of transport failures. It knows no vendor and imports
// nothing of faxjam's.
package httpclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// DefaultTimeout bounds one request, upload included.
const DefaultTimeout = 60 * time.Second

// MaxBody bounds what is read of a response.
const MaxBody = 4 << 20

// Client sends requests for one driver.
type Client struct {
	HTTP      *http.Client
	UserAgent string // "faxjam/VERSION"
}

// ErrDowngrade is a redirect from https to anything else: refused, so that
// nobody on the way can answer for an https server (a pack's key pinned
// from a plain-http copy, credentials sent in clear).
var ErrDowngrade = errors.New("redirect leaves https")

// NoDowngrade is every faxjam HTTP client's redirect rule: at most 10
// redirects, and none from https to plain http.
func NoDowngrade(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	for _, prev := range via {
		if prev.URL.Scheme == "https" && req.URL.Scheme != "https" {
			return fmt.Errorf("%w: %s to %s", ErrDowngrade, prev.URL.Redacted(), req.URL.Redacted())
		}
	}
	return nil
}

// NewHTTP is an *http.Client with faxjam's rules: the timeout and
// NoDowngrade.
func NewHTTP(timeout time.Duration) *http.Client {
	return &http.Client{Timeout: timeout, CheckRedirect: NoDowngrade}
}

// New returns a client; hc may be nil. A client without a redirect rule
// gets NoDowngrade.
func New(hc *http.Client, version string) *Client {
	if hc == nil {
		hc = NewHTTP(DefaultTimeout)
	}
	if hc.CheckRedirect == nil {
		c := *hc
		c.CheckRedirect = NoDowngrade
		hc = &c
	}
	if version == "" {
		version = "dev"
	}
	return &Client{HTTP: hc, UserAgent: "faxjam/" + version}
}

// Error is a failed request: either the server answered outside 2xx, or the
// transport failed.
type Error struct {
	Method, URL string // URL without query or credentials
	StatusCode  int    // 0 for transport failures
	RetryAfter  time.Duration
	Message     string // the server's own message, when it gave one
	Body        []byte // the raw (bounded) body
	Timeout     bool   // the request timed out
	// Sent reports that the request may have reached the server although no
	// answer came back (a timeout or reset after writing the body).
	Sent bool
	Err  error
}

func (e *Error) Error() string {
	switch {
	case e.StatusCode != 0 && e.Message != "":
		return fmt.Sprintf("%s %s: HTTP %d: %s", e.Method, e.URL, e.StatusCode, e.Message)
	case e.StatusCode != 0:
		return fmt.Sprintf("%s %s: HTTP %d", e.Method, e.URL, e.StatusCode)
	case e.Timeout:
		return fmt.Sprintf("%s %s: timed out", e.Method, e.URL)
	default:
		return fmt.Sprintf("%s %s: %v", e.Method, e.URL, e.Err)
	}
}

func (e *Error) Unwrap() error { return e.Err }

// Malformed is returned when a 2xx body does not decode.
type Malformed struct {
	URL string
	Err error
}

func (e *Malformed) Error() string {
	return fmt.Sprintf("malformed response from %s: %v", e.URL, e.Err)
}
func (e *Malformed) Unwrap() error { return e.Err }

// Do sends req and, on 2xx, decodes a JSON body into out (when out is not
// nil). It returns the response (body already read and closed) and the body.
func (c *Client) Do(ctx context.Context, req *http.Request, out any) (*http.Response, []byte, error) {
	req = req.WithContext(ctx)
	req.Header.Set("User-Agent", c.UserAgent)
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "application/json")
	}
	where := safeURL(req)
	resp, err := c.HTTP.Do(req)
	if err != nil {
		e := &Error{Method: req.Method, URL: where, Err: stripURL(err)}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, context.DeadlineExceeded) {
			e.Timeout = true
		}
		// A timeout or a reset may come after the server got the whole
		// request: the caller must not assume it was not accepted.
		e.Sent = req.Method != http.MethodGet && (e.Timeout || isReset(err))
		return nil, nil, e
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody))
	if err != nil {
		return resp, nil, &Error{Method: req.Method, URL: where, StatusCode: 0, Err: stripURL(err), Sent: req.Method != http.MethodGet, Timeout: isTimeout(err)}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp, body, &Error{
			Method: req.Method, URL: where, StatusCode: resp.StatusCode,
			RetryAfter: RetryAfter(resp.Header.Get("Retry-After"), time.Now()),
			Message:    Message(body), Body: body,
		}
	}
	if out != nil {
		if err := json.Unmarshal(body, out); err != nil {
			return resp, body, &Malformed{URL: where, Err: err}
		}
	}
	return resp, body, nil
}

// JSON builds a request with a JSON body.
func JSON(method, url string, v any) (*http.Request, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequest(method, url, bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	return req, nil
}

// RetryAfter parses a Retry-After header (seconds or HTTP date).
func RetryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0
	}
	if s, err := strconv.Atoi(h); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

// Message digs a human message out of an error body in the shapes vendors
// use: {"message"}, {"error"}, {"error":{"message"}}, {"errors":[{"detail"|"title"|"message"}]},
// {"Result"}, or short plain text.
func Message(body []byte) string {
	var v map[string]any
	if json.Unmarshal(body, &v) == nil {
		for _, k := range []string{"message", "error", "errorMessage", "error_message", "Result", "detail"} {
			if s := text(v[k]); s != "" {
				return s
			}
		}
		if errs, ok := v["errors"].([]any); ok && len(errs) > 0 {
			if s := text(errs[0]); s != "" {
				return s
			}
		}
		return ""
	}
	s := strings.TrimSpace(string(body))
	if len(s) > 200 || strings.ContainsAny(s, "<>") {
		return ""
	}
	return s
}

func text(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case map[string]any:
		for _, k := range []string{"message", "detail", "title", "code"} {
			if s, ok := t[k].(string); ok && s != "" {
				return s
			}
		}
	}
	return ""
}

func safeURL(req *http.Request) string {
	u := *req.URL
	u.User = nil
	u.RawQuery = ""
	return u.String()
}

// stripURL removes the *url.Error wrapper, whose text repeats the URL with
// its query (which may hold credentials).
func stripURL(err error) error {
	var ue interface{ Unwrap() error }
	if errors.As(err, &ue) {
		if inner := ue.Unwrap(); inner != nil && strings.HasPrefix(fmt.Sprintf("%T", err), "*url.") {
			return inner
		}
	}
	return err
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func isReset(err error) bool {
	s := err.Error()
	return strings.Contains(s, "connection reset") || strings.Contains(s, "EOF") || strings.Contains(s, "broken pipe")
}
