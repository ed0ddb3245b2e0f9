package cli

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/faxjam/faxjam/pkg/gateway/smtp"
	"github.com/faxjam/faxjam/pkg/hub"
)

// ServePrivacy are serve's e-mail confirmation and privacy notice flags.
type ServePrivacy struct {
	Confirm   string        // --confirm smtp://USER:PASS@host?from=ADDR
	Within    time.Duration // --confirm-within
	Notice    string        // --privacy-notice FILE
	PublicURL string        // --public-url: the hub's address as activists reach it
}

func addPrivacyFlags(fl *pflag.FlagSet, p *ServePrivacy) {
	fl.StringVar(&p.Confirm, "confirm", "", "mail each action's e-mail a link to confirm it first, through this SMTP `URL`: smtp://USER:PASS@HOST:587?from=ADDR")
	fl.DurationVar(&p.Within, "confirm-within", hub.DefaultConfirmWithin, "with --confirm: an action not confirmed this long expires and its data is deleted")
	fl.StringVar(&p.Notice, "privacy-notice", "", "a text `FILE` with the organizer's privacy notice, shown on the signing page and in the confirmation mail")
	fl.StringVar(&p.PublicURL, "public-url", "", "with --confirm: the hub's `URL` as activists reach it (behind a proxy), for the links; default the address it listens on")
	bindConfig(fl, "confirm", "hub_confirm")
}

type servePrivacy struct {
	mailer hub.Mailer
	notice string
}

// config checks the flags and opens the mailer.
func (p ServePrivacy) config(sec *secrets) (servePrivacy, error) {
	var out servePrivacy
	if p.Within <= 0 {
		return out, usagef("--confirm-within %s: want a positive duration like 48h", p.Within)
	}
	if p.Notice != "" {
		b, err := os.ReadFile(p.Notice)
		if err != nil {
			return out, &UsageError{Err: fmt.Errorf("--privacy-notice: %w", err)}
		}
		if len(b) > 8<<10 {
			return out, usagef("--privacy-notice %s: %d bytes; a notice shown on a page and in a mail should be under 8 KB (link to the full policy)", p.Notice, len(b))
		}
		out.notice = strings.TrimSpace(string(b))
	}
	if p.PublicURL != "" && !strings.HasPrefix(p.PublicURL, "https://") && !strings.HasPrefix(p.PublicURL, "http://") {
		return out, usagef("--public-url %q: want http(s)://host[:port]", p.PublicURL)
	}
	if p.Confirm == "" {
		return out, nil
	}
	sec.addURL(p.Confirm, nil)
	m, err := smtp.NewMailer(p.Confirm)
	if err != nil {
		return out, usagef("--confirm: %v", err)
	}
	out.mailer = m
	return out, nil
}
