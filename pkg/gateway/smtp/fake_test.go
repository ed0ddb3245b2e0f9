package smtp

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"

	"github.com/faxjam/faxjam/pkg/gateway/gatewaytest"
)

const (
	fakeUser   = "ana@example.org"
	fakePass   = "mail-pass-31337"
	fakeFrom   = "ana@example.org"
	fakeDomain = "fax.example"
)

// mailFake is a real SMTP submission server (go-smtp) in front of an
// email-to-fax service: it insists on TLS before AUTH PLAIN, checks sender,
// recipient (digits@fax.example) and the message (Subject ≤ 60, Message-ID,
// one PDF attachment), and answers per the script.
type mailFake struct {
	gatewaytest.Script
	t    *testing.T
	done chan struct{} // closed at cleanup: releases a scripted hang
	// noText: the driver was told body=none, so the message must be the
	// document alone.
	noText bool
}

// startMail starts the fake on loopback; implicit selects smtps (TLS from
// the first byte) instead of STARTTLS. It returns the server's address.
func startMail(t *testing.T, implicit bool) (string, *mailFake) {
	t.Helper()
	f := &mailFake{t: t, done: make(chan struct{})}
	srv := gosmtp.NewServer(gosmtp.BackendFunc(f.newSession))
	srv.Domain = "mx.fax.example"
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{selfSigned(t)}}
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.ErrorLog = testLogger{t}
	var l net.Listener
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if implicit {
		l = tls.NewListener(l, srv.TLSConfig)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	t.Cleanup(func() { close(f.done) }) // runs first: a hung Data returns before Close waits for it
	return l.Addr().String(), f
}

func startMailURL(t *testing.T) (string, gatewaytest.Fake) {
	addr, f := startMail(t, false)
	return fmt.Sprintf("smtp://%s:%s@%s?domain=%s&from=%s&tls=required&insecure_skip_verify=true&timeout=1s",
		"ana%40example.org", fakePass, addr, fakeDomain, fakeFrom), f
}

type testLogger struct{ t *testing.T }

func (l testLogger) Printf(format string, v ...any) { l.t.Logf("smtp server: "+format, v...) }
func (l testLogger) Println(v ...any)               { l.t.Log(append([]any{"smtp server:"}, v...)...) }

func (f *mailFake) newSession(c *gosmtp.Conn) (gosmtp.Session, error) {
	return &session{f: f, c: c}, nil
}

type session struct {
	f      *mailFake
	c      *gosmtp.Conn
	o      *gatewaytest.Outcome // taken at first use: go-smtp starts a new session after STARTTLS
	authed bool
	from   string
	rcpt   []string
}

func (s *session) outcome() gatewaytest.Outcome {
	if s.o == nil {
		o := s.f.Take()
		s.o = &o
	}
	return *s.o
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(mech string) (sasl.Server, error) {
	if _, isTLS := s.c.TLSConnectionState(); !isTLS {
		s.f.t.Errorf("AUTH %s over a connection without TLS", mech)
	}
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		if s.outcome().Kind == gatewaytest.Unauthorized || user != fakeUser || pass != fakePass {
			return &gosmtp.SMTPError{Code: 535, EnhancedCode: gosmtp.EnhancedCode{5, 7, 8}, Message: "Authentication credentials invalid"}
		}
		s.authed = true
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *gosmtp.MailOptions) error {
	if !s.authed {
		return &gosmtp.SMTPError{Code: 530, EnhancedCode: gosmtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}
	}
	if s.outcome().Kind == gatewaytest.RateLimited {
		return &gosmtp.SMTPError{Code: 421, EnhancedCode: gosmtp.EnhancedCode{4, 7, 0}, Message: "Too many messages, try again later"}
	}
	if from != fakeFrom {
		s.f.t.Errorf("MAIL FROM %q, want the from= address %q", from, fakeFrom)
	}
	s.from = from
	return nil
}

var faxAddress = regexp.MustCompile(`^([0-9]{6,15})@` + regexp.QuoteMeta(fakeDomain) + `$`)

func (s *session) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	if !faxAddress.MatchString(to) {
		s.f.t.Errorf("RCPT TO %q, want <digits>@%s", to, fakeDomain)
		return &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "No such fax address"}
	}
	s.rcpt = append(s.rcpt, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	switch s.outcome().Kind {
	case gatewaytest.Hang:
		<-s.f.done
		return errors.New("hung")
	case gatewaytest.ServerError:
		return &gosmtp.SMTPError{Code: 451, EnhancedCode: gosmtp.EnhancedCode{4, 3, 0}, Message: "Local error in processing"}
	}
	if len(s.rcpt) != 1 {
		s.f.t.Errorf("message for %d recipients, want 1 (every recipient would be faxed)", len(s.rcpt))
	}
	pdf, key := s.f.check(raw)
	digits := faxAddress.FindStringSubmatch(s.rcpt[0])[1]
	s.f.Accept("smtp-", gatewaytest.Received{To: "+" + digits, PDF: pdf, Key: key}, s.outcome())
	return nil
}

func (s *session) Reset()        { s.from, s.rcpt = "", nil }
func (s *session) Logout() error { return nil }

// check decodes the message as a vendor would and returns its one
// attachment and the idempotency key.
func (f *mailFake) check(raw []byte) (pdf []byte, key string) {
	f.t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		f.t.Errorf("message does not parse: %v", err)
		return nil, ""
	}
	var dec mime.WordDecoder
	subj, err := dec.DecodeHeader(m.Header.Get("Subject"))
	if err != nil || subj == "" || utf8.RuneCountInString(subj) > 60 {
		f.t.Errorf("Subject %q (%v): want 1 to 60 characters", subj, err)
	}
	if id := m.Header.Get("Message-Id"); !strings.HasPrefix(id, "<faxjam.") {
		f.t.Errorf("Message-ID %q, want faxjam's key-derived id", id)
	}
	if from, err := mail.ParseAddress(m.Header.Get("From")); err != nil || from.Address != fakeFrom {
		f.t.Errorf("From header %q (%v), want %s", m.Header.Get("From"), err, fakeFrom)
	}
	key, err = dec.DecodeHeader(m.Header.Get(KeyHeader))
	if err != nil {
		f.t.Errorf("%s %q: %v", KeyHeader, m.Header.Get(KeyHeader), err)
	}
	var atts [][]byte
	var text int
	walk(f.t, m.Header, m.Body, func(ctype, filename string, body []byte) {
		switch {
		case filename != "":
			if filename != "fax.pdf" || ctype != "application/pdf" {
				f.t.Errorf("attachment %q %q, want fax.pdf application/pdf", filename, ctype)
			}
			atts = append(atts, body)
		case ctype == "text/plain":
			text++
		}
	})
	if len(atts) != 1 {
		f.t.Errorf("message has %d attachments, want exactly 1 (each attachment is faxed)", len(atts))
		return nil, key
	}
	if want := map[bool]int{false: 1, true: 0}[f.noText]; text != want {
		f.t.Errorf("message has %d text bodies, want %d", text, want)
	}
	return atts[0], key
}

// header is a message's or a part's header.
type header interface{ Get(string) string }

// walk visits every leaf part of a MIME entity, decoding its transfer
// encoding.
func walk(t *testing.T, h header, body io.Reader, visit func(ctype, filename string, body []byte)) {
	t.Helper()
	ctype, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		t.Errorf("Content-Type %q: %v", h.Get("Content-Type"), err)
		return
	}
	if strings.HasPrefix(ctype, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart() // raw: the transfer encoding is decoded below
			if err == io.EOF {
				return
			}
			if err != nil {
				t.Errorf("multipart: %v", err)
				return
			}
			walk(t, p.Header, p, visit)
		}
	}
	b, err := io.ReadAll(body)
	if err != nil {
		t.Errorf("part %s: %v", ctype, err)
		return
	}
	switch strings.ToLower(h.Get("Content-Transfer-Encoding")) {
	case "base64":
		b, err = base64.StdEncoding.DecodeString(strings.NewReplacer("\r", "", "\n", "").Replace(string(b)))
		if err != nil {
			t.Errorf("part %s: base64: %v", ctype, err)
		}
	case "quoted-printable":
		b, _ = io.ReadAll(quotedprintable.NewReader(bytes.NewReader(b)))
	}
	filename := ""
	if _, dp, err := mime.ParseMediaType(h.Get("Content-Disposition")); err == nil {
		filename = dp["filename"]
	}
	visit(ctype, filename, b)
}

// selfSigned makes a certificate for 127.0.0.1, valid for an hour.
func selfSigned(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "faxjam test smtp"},
		NotBefore:    time.Now().Add(-time.Minute),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}
