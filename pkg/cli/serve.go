package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/faxjam/faxjam/pkg/dispatch"
	"github.com/faxjam/faxjam/pkg/hub"
	"github.com/faxjam/faxjam/pkg/hub/web"
	"github.com/faxjam/faxjam/pkg/petition"
	"github.com/faxjam/faxjam/pkg/ui"
)

// ServeOptions are the inputs of `faxjam serve`.
type ServeOptions struct {
	// Server holds the listener's flags, --db and the admin --token;
	// Server.Send the streams, the campaign and the secrets.
	Server   PetitionOptions
	DB       string        // --db: the journal file; "" = hub.db in the data dir
	Gateway  string        // the organizer's gateway URL; "" = the petition server only
	Petition string        // a petition endpoint for the fallback instead of the hub's own store
	Poll     time.Duration // how often a fax's status is asked
	// EmbedOrigins are partner sites that may show the signing page in a
	// frame (--embed-origin); none: no site may.
	EmbedOrigins []string
	Retain       string // --retain: e.g. 28d (privacy.go in pkg/hub)
	Pack         string // --pack: the campaign's signed pack, served to activists
	// TokenFile and GatewayFile hold --token and --gateway in files
	// (systemd credentials, container secrets): serve_config.go.
	TokenFile   string
	GatewayFile string
	// MetricsAddr, when set, serves /metrics there without a token (a
	// loopback or internal address); on the hub's own address /metrics
	// needs the admin token.
	MetricsAddr string
	// Alert is a webhook URL told of incidents (JSON POST); AlertMail an
	// address mailed them through AlertSMTP (default: --confirm's server).
	Alert     string
	AlertMail string
	AlertSMTP string
	// Privacy: --confirm, --confirm-within, --privacy-notice, --public-url
	// (serve_privacy.go).
	Privacy ServePrivacy
	// Push: the vendors' status pushes (serve_push.go).
	Push ServePush
}

func newServeCmd(f *Factory) *cobra.Command {
	opts := &ServeOptions{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the campaign hub: take everyone's action and fax it through your gateway",
		Long: `Run the campaign hub for the active campaign (--campaign): one server that takes
every activist's action (from 'faxjam send' with the campaign's hub, the web
page, or scripts), composes each person's letter from its own copy of the
campaign and faxes it through your gateway, line-aware across everyone: one
call per line, rotation, the circuit breaker, quiet hours and caps. When
every line is down, an action becomes a signature in the hub's petition
store (one per person), which 'faxjam petition export' and 'petition
deliver' read. Without --gateway it is the petition server alone (as
'faxjam petition serve').

  POST /v1/campaigns/{id}/actions   {key, name, city, country, email?, note?, lang?}
                                    202 {id, receipt, state} · 200 duplicate
  GET  /v1/actions/{id}             Authorization: Bearer RECEIPT: its state
  GET  /v1/actions/{id}/fax.png     the page as faxed
  GET  /v1/campaigns/{id}/lines     public: each line's state and the queue
  GET  /v1/campaigns/{id}/actions   admin token: every action (JSON, or CSV by Accept)
  POST /v1/campaigns/{id}/pause     admin token: dialling stops at once; /resume
  GET  /v1/campaigns/{id}/pack      public: the signed pack (--pack), for 'campaign add|update'
  DELETE /v1/actions/{id}           admin token: forget the person (journal and signatures);
                                    DELETE /v1/campaigns/{id}/actions?email=ADDR by e-mail
  and the petition API (signatures, /healthz).

The hub's root URL is the signing page for people without the CLI: the
campaign, the lines' live state, a form, a preview of the fax page and a
receipt that updates itself; no JavaScript needed, in es, en, fr, de and
pt. /admin is the organizer's page (sign in with --token): the lines, a
chart of deliveries per hour, pause and resume. The page refuses to be
framed by other sites unless --embed-origin names a partner's site.

An action is answered 202 only once it is in the journal on disk, so it
survives a crash right after. The journal and signatures are SQLite files
(--db FILE: the journal there, the signatures beside it as FILE-petition.db;
default hub.db and petition.db in the data dir), and the hub holds the
journal's lock: no 'faxjam send' dispatches from it meanwhile. With --db
postgres://... both live in that database, and several hub processes (behind
a load balancer) serve one campaign: all accept and answer receipts, and
exactly one dispatches, elected through a PostgreSQL advisory lock; when it
dies another takes over within seconds. A hub on anything but
loopback needs --token (the admin token) and TLS: --acme-domain DOMAIN gets
and renews a certificate from Let's Encrypt by itself (listening on :443 and
:80, keeping it in the data dir's acme folder), or --tls-cert/--tls-key, or
a proxy. --confirm smtp://... mails every action's e-mail a link to confirm it
before anything is sent (unconfirmed actions expire after --confirm-within,
48h, and their data is deleted); --privacy-notice FILE is shown on the page
and in that mail. --retain 28d blanks the e-mail and note of every action 28 days after
it is final (the names and cities on the petition stay). Stop it with Ctrl-C: calls in flight finish, and what is queued
waits for the next start.`,
		Example: `  faxjam serve --gateway 'telnyx://KEY@CONNECTION?from=+4930123456' --token "$(openssl rand -hex 16)"
  faxjam serve --campaign ./campaign.yaml --gateway 'hylafax://fax:secret@faxhost:4559' --addr 0.0.0.0:8443 --tls-cert cert.pem --tls-key key.pem --token "$TOKEN"
  faxjam serve --gateway-file /run/secrets/gateway --token-file /run/secrets/token --acme-domain fax.example.org --acme-email ops@example.org
  faxjam serve --gateway "$GATEWAY" --token "$TOKEN" --embed-origin https://partner.example   # a partner may frame the page
  faxjam send --hub http://127.0.0.1:8080   # an activist, through the hub`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.petitionOptions(&opts.Server)
			return serveRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	addServerFlags(fl, &opts.Server)
	fl.StringVar(&opts.Gateway, "gateway", "", "the organizer's fax gateway URL (faxjam gateway list shows the syntax); without it, the petition server only")
	fl.StringVar(&opts.Petition, "petition", "", "send the fallback signatures to this petition endpoint instead of the hub's own store")
	fl.StringVar(&opts.DB, "db", "", "the hub's journal: a SQLite file (default hub.db in the data dir), or postgres://... shared by several hub processes")
	fl.StringVar(&opts.Server.Token, "token", "", "the admin token: export, pause/resume, petition export (env FAXJAM_HUB_TOKEN)")
	fl.DurationVar(&opts.Poll, "poll", 3*time.Second, "how often a fax's status is asked")
	fl.StringSliceVar(&opts.EmbedOrigins, "embed-origin", nil, "a partner site that may show the signing page in a frame, as https://host[:port] (repeat for more)")
	fl.StringVar(&opts.Server.Send.Paper, "paper", "", "paper size of the letters: a4 or letter (default: the campaign's locale)")
	fl.StringVar(&opts.Server.Send.Font, "font", "", "an extra TrueType font for scripts the bundled fonts lack")
	fl.StringVar(&opts.Retain, "retain", "", "scrub e-mails and notes this long after an action is final, e.g. 28d (default: config retain)")
	fl.StringVar(&opts.Pack, "pack", "", "the campaign's signed pack (faxjam campaign sign), served at /v1/campaigns/{id}/pack")
	fl.StringVar(&opts.MetricsAddr, "metrics-addr", "", "also serve Prometheus metrics at this `ADDRESS` (host:port), path /metrics, without a token (keep it internal); on the hub's address /metrics needs the admin token")
	fl.StringVar(&opts.Alert, "alert", "", "POST a JSON alert to this `URL` once when the gateway goes down, every line is down, the queue stalls or the dialling process changes, and once when it ends")
	fl.StringVar(&opts.AlertMail, "alert-mail", "", "mail those alerts to this `ADDRESS` (through --alert-smtp, or --confirm's server)")
	fl.StringVar(&opts.AlertSMTP, "alert-smtp", "", "the SMTP `URL` alert mail goes through: smtp://USER:PASS@HOST:587?from=ADDR (default: --confirm's)")
	fl.StringVar(&opts.TokenFile, "token-file", "", "read the admin token from this `FILE` (a systemd credential, a container secret)")
	fl.StringVar(&opts.GatewayFile, "gateway-file", "", "read the gateway URL from this `FILE`, so its credentials stay out of the command line and the config")
	addPrivacyFlags(fl, &opts.Privacy)
	addPushFlags(fl, &opts.Push)
	bindConfig(fl, "retain", "retain")
	bindConfig(fl, "token", "hub_token")
	bindConfig(fl, "paper", "paper")
	bindConfig(fl, "font", "font")
	bindServeConfig(fl) // every other flag: serve.FLAG in the config file
	return cmd
}

// hubPaths are where a hub keeps its journal and its signatures: --db FILE
// and FILE-petition.db beside it, or hub.db and the petition server's
// petition.db in the data dir (so `petition export` finds them).
func hubPaths(db, dataDir string) (journalPath, signatures string) {
	if db == "" {
		return filepath.Join(dataDir, "hub.db"), defaultPetitionDB(dataDir)
	}
	if isPostgres(db) {
		return db, db // one database: the journal's tables and the signatures'
	}
	db = strings.TrimPrefix(db, "sqlite://")
	return db, strings.TrimSuffix(db, ".db") + "-petition.db"
}

func serveRun(ctx context.Context, opts *ServeOptions) error {
	po := &opts.Server
	so := &po.Send
	if err := opts.secretsFromFiles(); err != nil {
		return err
	}
	alerts, err := opts.alertSenders(so.Secrets)
	if err != nil {
		return err
	}
	so.Secrets.add(opts.Server.Token)
	if isPostgres(opts.DB) {
		so.Secrets.addURL(opts.DB, nil)
	}
	for _, o := range opts.EmbedOrigins {
		if err := web.CheckOrigin(o); err != nil {
			return usagef("--embed-origin %q: %v", o, err)
		}
	}
	jpath, sigs := hubPaths(opts.DB, so.DataDir)
	po.DB = sigs
	if opts.Gateway == "" {
		if opts.Pack != "" || opts.Privacy.Confirm != "" {
			return usagef("--pack and --confirm go with --gateway (the hub); the petition server alone has no actions")
		}
		return petitionServeRun(ctx, po)
	}
	var retain time.Duration
	if opts.Retain != "" {
		d, err := parseRetain(opts.Retain)
		if err != nil {
			return usagef("--retain %v", err)
		}
		retain = d
	}
	if opts.Poll <= 0 {
		return usagef("--poll %s: want a positive duration like 3s", opts.Poll)
	}
	c, err := so.Campaign(ctx)
	if err != nil {
		return err
	}
	hcfg, err := serverConfig(po, c)
	if err != nil {
		return err
	}
	packData, err := hubPack(opts.Pack, c)
	if err != nil {
		return err
	}
	priv, err := opts.Privacy.config(so.Secrets)
	if err != nil {
		return err
	}
	push, err := opts.Push.config()
	if err != nil {
		return err
	}
	r, err := newRenderer(so.Paper, so.Font)
	if err != nil {
		return err
	}
	so.Gateway = opts.Gateway
	rg, err := openRig(so, c, false)
	if err != nil {
		return err
	}
	defer rg.Close()
	// The fallback goes to the hub's own store unless --petition names
	// another endpoint (the campaign's petition URL is often the hub).
	var pet petition.Petition
	if opts.Petition != "" {
		so.Petition = opts.Petition
		p, _, err := openPetition(so, c)
		if err != nil {
			return err
		}
		pet = scrubbedPetition{p: p, sec: so.Secrets}
	}
	shared, err := openHubJournal(ctx, so, rg, opts.DB, jpath, c.ID)
	if err != nil {
		return err
	}
	defer shared.close()
	st, err := openSignatures(ctx, sigs, so.Secrets)
	if err != nil {
		return err
	}
	defer st.Close()

	var h *hub.Hub
	hcfg.Listening = func(addr net.Addr) {
		u := listenURL(po, addr)
		h.SetPublicURL(u) // the confirmation links' base, unless --public-url
		if so.JSON {
			_ = ui.NewJSON(so.IO.Out).Print("listening", map[string]any{"url": u, "campaign": c.ID, "gateway": showGateway(opts.Gateway), "admin_token": po.Token != ""})
			return
		}
		if po.LogFormat == "json" { // stderr is the JSON log's alone
			hcfg.Logger.Info("listening", "url", u, "campaign", c.ID, "gateway", showGateway(opts.Gateway), "admin_token", po.Token != "")
			return
		}
		s := so.IO.ErrStyles()
		fmt.Fprintf(so.IO.ErrOut, "%s the hub for %s on %s, faxing via %s to %d number(s)\n", s.Success.Render("Serving"), c.ID, s.Accent.Render(u), showGateway(opts.Gateway), len(c.Target.Fax))
		fmt.Fprintf(so.IO.ErrOut, "Activists: faxjam send --hub %s · lines: %s/v1/campaigns/%s/lines\n", u, u, c.ID)
		fmt.Fprintf(so.IO.ErrOut, "Signing page: %s/ · organizer: %s/admin\n", u, u)
		if po.Token == "" {
			fmt.Fprintln(so.IO.ErrOut, s.Warning.Render("No --token: the admin API (export, pause) answers 401."))
		}
	}
	h, err = hub.New(ctx, hub.Config{
		Alerts:   alerts,
		Campaign: c, Journal: rg.Journal, Store: st, Gateway: scrubGateway(rg.Gateway, so.Secrets), Driver: rg.Driver, GatewayEnv: rg.Env, Petition: pet,
		Renderer: r, Token: po.Token, HTTP: hcfg,
		Dispatch: dispatch.Config{Poll: opts.Poll, Rescan: shared.rescan}, Lead: shared.lead,
		Web:  hub.WebConfig{EmbedOrigins: opts.EmbedOrigins},
		Now:  so.Now,
		Pack: packData, Retain: retain,
		Confirm: priv.mailer, ConfirmWithin: opts.Privacy.Within, PublicURL: opts.Privacy.PublicURL, PrivacyNotice: priv.notice,
		Push: push,
	})
	if err != nil {
		return &UsageError{Err: err}
	}
	if opts.MetricsAddr != "" {
		stop, err := serveMetrics(ctx, opts.MetricsAddr, h.MetricsHandler())
		if err != nil {
			return err
		}
		defer stop()
		if po.LogFormat == "json" {
			hcfg.Logger.Info("metrics", "url", "http://"+opts.MetricsAddr+"/metrics")
		} else {
			fmt.Fprintf(so.IO.ErrOut, "Metrics: http://%s/metrics\n", opts.MetricsAddr)
		}
	}
	if err := h.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		if errors.Is(err, dispatch.ErrConfig) {
			return &UsageError{Err: err}
		}
		return err
	}
	return nil
}
