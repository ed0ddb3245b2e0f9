package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/faxjam/faxjam/pkg/campaignrun"
	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/journal"
	"github.com/faxjam/faxjam/pkg/ui"
)

// PrivacyOptions are the inputs of `faxjam retain` and `faxjam forget`.
type PrivacyOptions struct {
	IO         *ui.IOStreams
	JSON       bool
	Now        func() time.Time
	Journal    string
	DataDir    string
	Gateway    string // the outbox whose documents go too (an outbox:// URL)
	Gateways   func() *gateway.Registry
	GatewayEnv gateway.Env
	Secrets    *secrets

	Age    string         // retain: e.g. 28d
	Person journal.Person // forget
	// Yes skips forget's question (scripts); without a terminal it is
	// required. Prompter asks it on a terminal.
	Yes      bool
	Prompter Prompter
}

func (f *Factory) privacyOptions(o *PrivacyOptions) {
	o.IO, o.JSON, o.Now, o.DataDir = f.IO, f.JSON, f.Now, f.DataHome()
	o.Gateways, o.GatewayEnv, o.Secrets = f.Gateways, f.GatewayEnv(), &f.secrets
	if o.Prompter == nil {
		o.Prompter = linePrompter{ios: f.IO}
	}
}

// parseRetain reads a retention age: days ("28d", or "28") or a Go duration
// ("36h"). It must be positive.
func parseRetain(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	days, isDays := strings.CutSuffix(s, "d")
	if n, err := strconv.Atoi(days); err == nil && (isDays || days == s) {
		if n < 1 || n > 100*365 {
			return 0, fmt.Errorf("%q: want a number of days from 1, like 28d", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%q: want a number of days like 28d (or a duration like 36h)", s)
	}
	return d, nil
}

func newRetainCmd(f *Factory) *cobra.Command {
	opts := &PrivacyOptions{}
	cmd := &cobra.Command{
		Use:   "retain [AGE]",
		Short: "Scrub e-mails and notes from the journal and outbox AGE after each fax",
		Long: `Delete the e-mail address and the personal note of every submission that has
been final (delivered, submitted, petitioned, failed...) for longer than AGE,
from the journal and from the outbox (whose documents carry them: the PDF and
TIFF of such a fax are deleted, its manifest with the document's SHA-256
stays). The name, city and country, the state, the counts and the SHA-256 of
what was faxed stay, so the campaign can still account for every fax and
never faxes anyone twice.

The journal's files are then rewritten (SQLite VACUUM, log truncated), so the
deleted values are not left in free space or in the write-ahead log.

AGE is a number of days (28d) or a duration (36h); without it, config 'retain'.
With config 'retain' set, 'send' and 'status' do this as they run.`,
		Example: "  faxjam retain 28d\n  faxjam config set retain 28d   # send and status apply it from now on\n  faxjam retain --json",
		Args:    usageArgs(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.privacyOptions(opts)
			if len(args) == 1 {
				opts.Age = args[0]
			} else if v := f.Config(); v != nil {
				opts.Age = v.GetString("retain")
			}
			return retainRun(cmd.Context(), opts)
		},
	}
	privacyFlags(cmd, opts)
	return cmd
}

func privacyFlags(cmd *cobra.Command, opts *PrivacyOptions) {
	fl := cmd.Flags()
	fl.StringVar(&opts.Journal, "journal", "", "the journal `FILE` (default: journal.db in the data dir)")
	fl.StringVar(&opts.Gateway, "gateway", "", "the gateway `URL` sent through: an outbox:// folder is scrubbed too (the default outbox always is)")
	bindConfig(fl, "journal", "journal")
	bindConfig(fl, "gateway", "gateway")
}

func newForgetCmd(f *Factory) *cobra.Command {
	opts := &PrivacyOptions{}
	cmd := &cobra.Command{
		Use:   "forget --email ADDR | --name NAME --city CITY | --campaign ID",
		Short: "Delete a person's personal data from the journal and the outbox",
		Long: `Delete the personal data of one person (by e-mail, or by name and city) or of
everyone of a campaign (--campaign alone): their name, city, country, e-mail
and note in the journal, and the documents faxed for them in the outbox. A
submission still queued is cancelled, so it is never faxed. One with a fax in
flight is refused until 'faxjam status --follow' knows its outcome.

What stays is what proves the campaign's work without naming anyone: the
state, the numbers tried, the counts, the SHA-256 of each document faxed, and
a tombstone of the signer's key (hashed with the journal's own secret, so it
cannot be matched to a guessed name without the journal), which keeps the same
person in a later list from being faxed again. The journal's files are rewritten (SQLite VACUUM, log
truncated) so that nothing deleted can be read back from them.

Letters already faxed or sent to a petition endpoint are beyond faxjam's
reach: ask the petition's operator (on a faxjam hub: DELETE /v1/actions/ID).

Names compare ignoring case and surrounding spaces; a value given blank is
refused, never read as "anyone". On a terminal forget says how many
submissions it would forget and asks first; a script gives --yes.
--campaign with --email or --name limits the forgetting to that campaign.`,
		Example: "  faxjam forget --email ana@example.org\n  faxjam forget --name 'Ana Pérez' --city Lima\n  faxjam forget --campaign river-keepers --json --yes",
		Args:    usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.privacyOptions(opts)
			if cmd.Flags().Changed("campaign") {
				opts.Person.Campaign = f.CampaignRef
				// A file or URL names the campaign by the id inside.
				if !campaignID.MatchString(f.CampaignRef) {
					c, err := f.Campaign(cmd.Context())
					if err != nil {
						return err
					}
					opts.Person.Campaign = c.ID
				}
			}
			return forgetRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Person.Email, "email", "", "the person's e-mail address")
	fl.StringVar(&opts.Person.Name, "name", "", "the person's name (with --city)")
	fl.StringVar(&opts.Person.City, "city", "", "the person's city (with --name)")
	fl.BoolVarP(&opts.Yes, "yes", "y", false, "forget without asking (needed without a terminal)")
	privacyFlags(cmd, opts)
	return cmd
}

// privacyResult is what retain and forget print.
type privacyResult struct {
	Submissions int    `json:"submissions"`
	Documents   int    `json:"documents"`
	Journal     string `json:"journal"`
}

func retainRun(ctx context.Context, opts *PrivacyOptions) error {
	if opts.Age == "" {
		return usagef("retain: give AGE (e.g. 28d) or set it with `faxjam config set retain 28d`")
	}
	age, err := parseRetain(opts.Age)
	if err != nil {
		return usagef("retain %v", err)
	}
	return privacyRun(ctx, opts, "retain", func(j *journal.Journal, dirs []string) (campaignrun.Scrubbed, error) {
		return campaignrun.Retain(ctx, j, dirs, opts.Now().Add(-age))
	})
}

func forgetRun(ctx context.Context, opts *PrivacyOptions) error {
	p := opts.Person
	// Trimmed before any check: --email " " must not read as no e-mail,
	// which would select everyone who gave none.
	for _, f := range []struct {
		flag string
		v    *string
	}{{"--email", &p.Email}, {"--name", &p.Name}, {"--city", &p.City}} {
		t := strings.TrimSpace(*f.v)
		if t == "" && *f.v != "" {
			return usagef("%s is blank: give the value to forget", f.flag)
		}
		*f.v = t
	}
	switch {
	case p.Email == "" && p.Name == "" && p.City == "" && p.Campaign == "":
		return usagef("forget whom? give --email ADDR, --name NAME --city CITY, or --campaign ID")
	case (p.Name == "") != (p.City == ""):
		return usagef("--name and --city go together: a name alone could be many people")
	case p.Email != "" && !strings.Contains(p.Email, "@"):
		return usagef("--email %q: not an e-mail address", p.Email)
	case !opts.Yes && (!opts.IO.IsStdinTTY() || opts.JSON):
		return usagef("forget deletes for good: add --yes to do it without a terminal (on one, forget asks first)")
	}
	return privacyRun(ctx, opts, "forget", func(j *journal.Journal, dirs []string) (campaignrun.Scrubbed, error) {
		if !opts.Yes {
			n, err := j.Matching(ctx, p)
			if err != nil {
				return campaignrun.Scrubbed{}, err
			}
			if n == 0 {
				return campaignrun.Scrubbed{}, nil
			}
			ok, err := opts.Prompter.Confirm(ctx, fmt.Sprintf("Forget %d submission(s) of %s for good?", n, whom(p)), "forget them", "keep them")
			if err != nil {
				return campaignrun.Scrubbed{}, err
			}
			if !ok {
				return campaignrun.Scrubbed{}, errKept
			}
		}
		return campaignrun.Forget(ctx, j, dirs, p)
	})
}

// errKept is the answer no to forget's question: nothing forgotten, and
// no error (exit 0).
var errKept = errors.New("kept: nothing was forgotten")

// whom is a forget selector for the question.
func whom(p journal.Person) string {
	switch {
	case p.Email != "":
		return p.Email
	case p.Name != "":
		return p.Name + ", " + p.City
	}
	return "everyone of campaign " + p.Campaign
}

// scrubOp forgets or retains (campaignrun.Forget, Retain) in a journal
// and the outbox folders of its faxes.
type scrubOp func(j *journal.Journal, outboxes []string) (campaignrun.Scrubbed, error)

// privacyRun claims the journal, runs op on it and its outbox folders, and
// compacts the journal.
func privacyRun(ctx context.Context, opts *PrivacyOptions, what string, op scrubOp) error {
	path := journalPath(opts.Journal, opts.DataDir, rehearsalGateway(opts.Gateways, opts.Gateway))
	res := privacyResult{Journal: path}
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return printPrivacy(opts, what, res)
	}
	var rg campaignrun.Rig
	err := rg.OpenJournal(path, opts.Now)
	var le *journal.LockedError
	if errors.As(err, &le) {
		return fmt.Errorf("%w; run %s when it is done", err, what)
	}
	if err != nil {
		return err
	}
	defer rg.Close()
	j := rg.Journal
	dirs, err := outboxDirs(opts)
	if err != nil {
		return err
	}
	res.Submissions, res.Documents, err = scrubAll(ctx, j, dirs, op)
	if errors.Is(err, errKept) {
		fmt.Fprintln(opts.IO.ErrOut, "Kept: nothing was forgotten.")
		return nil
	}
	if errors.Is(err, journal.ErrInFlight) {
		return &UsageError{Err: err}
	}
	if err != nil {
		return err
	}
	return printPrivacy(opts, what, res)
}

// scrubAll runs op and compacts the journal when it changed anything, so
// that what op deleted is gone from its files too.
func scrubAll(ctx context.Context, j *journal.Journal, dirs []string, op scrubOp) (subs, docs int, err error) {
	s, err := op(j, dirs)
	if err != nil || s.Submissions == 0 {
		return s.Submissions, s.Documents, err
	}
	return s.Submissions, s.Documents, j.Compact(ctx)
}

// outboxDirs are the outbox folders a fax of the journal may be in: the
// default one, and the configured gateway's when it is an outbox.
func outboxDirs(opts *PrivacyOptions) ([]string, error) {
	dirs := []string{filepath.Join(opts.DataDir, "outbox")}
	if opts.Gateway == "" {
		return dirs, nil
	}
	g, _, err := openGateway(opts.Gateways(), opts.Gateway, opts.GatewayEnv, opts.Secrets)
	if err != nil {
		return nil, err
	}
	if cl, ok := g.(gateway.Closer); ok {
		defer cl.Close()
	}
	if f := campaignrun.Folder(g); f != "" && !slices.Contains(dirs, f) {
		dirs = append(dirs, f)
	}
	return dirs, nil
}

func printPrivacy(opts *PrivacyOptions, what string, res privacyResult) error {
	if opts.JSON {
		return ui.NewJSON(opts.IO.Out).Print(what, res)
	}
	verb := "Scrubbed the e-mail and note of"
	if what == "forget" {
		verb = "Forgot the personal data of"
	}
	fmt.Fprintf(opts.IO.ErrOut, "%s %d submission(s) in %s; %d outbox document set(s) deleted\n", verb, res.Submissions, res.Journal, res.Documents)
	return nil
}

// retainAsRun applies config 'retain' to the journal a command has open
// (send, status): the command goes on if it fails, with a warning.
func retainAsRun(ctx context.Context, so *SendOptions, j *journal.Journal) {
	if so.Retain == "" || so.DryRun {
		return
	}
	warn := func(err error) { fmt.Fprintf(so.IO.ErrOut, "warning: retain: %v\n", so.Secrets.scrub(err.Error())) }
	age, err := parseRetain(so.Retain)
	if err != nil {
		warn(fmt.Errorf("config retain %v; fix it with `faxjam config set retain 28d`", err))
		return
	}
	dirs, err := outboxDirs(&PrivacyOptions{DataDir: so.DataDir, Gateway: so.Gateway, Gateways: so.Gateways, GatewayEnv: so.GatewayEnv, Secrets: so.Secrets})
	if err != nil {
		warn(err)
		return
	}
	_, _, err = scrubAll(ctx, j, dirs, func(j *journal.Journal, dirs []string) (campaignrun.Scrubbed, error) {
		return campaignrun.Retain(ctx, j, dirs, so.Now().Add(-age))
	})
	if err != nil {
		warn(err)
	}
}
