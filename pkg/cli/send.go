package cli

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/spf13/cobra"
	"golang.org/x/text/language"
	"golang.org/x/time/rate"

	"github.com/faxjam/faxjam/pkg/campaign"
	"github.com/faxjam/faxjam/pkg/campaignrun"
	"github.com/faxjam/faxjam/pkg/dispatch"
	"github.com/faxjam/faxjam/pkg/e164"
	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/journal"
	"github.com/faxjam/faxjam/pkg/letter"
	"github.com/faxjam/faxjam/pkg/petition"
	"github.com/faxjam/faxjam/pkg/render"
	"github.com/faxjam/faxjam/pkg/signers"
	"github.com/faxjam/faxjam/pkg/ui"
)

// SendOptions are the inputs of `faxjam send`.
type SendOptions struct {
	IO         *ui.IOStreams
	Campaign   func(context.Context) (*campaign.Campaign, error)
	Now        func() time.Time
	JSON       bool
	Gateways   func() *gateway.Registry
	Petitions  func() *petition.Registry
	GatewayEnv gateway.Env
	Secrets    *secrets
	Prompter   Prompter
	DataDir    string
	Version    string
	Self       string // how to run faxjam, for hints (Factory.Self)

	Signer      letter.Signer
	SignersFile string // --signers FILE or "-"
	Rejects     string
	RawCSV      bool // --raw: CSV files keep values verbatim (csvsafe)
	Strict      bool
	Yes         bool

	Gateway  string
	Hub      string // the campaign hub's URL (--hub, FAXJAM_HUB, config hub); "" = the campaign's
	Petition string
	DryRun   bool
	Redirect string
	Rate     string
	Parallel int
	Wait     time.Duration
	Poll     time.Duration
	// StatusTimeout: a fax whose status the gateway has not reported for
	// this long is recorded unknown (not resent).
	StatusTimeout time.Duration
	// GatewayTimeout: a gateway that has taken no call for this long is
	// down: the signers go to the petition (or the run stops).
	GatewayTimeout time.Duration
	// PetitionParallel: petition calls in flight at once.
	PetitionParallel int
	// RequestTimeout bounds one gateway request (the HTTP client's
	// timeout); 0: the drivers' default.
	RequestTimeout time.Duration
	Journal        string
	Force          bool
	Paper          string
	Font           string
	// Typed names the flags given on the command line (not from config),
	// which a suggested `faxjam letter` command must repeat.
	Typed       []string
	CampaignRef string
	// Retain is config retain: the run scrubs what is older (forget.go).
	Retain string
}

func (f *Factory) sendOptions(o *SendOptions) {
	o.IO, o.Campaign, o.Now, o.JSON = f.IO, f.Campaign, f.Now, f.JSON
	o.Gateways, o.Petitions, o.GatewayEnv, o.Secrets = f.Gateways, f.Petitions, f.GatewayEnv(), &f.secrets
	o.DataDir, o.Version, o.CampaignRef, o.Self = f.DataHome(), f.Build.Version, f.CampaignRef, f.Self
	if v := f.Config(); v != nil {
		o.Retain = v.GetString("retain")
	}
	if o.Prompter == nil {
		o.Prompter = linePrompter{ios: f.IO}
	}
}

func newSendCmd(f *Factory) *cobra.Command {
	opts := &SendOptions{}
	cmd := &cobra.Command{
		Use:   "send",
		Short: "Send your letter by fax, or a whole list of signers",
		Long: `Send one letter (yours) or one per signer of a list to the campaign's fax
numbers, failing over between numbers and to the petition when every line is
down. Every submission and attempt is recorded in the journal first, so a run
that is stopped can be re-run: nothing is sent twice, nobody is lost.

One signer: --name, --city, --country (or config sender.*). On a terminal,
missing details are asked for, the letter is shown and one confirmation sends
it (--yes skips it). Without a terminal nothing is asked: missing details are
an error (exit 2).

Bulk: --signers FILE (or - for stdin), CSV with a header (name, city, country,
email, note, lang) or JSON Lines. Rows that fail the input rules are skipped
and written to --rejects; with --strict any bad row stops the run before
anything is sent.

The default gateway is outbox:// (writes the documents into the data dir and
dials nothing): the summary says where each fax went and how to preview it.

A gateway that does not answer (connection refused, timeouts, server errors,
429s before it took the fax) is not a fax line that is down: faxjam retries
it with backoff (honouring Retry-After, at most a minute apart), and after
three failures in a row says so once ("gateway down", naming the gateway and
how to check it). A call the gateway answers ends the outage. When it has
answered nothing for --gateway-timeout (default 10m), the gateway is down:
with a petition endpoint, every signer still queued goes to the petition
(once; its status says the gateway was down), which keeps the campaign's
promise; without one, the run stops with an error naming the gateway (exit
1), the faxes stay queued, and the same command carries on later. A fax the
gateway may have taken is never sent again or petitioned on a guess: it is
looked up first, or left for the next run to reconcile.
Exit codes: 0 all delivered or petitioned (or "n" at the confirmation:
nothing was sent), 3 some failed or still queued when --wait ran out, 2 bad
input, 1 other errors, 130 interrupted (run it again to carry on).

--json prints one JSON object per line on stdout, each with a "type":
queued, already (done before: not sent again), planned (--dry-run),
submitted (the gateway took the fax), delivered, failed (one attempt; the
next number follows), retry, waiting (quiet hours, caps), number-down,
petitioned, gave-up, rejected (a row or letter that cannot be faxed),
unknown (an outcome that was lost), held (queued by a run with another
--redirect: not sent by this one), gateway-down (the gateway itself has not
answered three tries in a row), and last a summary (counts by state;
duration_s and line_time_s in seconds). Fields are snake_case.`,
		Example: `  faxjam send
  faxjam send --name "José Pérez" --city Berlín --country Alemania --yes
  faxjam send --dry-run --signers people.csv
  faxjam send --signers people.csv --rejects rejected.csv --gateway 'telnyx://KEY@CONN?from=+4930123456'
  faxjam send --signers - --json < people.jsonl
  faxjam send --redirect +4930123456 --signers people.csv   # rehearsal: every fax to your own number`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.sendOptions(opts)
			opts.Typed = typedFlags(cmd, "campaign", "name", "city", "country", "email", "note", "paper", "font", "hub")
			return sendRun(cmd.Context(), opts)
		},
	}
	addSignerFlags(cmd, &opts.Signer)
	fl := cmd.Flags()
	fl.StringVar(&opts.Signer.Lang, "lang", "", "your own language (recorded with your signature; the fax is in the target's language)")
	fl.StringVar(&opts.SignersFile, "signers", "", "bulk: a CSV or JSON Lines file of signers, - for stdin")
	fl.StringVar(&opts.Rejects, "rejects", "", "bulk: write rejected rows (with the reason) to this CSV file")
	fl.BoolVar(&opts.RawCSV, "raw", false, "--rejects: write values verbatim (by default a value a spreadsheet would run as a formula, =, +, -, @ first, gets a quote in front)")
	fl.BoolVar(&opts.Strict, "strict", false, "bulk: any rejected row stops the run before anything is sent")
	fl.BoolVarP(&opts.Yes, "yes", "y", false, "send without asking for confirmation")
	fl.StringVar(&opts.Gateway, "gateway", "", "fax gateway `URL` (default outbox:// into the data dir; faxjam gateway list shows the drivers)")
	fl.StringVar(&opts.Hub, "hub", "", "send through this campaign hub `URL` (faxjam serve) instead of the campaign's; --gateway sends directly")
	fl.StringVar(&opts.Petition, "petition", "", "petition endpoint `URL` for when every number is down (default: the campaign's)")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "compose, render and plan every letter; send nothing, record nothing")
	fl.StringVar(&opts.Redirect, "redirect", "", "rehearsal: send every fax to this +E164 number instead of the target's")
	fl.StringVar(&opts.Rate, "rate", "", "most faxes started per second or minute, e.g. 2/s or 30/m (default: no limit beyond the campaign's)")
	fl.IntVar(&opts.Parallel, "parallel", 0, "letters composed in parallel (default: the number of CPUs)")
	fl.DurationVar(&opts.Wait, "wait", 0, "return after this long, leaving the rest queued (default: until every fax is done)")
	fl.DurationVar(&opts.Poll, "poll", 3*time.Second, "how often to ask the gateway for a fax's status")
	fl.DurationVar(&opts.StatusTimeout, "status-timeout", 30*time.Minute, "record a fax unknown (not resent) when the gateway has not reported its status for this long")
	fl.DurationVar(&opts.GatewayTimeout, "gateway-timeout", 10*time.Minute, "a gateway that answers nothing for this long is down: the signers go to the petition (without one, the run stops)")
	fl.IntVar(&opts.PetitionParallel, "petition-parallel", 4, "petition calls in flight at once (paced further when the endpoint answers 429)")
	fl.StringVar(&opts.Journal, "journal", "", "the `FILE` the journal is kept in (default: journal.db in the data dir)")
	fl.DurationVar(&opts.RequestTimeout, "request-timeout", 0, "bound on one gateway request (default 60s); an interrupted fax is never counted unsent before it has passed")
	fl.BoolVar(&opts.Force, "force", false, "send again to signers the journal says are done")
	fl.StringVar(&opts.Paper, "paper", "a4", "a4 or letter")
	fl.StringVar(&opts.Font, "font", "", "extra TrueType font for characters the built-in fonts lack")
	for flag, key := range map[string]string{"gateway": "gateway", "hub": "hub", "petition": "petition", "rate": "rate", "parallel": "parallel",
		"wait": "wait", "poll": "poll", "journal": "journal", "paper": "paper", "font": "font", "gateway-timeout": "gateway_timeout"} {
		bindConfig(fl, flag, key)
	}
	bindConfig(fl, "lang", "lang")
	return cmd
}

// parseRate reads "N/s", "N/m", "N/h" or "N" (per second).
func parseRate(s string) (rate.Limit, error) {
	if s == "" {
		return 0, nil
	}
	num, unit, _ := strings.Cut(strings.TrimSpace(s), "/")
	n, err := strconv.ParseFloat(num, 64)
	if err != nil || n <= 0 {
		return 0, usagef("--rate %q: want a positive number per second or minute, e.g. 2/s or 30/m", s)
	}
	switch unit {
	case "", "s":
		return rate.Limit(n), nil
	case "m":
		return rate.Limit(n / 60), nil
	case "h":
		return rate.Limit(n / 3600), nil
	}
	return 0, usagef("--rate %q: the unit is s, m or h (e.g. 30/m)", s)
}

// JournalPath is the journal file: --journal, or journal.db in the data dir
// (rehearsal.db for a gateway that simulates lines, so that a rehearsal's
// "delivered" never marks real work done).
func journalPath(flag, dataDir string, rehearsal bool) string {
	if flag != "" {
		return flag
	}
	if rehearsal {
		return filepath.Join(dataDir, "rehearsal.db")
	}
	return filepath.Join(dataDir, "journal.db")
}

// rehearsalGateway reports whether the gateway URL raw names a driver that
// simulates the telephone network (gateway.Driver.Rehearsal: sim://).
func rehearsalGateway(reg func() *gateway.Registry, raw string) bool {
	if reg == nil || raw == "" {
		return false
	}
	_, d, err := reg().Parse(raw)
	return err == nil && d.Rehearsal
}

func sendRun(ctx context.Context, opts *SendOptions) error {
	lim, err := parseRate(opts.Rate)
	if err != nil {
		return err
	}
	if opts.Parallel < 0 {
		return usagef("--parallel %d: want 1 or more", opts.Parallel)
	}
	if opts.PetitionParallel < 0 {
		return usagef("--petition-parallel %d: want 1 or more", opts.PetitionParallel)
	}
	if opts.StatusTimeout < 0 {
		return usagef("--status-timeout %s: want a positive duration like 30m", opts.StatusTimeout)
	}
	if err := checkDurations(opts.Wait, opts.Poll); err != nil {
		return err
	}
	if err := checkGatewayTimeout(opts.GatewayTimeout); err != nil {
		return err
	}
	if err := checkOutput("--rejects", opts.Rejects); err != nil {
		return err
	}
	if opts.Signer.Lang != "" {
		if _, err := language.Parse(opts.Signer.Lang); err != nil {
			return usagef("--lang %q: want a language code like en, es or pt-BR", opts.Signer.Lang)
		}
	}
	if opts.Redirect != "" {
		if _, err := e164.Normalize(opts.Redirect); err != nil {
			return usagef("--redirect: %v", err)
		}
	}
	bulk := opts.SignersFile != ""
	if !bulk && (opts.Rejects != "" || opts.Strict) {
		return usagef("--rejects and --strict go with --signers FILE")
	}
	c, err := opts.Campaign(ctx)
	if err != nil {
		return err
	}
	if err := refuseClosed(c, opts.Now(), opts.DryRun); err != nil {
		return err
	}
	r, err := newRenderer(opts.Paper, opts.Font)
	if err != nil {
		return err
	}
	if u := hubFor(opts, c); u != "" { // the organizer's hub faxes it (hubsend.go)
		return sendViaHub(ctx, opts, c, r, u)
	}

	// The gateway and petition are opened (validated) before anyone is
	// asked anything: a typo in a URL should not cost a filled-in form.
	rig, err := openRig(opts, c, true)
	if err != nil {
		return err
	}
	defer rig.Close()

	var list iter.Seq2[letter.Signer, error]
	var reject func(letter.Signer, error) error
	preview := ""
	if bulk {
		sl, err := signerList(opts, c)
		if err != nil {
			return err
		}
		defer sl.Close()
		list, reject = sl.All(), sl.Reject
	} else {
		s, err := oneSigner(ctx, opts, c, r)
		if errors.Is(err, errDeclined) {
			fmt.Fprintln(opts.IO.ErrOut, "Nothing was sent.")
			return nil
		}
		if err != nil {
			return err
		}
		preview = previewCommand(opts, s)
		if !opts.DryRun {
			preview = statusPreviewCommand(opts, c, s)
		}
		list = func(yield func(letter.Signer, error) bool) { yield(s, nil) }
	}

	if err := rig.openJournal(opts); err != nil {
		return err
	}
	heading := ""
	if !opts.JSON {
		s := opts.IO.ErrStyles()
		what := "Sending"
		if opts.DryRun {
			what = "Dry run: planning"
		}
		dest := fmt.Sprintf("%d fax number(s)", len(c.Target.Fax))
		if opts.Redirect != "" {
			dest = "the rehearsal number " + opts.Redirect
		}
		heading = fmt.Sprintf("%s %s via %s to %s%s", s.Key.Render(what), c.ID, showGateway(opts.Gateway), dest, petitionNote(rig.PetitionURL))
	}
	hdr, err := campaignrun.HeaderFor(c, rig.Opened)
	if err != nil {
		return err
	}
	return runEngine(ctx, opts, rig, engineRun{Config: rig.config(opts, c, composeFunc(c, r, opts.Now, rig.Driver.WantsTIFF && !opts.DryRun, hdr, reject), lim),
		Signers: list, Heading: heading, Preview: preview, Live: bulk && !opts.DryRun, Notes: rehearsalWait(c, rig.Driver.Offline, opts.Now())})
}

// rig is what a dispatch run is wired to (campaignrun.Rig), with how the
// commands open and show it.
type rig struct{ campaignrun.Rig }

// openRig opens the gateway and, when petition is set, the petition
// endpoint (--petition, or the campaign's).
func openRig(opts *SendOptions, c *campaign.Campaign, petition bool) (*rig, error) {
	env := opts.GatewayEnv
	if opts.RequestTimeout > 0 {
		env.HTTP = &http.Client{Timeout: opts.RequestTimeout}
	}
	g, d, err := openGateway(opts.Gateways(), opts.Gateway, env, opts.Secrets)
	if err != nil {
		return nil, err
	}
	rg := &rig{campaignrun.Rig{Opened: campaignrun.Opened{Gateway: g, Driver: d, Env: env}}}
	if !petition {
		return rg, nil
	}
	if rg.Petition, rg.PetitionURL, err = openPetition(opts, c); err != nil {
		rg.Close()
		return nil, err
	}
	return rg, nil
}

// openJournal claims and opens the journal, unless dry run: last, so that
// bad input found before leaves no journal behind. One process dispatches
// from a journal at a time; readers (status, --export) take no claim.
func (rg *rig) openJournal(opts *SendOptions) error {
	if opts.DryRun {
		return nil
	}
	path := journalPath(opts.Journal, opts.DataDir, rg.Driver.Rehearsal)
	warnJournal(opts.IO.ErrOut, path, opts.DataDir) // before Open makes the file 0600
	err := rg.OpenJournal(path, opts.Now)
	var le *journal.LockedError
	if errors.As(err, &le) {
		return fmt.Errorf("%w; wait for it or use another --journal", err)
	}
	if err != nil {
		return err
	}
	retainAsRun(context.Background(), opts, rg.Journal)
	return nil
}

// info is what the summary of a run through rg says besides the counts.
func (rg *rig) info(opts *SendOptions, pr *eventPrinter, preview string) runInfo {
	return runInfo{DryRun: opts.DryRun, Offline: rg.Driver.Offline, LastFax: pr.lastFax(), Preview: preview, Outbox: rg.Folder()}
}

// config is the engine's configuration for this rig, composing letters with
// compose (runEngine sets its Events).
func (rg *rig) config(opts *SendOptions, c *campaign.Campaign, compose dispatch.ComposeFunc, lim rate.Limit) dispatch.Config {
	var pet petition.Petition
	if rg.Petition != nil {
		pet = scrubbedPetition{p: rg.Petition, sec: opts.Secrets}
	}
	return dispatch.Config{
		Campaign: c, Gateway: scrubGateway(rg.Gateway, opts.Secrets), Petition: pet, Journal: rg.Journal,
		Compose:  compose,
		Redirect: opts.Redirect, DryRun: opts.DryRun, Force: opts.Force,
		Parallel: opts.Parallel, Rate: lim, Poll: opts.Poll, Wait: opts.Wait, Now: opts.Now,
		StatusTimeout: opts.StatusTimeout, PetitionParallel: opts.PetitionParallel,
		GatewayTimeout: opts.GatewayTimeout, GatewayName: showGateway(opts.Gateway),
		// The data dir's journal serves every campaign run from it; a
		// --journal FILE serves the one it was made for.
		SharedJournal: opts.Journal == "",
	}
}

func petitionNote(u string) string {
	if u == "" {
		return "; no petition fallback"
	}
	return "; petition fallback " + u
}

// openPetition opens --petition (or config, or the campaign's). It returns
// the URL as it may be shown.
func openPetition(opts *SendOptions, c *campaign.Campaign) (petition.Petition, string, error) {
	raw := opts.Petition
	if raw == "" {
		raw = c.Petition
	}
	if raw == "" {
		return nil, "", nil
	}
	opts.Secrets.addURL(raw, nil)
	reg := opts.Petitions()
	p, err := reg.Open(raw, petition.Env{Version: opts.Version})
	if err != nil {
		return nil, "", &UsageError{Err: fmt.Errorf("petition: %w", err)}
	}
	return p, reg.Redact(raw), nil
}

// composeFunc is the engine's Compose: the same letter and layout `faxjam
// letter` shows, drawn as PDF (and TIFF for drivers that transmit fax
// images).
//
// hdr, when set (the gateway prints no header of its own), is drawn on the
// pages as each attempt starts.
//
// reject, when set (a bulk run), is told of every letter that could not be
// made: it records the signer's line in --rejects and returns the error the
// engine reports.
func composeFunc(c *campaign.Campaign, r *render.Renderer, now func() time.Time, tiff bool, hdr *campaignrun.Header, reject func(letter.Signer, error) error) dispatch.ComposeFunc {
	return func(ctx context.Context, s letter.Signer) (dispatch.Document, error) {
		lt, lay, err := composeLetter(ctx, c, r, "", s, now())
		if err != nil {
			if reject != nil {
				err = reject(s, err)
			}
			return dispatch.Document{}, err
		}
		return campaignrun.Documents(r, lt, lay, tiff, hdr)
	}
}

// oneSigner gathers the sender's details (flags, config, or prompts on a
// terminal), shows the letter and asks once before sending.
func oneSigner(ctx context.Context, opts *SendOptions, c *campaign.Campaign, r *render.Renderer) (letter.Signer, error) {
	s := opts.Signer
	interactive := opts.IO.IsStdinTTY() && !opts.JSON
	missing := missingSigner(s)
	if c.RequireNote && strings.TrimSpace(s.Note) == "" {
		missing = append(missing, "note")
	}
	if len(missing) > 0 {
		if !interactive {
			return s, usagef("missing %s: give %s (or set them in config); faxjam asks only on a terminal", strings.Join(missing, ", "), flagList(missing))
		}
		if err := opts.Prompter.Signer(ctx, &s, c.RequireNote); err != nil {
			return s, err
		}
	}
	lt, _, err := composeLetter(ctx, c, r, "", s, opts.Now())
	var fe *letter.FieldErrors
	if errors.As(err, &fe) {
		return s, signerError(err)
	}
	if err != nil {
		return s, err
	}
	if !interactive || opts.Yes || opts.DryRun {
		return s, nil
	}
	st := opts.IO.ErrStyles()
	fmt.Fprint(opts.IO.ErrOut, letterPreview(st, min(opts.IO.TerminalWidth(), 90), lt))
	q := fmt.Sprintf("Fax this letter to %s (%d number(s), one at a time until it arrives)?", c.Target.Organization, len(c.Target.Fax))
	if opts.Redirect != "" {
		q = "Fax this letter to your rehearsal number " + opts.Redirect + "?"
	}
	ok, err := opts.Prompter.Confirm(ctx, q, "Send", "Cancel")
	if err != nil {
		return s, err
	}
	if !ok {
		return s, errDeclined
	}
	return s, nil
}

// signerList opens --signers for a bulk run.
func signerList(opts *SendOptions, c *campaign.Campaign) (*signers.List, error) {
	l, err := signers.OpenList(signers.ListOptions{Path: opts.SignersFile, Stdin: opts.IO.In,
		Rejects: opts.Rejects, RawRejects: opts.RawCSV, Strict: opts.Strict, RequireNote: c.RequireNote})
	return l, listError(err)
}

// listError makes the errors the list is at fault for usage errors.
func listError(err error) error {
	if errors.Is(err, signers.ErrInput) {
		return &UsageError{Err: err}
	}
	return err
}

// typedFlags lists which of names were given on the command line.
func typedFlags(cmd *cobra.Command, names ...string) []string {
	var out []string
	for _, n := range names {
		if cmd.Flags().Changed(n) {
			out = append(out, n)
		}
	}
	return out
}

// previewCommand is the `faxjam letter` command that draws s's letter as
// the fax machine prints it: it repeats what came from the command line or
// a prompt, and leaves out what it will find in config again.
func previewCommand(opts *SendOptions, s letter.Signer) string {
	args := []string{self(opts.Self)}
	typed := func(n string) bool { return slices.Contains(opts.Typed, n) }
	if typed("campaign") {
		args = append(args, "--campaign", shellQuote(opts.CampaignRef))
	}
	args = append(args, "letter")
	before := opts.Signer
	for _, f := range []struct{ name, before, after string }{
		{"name", before.Name, s.Name}, {"city", before.City, s.City}, {"country", before.Country, s.Country},
		{"email", before.Email, s.Email}, {"note", before.Note, s.Note},
	} {
		prompted := strings.TrimSpace(f.before) == "" && f.after != ""
		if (typed(f.name) || prompted) && f.after != "" {
			args = append(args, "--"+f.name, shellQuote(f.after))
		}
	}
	if typed("paper") {
		args = append(args, "--paper", shellQuote(opts.Paper))
	}
	if typed("font") {
		args = append(args, "--font", shellQuote(opts.Font))
	}
	return strings.Join(append(args, "--format", "png", "-o", "preview.png"), " ")
}

// shellQuote quotes v for a POSIX shell when it needs it.
func shellQuote(v string) string {
	if v != "" && strings.IndexFunc(v, func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("-_./+@:,", r))
	}) < 0 {
		return v
	}
	return "'" + strings.ReplaceAll(v, "'", `'\''`) + "'"
}
