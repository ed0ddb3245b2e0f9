package smtp

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/url"

	mail "github.com/wneessen/go-mail"
)

// Mailer sends plain-text mail to people through the organizer's SMTP
// submission server, with the connection rules of the fax driver: STARTTLS
// when offered (tls=required insists), smtps:// for TLS from the first byte,
// AUTH only over TLS. The campaign hub mails its confirmation links with it.
//
// URL: smtp://USER:PASS@host[:587]?from=SENDER[&tls=required][&timeout=30s]
// (domain and to, the fax driver's, are not used).
type Mailer struct {
	g *emailFax
}

// NewMailer reads a mailer URL.
func NewMailer(raw string) (*Mailer, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("smtp: %w", err)
	}
	v, err := Driver().Values(u)
	if err != nil {
		return nil, err
	}
	g, err := openConn(u, v)
	if err != nil {
		return nil, err
	}
	return &Mailer{g: g}, nil
}

// From is the sender address.
func (m *Mailer) From() string { return m.g.from }

// Send mails body (plain text, UTF-8) with subject to the address to.
func (m *Mailer) Send(ctx context.Context, to, subject, body string) error {
	msg := mail.NewMsg()
	if err := msg.From(m.g.from); err != nil {
		return fmt.Errorf("smtp: from: %w", err)
	}
	if err := msg.To(to); err != nil {
		return fmt.Errorf("smtp: the recipient is not a mail address")
	}
	msg.Subject(subject)
	msg.SetDate()
	// Not go-mail's default, which names this machine.
	msg.SetMessageIDWithValue(rand.Text() + "@faxjam.invalid")
	msg.SetBodyString(mail.TypeTextPlain, body)
	c, done, err := m.g.client(ctx)
	if err != nil {
		return m.g.fail("mail", err)
	}
	defer done()
	if err := c.DialAndSendWithContext(ctx, msg); err != nil && !msg.IsDelivered() {
		return m.g.fail("mail", err)
	}
	return nil
}
