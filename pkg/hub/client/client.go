// Package client speaks the campaign hub's API (package hub) for faxjam's
// command line: post a person's action (their details, never a document),
// read what the hub says about it, read the public lines view. It retries
// what is safe to retry — the action with the same idempotency key, reads —
// on network errors, 5xx and 429 (honouring Retry-After), and reports the
// hub's 4xx answers as *Error naming the field. Actions keeps the actions
// sent from this machine (their idempotency keys, then their receipts) in
// the data dir.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/faxjam/faxjam/pkg/hub"
	"github.com/faxjam/faxjam/pkg/urlspec"
)

// Client is one hub's API.
type Client struct {
	base    *url.URL
	hc      *http.Client
	agent   string
	retries int
	backoff time.Duration
}

// Error is a hub's answer that is not a success.
type Error struct {
	Status  int
	Message string // the hub's own words
	Field   string // the request field it names, if any
}

func (e *Error) Error() string {
	return fmt.Sprintf("hub: HTTP %d: %s", e.Status, e.Message)
}

// Retryable reports whether the same request may succeed later.
func (e *Error) Retryable() bool {
	return e.Status == http.StatusTooManyRequests || e.Status >= 500
}

// CheckURL checks a hub URL: https://, or http:// on loopback, with no
// credentials, query or fragment.
func CheckURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("hub %q: want the hub's URL, https://host[/prefix]", raw)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("hub %s: a hub URL has no credentials, query or fragment", u.Redacted())
	}
	if u.Scheme != "https" && !(u.Scheme == "http" && urlspec.Loopback(u.Hostname())) {
		return nil, fmt.Errorf("hub %s: want https:// (http:// only on loopback)", u.Redacted())
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	return u, nil
}

// New returns a client of the hub at raw (see CheckURL). hc nil uses a
// client with a 30 s timeout; version goes into the User-Agent.
func New(raw string, hc *http.Client, version string) (*Client, error) {
	u, err := CheckURL(raw)
	if err != nil {
		return nil, err
	}
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	return &Client{base: u, hc: hc, agent: "faxjam/" + version, retries: 6, backoff: 500 * time.Millisecond}, nil
}

// URL is the hub's base URL.
func (c *Client) URL() string { return c.base.String() }

// Act posts a person's action. It is safe to call again with the same key:
// the hub answers the first action.
func (c *Client) Act(ctx context.Context, campaignID string, req hub.ActionRequest) (hub.Accepted, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return hub.Accepted{}, err
	}
	var a hub.Accepted
	err = c.do(ctx, http.MethodPost, "/v1/campaigns/"+url.PathEscape(campaignID)+"/actions", "", body, &a)
	return a, err
}

// Status is what the hub says about an action.
func (c *Client) Status(ctx context.Context, id, receipt string) (hub.Status, error) {
	var s hub.Status
	err := c.do(ctx, http.MethodGet, "/v1/actions/"+url.PathEscape(id), receipt, nil, &s)
	return s, err
}

// Campaigns lists the campaigns the hub serves.
func (c *Client) Campaigns(ctx context.Context) ([]hub.Listed, error) {
	var l hub.Listing
	err := c.do(ctx, http.MethodGet, "/v1/campaigns", "", nil, &l)
	return l.Campaigns, err
}

// Lines is the hub's public view of the campaign's lines.
func (c *Client) Lines(ctx context.Context, campaignID string) (hub.Lines, error) {
	var l hub.Lines
	err := c.do(ctx, http.MethodGet, "/v1/campaigns/"+url.PathEscape(campaignID)+"/lines", "", nil, &l)
	return l, err
}

// Actions is every action of the campaign with its state, as the admin
// export gives it (the admin token).
func (c *Client) Actions(ctx context.Context, campaignID, adminToken string) ([]hub.ExportRow, error) {
	var rows []hub.ExportRow
	err := c.do(ctx, http.MethodGet, "/v1/campaigns/"+url.PathEscape(campaignID)+"/actions", adminToken, nil, &rows)
	return rows, err
}

// do sends a request, retrying transient failures, and decodes a 2xx
// answer's JSON into out.
func (c *Client) do(ctx context.Context, method, path, token string, body []byte, out any) error {
	u := *c.base
	u.Path += path
	var last error
	for try := 0; ; try++ {
		wait, err := c.once(ctx, method, u.String(), token, body, out)
		if err == nil {
			return nil
		}
		last = err
		var he *Error
		if errors.As(err, &he) && !he.Retryable() || ctx.Err() != nil || try >= c.retries {
			return last
		}
		if wait <= 0 {
			wait = c.backoff << min(try, 5)
		}
		select {
		case <-ctx.Done():
			return last
		case <-time.After(wait):
		}
	}
}

// once sends one request; wait is the hub's Retry-After, if it gave one.
func (c *Client) once(ctx context.Context, method, u, token string, body []byte, out any) (wait time.Duration, err error) {
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("User-Agent", c.agent)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, fmt.Errorf("hub %s: %w", c.base.Redacted(), errors.Unwrap(err))
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return 0, fmt.Errorf("hub %s: reading the answer: %w", c.base.Redacted(), err)
	}
	if resp.StatusCode/100 != 2 {
		var e struct {
			Error string `json:"error"`
			Field string `json:"field"`
		}
		if json.Unmarshal(b, &e) != nil || e.Error == "" {
			e.Error = strings.TrimSpace(http.StatusText(resp.StatusCode))
		}
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
			wait = time.Duration(min(s, 300)) * time.Second
		}
		return wait, &Error{Status: resp.StatusCode, Message: e.Error, Field: e.Field}
	}
	if err := json.Unmarshal(b, out); err != nil {
		return 0, fmt.Errorf("hub %s: not a hub's answer: %w", c.base.Redacted(), err)
	}
	return 0, nil
}
