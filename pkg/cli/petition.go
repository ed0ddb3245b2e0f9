package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"golang.org/x/time/rate"

	"github.com/faxjam/faxjam/pkg/campaign"
	"github.com/faxjam/faxjam/pkg/campaignrun"
	"github.com/faxjam/faxjam/pkg/dispatch"
	"github.com/faxjam/faxjam/pkg/e164"
	"github.com/faxjam/faxjam/pkg/httpclient"
	"github.com/faxjam/faxjam/pkg/letter"
	"github.com/faxjam/faxjam/pkg/petition/export"
	"github.com/faxjam/faxjam/pkg/petition/server"
	"github.com/faxjam/faxjam/pkg/petition/store"
	"github.com/faxjam/faxjam/pkg/ui"
)

// PetitionOptions are the inputs of the petition subcommands.
type PetitionOptions struct {
	Send SendOptions // deliver dispatches as send does

	// serve
	Addr    string
	TLSCert string
	TLSKey  string
	// ACME: certificates from Let's Encrypt (or ACMEDirectory) for
	// ACMEDomains, kept in the data dir's acme folder.
	ACMEDomains   []string
	ACMEEmail     string
	ACMEDirectory string
	ACMECAFile    string
	ACMEHTTPAddr  string
	SignToken     string
	// Per anonymous client address; token holders are not limited.
	Rate       float64 // requests per second; 0 = no limit
	Burst      int
	TrustProxy bool // client address from X-Forwarded-For
	// Connections held open at most, in all and per client address.
	MaxConns, MaxConnsPerAddr int
	LogFormat                 string // --log-format: text or json

	// serve, export, deliver: where the signatures are
	DB     string // store DSN: SQLite path or postgres:// URL
	Server string // a faxjam petition server's URL (export, deliver)
	Token  string // its export token

	// export
	Format  string // pdf, csv, json
	Output  string
	Private bool // emails and notes in csv/json
	Raw     bool // csv values verbatim, not spreadsheet-safe
}

func newPetitionCmd(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "petition",
		Short: "Plan B: collect names when every fax is down, and deliver them",
		Long: `When every fax number is down, faxjam sends each signer's name to a petition
endpoint instead. 'petition serve' runs faxjam's own endpoint; 'petition
export' turns the names into a petition document (PDF, CSV, JSON);
'petition deliver' faxes that document to the target through your gateway.`,
		Example: `  faxjam petition serve
  faxjam petition export -o petition.pdf
  faxjam petition deliver --gateway 'telnyx://KEY@CONN?from=+4930123456'`,
		Args: usageArgs(cobra.NoArgs),
	}
	cmd.AddCommand(newPetitionServeCmd(f), newPetitionExportCmd(f), newPetitionDeliverCmd(f))
	return cmd
}

func (f *Factory) petitionOptions(o *PetitionOptions) {
	f.sendOptions(&o.Send)
	if o.DB == "" && o.Server == "" {
		o.DB = defaultPetitionDB(f.DataHome())
	}
}

func defaultPetitionDB(dataDir string) string { return dataDir + "/petition.db" }

// addSourceFlags declares where signatures are read from.
func addSourceFlags(cmd *cobra.Command, o *PetitionOptions) {
	fl := cmd.Flags()
	fl.StringVar(&o.Server, "server", "", "a faxjam petition server's URL (https://host[/prefix])")
	fl.StringVar(&o.Token, "token", "", "the server's export token (env FAXJAM_PETITION_TOKEN)")
	fl.StringVar(&o.DB, "db", "", "read the database directly: a SQLite file or postgres:// URL (default petition.db in the data dir)")
	bindConfig(fl, "token", "petition_token")
}

func newPetitionServeCmd(f *Factory) *cobra.Command {
	opts := &PetitionOptions{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run faxjam's petition endpoint for the campaign",
		Long: `Serve the petition API for the active campaign (--campaign):

  POST /v1/campaigns/{id}/signatures   {name, city, country, email?, note?, key}
  GET  /v1/campaigns/{id}              {id, title, signatures}
  GET  /v1/campaigns/{id}/signatures   Authorization: Bearer TOKEN (JSON, or CSV by Accept)
  GET  /healthz

Signatures are kept in SQLite (--db FILE, default in the data dir) or
PostgreSQL (--db postgres://...). A server on anything but loopback needs
--token (or FAXJAM_PETITION_TOKEN) and should use --tls-cert/--tls-key or run
behind a TLS proxy. Tokens (--token, --sign-token) have at least ` + strconv.Itoa(server.MinTokenLength) + `
characters; openssl rand -hex 16 makes one. Stop it with Ctrl-C: requests in
flight finish.`,
		Example: `  faxjam petition serve
  FAXJAM_PETITION_TOKEN=$(openssl rand -hex 16) faxjam petition serve --addr 0.0.0.0:8443 --tls-cert cert.pem --tls-key key.pem
  faxjam send --petition http://127.0.0.1:8080`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.petitionOptions(opts)
			return petitionServeRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	addServerFlags(fl, opts)
	fl.StringVar(&opts.DB, "db", "", "SQLite file or postgres:// URL (default petition.db in the data dir)")
	fl.StringVar(&opts.Token, "token", "", fmt.Sprintf("bearer token for the export API, at least %d characters (env FAXJAM_PETITION_TOKEN)", server.MinTokenLength))
	fl.StringVar(&opts.SignToken, "sign-token", "", fmt.Sprintf("require this token, at least %d characters, to sign (petition URL https://TOKEN@host)", server.MinTokenLength))
	bindConfig(fl, "token", "petition_token")
	return cmd
}

// addServerFlags adds the listener's flags `petition serve` and `serve`
// share.
func addServerFlags(fl *pflag.FlagSet, opts *PetitionOptions) {
	fl.StringVar(&opts.Addr, "addr", server.DefaultAddr, "host:port to listen on (with --acme-domain the default is :443)")
	fl.StringVar(&opts.TLSCert, "tls-cert", "", "TLS certificate (PEM)")
	fl.StringVar(&opts.TLSKey, "tls-key", "", "TLS key (PEM)")
	fl.StringSliceVar(&opts.ACMEDomains, "acme-domain", nil, "get and renew the TLS certificate for this `DOMAIN` from Let's Encrypt (or --acme-directory), kept in the data dir's acme folder; the CA reaches it on ports 443 and 80 (repeat or comma-separate for more)")
	fl.StringVar(&opts.ACMEEmail, "acme-email", "", "the `ADDRESS` the CA may write to about the certificates (expiry problems)")
	fl.StringVar(&opts.ACMEDirectory, "acme-directory", server.DefaultACMEDirectory, "the ACME CA's directory `URL`")
	fl.StringVar(&opts.ACMECAFile, "acme-ca-file", "", "trust this PEM `FILE`'s roots for the ACME directory's HTTPS too (a private or test CA)")
	fl.StringVar(&opts.ACMEHTTPAddr, "acme-http-addr", server.DefaultACMEHTTPAddr, "with --acme-domain, answer the CA's HTTP-01 challenges and redirect plain HTTP to HTTPS at this `ADDRESS`; off: only TLS-ALPN-01 on --addr")
	fl.Float64Var(&opts.Rate, "rate", float64(server.DefaultRate), "requests per second per anonymous client address (token holders are not limited); 0 = no limit")
	fl.IntVar(&opts.Burst, "burst", server.DefaultBurst, "requests an anonymous client may make at once")
	fl.BoolVar(&opts.TrustProxy, "trust-proxy", false, "take the client address from X-Forwarded-For (only behind a reverse proxy that sets it)")
	fl.IntVar(&opts.MaxConns, "max-conns", server.DefaultMaxConns, "connections held open at most, in all (-1: no cap)")
	fl.StringVar(&opts.LogFormat, "log-format", "text", "the request log's `FORMAT` on stderr: text (key=value) or json (a JSON object a line); never personal data")
	fl.IntVar(&opts.MaxConnsPerAddr, "max-conns-per-addr", server.DefaultMaxConnsPerAddr, "connections held open at most from one client address; over it a connection is closed at once (-1: no cap; behind a proxy every connection is the proxy's)")
}

func petitionServeRun(ctx context.Context, opts *PetitionOptions) error {
	so := &opts.Send
	c, err := so.Campaign(ctx)
	if err != nil {
		return err
	}
	cfg, err := serverConfig(opts, c)
	if err != nil {
		return err
	}
	st, err := openSignatures(ctx, opts.DB, so.Secrets)
	if err != nil {
		return err
	}
	defer st.Close()
	cfg.Store = st
	cfg.Listening = func(addr net.Addr) {
		u := listenURL(opts, addr)
		if so.JSON {
			_ = ui.NewJSON(so.IO.Out).Print("listening", map[string]any{"url": u, "campaign": c.ID, "export_token": opts.Token != ""})
			return
		}
		if opts.LogFormat == "json" { // stderr is the JSON log's alone
			cfg.Logger.Info("listening", "url", u, "campaign", c.ID, "export_token", opts.Token != "")
			return
		}
		s := so.IO.ErrStyles()
		fmt.Fprintf(so.IO.ErrOut, "%s petition for %s on %s\n", s.Success.Render("Serving"), c.ID, s.Accent.Render(u))
		fmt.Fprintf(so.IO.ErrOut, "Signers' faxjam: --petition %s · export: faxjam petition export --server %s\n", u, u)
		if opts.Token == "" {
			fmt.Fprintln(so.IO.ErrOut, s.Warning.Render("No --token: the export API answers 401; read names with --db."))
		}
	}
	if err := cfg.Validate(); err != nil {
		return &UsageError{Err: err}
	}
	if err := server.Run(ctx, cfg); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// serverConfig checks the listener's flags and builds the petition
// server's config (without its store) for campaign c. It touches no file:
// a bad --addr or a missing --token is found before any database is opened.
func serverConfig(opts *PetitionOptions, c *campaign.Campaign) (server.Config, error) {
	so := &opts.Send
	so.Secrets.add(opts.Token)
	so.Secrets.add(opts.SignToken)
	if opts.Rate < 0 || math.IsNaN(opts.Rate) {
		return server.Config{}, usagef("--rate %v: want requests per second, 0 for no limit", opts.Rate)
	}
	if opts.Burst < 1 {
		return server.Config{}, usagef("--burst %d: want 1 or more", opts.Burst)
	}
	lim := rate.Limit(opts.Rate)
	if opts.Rate == 0 {
		lim = rate.Inf
	}
	logger, err := server.NewLogger(so.IO.ErrOut, opts.LogFormat, so.Now)
	if err != nil {
		return server.Config{}, usagef("--log-format %q: want text or json", opts.LogFormat)
	}
	acme := acmeConfig(opts) // first: it may set opts.Addr
	cfg := server.Config{
		Addr: opts.Addr, ACME: acme, Campaigns: []*campaign.Campaign{c},
		Token: opts.Token, SignToken: opts.SignToken, TLSCert: opts.TLSCert, TLSKey: opts.TLSKey,
		Rate: lim, Burst: opts.Burst, TrustProxy: opts.TrustProxy, MaxConns: opts.MaxConns, MaxConnsPerAddr: opts.MaxConnsPerAddr,
		Logger: logger, Now: so.Now,
	}
	// Validate wants a store, so the probe gets a placeholder it never
	// calls.
	probe := cfg
	probe.Store = unopenedStore{}
	if err := probe.Validate(); err != nil {
		return server.Config{}, &UsageError{Err: err}
	}
	return cfg, nil
}

// openSignatures opens (for SQLite, creating its folder) the signature
// store dsn names.
func openSignatures(ctx context.Context, dsn string, sec *secrets) (store.Store, error) {
	if isSQLite(dsn) {
		if err := os.MkdirAll(filepath.Dir(strings.TrimPrefix(dsn, "sqlite://")), 0o700); err != nil {
			return nil, fmt.Errorf("petition database: %w", err)
		}
	}
	return openStore(ctx, dsn, sec)
}

// acmeConfig is the server's ACME from --acme-domain and its company, nil
// without a domain. With one, --addr left at its default becomes :443,
// where the CA and browsers come.
func acmeConfig(opts *PetitionOptions) *server.ACME {
	if len(opts.ACMEDomains) == 0 {
		return nil
	}
	if opts.Addr == server.DefaultAddr {
		opts.Addr = ":443"
	}
	return &server.ACME{Domains: opts.ACMEDomains, Email: opts.ACMEEmail, Directory: opts.ACMEDirectory,
		CAFile: opts.ACMECAFile, HTTPAddr: opts.ACMEHTTPAddr, CacheDir: filepath.Join(opts.Send.DataDir, "acme")}
}

// listenURL is the URL a server listening on addr answers at: with ACME,
// its first domain.
func listenURL(opts *PetitionOptions, addr net.Addr) string {
	if len(opts.ACMEDomains) > 0 {
		host := opts.ACMEDomains[0]
		if _, port, err := net.SplitHostPort(addr.String()); err == nil && port != "443" {
			host = net.JoinHostPort(host, port)
		}
		return "https://" + host
	}
	scheme := "http"
	if opts.TLSCert != "" {
		scheme = "https"
	}
	return fmt.Sprintf("%s://%s", scheme, addr)
}

// unopenedStore stands in for the store while the server's flags are
// checked; it is never called.
type unopenedStore struct{ store.Store }

// isSQLite reports whether dsn names a SQLite file rather than a database
// server.
func isSQLite(dsn string) bool {
	return !strings.Contains(dsn, "://") || strings.HasPrefix(dsn, "sqlite://")
}

// openStore opens the signature database, recording its credentials (a
// postgres:// URL carries a password) for scrubbing.
func openStore(ctx context.Context, dsn string, sec *secrets) (store.Store, error) {
	if strings.Contains(dsn, "://") {
		sec.addURL(dsn, nil)
	}
	st, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("petition database %s: %w", redactURL(dsn), err)
	}
	return st, nil
}

// readSignatures reads the campaign's signatures from --server or --db.
func readSignatures(ctx context.Context, opts *PetitionOptions, c *campaign.Campaign) ([]export.Row, error) {
	so := &opts.Send
	so.Secrets.add(opts.Token)
	if opts.Server != "" {
		so.Secrets.addURL(opts.Server, nil)
		if u, err := url.Parse(opts.Server); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, usagef("--server: want the petition server's URL, https://host[/prefix] (http:// on loopback)")
		}
		rows, err := export.FromServer(ctx, opts.Server, opts.Token, c.ID, httpclient.New(nil, so.Version))
		if err != nil {
			return nil, fmt.Errorf("petition server %s: %w", redactURL(opts.Server), err)
		}
		return rows, nil
	}
	// Reading must not create an empty database where none was.
	if isSQLite(opts.DB) {
		if _, err := os.Stat(strings.TrimPrefix(opts.DB, "sqlite://")); errors.Is(err, fs.ErrNotExist) {
			return nil, &UsageError{Err: fmt.Errorf("no petition database at %s: nothing collected yet", opts.DB),
				Hint: "`faxjam petition serve` collects names; or give --server URL (with --token) or --db FILE"}
		}
	}
	st, err := openStore(ctx, opts.DB, so.Secrets)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	return export.FromStore(ctx, st, c.ID)
}

func newPetitionExportCmd(f *Factory) *cobra.Command {
	opts := &PetitionOptions{}
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Turn the collected names into a petition document (PDF, CSV, JSON)",
		Long: `Read the campaign's signatures (from a petition server with its token, or from
the database) and write the petition: a PDF with the campaign's appeal to the
target and the names in a table, or the list as CSV or JSON. Emails and notes
stay out unless --private (a list for the organizer, not for the target).
PDF needs -o FILE or a pipe.`,
		Example: `  faxjam petition export -o petition.pdf
  faxjam petition export --server https://petition.example.org --token "$TOKEN" --format csv -o names.csv
  faxjam petition export --db petition.db --format json --private`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !cmd.Flags().Changed("format") {
				f, err := formatOfOutput(opts.Output, opts.Format, "pdf, csv or json")
				if err != nil {
					return err
				}
				opts.Format = f
			}
			f.petitionOptions(opts)
			return petitionExportRun(cmd.Context(), opts)
		},
	}
	addSourceFlags(cmd, opts)
	fl := cmd.Flags()
	fl.StringVar(&opts.Format, "format", "pdf", "pdf, csv or json")
	fl.StringVarP(&opts.Output, "output", "o", "", "write to FILE (whole: temp file, sync, rename)")
	fl.BoolVar(&opts.Private, "private", false, "csv/json: include emails and notes")
	fl.BoolVar(&opts.Raw, "raw", false, "CSV: write values verbatim (by default a value a spreadsheet would run as a formula, =, +, -, @ first, gets a quote in front)")
	fl.StringVar(&opts.Send.Paper, "paper", "a4", "a4 or letter")
	fl.StringVar(&opts.Send.Font, "font", "", "extra TrueType font for names the built-in fonts cannot draw")
	bindConfig(fl, "paper", "paper")
	bindConfig(fl, "font", "font")
	return cmd
}

func petitionExportRun(ctx context.Context, opts *PetitionOptions) error {
	so := &opts.Send
	switch opts.Format {
	case "pdf", "csv", "json":
	default:
		return usagef("--format %q: want pdf, csv or json", opts.Format)
	}
	if err := checkOutput("-o", opts.Output); err != nil {
		return err
	}
	toStdout := opts.Output == "" || opts.Output == "-"
	if opts.Format == "pdf" && toStdout && so.IO.IsStdoutTTY() {
		return usagef("--format pdf writes a binary file: give -o FILE, or pipe it")
	}
	c, err := so.Campaign(ctx)
	if err != nil {
		return err
	}
	rows, err := readSignatures(ctx, opts, c)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	pages := 0
	switch opts.Format {
	case "csv":
		err = export.WriteCSV(&buf, rows, opts.Private, opts.Raw)
	case "json":
		err = export.WriteJSON(&buf, rows, opts.Private)
	case "pdf":
		var doc export.Document
		doc, err = petitionDocument(c, rows, so, false)
		buf.Write(doc.PDF)
		pages = doc.Pages
	}
	if err != nil {
		return err
	}
	if toStdout {
		_, err = so.IO.Out.Write(buf.Bytes())
		return err
	}
	if err := writeFileAtomic(opts.Output, buf.Bytes(), 0o600); err != nil {
		return err
	}
	if so.JSON {
		return ui.NewJSON(so.IO.Out).Print("petition_export", map[string]any{"path": opts.Output, "format": opts.Format, "signatures": len(rows), "pages": pages})
	}
	fmt.Fprintf(so.IO.ErrOut, "Wrote %s: %d signature(s)", opts.Output, len(rows))
	if pages > 0 {
		fmt.Fprintf(so.IO.ErrOut, ", %d page(s)", pages)
	}
	fmt.Fprintln(so.IO.ErrOut)
	return nil
}

// petitionDocument renders the petition with the run's paper and font.
func petitionDocument(c *campaign.Campaign, rows []export.Row, so *SendOptions, tiff bool) (export.Document, error) {
	if so.Paper != "" && so.Paper != "a4" && so.Paper != "letter" {
		return export.Document{}, usagef("--paper %q: want a4 or letter", so.Paper)
	}
	extra, err := readFont(so.Font)
	if err != nil {
		return export.Document{}, err
	}
	doc, err := export.PDF(c, rows, export.Options{Date: so.Now(), Paper: so.Paper, ExtraFont: extra, TIFF: tiff})
	if err == nil && len(doc.Untranslated) > 0 {
		// The petition is faxed to the target: say what would reach them
		// in another language and how to give it in theirs.
		fmt.Fprintf(so.IO.ErrOut, "warning: the petition's %s stay in %s: the campaign has no %s translation of them (add translations.%s.%s to the campaign file)\n",
			strings.Join(doc.Untranslated, " and "), c.MainLanguage(), doc.Lang, doc.Lang, strings.Join(doc.Untranslated, ", translations."+doc.Lang+"."))
	}
	return doc, err
}

func newPetitionDeliverCmd(f *Factory) *cobra.Command {
	opts := &PetitionOptions{}
	cmd := &cobra.Command{
		Use:   "deliver",
		Short: "Fax the petition document to the target through your gateway",
		Long: `Export the petition (as 'petition export --format pdf') and fax it to the
campaign's numbers through the gateway, with the same failover, journal and
receipts as 'send': the campaign's plan B, closed end to end. The delivery is one
submission in the journal ("Petition with N signatures"), so running deliver
again sends nothing new unless new names came in (or --force).`,
		Example: `  faxjam petition deliver --gateway 'telnyx://KEY@CONN?from=+4930123456'
  faxjam petition deliver --server https://petition.example.org --token "$TOKEN" --to +4930123456   # rehearsal to your own fax`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.petitionOptions(opts)
			return petitionDeliverRun(cmd.Context(), opts)
		},
	}
	addSourceFlags(cmd, opts)
	fl := cmd.Flags()
	so := &opts.Send
	fl.StringVar(&so.Gateway, "gateway", "", "fax gateway `URL` (default outbox:// into the data dir)")
	fl.StringVar(&so.Redirect, "to", "", "fax the petition to this +E164 number instead of the target's (rehearsal)")
	fl.BoolVar(&so.DryRun, "dry-run", false, "render and plan; send nothing")
	fl.BoolVar(&so.Force, "force", false, "send again even if this petition was delivered")
	fl.DurationVar(&so.Wait, "wait", 0, "return after this long, leaving it queued")
	fl.DurationVar(&so.Poll, "poll", 3*time.Second, "how often to ask the gateway for status")
	fl.StringVar(&so.Journal, "journal", "", "the `FILE` the journal is kept in (default: journal.db in the data dir)")
	fl.StringVar(&so.Paper, "paper", "a4", "a4 or letter")
	fl.StringVar(&so.Font, "font", "", "extra TrueType font for names the built-in fonts cannot draw")
	for flag, key := range map[string]string{"gateway": "gateway", "journal": "journal", "poll": "poll", "paper": "paper", "font": "font"} {
		bindConfig(fl, flag, key)
	}
	return cmd
}

func petitionDeliverRun(ctx context.Context, opts *PetitionOptions) error {
	so := &opts.Send
	if so.Redirect != "" {
		if _, err := e164.Normalize(so.Redirect); err != nil {
			return usagef("--to: %v", err)
		}
	}
	if err := checkDurations(so.Wait, so.Poll); err != nil {
		return err
	}
	c, err := so.Campaign(ctx)
	if err != nil {
		return err
	}
	// No petition fallback for the petition itself.
	rg, err := openRig(so, c, false)
	if err != nil {
		return err
	}
	defer rg.Close()
	rows, err := readSignatures(ctx, opts, c)
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		return usagef("the petition of %s has no signatures yet; nothing to deliver", c.ID)
	}
	doc, err := petitionDocument(c, rows, so, rg.Driver.WantsTIFF)
	if err != nil {
		return err
	}
	d := dispatch.Document{PDF: doc.PDF, TIFF: doc.TIFF, Pages: doc.Pages, SHA256: campaignrun.Sum(doc.PDF)}
	if err := rg.openJournal(so); err != nil {
		return err
	}
	// The petition travels as one submission: a pseudo-signer whose name
	// says what it is, so the journal, status and receipts show it, and the
	// same list of names is not faxed twice.
	who := letter.Signer{Name: fmt.Sprintf("Petition with %d signatures", len(rows)), City: "faxjam", Country: "petition"}
	if c.RequireNote {
		who.Note = "petition"
	}
	cfg := rg.config(so, c, func(context.Context, letter.Signer) (dispatch.Document, error) { return d, nil }, 0)
	// The petition goes by fax or not at all, and this run composes the
	// petition only: other signers queued in the journal are not its.
	cfg.NoFallback, cfg.Only = true, []string{letter.SignerKey(c.ID, who)}
	cfg.Parallel, cfg.PetitionParallel = 0, 0
	return runEngine(ctx, so, rg, engineRun{Config: cfg,
		Signers: func(yield func(letter.Signer, error) bool) { yield(who, nil) },
		Heading: fmt.Sprintf("%s the petition of %s (%d signatures, %d pages) via %s",
			so.IO.ErrStyles().Key.Render("Delivering"), c.ID, len(rows), doc.Pages, showGateway(so.Gateway)),
		Again: "run `faxjam petition deliver` again once a fax number is back (`faxjam status` says when)"})
}
