// Package hub is the campaign hub (`faxjam serve`): the organizer's one
// server through which everyone's action goes. It is faxjam's petition
// server (package petition/server, whose API it serves unchanged) plus one
// dispatcher: every action it accepts is composed by the hub from its own
// copy of the campaign — what reaches the target's fax is always the
// campaign's letter with the person's details and bounded note — and faxed
// through the organizer's gateway by the line-aware engine of package
// dispatch; when every line is down it becomes a signature in the hub's own
// petition store, one per person.
//
// # API, version 1
//
// All bodies are JSON. Errors are {"error": "...", "field": "name"?,
// "fields": [{"field", "reason"}]?} with a 4xx status naming what is wrong;
// a 5xx only says the hub's own storage failed (retry with the same key).
//
//	POST /v1/campaigns/{id}/actions   {key, name, city, country, email?, note?, lang?}
//	     202 {id, receipt, state}              accepted: durable before the answer
//	     200 {id, receipt, state, duplicate}   the same key again: the first action, its receipt
//	     409 {error, field: "key"}             the same key with other details: nothing of the first
//	     202 {id, receipt, state}              the same person under another key: answered as a
//	                                           fresh action (no membership oracle); nothing is
//	                                           faxed again; its receipt says queued, "we have your
//	                                           action", never the first action's progress or page
//	     400 {error, field}                    a field breaks the letter's input rules, or key
//	                                           is not 16-128 random characters (CheckActionKey)
//	GET  /v1/actions/{id}             Authorization: Bearer RECEIPT
//	     200 {id, state, number_label, attempts, pages, delivered_at?, petitioned_at?, updated_at, reason?, message?}
//	     404 without the receipt or with a wrong one, so ids cannot be enumerated
//	GET  /v1/actions/{id}/fax.png     Authorization: Bearer RECEIPT; ?page=N (default 1)
//	     the page as it was faxed: 1728 px wide, 1-bit, re-rendered from the
//	     journal and checked against the faxed document's SHA-256
//	GET  /v1/campaigns/{id}           the campaign's summary and its signature count
//	GET  /v1/campaigns/{id}/lines     public, no personal data: each number's label,
//	                                  state (up, busy, down or quiet, until when),
//	                                  deliveries in the last hour, and the queue
//	GET  /v1/campaigns/{id}/actions   Authorization: Bearer ADMIN_TOKEN; JSON, or CSV by Accept: text/csv
//	POST /v1/campaigns/{id}/pause     Authorization: Bearer ADMIN_TOKEN: dialling stops at once
//	POST /v1/campaigns/{id}/resume    (calls in flight finish); acceptance goes on
//	POST /v1/campaigns/{id}/signatures, GET .../signatures, GET /healthz: the petition API
//
// and, from privacy.go: GET /v1/campaigns/{id}/pack (the signed campaign
// pack), admin DELETE /v1/actions/{id} and DELETE /v1/campaigns/{id}/actions
// (forget a person), GET /v1/confirm/{id} (email confirmation); at / the
// signing page and /admin (package hub/web, web.go).
//
// Past one machine, Config.Lead elects the one dispatcher among hub
// processes on a shared database (package leader: a PostgreSQL advisory
// lock; `faxjam serve --db postgres://`): every process accepts and serves,
// only the leader dials, and it reads its queue again now and then
// (dispatch.Config.Rescan) for actions other processes committed behind it.
// On SQLite one process serves a journal, holding its lock file.
//
// Why not a job queue on PostgreSQL such as riverqueue/river: the journal
// already is the queue, and more than one — each action's submission, every
// attempt's intent before the gateway call, the numbers' health — and
// exactly-once comes from reconciling those intents with the gateway after a
// crash. Scheduling is line-aware across all work at once (one call per
// number, rotation, breaker, hourly caps), which a pool of independent job
// workers cannot decide; river's rows would be a second copy of the state
// to keep in step. What the hub needs from PostgreSQL beyond storage is
// one dispatcher at a time, and an advisory lock is PostgreSQL's own.
//
// States: queued, sending, delivered, submitted (taken by a gateway that
// cannot report delivery), petitioned, failed, gave-up, unknown (an
// attempt's outcome was lost: not resent, for the organizer to check).
//
// # Guarantees
//
// A 202 is answered only after the action and its submission are committed
// to the journal (one grouped transaction with the concurrent ones, synced),
// so an action survives a SIGKILL right after its answer. Accepting never
// waits for the lines: the dispatcher (dispatch.Engine.Serve) reads the
// journal's queue. Exactly once across crashes is the engine's: each
// attempt's intent is journaled before the gateway call and reconciled by
// Lookup after a crash. One action per person per campaign (the journal's
// signer identity, letter.SignerKey). Receipts are 128 bits, derived from
// the action id with the hub's secret (HMAC-SHA256, kept in the journal):
// nothing per receipt is stored, and a receipt is checked in constant time.
// Requests are rate limited per client address (in memory, never stored)
// as the petition server's are; the log has one line per request and no
// personal data.
//
// It imports dispatch, journal, petition/server, petition/store, letter,
// render, campaign and gateway; it must not import cli.
package hub

import (
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/faxjam/faxjam/pkg/alert"
	"github.com/faxjam/faxjam/pkg/campaign"
	"github.com/faxjam/faxjam/pkg/campaignrun"
	"github.com/faxjam/faxjam/pkg/dispatch"
	"github.com/faxjam/faxjam/pkg/e164"
	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/hub/web"
	"github.com/faxjam/faxjam/pkg/journal"
	"github.com/faxjam/faxjam/pkg/petition"
	"github.com/faxjam/faxjam/pkg/petition/server"
	"github.com/faxjam/faxjam/pkg/petition/store"
	"github.com/faxjam/faxjam/pkg/render"
)

// Version is the API version, the first segment of every path.
const Version = "v1"

// Config is everything a hub needs.
type Config struct {
	Campaign *campaign.Campaign // required
	Journal  *journal.Journal   // required: the actions and the dispatch queue
	// Store keeps the petition signatures: those the petition API takes
	// and the hub's fallback when every line is down. Required.
	Store store.Store
	// Gateway is the organizer's fax account; nil serves the petition API
	// only. Driver is its declaration (scheme, Offline, RealNetwork,
	// WantsTIFF).
	// GatewayEnv is what Gateway was opened with: its HTTP client's
	// timeout bounds a request unless the gateway has its own (timeout=).
	Gateway    gateway.Gateway
	Driver     gateway.Driver
	GatewayEnv gateway.Env
	// Petition, when set, takes the fallback signatures instead of Store
	// (the organizer's own endpoint, --petition).
	Petition petition.Petition
	Renderer *render.Renderer // required: letters and fax.png
	// Token is the admin token (export, pause/resume, the petition export);
	// required beyond loopback.
	Token string
	// HTTP is the server's listener and limits: Addr, TLS, Rate, Burst,
	// TrustProxy, timeouts, Logger, Listening, Now, as for the petition
	// server. Campaigns, Store and Token are set from the fields above.
	HTTP server.Config
	// Dispatch tunes the engine (Poll, Backoff, Breaker, Parallel, Rate,
	// StatusTimeout, ...). Campaign, Gateway, Driver, Offline, Journal,
	// Compose, Petition and Events are set by the hub.
	Dispatch dispatch.Config
	// Lead, when set, is called before dispatching and blocks until this
	// process may dispatch (PostgreSQL: the leadership lock); lost is
	// closed if it stops being the leader. nil: this process is the only
	// dispatcher (SQLite: the journal's lock file).
	Lead func(ctx context.Context) (lost <-chan struct{}, release func(), err error)
	// Events receives the engine's events (for a log: they carry names,
	// which must not be logged); may be nil.
	Events func(dispatch.Event)
	// Web configures the signing page and admin page served at / (web.go).
	Web WebConfig
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Pack is the campaign as a signed pack (`faxjam campaign sign`),
	// served at /v1/campaigns/{id}/pack; nil serves none (privacy.go).
	Pack []byte
	// Confirm, when set, mails every action's e-mail a link that must be
	// followed (and its button pressed) before anything is sent; actions
	// not confirmed within ConfirmWithin (default 48 h) expire. Links
	// start with PublicURL (or SetPublicURL's). PrivacyNotice is the
	// organizer's notice, in the mail and on the confirmation page
	// (confirm.go).
	Confirm       Mailer
	ConfirmWithin time.Duration
	PublicURL     string
	PrivacyNotice string
	// Retain, when set, is how long after an action is final its e-mail
	// and note are kept (privacy.go).
	Retain time.Duration
	// Alerts, when set, are told once per incident when the gateway is
	// down, every line is down, the queue stalls for StallAfter (default
	// 10 min) or the process dialling changes, checked every AlertEvery
	// (default 15 s) (alerts.go).
	Alerts     []alert.Sender
	AlertEvery time.Duration
	StallAfter time.Duration
	// Push holds the keys of the vendors' status pushes (push.go).
	Push PushConfig
}

// Hub is a configured campaign hub.
type Hub struct {
	cfg    Config
	c      *campaign.Campaign
	j      *journal.Journal
	ps     *server.Server
	log    *slog.Logger // HTTP.Logger: requests, line events, troubles; never a person
	secret []byte
	notify chan struct{} // new work in the journal: the engine reads its queue
	pauses chan struct{} // pause or resume: the dispatcher looks again
	lines  linesCache
	// numbers are the target's, normalized as the journal records them;
	// labels gives each its label (the number itself when it has none).
	numbers []string
	labels  map[string]string
	mu      sync.Mutex
	leader  bool // this process dispatches now
	// acceptFailed is when storing an action last failed (healthz).
	acceptFailed time.Time
	page         *web.Handler // the signing page and admin page (web.go)
	metrics      *metrics     // Prometheus (metrics.go)
	gw           gatewayWatch // the gateway's errors in a row, for alerts (alerts.go)
	push         pushState    // vendors' status pushes (push.go)
	// header is the fax header the hub draws on its faxes, nil when the
	// gateway prints its own (or there is no gateway).
	header *campaignrun.Header
}

// secretSetting names the receipt secret in the journal's settings.
const secretSetting = "hub.receipt-secret"

// pausedSetting names a campaign's pause in the journal's settings.
func pausedSetting(campaignID string) string { return "hub.paused." + campaignID }

// New checks cfg and returns a hub; it reads (on first start, creates) the
// receipt secret in the journal.
func New(ctx context.Context, cfg Config) (*Hub, error) {
	if cfg.Campaign == nil || cfg.Journal == nil || cfg.Store == nil || cfg.Renderer == nil {
		return nil, errors.New("hub: campaign, journal, store and renderer are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	hc := cfg.HTTP
	hc.Campaigns, hc.Store, hc.Token = []*campaign.Campaign{cfg.Campaign}, cfg.Store, cfg.Token
	var h *Hub
	hc.Healthy = func(ctx context.Context) error { return h.healthy(ctx) }
	if cfg.Confirm != nil {
		hc.ConfirmedOnly = "this hub confirms each person by e-mail before anything is sent: take part through POST /v1/campaigns/" + cfg.Campaign.ID + "/actions (with your e-mail), not a signature"
	}
	if hc.Now == nil {
		hc.Now = cfg.Now
	}
	ps, err := server.New(hc)
	if err != nil {
		return nil, fmt.Errorf("hub: %w", err)
	}
	var fresh [32]byte
	rand.Read(fresh[:])
	sec, err := cfg.Journal.InitSetting(ctx, secretSetting, hex.EncodeToString(fresh[:]))
	if err != nil {
		return nil, fmt.Errorf("hub: %w", err)
	}
	secret, err := hex.DecodeString(sec)
	if err != nil || len(secret) < 16 {
		return nil, fmt.Errorf("hub: the journal's receipt secret is damaged")
	}
	h = &Hub{cfg: cfg, c: cfg.Campaign, j: cfg.Journal, ps: ps, log: ps.Logger(), secret: secret,
		notify: make(chan struct{}, 1), pauses: make(chan struct{}, 1)}
	h.cfg.HTTP = hc
	h.labels = map[string]string{}
	for i, f := range h.c.Target.Fax {
		n, err := e164.Normalize(f.Number)
		if err != nil {
			return nil, fmt.Errorf("hub: campaign %s: target.fax[%d]: %w", h.c.ID, i, err)
		}
		h.numbers = append(h.numbers, n)
		h.labels[n] = cmp.Or(f.Label, n)
	}
	if cfg.Gateway != nil {
		h.header, err = campaignrun.HeaderFor(h.c, campaignrun.Opened{Gateway: cfg.Gateway, Driver: cfg.Driver, Env: cfg.GatewayEnv})
		if err != nil {
			return nil, fmt.Errorf("hub: %w", err)
		}
	}
	if h.page, err = h.newPage(); err != nil {
		return nil, err
	}
	h.metrics = newMetrics(h)
	return h, nil
}

// Run listens on cfg.HTTP.Addr, dispatches (with a gateway) and serves
// until ctx is cancelled; then the server shuts down gracefully and the
// calls in flight finish.
func (h *Hub) Run(ctx context.Context) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", h.cfg.HTTP.Addr)
	if err != nil {
		return fmt.Errorf("hub: %w", err)
	}
	return h.Serve(ctx, ln)
}

// Serve is Run on a listener of the caller's. It closes ln.
func (h *Hub) Serve(ctx context.Context, ln net.Listener) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	derr := make(chan error, 1)
	wg.Go(func() { h.privacyLoop(ctx) })
	if len(h.cfg.Alerts) > 0 && h.cfg.Gateway != nil {
		wg.Go(func() { h.alertLoop(ctx) })
	}
	if h.cfg.Gateway != nil {
		wg.Go(func() {
			if err := h.dispatchLoop(ctx); err != nil {
				derr <- err
				cancel()
			}
		})
	}
	err := h.ps.ServeHandler(ctx, ln, h.Handler())
	cancel()
	wg.Wait()
	select {
	case e := <-derr:
		return e
	default:
	}
	return err
}

// poke tells the dispatcher there is new work.
func (h *Hub) poke() {
	select {
	case h.notify <- struct{}{}:
	default:
	}
}

// receipt is the action id's receipt token: 128 bits of HMAC-SHA256 under
// the hub's secret, base64url.
func (h *Hub) receipt(id string) string {
	m := hmac.New(sha256.New, h.secret)
	io.WriteString(m, "faxjam receipt\x00"+id)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}

// keyHash is how an idempotency key is stored: not as the client sent it.
func (h *Hub) keyHash(key string) string {
	m := hmac.New(sha256.New, h.secret)
	io.WriteString(m, "faxjam key\x00"+h.c.ID+"\x00"+key)
	return hex.EncodeToString(m.Sum(nil))
}

// newID is a fresh action id: 96 random bits, base64url.
func newID() string {
	var b [12]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// Handler is the hub's HTTP API (and the petition API), wrapped in the
// request log.
func (h *Hub) Handler() http.Handler {
	mux := http.NewServeMux()
	h.ps.Routes(mux)
	lim := h.ps.Limited
	mux.HandleFunc("GET /v1/campaigns", lim(h.campaigns))
	h.pushRoutes(mux, lim)
	mux.HandleFunc("GET /metrics", lim(h.metricsView))
	mux.HandleFunc("/v1/campaigns/{id}", lim(h.campaignSummary))
	mux.HandleFunc("/v1/campaigns/{id}/actions", lim(h.actions))
	mux.HandleFunc("/v1/campaigns/{id}/lines", lim(h.linesView))
	mux.HandleFunc("/v1/campaigns/{id}/pause", lim(h.pause(true)))
	mux.HandleFunc("/v1/campaigns/{id}/resume", lim(h.pause(false)))
	mux.HandleFunc("/v1/actions/{id}", lim(h.action))
	mux.HandleFunc("/v1/actions/{id}/fax.png", lim(h.faxPNG))
	for _, p := range h.page.Patterns() { // the signing page, limited as the API is
		mux.HandleFunc(p, lim(h.page.ServeHTTP))
	}
	h.privacyRoutes(mux, lim)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "", "not found: the API is under /v1/campaigns/"+h.c.ID)
	})
	// The JSON API (/v1/) refuses cross-origin browser requests and
	// bodies that are not JSON; the pages have their own guard (web).
	api := server.APIGuard(mux, "/v1/confirm/", "/v1/push/") // push.go: the vendors' own formats, signed
	return h.ps.Logged(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/v1/") {
			api.ServeHTTP(w, r)
			return
		}
		mux.ServeHTTP(w, r)
	}))
}
