package cli

import (
	"bytes"
	"cmp"
	"context"
	"net"
	"net/http"
	"net/mail"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/faxjam/faxjam/pkg/alert"
	"github.com/faxjam/faxjam/pkg/gateway/smtp"
)

// The serve: section of the config file is `faxjam serve`'s command line
// kept in a file, so a systemd unit or a container needs none: every flag
// of serve is the key serve.FLAG (dashes as underscores: serve.tls_cert,
// serve.embed_origin). A flag that shares a setting with other commands
// falls back to it when its serve key is unset (serve.token, then
// hub_token). Secrets may come from files instead (serve.token_file,
// serve.gateway_file: systemd credentials, container secrets).

// serveKey is the config key of serve's flag name.
func serveKey(flag string) string { return "serve." + strings.ReplaceAll(flag, "-", "_") }

// bindServeConfig gives every flag of serve its key in the serve:
// section, first; a flag that shares a setting with other commands
// (hub_token) falls back to it. Called once the command's flags are all
// declared, so a flag added later is bound too.
func bindServeConfig(fl *pflag.FlagSet) {
	fl.VisitAll(func(f *pflag.Flag) {
		if f.Name != "help" {
			keys := append([]string{serveKey(f.Name)}, f.Annotations[configAnnotation]...)
			if err := fl.SetAnnotation(f.Name, configAnnotation, keys); err != nil {
				panic("cli: bindServeConfig: " + err.Error()) // a programming error
			}
		}
	})
}

// serveConfigKeys are the serve: section's keys, for `config set`,
// `config show` and the environment (FAXJAM_SERVE_ADDR, ...): derived from
// serve's own flags, so they cannot drift from them.
func serveConfigKeys() []configKey {
	var keys []configKey
	newServeCmd(&Factory{}).Flags().VisitAll(func(f *pflag.Flag) {
		k := f.Annotations[configAnnotation]
		if len(k) == 0 || !strings.HasPrefix(k[0], "serve.") {
			return
		}
		ck := configKey{Key: k[0], Help: "faxjam serve --" + f.Name + ": " + f.Usage}
		switch f.Name {
		case "gateway", "petition", "db", "confirm":
			ck.URL = true // may carry credentials: shown redacted
		case "token", "push-phaxio-token":
			ck.Secret = true
		}
		keys = append(keys, ck)
	})
	return keys
}

// secretFile reads a secret kept in a file (a systemd credential, a
// container secret): its content without the final newline. flag names
// it in errors; the secret itself is never shown.
func secretFile(flag, path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", usagef("--%s: %v", flag, err)
	}
	b = bytes.TrimRight(b, "\r\n")
	if len(b) == 0 {
		return "", usagef("--%s %s: the file is empty", flag, path)
	}
	if bytes.ContainsAny(b, "\r\n") {
		return "", usagef("--%s %s: more than one line; the file holds the secret alone", flag, path)
	}
	return string(b), nil
}

// secretsFromFiles fills --token and --gateway from --token-file and
// --gateway-file; giving both forms of one is a usage error.
func (o *ServeOptions) secretsFromFiles() error {
	for _, s := range []struct {
		flag, file string
		dst        *string
	}{
		{"token", o.TokenFile, &o.Server.Token},
		{"gateway", o.GatewayFile, &o.Gateway},
		{"push-phaxio-token", o.Push.PhaxioTokenFile, &o.Push.PhaxioToken},
	} {
		if s.file == "" {
			continue
		}
		if *s.dst != "" {
			return usagef("--%s and --%s-file both given (or in the config): keep one", s.flag, s.flag)
		}
		v, err := secretFile(s.flag+"-file", s.file)
		if err != nil {
			return err
		}
		*s.dst = v
	}
	return nil
}

// serveMetrics serves the hub's metrics on their own listener until ctx
// ends or stop is called.
func serveMetrics(ctx context.Context, addr string, h http.Handler) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, usagef("--metrics-addr %s: %v", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, BaseContext: func(net.Listener) context.Context { return ctx }}
	go srv.Serve(ln)
	return func() { srv.Close() }, nil
}

// alertSenders are the hub's alert senders from --alert, --alert-mail and
// --alert-smtp (or --confirm's SMTP server); none without them.
func (o *ServeOptions) alertSenders(sec *secrets) ([]alert.Sender, error) {
	var out []alert.Sender
	if o.Alert != "" {
		if err := alert.CheckURL(o.Alert); err != nil {
			return nil, usagef("--alert %v", err)
		}
		sec.addURL(o.Alert, nil)
		out = append(out, alert.Webhook{URL: o.Alert})
	}
	if o.AlertSMTP != "" && o.AlertMail == "" {
		return nil, usagef("--alert-smtp goes with --alert-mail ADDRESS: whom to mail")
	}
	if o.AlertMail != "" {
		if _, err := mail.ParseAddress(o.AlertMail); err != nil || !strings.Contains(o.AlertMail, "@") {
			return nil, usagef("--alert-mail %q: want an e-mail address", o.AlertMail)
		}
		server := cmp.Or(o.AlertSMTP, o.Privacy.Confirm)
		if server == "" {
			return nil, usagef("--alert-mail needs an SMTP server: --alert-smtp smtp://USER:PASS@HOST:587?from=ADDR (or --confirm's)")
		}
		sec.addURL(server, nil)
		m, err := smtp.NewMailer(server)
		if err != nil {
			return nil, usagef("--alert-smtp: %v", err)
		}
		out = append(out, alert.Mail{Mailer: m, To: o.AlertMail})
	}
	return out, nil
}
