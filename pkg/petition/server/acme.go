package server

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"golang.org/x/crypto/acme"
	"golang.org/x/crypto/acme/autocert"
)

// DefaultACMEDirectory is Let's Encrypt's production directory.
const DefaultACMEDirectory = autocert.DefaultACMEDirectory

// DefaultACMEHTTPAddr is where the HTTP-01 challenges are answered (and
// plain HTTP is redirected to HTTPS): port 80, as the CA asks there.
const DefaultACMEHTTPAddr = ":80"

// ACME gets and renews the server's certificates from an ACME CA (Let's
// Encrypt by default) with golang.org/x/crypto/acme/autocert, as Caddy
// does: a certificate is fetched the first time a client asks for one of
// Domains, kept in CacheDir, and renewed 30 days before it expires. The CA
// checks the domain by TLS-ALPN-01 on the server's own listener (port 443
// when Addr is) or HTTP-01 on HTTPAddr (port 80).
type ACME struct {
	Domains []string // the names the certificates are for; no wildcards, no IPs
	Email   string   // the account's contact, told of expiry problems; may be empty
	// Directory is the CA's ACME directory URL; "" means Let's Encrypt.
	Directory string
	// CAFile, when set, is a PEM file of roots trusted for the
	// directory's HTTPS besides the system's (a private or test CA such
	// as Pebble).
	CAFile string
	// CacheDir keeps the account key and the certificates (mode 0700), so
	// a restart does not ask the CA again. Required.
	CacheDir string
	// HTTPAddr serves the HTTP-01 challenges and redirects everything
	// else to HTTPS; "" means DefaultACMEHTTPAddr, "off" serves nothing
	// there (TLS-ALPN-01 alone).
	HTTPAddr string

	roots *x509.CertPool // the system's and CAFile's, once validated
}

// validate checks a's fields and reads CAFile, so a mistake is an error
// before the server listens.
func (a *ACME) validate() error {
	if len(a.Domains) == 0 {
		return errors.New("ACME: no domain (--acme-domain fax.example.org)")
	}
	for _, d := range a.Domains {
		if err := checkDomain(d); err != nil {
			return fmt.Errorf("ACME domain (--acme-domain) %q: %w", d, err)
		}
	}
	if a.Directory == "" {
		a.Directory = DefaultACMEDirectory
	}
	if u, err := url.Parse(a.Directory); err != nil || u.Scheme != "https" || u.Host == "" {
		return fmt.Errorf("ACME directory (--acme-directory) %q: want an https:// URL, e.g. %s", a.Directory, DefaultACMEDirectory)
	}
	if a.Email != "" && !strings.Contains(a.Email, "@") {
		return fmt.Errorf("ACME e-mail (--acme-email) %q: want an address", a.Email)
	}
	if a.CacheDir == "" {
		return errors.New("ACME: no folder to keep the certificates in")
	}
	if a.HTTPAddr == "" {
		a.HTTPAddr = DefaultACMEHTTPAddr
	}
	if a.HTTPAddr != "off" {
		if _, _, err := net.SplitHostPort(a.HTTPAddr); err != nil {
			return fmt.Errorf("ACME HTTP address (--acme-http-addr) %q: want host:port (:80), or off", a.HTTPAddr)
		}
	}
	roots, err := x509.SystemCertPool()
	if err != nil {
		roots = x509.NewCertPool()
	}
	if a.CAFile != "" {
		pem, err := os.ReadFile(a.CAFile)
		if err != nil {
			return fmt.Errorf("ACME CA file (--acme-ca-file): %w", err)
		}
		if !roots.AppendCertsFromPEM(pem) {
			return fmt.Errorf("ACME CA file (--acme-ca-file) %s: no PEM certificate in it", a.CAFile)
		}
	}
	a.roots = roots
	return nil
}

// checkDomain accepts a DNS name the CA can issue for: at least two
// labels, no wildcard, no address, no scheme or port.
func checkDomain(d string) error {
	switch {
	case strings.Contains(d, "://") || strings.ContainsAny(d, ":/"):
		return errors.New("want the bare name, e.g. fax.example.org, without scheme, port or path")
	case strings.HasPrefix(d, "*."):
		return errors.New("wildcards need DNS-01, which this server does not do; name each domain")
	case net.ParseIP(d) != nil:
		return errors.New("an address, not a name: the CA issues for names")
	case !strings.Contains(strings.Trim(d, "."), "."):
		return errors.New("want a full name with a dot, e.g. fax.example.org")
	}
	for _, l := range strings.Split(strings.TrimSuffix(d, "."), ".") {
		if l == "" || len(l) > 63 || strings.HasPrefix(l, "-") || strings.HasSuffix(l, "-") ||
			strings.IndexFunc(l, func(r rune) bool {
				return !(r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
			}) >= 0 {
			return fmt.Errorf("label %q: want letters, digits and inner hyphens (punycode for other scripts)", l)
		}
	}
	return nil
}

// manager is a's autocert manager. Its cache logs each certificate it
// stores, so the log shows when the CA was asked (and a restart that
// found the cache does not).
func (a *ACME) manager(log *slog.Logger) (*autocert.Manager, error) {
	// Made now, so a folder it cannot write is an error at start, not at
	// the first visitor; 0700: the account key is in it.
	if err := os.MkdirAll(a.CacheDir, 0o700); err != nil {
		return nil, fmt.Errorf("petition server: ACME cache: %w", err)
	}
	if err := os.Chmod(a.CacheDir, 0o700); err != nil {
		return nil, fmt.Errorf("petition server: ACME cache: %w", err)
	}
	client := &acme.Client{DirectoryURL: a.Directory, HTTPClient: &http.Client{
		Timeout:   time.Minute,
		Transport: &http.Transport{Proxy: http.ProxyFromEnvironment, TLSClientConfig: &tls.Config{RootCAs: a.roots, MinVersion: tls.VersionTLS12}},
	}}
	return &autocert.Manager{
		Prompt:     autocert.AcceptTOS,
		Cache:      loggedCache{autocert.DirCache(a.CacheDir), a.Domains, log},
		HostPolicy: autocert.HostWhitelist(a.Domains...),
		Email:      a.Email,
		Client:     client,
	}, nil
}

// tlsConfig is the server's TLS with a's certificates: autocert's, which
// answers TLS-ALPN-01 challenges too. A handshake for a configured domain
// that finds no certificate is logged (the CA's answer says why); other
// names (scanners) are refused without a line.
func (a *ACME) tlsConfig(m *autocert.Manager, log *slog.Logger) *tls.Config {
	cfg := m.TLSConfig()
	cfg.MinVersion = tls.VersionTLS12
	get := cfg.GetCertificate
	cfg.GetCertificate = func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
		cert, err := get(hello)
		challenge := slices.Contains(hello.SupportedProtos, acme.ALPNProto)
		if err != nil && !challenge && a.serves(hello.ServerName) {
			log.Error("acme certificate", "domain", strings.ToLower(hello.ServerName), "error", err.Error())
		}
		return cert, err
	}
	return cfg
}

func (a *ACME) serves(name string) bool {
	for _, d := range a.Domains {
		if strings.EqualFold(strings.TrimSuffix(name, "."), strings.TrimSuffix(d, ".")) {
			return true
		}
	}
	return false
}

// loggedCache is autocert's cache, logging each certificate stored.
type loggedCache struct {
	autocert.Cache
	domains []string
	log     *slog.Logger
}

func (c loggedCache) Put(ctx context.Context, key string, data []byte) error {
	err := c.Cache.Put(ctx, key, data)
	// Certificates are stored under the domain (ECDSA) or domain+rsa;
	// the account key and challenge tokens under other keys.
	name, rsa := strings.CutSuffix(key, "+rsa")
	for _, d := range c.domains {
		if strings.EqualFold(name, d) {
			kind := "ecdsa"
			if rsa {
				kind = "rsa"
			}
			if err != nil {
				c.log.Error("acme certificate not stored", "domain", d, "key", kind, "error", err.Error())
			} else {
				c.log.Info("acme certificate stored", "domain", d, "key", kind)
			}
		}
	}
	return err
}

// serveACMEHTTP answers the HTTP-01 challenges on a.HTTPAddr and
// redirects the rest to HTTPS, until ctx ends; stop closes it.
func (s *Server) serveACMEHTTP(ctx context.Context, m *autocert.Manager) (stop func(), err error) {
	a := s.cfg.ACME
	if a.HTTPAddr == "off" {
		return func() {}, nil
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", a.HTTPAddr)
	if err != nil {
		return nil, fmt.Errorf("petition server: ACME HTTP-01 listener: %w", err)
	}
	// A mux only to name the route in the request log.
	challenges := m.HTTPHandler(nil)
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/acme-challenge/", func(w http.ResponseWriter, r *http.Request) {
		// The host policy is on the name: a CA asking on another port than
		// 80 (a test CA) names it in Host.
		if h, _, err := net.SplitHostPort(r.Host); err == nil {
			r.Host = h
		}
		challenges.ServeHTTP(w, r)
	})
	mux.Handle("/", challenges) // redirects to https://
	srv := &http.Server{
		Handler:           s.logged(mux),
		ReadHeaderTimeout: min(5*time.Second, s.cfg.ReadTimeout),
		ReadTimeout:       s.cfg.ReadTimeout,
		WriteTimeout:      s.cfg.WriteTimeout,
		IdleTimeout:       s.cfg.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          discardLog(),
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Serve(limitConns(ln, s.cfg.MaxConns, s.cfg.MaxConnsPerAddr))
	}()
	return func() { srv.Close(); <-done }, nil
}
