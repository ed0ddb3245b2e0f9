// Package server is faxjam's self-hosted petition endpoint (`faxjam petition
// serve`): a small HTTP API that collects the names of people taking action
// when every fax number is down, and hands them to the organizer.
//
//	POST /v1/campaigns/{id}/signatures  {name, city, country, email?, note?, key}
//	                                    201 {id} · 200 {id, duplicate: true}
//	GET  /v1/campaigns/{id}             {id, title, signatures}
//	GET  /v1/campaigns/{id}/signatures  Authorization: Bearer TOKEN; JSON, or CSV by Accept
//	GET  /healthz
//
// Errors are JSON {"error": "..."}. Signatures pass the same input rules as
// letters (letter.ValidateSigner) and are stored normalized (letter.Normalize)
// in a store.Store, durably before the 201. The same key, the same person
// (letter.SignerKey of name, city and country) or the same email is one
// signature. The server logs one line per request (time, method, path,
// status, duration) and never a signer's data.
//
// It imports petition/store, letter and campaign; it must not import
// gateway, dispatch or cli.
package server

import (
	"context"
	"crypto/subtle"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/faxjam/faxjam/pkg/campaign"
	"github.com/faxjam/faxjam/pkg/petition/store"
	"github.com/faxjam/faxjam/pkg/urlspec"
)

// Defaults for the zero values of Config.
const (
	DefaultAddr = "127.0.0.1:8080"
	// DefaultRate and DefaultBurst limit each anonymous client address
	// (requests carrying the sign or export token are the organizer's own
	// tools and are not limited). One address is often many people: a
	// small office, a school or a mobile carrier behind one NAT, where an
	// action call can make dozens sign within a minute. A burst of 60 lets
	// 30 of them arrive at once (a page view and a signature each) and 20/s
	// refills it in 3 s, so honest use never sees a 429. It still bounds a
	// flood from one address to 20 requests a second, which the store takes
	// without slowing anyone else (a SQLite signature is a ~1 ms write), and
	// the limit is per /64 for IPv6 so one host cannot rotate addresses
	// within its network. Fake names at that pace are a matter for the
	// dedup and the organizer's review, not for the rate limit.
	DefaultRate            = rate.Limit(20) // requests per second per anonymous client
	DefaultBurst           = 60
	DefaultMaxClients      = 10000
	DefaultReadTimeout     = 15 * time.Second
	DefaultWriteTimeout    = 60 * time.Second // an export of many names is streamed
	DefaultIdleTimeout     = 120 * time.Second
	DefaultShutdownTimeout = 15 * time.Second
	// MaxBody bounds a request body (a signature is well under 2 KB).
	MaxBody = 16 << 10
	// MinTokenLength keeps tokens out of guessing range.
	MinTokenLength = 16
)

// Config is everything the server needs. Only Campaigns and Store are
// required; Token is required too when Addr is not a loopback address.
type Config struct {
	Addr      string               // host:port; "" means DefaultAddr
	Campaigns []*campaign.Campaign // the campaigns served, by ID
	// Store keeps the signatures. The caller opens it (store.Open) and
	// closes it after Run returns.
	Store store.Store
	// ConfirmedOnly, when set, refuses anonymous signatures with this
	// message (403): a hub that confirms each person by e-mail takes them
	// only as actions, which wait for the confirmation. The sign and
	// export tokens still sign (the organizer's own tools).
	ConfirmedOnly string
	// Healthy, when set, is asked by /healthz after the store: an error
	// (its text shown) makes it 503, as when the hub cannot store actions.
	Healthy func(ctx context.Context) error
	// Token guards the export (GET .../signatures): "Authorization: Bearer
	// TOKEN". Without one, the export answers 401 and names can only be
	// read from the database directly.
	Token string
	// SignToken, when set, is required to POST signatures, for servers only
	// the organizer's own faxjam clients post to (petition URL
	// https://SIGNTOKEN@host).
	SignToken string
	// TLSCert and TLSKey are PEM file paths; both or neither.
	TLSCert, TLSKey string
	// ACME, instead of TLSCert, gets the certificates from an ACME CA
	// such as Let's Encrypt (acme.go).
	ACME *ACME
	// Logger receives one line per request (and, in the hub, its line
	// events and troubles): NewLogger's, text or JSON; nil discards them.
	// No line carries personal data: a request is its method, its route's
	// pattern (ids as {id}), its status and its duration.
	Logger *slog.Logger
	// Rate and Burst limit requests per client IP (IPv6 by /64); 0 means the
	// defaults, rate.Inf no limit. Requests with a valid Token or SignToken
	// are not limited. MaxClients bounds how many clients are tracked at
	// once.
	Rate       rate.Limit
	Burst      int
	MaxClients int
	// TrustProxy takes the client's address from the last X-Forwarded-For
	// entry (set it only behind a reverse proxy that sets that header).
	TrustProxy bool
	// Timeouts; 0 means the defaults above.
	ReadTimeout, WriteTimeout, IdleTimeout, ShutdownTimeout time.Duration
	// MaxConns and MaxConnsPerAddr cap the connections held open, in all
	// and from one client address (connlimit.go); 0 is the default, -1
	// no cap.
	MaxConns, MaxConnsPerAddr int
	// Listening, when set, is called with the bound address once the
	// server accepts connections (useful with port 0).
	Listening func(addr net.Addr)
	// Now is the clock for rate limiting and logs; nil means time.Now.
	Now func() time.Time
}

// Validate checks the configuration and fills the defaults.
func (c *Config) Validate() error {
	if c.Addr == "" {
		c.Addr = DefaultAddr
	}
	host, _, err := net.SplitHostPort(c.Addr)
	if err != nil {
		return fmt.Errorf("petition server: address %q: want host:port, e.g. 127.0.0.1:8080", c.Addr)
	}
	if c.Store == nil {
		return errors.New("petition server: no store (open one with store.Open)")
	}
	if len(c.Campaigns) == 0 {
		return errors.New("petition server: no campaign to serve")
	}
	seen := map[string]bool{}
	for i, cp := range c.Campaigns {
		if cp == nil || cp.ID == "" {
			return fmt.Errorf("petition server: campaign %d has no id", i)
		}
		if seen[cp.ID] {
			return fmt.Errorf("petition server: campaign %q given twice", cp.ID)
		}
		seen[cp.ID] = true
	}
	if c.Token == "" && !urlspec.Loopback(host) {
		return fmt.Errorf("petition server: listening on %q, beyond this machine, needs an export token (--token, at least %d characters)", c.Addr, MinTokenLength)
	}
	for name, tok := range map[string]string{"token": c.Token, "sign token": c.SignToken} {
		if tok != "" && len(tok) < MinTokenLength {
			return fmt.Errorf("petition server: the %s is %d characters; use at least %d (e.g. openssl rand -hex 16)", name, len(tok), MinTokenLength)
		}
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return errors.New("petition server: TLS needs both a certificate and a key file")
	}
	if c.ACME != nil {
		if c.TLSCert != "" {
			return errors.New("petition server: a certificate file (--tls-cert) or ACME (--acme-domain), not both")
		}
		if err := c.ACME.validate(); err != nil {
			return fmt.Errorf("petition server: %w", err)
		}
	}
	if c.Rate == 0 {
		c.Rate = DefaultRate
	}
	if c.Burst == 0 {
		c.Burst = DefaultBurst
	}
	if c.MaxClients == 0 {
		c.MaxClients = DefaultMaxClients
	}
	if c.ReadTimeout == 0 {
		c.ReadTimeout = DefaultReadTimeout
	}
	if c.WriteTimeout == 0 {
		c.WriteTimeout = DefaultWriteTimeout
	}
	if c.MaxConns == 0 {
		c.MaxConns = DefaultMaxConns
	}
	if c.MaxConnsPerAddr == 0 {
		c.MaxConnsPerAddr = DefaultMaxConnsPerAddr
	}
	if c.IdleTimeout == 0 {
		c.IdleTimeout = DefaultIdleTimeout
	}
	if c.ShutdownTimeout == 0 {
		c.ShutdownTimeout = DefaultShutdownTimeout
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return nil
}

// Server is a configured petition server.
type Server struct {
	cfg       Config
	campaigns map[string]*campaign.Campaign
	limits    *limiter
	log       *slog.Logger
}

// NewLogger is the log of a server (and of the hub around it): log/slog
// writing format to w, timed by now (nil: time.Now): "text" (or ""),
// log/slog's key=value, or "json", one JSON object a line.
func NewLogger(w io.Writer, format string, now func() time.Time) (*slog.Logger, error) {
	if w == nil {
		w = io.Discard
	}
	opts := &slog.HandlerOptions{ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey && len(groups) == 0 && now != nil {
			return slog.Time(slog.TimeKey, now().UTC())
		}
		return a
	}}
	switch format {
	case "", "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("log format %q: want text or json", format)
}

// Logger is the server's log, for what runs beside it (the hub).
func (s *Server) Logger() *slog.Logger { return s.log }

// New validates cfg and returns a server.
func New(cfg Config) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, campaigns: map[string]*campaign.Campaign{},
		limits: newLimiter(cfg.Rate, cfg.Burst, cfg.MaxClients), log: cfg.Logger}
	for _, c := range cfg.Campaigns {
		s.campaigns[c.ID] = c
	}
	return s, nil
}

// Run listens on cfg.Addr and serves until ctx is cancelled, then shuts down
// gracefully: in-flight requests finish (up to ShutdownTimeout).
func Run(ctx context.Context, cfg Config) error {
	s, err := New(cfg)
	if err != nil {
		return err
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("petition server: %w", err)
	}
	return s.Serve(ctx, ln)
}

// Serve serves on ln until ctx is cancelled, then shuts down gracefully. It
// closes ln.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	return s.ServeHandler(ctx, ln, s.Handler())
}

// ServeHandler serves h as Serve serves the petition API, with the same
// timeouts, TLS and graceful shutdown: for a server that mounts the
// petition API in a larger one (the campaign hub).
func (s *Server) ServeHandler(ctx context.Context, ln net.Listener, h http.Handler) error {
	ln = limitConns(ln, s.cfg.MaxConns, s.cfg.MaxConnsPerAddr)
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: min(5*time.Second, s.cfg.ReadTimeout),
		ReadTimeout:       s.cfg.ReadTimeout,
		WriteTimeout:      s.cfg.WriteTimeout,
		IdleTimeout:       s.cfg.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
		// net/http's own messages (TLS handshake failures from scanners)
		// carry client addresses and would go to stderr: drop them. Bad
		// certificates fail at start, from ServeTLS.
		ErrorLog: discardLog(),
	}
	if s.cfg.ACME != nil {
		m, err := s.cfg.ACME.manager(s.log)
		if err != nil {
			ln.Close()
			return err
		}
		srv.TLSConfig = s.cfg.ACME.tlsConfig(m, s.log)
		stop, err := s.serveACMEHTTP(ctx, m)
		if err != nil {
			ln.Close()
			return err
		}
		defer stop()
	} else if s.cfg.TLSCert != "" {
		// Load the pair now, so that a bad file is an error before the
		// server says it is listening.
		cert, err := tls.LoadX509KeyPair(s.cfg.TLSCert, s.cfg.TLSKey)
		if err != nil {
			ln.Close()
			return fmt.Errorf("petition server: TLS: %w", err)
		}
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	errc := make(chan error, 1)
	go func() {
		if srv.TLSConfig != nil {
			errc <- srv.ServeTLS(ln, "", "")
			return
		}
		errc <- srv.Serve(ln)
	}()
	if s.cfg.Listening != nil {
		s.cfg.Listening(ln.Addr())
	}
	select {
	case err := <-errc:
		return fmt.Errorf("petition server: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
		return fmt.Errorf("petition server: shutdown: %w", err)
	}
	<-errc // http.ErrServerClosed
	return nil
}

func discardLog() *log.Logger { return log.New(io.Discard, "", 0) }

// Authorized reports whether r carries want as its bearer token (compared
// in constant time); an empty want authorizes nothing.
func Authorized(r *http.Request, want string) bool { return authorized(r, want) }

// authorized compares a request's bearer token with want in constant time.
func authorized(r *http.Request, want string) bool {
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && want != "" && subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), []byte(want)) == 1
}
