// Package smtp is the email-to-fax gateway driver: it mails each fax's PDF,
// through the organizer's own SMTP submission server, to the address an
// email-to-fax service faxes from (docs/gateways.md §7), using
// wneessen/go-mail.
//
// URL: smtp://USER:PASS@host[:587]?domain=fax.example&from=me@example
// (STARTTLS when the server offers it; tls=required insists on it) or
// smtps://USER:PASS@host[:465]?... (TLS from the first byte). USER and PASS,
// when given, authenticate with SMTP AUTH PLAIN or LOGIN — never over a
// connection without TLS. The recipient is {digits}@domain by default (Documo
// mFax: 13105551234@send.mfax.io, Retarus: {digits}@rfax.net); vendors that
// differ take a to= pattern with {e164}, {digits} and {domain}, e.g. InterFAX
// to={e164}@fax.tc. Options follow from Driver().
//
// What the vendors document and this driver relies on: the sender address
// (from=) must be one the vendor allows (InterFAX uses it as the CSID); the
// Subject is at most 60 characters; every attachment is faxed, so only ONE
// document is attached (the PDF, fax.pdf, application/pdf; the TIFF only when
// there is no PDF), byte-identical in base64; a short text body names the
// campaign — some vendors fax it as a cover page (InterFAX "body = page",
// Retarus "body may be cover page"), so body=none leaves it out; ≤20 MB. UNVERIFIED beyond §7: RingCentral,
// eFax, SRFax and Sinch addresses, which a to= pattern covers anyway.
//
// Email to fax reports the outcome, if at all, by mail to the sender: there is
// nothing to poll. A fax the SMTP server accepted is therefore terminal in
// state Submitted; Status says so for any id this driver issued. The receipt
// id is the Message-ID, derived from the fax's idempotency key (also sent as
// X-Faxjam-Key), so a resend after an ambiguous failure carries the same
// Message-ID and an MTA or vendor that de-duplicates drops the copy.
//
// SMTP replies map onto faxjam's reasons: 530/534/535 auth; 421 rate-limited
// (servers say "try again later, closing" this way when throttling); other 4xx
// gateway-error (retryable); 552 document (too big); other 5xx rejected;
// refused connections, resets and timeouts gateway-error. A timeout after the
// whole message was sent sets Error.Accepted: the fax may be on its way.
//
// RealNetwork is true: email-to-fax services dial for real, so fictitious
// numbers are refused. insecure_skip_verify=true turns off certificate
// checks and exists for tests against a self-signed loopback server only.
//
// It imports package gateway, go-mail and the standard library only.
//
// Idempotency (DedupeByKey): no. Email-to-fax gateways document no
// deduplication (a message sent twice is faxed twice), and this driver
// cannot look a fax up: a send whose server reply was lost is recorded
// unknown (not resent). LateMargin (30 s) is declared for completeness.
package smtp

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	mail "github.com/wneessen/go-mail"
	gomailsmtp "github.com/wneessen/go-mail/smtp"

	"github.com/faxjam/faxjam/pkg/e164"
	"github.com/faxjam/faxjam/pkg/gateway"
)

// Scheme is the STARTTLS (submission) scheme, SchemeTLS the implicit-TLS one.
const (
	Scheme    = "smtp"
	SchemeTLS = "smtps"
)

// MaxDocument is the largest attachment email-to-fax vendors take (InterFAX:
// 20 MB).
const MaxDocument = 20 << 20

// MaxSubject is the longest Subject vendors take (InterFAX: 60).
const MaxSubject = 60

// DefaultTimeout bounds each SMTP exchange (connect, each reply).
const DefaultTimeout = 60 * time.Second

// KeyHeader carries the fax's idempotency key.
const KeyHeader = "X-Faxjam-Key"

// Driver declares the email-to-fax driver.
func Driver() gateway.Driver {
	return gateway.Driver{
		DedupeByKey:    false,
		LateMargin:     30 * time.Second,
		Scheme:         Scheme,
		Aliases:        []string{SchemeTLS},
		Summary:        "email to fax: mails the PDF through an SMTP server to NUMBER@vendor-domain",
		Syntax:         "smtp://USER:PASS@HOST[:587]?domain=FAX_DOMAIN&from=SENDER[&to={e164}@DOMAIN] (smtps:// for TLS on 465)",
		Example:        "smtp://ana%40example.org:MAIL_PASSWORD@smtp.example.org:587?domain=send.mfax.io&from=ana@example.org",
		RealNetwork:    true,
		MaxDocument:    MaxDocument,
		StationOptions: []string{"csid"},
		Options: []gateway.Option{
			{Name: "host", Place: gateway.InHost, Required: true, Help: "SMTP server host[:port]; port 587 for smtp://, 465 for smtps://"},
			{Name: "user", Place: gateway.InUser, Help: "SMTP AUTH user name (often the mail address, @ written %40); none: no AUTH"},
			{Name: "password", Place: gateway.InPassword, Secret: true, Help: "SMTP AUTH password"},
			{Name: "from", Place: gateway.InQuery, Required: true, Help: "sender address; the fax vendor must allow it (it may become the fax's CSID)"},
			{Name: "domain", Place: gateway.InQuery, Help: "email-to-fax domain: mail goes to {digits}@domain (e.g. send.mfax.io, rfax.net)"},
			{Name: "to", Place: gateway.InQuery, Help: "recipient pattern instead of {digits}@domain, with {e164}, {digits}, {domain}; e.g. {e164}@fax.tc (InterFAX)"},
			{Name: "body", Place: gateway.InQuery, Default: "text", Help: "text: a short note naming the campaign (some vendors fax it as a cover page); none: the document only"},
			{Name: "tls", Place: gateway.InQuery, Default: "opportunistic", Help: "smtp:// only: opportunistic (STARTTLS when offered) or required"},
			{Name: "timeout", Place: gateway.InQuery, Help: "bound on connecting and on each SMTP reply, e.g. 30s (default 60s)"},
			{Name: "insecure_skip_verify", Place: gateway.InQuery, Help: "true: do not verify the server's certificate — for tests against a self-signed local server only"},
			gateway.CSIDOption("the sending number the fax header faxjam draws shows (the vendor's own CSID comes from its account)"),
		},
		Open: open,
	}
}

type emailFax struct {
	scheme    string
	host      string
	port      int
	implicit  bool // smtps: TLS from the first byte
	policy    mail.TLSPolicy
	tlsConfig *tls.Config
	user      string
	pass      string
	from      string
	to        string // recipient pattern
	domain    string
	timeout   time.Duration
	note      bool   // send the short text body
	csid      string // for the header faxjam draws
}

// Station is the csid= the header faxjam draws shows.
func (g *emailFax) Station() string { return g.csid }

func open(u *url.URL, _ gateway.Env) (gateway.Gateway, error) {
	d := Driver()
	v, err := d.Values(u)
	if err != nil {
		return nil, err
	}
	g, err := openConn(u, v)
	if err != nil {
		return nil, err
	}
	g.domain = v["domain"]
	if g.csid, err = gateway.CSID(g.scheme, "csid", v["csid"]); err != nil {
		return nil, err
	}
	switch v["body"] {
	case "text":
		g.note = true
	case "none":
	default:
		return nil, fmt.Errorf("smtp: body=%q: want text or none", v["body"])
	}
	g.to = v["to"]
	switch {
	case g.to == "" && g.domain == "":
		return nil, fmt.Errorf("smtp: say where faxes are mailed: domain=FAX_DOMAIN (to {digits}@domain) or to=PATTERN such as {e164}@fax.tc")
	case g.to == "":
		g.to = "{digits}@{domain}"
	case strings.Contains(g.to, "{domain}") && g.domain == "":
		return nil, fmt.Errorf("smtp: to=%q uses {domain} but no domain= is given", g.to)
	}
	if !strings.Contains(g.to, "{e164}") && !strings.Contains(g.to, "{digits}") || !strings.Contains(g.to, "@") {
		return nil, fmt.Errorf("smtp: to=%q: want an address pattern with {e164} or {digits}, e.g. {digits}@rfax.net", g.to)
	}
	if _, err := g.recipient("+12025550142"); err != nil {
		return nil, err
	}
	return g, nil
}

// openConn reads the URL's connection: server, TLS, AUTH, sender, timeout
// (what Mailer shares with the fax driver).
func openConn(u *url.URL, v map[string]string) (*emailFax, error) {
	d := Driver()
	g := &emailFax{scheme: d.Scheme, user: v["user"], pass: v["password"], from: v["from"], timeout: DefaultTimeout}
	switch strings.ToLower(u.Scheme) {
	case Scheme:
		g.port = 587
	case SchemeTLS:
		g.port, g.implicit = 465, true
	default:
		return nil, fmt.Errorf("smtp: scheme %q: want smtp or smtps", u.Scheme)
	}
	g.host = u.Hostname()
	if g.host == "" {
		return nil, fmt.Errorf("smtp: gateway URL has no server host; syntax: %s", d.Syntax)
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("smtp: port %q is not a port number", p)
		}
		g.port = n
	}
	switch v["tls"] {
	case "opportunistic":
		g.policy = mail.TLSOpportunistic
	case "required":
		g.policy = mail.TLSMandatory
	default:
		return nil, fmt.Errorf("smtp: tls=%q: want opportunistic or required", v["tls"])
	}
	if s := v["timeout"]; s != "" {
		t, err := time.ParseDuration(s)
		if err != nil || t <= 0 {
			return nil, fmt.Errorf("smtp: timeout=%q: want a duration such as 30s", s)
		}
		g.timeout = t
	}
	skip := false
	switch v["insecure_skip_verify"] {
	case "", "false":
	case "true":
		skip = true
	default:
		return nil, fmt.Errorf("smtp: insecure_skip_verify=%q: want true or false", v["insecure_skip_verify"])
	}
	g.tlsConfig = &tls.Config{ServerName: g.host, MinVersion: tls.VersionTLS12, InsecureSkipVerify: skip}
	if err := mail.NewMsg().From(g.from); err != nil || !strings.Contains(g.from, "@") {
		return nil, fmt.Errorf("smtp: from=%q is not a mail address", g.from)
	}
	return g, nil
}

// recipient fills the pattern for an E.164 number.
func (g *emailFax) recipient(number string) (string, error) {
	addr := strings.NewReplacer("{e164}", number, "{digits}", e164.Digits(number), "{domain}", g.domain).Replace(g.to)
	if err := mail.NewMsg().To(addr); err != nil {
		return "", fmt.Errorf("smtp: to=%q gives %q, not a mail address", g.to, addr)
	}
	return addr, nil
}

func (g *emailFax) Send(ctx context.Context, fax gateway.Fax) (gateway.Receipt, error) {
	to, err := gateway.Prepare(Driver(), fax)
	if err != nil {
		return gateway.Receipt{}, err
	}
	rcpt, err := g.recipient(to)
	if err != nil {
		return gateway.Receipt{}, &gateway.Error{Driver: g.scheme, Op: "send", Reason: gateway.ReasonInvalidNumber, Message: err.Error()}
	}
	id := messageID(fax.Key, g.from)
	m, err := g.message(fax, to, rcpt, id)
	if err != nil {
		return gateway.Receipt{}, &gateway.Error{Driver: g.scheme, Op: "send", Reason: gateway.ReasonDocument, Message: err.Error()}
	}
	c, done, err := g.client(ctx)
	if err != nil {
		return gateway.Receipt{}, g.fail("send", err)
	}
	defer done()
	err = c.DialAndSendWithContext(ctx, m)
	// Accepted is accepted: a failing RSET or QUIT afterwards changes nothing.
	if err != nil && !m.IsDelivered() {
		return gateway.Receipt{}, g.fail("send", err)
	}
	return gateway.Receipt{ID: id, Driver: g.scheme, To: to, State: gateway.Submitted, Submitted: time.Now().UTC()}, nil
}

func (g *emailFax) message(fax gateway.Fax, to, rcpt, id string) (*mail.Msg, error) {
	m := mail.NewMsg()
	if err := m.From(g.from); err != nil {
		return nil, fmt.Errorf("from %q: %w", g.from, err)
	}
	if err := m.To(rcpt); err != nil {
		return nil, fmt.Errorf("to %q: %w", rcpt, err)
	}
	m.Subject(subject(fax.Campaign))
	m.SetMessageIDWithValue(strings.Trim(id, "<>"))
	m.SetDate()
	if fax.Key != "" {
		m.SetGenHeader(mail.Header(KeyHeader), fax.Key)
	}
	if g.note {
		m.SetBodyString(mail.TypeTextPlain, body(fax, to))
	}
	doc, name, ctype := fax.PDF, "fax.pdf", "application/pdf"
	if len(doc) == 0 {
		doc, name, ctype = fax.TIFF, "fax.tif", "image/tiff"
	}
	if err := m.AttachReader(name, bytes.NewReader(doc), mail.WithFileContentType(mail.ContentType(ctype))); err != nil {
		return nil, fmt.Errorf("attach %s: %w", name, err)
	}
	return m, nil
}

func subject(campaign string) string {
	s := "faxjam fax"
	if campaign != "" {
		s = "faxjam: " + campaign
	}
	if utf8.RuneCountInString(s) <= MaxSubject {
		return s
	}
	return string([]rune(s)[:MaxSubject])
}

func body(fax gateway.Fax, to string) string {
	pages := "1 page"
	if fax.Pages != 1 {
		pages = fmt.Sprintf("%d pages", fax.Pages)
	}
	s := fmt.Sprintf("Fax to %s, %s, attached.", to, pages)
	if fax.Campaign != "" {
		s += " Campaign: " + fax.Campaign + "."
	}
	return s + "\r\nSent with faxjam.\r\n"
}

// messageID derives the Message-ID from the key (random without one), in
// the sender's domain.
func messageID(key, from string) string {
	domain := from[strings.LastIndex(from, "@")+1:]
	var b []byte
	if key != "" {
		sum := sha256.Sum256([]byte(key))
		b = sum[:12]
	} else {
		b = make([]byte, 12)
		rand.Read(b) // never fails (crypto/rand)
	}
	return "<faxjam." + hex.EncodeToString(b) + "@" + domain + ">"
}

// Status reports Submitted for any id this driver issued: email to fax tells
// the outcome by mail, if at all.
func (g *emailFax) Status(ctx context.Context, id string) (gateway.Status, error) {
	if err := ctx.Err(); err != nil {
		return gateway.Status{}, g.fail("status", err)
	}
	if !strings.HasPrefix(id, "<faxjam.") || !strings.HasSuffix(id, ">") || !strings.Contains(id, "@") {
		return gateway.Status{}, &gateway.Error{Driver: g.scheme, Op: "status", Reason: gateway.ReasonRejected,
			Message: fmt.Sprintf("%q is not a Message-ID this driver sent", id)}
	}
	return gateway.Status{ID: id, State: gateway.Submitted, Code: "250",
		Message: "mailed to the email-to-fax gateway, which reports delivery by mail to the sender, if at all"}, nil
}

// Check connects, says EHLO, starts TLS, authenticates and quits.
func (g *emailFax) Check(ctx context.Context) error {
	c, done, err := g.client(ctx)
	if err != nil {
		return g.fail("check", err)
	}
	defer done()
	sc, err := c.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return g.fail("check", err)
	}
	if err := c.CloseWithSMTPClient(sc); err != nil {
		return g.fail("check", err)
	}
	return nil
}

// client builds a go-mail client for one exchange. Its connections are
// closed when ctx ends or done is called, whichever is first: go-mail only
// uses ctx to dial, and leaves a connection open on some failures.
func (g *emailFax) client(ctx context.Context) (*mail.Client, func(), error) {
	ctx, cancel := context.WithCancel(ctx)
	timeout := g.timeout
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < timeout {
		timeout = max(time.Until(dl), time.Millisecond)
	}
	dial := func(dctx context.Context, network, addr string) (net.Conn, error) {
		var d net.Dialer
		raw, err := d.DialContext(dctx, network, addr)
		if err != nil {
			return nil, err
		}
		context.AfterFunc(ctx, func() { raw.Close() })
		if !g.implicit {
			return raw, nil
		}
		tc := tls.Client(raw, g.tlsConfig)
		if err := tc.HandshakeContext(dctx); err != nil {
			raw.Close()
			return nil, err
		}
		return tc, nil
	}
	opts := []mail.Option{
		mail.WithTimeout(timeout),
		mail.WithTLSConfig(g.tlsConfig),
		mail.WithDialContextFunc(dial),
		mail.WithHELO("localhost"), // not the machine's name: nothing about the organizer's computer leaves it
	}
	if g.implicit {
		opts = append(opts, mail.WithSSL())
	} else {
		opts = append(opts, mail.WithTLSPolicy(g.policy))
	}
	if g.user != "" {
		opts = append(opts, mail.WithOpportunisticSMTPAuth(mail.SMTPAuthPlain, mail.SMTPAuthLogin),
			mail.WithUsername(g.user), mail.WithPassword(g.pass))
	}
	opts = append(opts, mail.WithPort(g.port))
	c, err := mail.NewClient(g.host, opts...)
	if err != nil {
		cancel()
		return nil, nil, err
	}
	return c, cancel, nil
}

// fail maps an SMTP exchange's failure onto faxjam's reasons.
func (g *emailFax) fail(op string, err error) *gateway.Error {
	e := &gateway.Error{Driver: g.scheme, Op: op, Reason: gateway.ReasonGatewayError, Message: g.clean(err.Error()), Err: err}
	code := 0
	var tp *textproto.Error
	var se *mail.SendError
	if errors.As(err, &tp) {
		code = tp.Code
	} else if errors.As(err, &se) {
		code = se.ErrorCode()
	}
	if code != 0 {
		e.Code = strconv.Itoa(code)
		e.Reason = replyReason(code)
		return e
	}
	if se != nil && se.Reason == mail.ErrSMTPDataClose {
		// No reply to the end of DATA (timeout, reset): the server had the
		// whole message and may have queued it.
		e.Accepted = true
		return e
	}
	var ne net.Error
	var certErr *tls.CertificateVerificationError
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var recErr tls.RecordHeaderError
	switch {
	case errors.As(err, &certErr), errors.As(err, &unknownCA), errors.As(err, &hostErr):
		e.Reason = gateway.ReasonRejected
		e.Message = fmt.Sprintf("the certificate of %s is not trusted: %s", g.host, g.clean(err.Error()))
	case errors.As(err, &recErr):
		e.Reason = gateway.ReasonRejected
		e.Message = fmt.Sprintf("%s:%d does not speak TLS (smtps:// wants implicit TLS, usually port 465; use smtp:// for 587)", g.host, g.port)
	case errors.Is(err, gomailsmtp.ErrUnencrypted), errors.Is(err, mail.ErrPlainAuthNotSupported),
		errors.Is(err, mail.ErrLoginAuthNotSupported), errors.Is(err, mail.ErrNoSupportedAuthDiscovered),
		strings.Contains(err.Error(), "does not support SMTP AUTH"):
		e.Reason = gateway.ReasonAuth
	case strings.Contains(err.Error(), "does not support STARTTLS"):
		e.Reason = gateway.ReasonRejected
	case errors.As(err, &ne) && ne.Timeout(), errors.Is(err, context.DeadlineExceeded):
		e.Message = fmt.Sprintf("%s:%d timed out: %s", g.host, g.port, g.clean(err.Error()))
	}
	return e
}

// replyReason maps an SMTP reply code.
func replyReason(code int) gateway.Reason {
	switch {
	case code == 530 || code == 534 || code == 535:
		return gateway.ReasonAuth
	case code == 421:
		return gateway.ReasonRateLimited
	case code == 552:
		return gateway.ReasonDocument
	case code >= 400 && code < 500:
		return gateway.ReasonGatewayError
	default:
		return gateway.ReasonRejected
	}
}

// clean keeps the password out of a message, whatever a library put in it,
// and makes it one line (go-mail joins errors with newlines).
func (g *emailFax) clean(s string) string {
	if len(g.pass) >= 3 {
		s = strings.ReplaceAll(s, g.pass, "***")
	}
	return strings.ReplaceAll(s, "\n", "; ")
}

// RequestTimeout is the bound on each SMTP exchange (the timeout= option).
func (g *emailFax) RequestTimeout() time.Duration { return g.timeout }
