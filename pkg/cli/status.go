package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/faxjam/faxjam/pkg/campaign"
	"github.com/faxjam/faxjam/pkg/campaignrun"
	"github.com/faxjam/faxjam/pkg/csvsafe"
	"github.com/faxjam/faxjam/pkg/e164"
	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/hub/client"
	"github.com/faxjam/faxjam/pkg/journal"
	"github.com/faxjam/faxjam/pkg/lines"
	"github.com/faxjam/faxjam/pkg/ui"
)

// StatusOptions are the inputs of `faxjam status`.
type StatusOptions struct {
	Send   SendOptions // --follow carries on as `send` would
	Ref    string      // one submission: id or key (prefix)
	Follow bool
	// Preview writes the image of the fax sent to Ref into Output.
	Preview bool
	Export  string // csv or json
	Output  string
	// HubToken is the hub's admin token: the lines view shows its queue.
	HubToken string
}

func newStatusCmd(f *Factory) *cobra.Command {
	opts := &StatusOptions{}
	cmd := &cobra.Command{
		Use:   "status [ID]",
		Short: "What arrived: submissions by state, fax-number health, petition fallback",
		Long: `Show the campaign's submissions by state, the health of each fax number and
how many names went to the petition; with an ID (a number, or a signer key or
its first 6+ characters) one submission and its attempts.

--follow carries on with queued work (as re-running send would) and shows it
live; a rehearsal sent with --redirect carries on with the same --redirect.
--export csv|json writes the receipts (document SHA-256, gateway job id,
number, pages, times) for the campaign report.

For a campaign with a hub (or --hub URL) where none of your own actions
went, status shows the hub's lines as send shows them live: each number's
state, the fax on it, the last hour's deliveries and failures, the totals,
throughput and ETA; --follow redraws it every --poll until Ctrl-C (or
--wait). With the hub's admin token (--token, FAXJAM_HUB_TOKEN or config
hub_token) it shows the queue too: the actions waiting, oldest first.`,
		Example: `  faxjam status
  faxjam status 42
  faxjam status 42 --preview -o fax.png
  faxjam status --follow --gateway 'telnyx://KEY@CONN?from=+4930123456'
  faxjam status --export csv -o receipts.csv
  faxjam status --hub https://hub.example.org --follow --token "$ADMIN_TOKEN"`,
		Args: usageArgs(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.sendOptions(&opts.Send)
			opts.Send.Typed = typedFlags(cmd, "hub", "journal", "token")
			if len(args) == 1 {
				opts.Ref = args[0]
			}
			return statusRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&opts.Follow, "follow", false, "carry on with queued work and show it until done (or --wait)")
	fl.StringVar(&opts.Export, "export", "", "write the receipts as csv or json (JSON Lines)")
	fl.StringVarP(&opts.Output, "output", "o", "", "with --export: the file (default stdout); with --preview: the PNG")
	fl.BoolVar(&opts.Preview, "preview", false, "with an ID and -o FILE.png: the image of the fax that was sent, made again and checked against its SHA-256")
	fl.StringVar(&opts.Send.Font, "font", "", "with --preview: the --font the fax was sent with")
	fl.BoolVar(&opts.Send.RawCSV, "raw", false, "with --export csv: "+"write values verbatim (by default a value a spreadsheet would run as a formula, =, +, -, @ first, gets a quote in front)")
	fl.StringVar(&opts.Send.Journal, "journal", "", "the `FILE` the journal is kept in (default: journal.db in the data dir)")
	fl.StringVar(&opts.Send.Gateway, "gateway", "", "with --follow: the gateway `URL`")
	fl.StringVar(&opts.Send.Hub, "hub", "", "the campaign hub `URL` your actions went to (default: the campaign's)")
	fl.StringVar(&opts.HubToken, "token", "", "with a hub: its admin `TOKEN` (faxjam serve --token), to show its queue too")
	fl.StringVar(&opts.Send.Petition, "petition", "", "with --follow: the petition endpoint `URL`")
	fl.DurationVar(&opts.Send.Poll, "poll", 3*time.Second, "with --follow: how often to ask the gateway")
	fl.DurationVar(&opts.Send.Wait, "wait", 0, "with --follow: return after this long")
	fl.DurationVar(&opts.Send.GatewayTimeout, "gateway-timeout", 10*time.Minute, "with --follow: a gateway that answers nothing for this long is down: the signers go to the petition (without one, it stops)")
	fl.StringVar(&opts.Send.Paper, "paper", "a4", "with --follow: a4 or letter, for letters still to compose")
	fl.StringVar(&opts.Send.Redirect, "redirect", "", "with --follow: carry on a rehearsal, every fax to this +E164 number (give the same as to send)")
	for flag, key := range map[string]string{"journal": "journal", "gateway": "gateway", "hub": "hub", "token": "hub_token", "petition": "petition", "poll": "poll", "wait": "wait", "paper": "paper", "gateway-timeout": "gateway_timeout"} {
		bindConfig(fl, flag, key)
	}
	return cmd
}

// statusCampaign is the campaign status is about: the one chosen
// (--campaign, config), or, when only a hub is given (--hub, FAXJAM_HUB,
// config hub), the one that hub serves, from its public GET /v1/campaigns:
// a fresh machine watches a hub without the campaign's file. A campaign
// the hub serves that is not here is known by its id and title, all that
// its lines view needs.
func statusCampaign(ctx context.Context, opts *StatusOptions) (*campaign.Campaign, error) {
	so := &opts.Send
	if so.CampaignRef != "" || so.Hub == "" || so.Gateway != "" && !slices.Contains(so.Typed, "hub") ||
		opts.Export != "" || opts.Ref != "" || slices.Contains(so.Typed, "journal") {
		return so.Campaign(ctx)
	}
	cl, err := client.New(so.Hub, nil, so.Version)
	if err != nil {
		return nil, usagef("--hub: %v", err)
	}
	listed, err := cl.Campaigns(ctx)
	var he *client.Error
	if errors.As(err, &he) && he.Status == http.StatusNotFound {
		return so.Campaign(ctx) // a hub from before the listing: the default campaign, as then
	}
	if err != nil {
		return nil, fmt.Errorf("hub %s: %w", cl.URL(), so.Secrets.scrubErr(err))
	}
	switch len(listed) {
	case 0:
		return nil, fmt.Errorf("hub %s serves no campaign", cl.URL())
	case 1:
	default:
		ids := make([]string, len(listed))
		for i, l := range listed {
			ids[i] = l.ID
		}
		return nil, usagef("hub %s serves %d campaigns (%s): give --campaign ID", cl.URL(), len(listed), strings.Join(ids, ", "))
	}
	if c, err := so.Campaign(ctx); err == nil && c.ID == listed[0].ID {
		return c, nil
	}
	return &campaign.Campaign{ID: listed[0].ID, Title: listed[0].Title}, nil
}

func statusRun(ctx context.Context, opts *StatusOptions) error {
	so := &opts.Send
	switch opts.Export {
	case "", "csv", "json":
	default:
		return usagef("--export %q: want csv or json", opts.Export)
	}
	if opts.Preview && (opts.Ref == "" || opts.Output == "" || opts.Output == "-" || opts.Export != "" || opts.Follow) {
		return usagef("--preview goes with an ID and -o FILE.png: faxjam status ID --preview -o fax.png")
	}
	if opts.Output != "" && opts.Export == "" && !opts.Preview {
		return usagef("-o goes with --export csv|json or --preview")
	}
	if err := checkOutput("-o", opts.Output); err != nil {
		return err
	}
	if opts.Follow {
		if err := checkDurations(so.Wait, so.Poll); err != nil {
			return err
		}
		if err := checkGatewayTimeout(so.GatewayTimeout); err != nil {
			return err
		}
	}
	c, err := statusCampaign(ctx, opts)
	if err != nil {
		return err
	}
	if ok, err := hubStatus(ctx, opts, c); ok { // actions sent through a hub (hubsend.go)
		return err
	}
	if ok, err := hubLinesStatus(ctx, opts, c); ok { // no action of ours there: its lines (hublines.go)
		return err
	}
	path := journalPath(so.Journal, so.DataDir, rehearsalGateway(so.Gateways, so.Gateway))
	// Nothing to show, follow or export: say so, and create no journal.
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		if opts.Export != "" || opts.Ref != "" {
			// Not a status: the caller asked for data that does not exist.
			return &UsageError{Err: fmt.Errorf("nothing sent yet for %s: no journal at %s", c.ID, path), Hint: "`faxjam send` starts, or give --journal FILE"}
		}
		if so.JSON {
			return ui.NewJSON(so.IO.Out).Print("status", statusJSON{Campaign: c.ID, Counts: map[journal.State]int{}, Numbers: []numberJSON{}})
		}
		fmt.Fprintf(so.IO.ErrOut, "Nothing sent yet for %s (no journal at %s). `faxjam send` starts.\n", c.ID, path)
		return nil
	}
	// A follow that ends with work left (--wait) still shows where things
	// stand, then exits 3 as send would.
	var left *PartialError
	if opts.Follow {
		if err := follow(ctx, so, c); err != nil && !errors.As(err, &left) {
			return err
		}
	}
	warnJournal(so.IO.ErrOut, path, so.DataDir) // before Open makes the file 0600
	j, err := journal.Open(path)
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	j.SetClock(so.Now)
	defer j.Close()
	// Retention needs the journal to itself: while a send runs, it applies it.
	if so.Retain != "" {
		if l, err := journal.Acquire(path); err == nil {
			retainAsRun(ctx, so, j)
			l.Release()
		}
	}
	switch {
	case opts.Export != "":
		err = exportReceipts(ctx, so, j, c, opts.Export, opts.Output)
	case opts.Preview:
		err = previewSubmission(ctx, so, j, c, opts.Ref, opts.Output)
	case opts.Ref != "":
		err = showSubmission(ctx, so, j, c, opts.Ref)
	default:
		err = showStatus(ctx, so, j, c)
	}
	if err == nil && left != nil {
		return left
	}
	return err
}

// follow resumes the campaign's queued work, printing it as send does.
func follow(ctx context.Context, so *SendOptions, c *campaign.Campaign) error {
	r, err := newRenderer(so.Paper, so.Font)
	if err != nil {
		return err
	}
	rg, err := openRig(so, c, true)
	if err != nil {
		return err
	}
	defer rg.Close()
	if err := rg.openJournal(so); err != nil {
		return err
	}
	hdr, err := campaignrun.HeaderFor(c, rg.Opened)
	if err != nil {
		return err
	}
	return runEngine(ctx, so, rg, engineRun{Config: rg.config(so, c, composeFunc(c, r, so.Now, rg.Driver.WantsTIFF, hdr, nil), 0), Live: true})
}

type numberJSON struct {
	journal.NumberHealth
	Label string `json:"label,omitempty"`
	// State is pkg/lines' vocabulary: down (held until down_until),
	// sending (a fax of ours on it), busy (its last call was), up.
	State      lines.State `json:"state"`
	Down       bool        `json:"down"`
	Fictitious bool        `json:"fictitious,omitempty"`
}

type statusJSON struct {
	Campaign   string                `json:"campaign"`
	Counts     map[journal.State]int `json:"counts"`
	Numbers    []numberJSON          `json:"numbers"`
	Petitioned int                   `json:"petitioned"`
}

func showStatus(ctx context.Context, so *SendOptions, j *journal.Journal, c *campaign.Campaign) error {
	counts, err := j.Counts(ctx, c.ID)
	if err != nil {
		return err
	}
	health, err := j.NumberStats(ctx, c.ID, so.Now())
	if err != nil {
		return err
	}
	pets, err := j.Petitions(ctx, c.ID)
	if err != nil {
		return err
	}
	pending, err := j.Pending(ctx, c.ID)
	if err != nil {
		return err
	}
	now := so.Now()
	state := func(h journal.NumberHealth) lines.State {
		f := lines.Facts{DownUntil: h.DownUntil, LastBusy: h.LastResult == string(gateway.ReasonBusy), Held: h.Held != ""}
		for _, a := range pending {
			if a.Number == h.Number {
				f.InFlight++
			}
		}
		st, _ := lines.Of(now, f)
		return st
	}
	byNumber := map[string]journal.NumberHealth{}
	for _, h := range health {
		byNumber[h.Number] = h
	}
	// Every number of the campaign, in campaign order, then numbers only the
	// journal knows (a --redirect rehearsal, a number since removed).
	var nums []numberJSON
	for _, f := range c.Target.Fax {
		h, ok := byNumber[f.Number]
		if !ok {
			h = journal.NumberHealth{Campaign: c.ID, Number: f.Number}
		}
		delete(byNumber, f.Number)
		nums = append(nums, numberJSON{NumberHealth: h, Label: f.Label, State: state(h), Down: h.Down(now), Fictitious: f.Fictitious})
	}
	for _, h := range health {
		if _, left := byNumber[h.Number]; left {
			nums = append(nums, numberJSON{NumberHealth: h, Label: "not in the campaign", State: state(h), Down: h.Down(now)})
		}
	}
	if so.JSON {
		return ui.NewJSON(so.IO.Out).Print("status", statusJSON{Campaign: c.ID, Counts: counts, Numbers: nums, Petitioned: len(pets)})
	}
	s := so.IO.Styles()
	var b strings.Builder
	total := 0
	for _, n := range counts {
		total += n
	}
	fmt.Fprintf(&b, "%s %s — %d submission(s)\n\n", s.Title.Render(c.ID), c.Title, total)
	var rows [][]string
	for _, st := range journal.States() {
		if n := counts[st]; n > 0 || st == journal.Delivered || st == journal.Queued {
			rows = append(rows, []string{stateStyle(s, st), strconv.Itoa(n)})
		}
	}
	b.WriteString(ui.Table(s, []string{"state", "count"}, rows))
	b.WriteString("\n" + s.Heading.Render("Fax numbers") + "\n")
	rows = rows[:0]
	for _, n := range nums {
		state := s.Success.Render(string(n.State))
		switch {
		case n.Held != "":
			state = s.Error.Render("held (" + n.Held + ")")
		case n.State == lines.Down:
			state = s.Error.Render("down until " + timeText(so, n.DownUntil))
		case n.State == lines.Busy:
			state = s.Warning.Render(string(n.State))
		}
		st := journal.NumberStats{Rate24h: -1, Rate7d: -1}
		if n.Stats != nil {
			st = *n.Stats
		}
		last := "-"
		if n.LastResult != "" {
			last = n.LastResult + " " + timeText(so, n.LastAt)
		}
		rows = append(rows, []string{e164.Readable(n.Number), n.Label, state, fmt.Sprintf("%d/%d", st.Delivered, st.Attempts),
			fmt.Sprintf("%d/%d/%d", st.Busy, st.NoAnswer, st.Failed), rateText(st.Rate24h), rateText(st.Rate7d), timeText(so, st.LastDelivered), last})
	}
	b.WriteString(ui.Table(s, []string{"number", "label", "line", "delivered/tries", "busy/no answer/failed", "24 h", "7 days", "last delivery", "last"}, rows))
	if held := heldNumbers(nums); len(held) > 0 {
		fmt.Fprintf(&b, "\n%s %s: its calls found no fax there. Check the number, then `faxjam lines release NUMBER`.\n", s.Error.Render("Held:"), strings.Join(held, ", "))
	}
	fmt.Fprintf(&b, "\n%s %d name(s) went to the petition\n", s.Heading.Render("Petition fallback:"), len(pets))
	_, err = fmt.Fprint(so.IO.Out, b.String())
	return err
}

// rateText is a success rate as a percentage; "-" when nothing ended.
func rateText(r float64) string {
	if r < 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f%%", r*100)
}

func heldNumbers(nums []numberJSON) []string {
	var out []string
	for _, n := range nums {
		if n.Held != "" {
			out = append(out, e164.Readable(n.Number))
		}
	}
	return out
}

func stateStyle(s *ui.Styles, st journal.State) string {
	switch st {
	case journal.Delivered, journal.Submitted:
		return s.Success.Render(string(st))
	case journal.Failed, journal.GaveUp, journal.Unknown:
		return s.Error.Render(string(st))
	case journal.Petitioned, journal.Queued, journal.Sending:
		return s.Warning.Render(string(st))
	}
	return string(st)
}

// timeText is a time for people on a terminal, RFC 3339 otherwise.
func timeText(so *SendOptions, t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	if so.IO.IsStdoutTTY() {
		return t.Local().Format("2006-01-02 15:04")
	}
	return t.UTC().Format(time.RFC3339)
}

func showSubmission(ctx context.Context, so *SendOptions, j *journal.Journal, c *campaign.Campaign, ref string) error {
	sub, err := findSubmission(ctx, j, c, ref)
	if err != nil {
		return err
	}
	atts, err := j.Attempts(ctx, sub.ID)
	if err != nil {
		return err
	}
	if so.JSON {
		if atts == nil {
			atts = []journal.Attempt{}
		}
		return ui.NewJSON(so.IO.Out).Print("submission", struct {
			journal.Submission
			AttemptList []journal.Attempt `json:"attempt_list"`
		}{sub, atts})
	}
	s := so.IO.Styles()
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n\n", s.Title.Render(fmt.Sprintf("#%d", sub.ID)), sub.Name)
	kv := []ui.KV{
		{Key: "state", Value: stateStyle(s, sub.State)},
		{Key: "signer", Value: strings.Join(nonEmpty(sub.Name, sub.City, sub.Country), ", ")},
		{Key: "key", Value: sub.Key},
		{Key: "number", Value: orNone(sub.Number)},
		{Key: "attempts", Value: strconv.Itoa(sub.Attempts)},
	}
	if sub.Reason != "" || sub.Message != "" {
		kv = append(kv, ui.KV{Key: "why", Value: strings.TrimSpace(sub.Reason + " " + sub.Message)})
	}
	if sub.DocSHA256 != "" {
		kv = append(kv, ui.KV{Key: "document", Value: fmt.Sprintf("sha256 %s, %d page(s)", sub.DocSHA256, sub.Pages)})
	}
	kv = append(kv, ui.KV{Key: "created", Value: timeText(so, sub.Created)}, ui.KV{Key: "updated", Value: timeText(so, sub.Updated)})
	b.WriteString(ui.KeyValues(s, min(so.IO.TerminalWidth(), 100), kv))
	if len(atts) > 0 {
		b.WriteString("\n" + s.Heading.Render("Attempts") + "\n")
		var rows [][]string
		for _, a := range atts {
			why := strings.TrimSpace(strings.Join(nonEmpty(a.Reason, a.Code, a.Message), " "))
			rows = append(rows, []string{strconv.Itoa(a.N), a.Number, a.Driver, orNone(a.VendorID), string(a.State), timeText(so, a.Started), why})
		}
		b.WriteString(ui.Table(s, []string{"#", "number", "gateway", "job id", "state", "started", "why"}, rows))
	}
	if _, err = fmt.Fprint(so.IO.Out, b.String()); err != nil || !so.IO.IsStdoutTTY() {
		return err
	}
	return showSentFax(ctx, so, c, sub, atts)
}

// exportReceipts writes every accepted fax of the campaign: CSV with a
// header, or JSON Lines. A file is written whole (temp, sync, rename).
func exportReceipts(ctx context.Context, so *SendOptions, j *journal.Journal, c *campaign.Campaign, format, out string) error {
	var buf strings.Builder
	var w io.Writer = &buf
	toStdout := out == "" || out == "-"
	if toStdout {
		w = so.IO.Out
	}
	n := 0
	var cw *csvsafe.Writer
	if format == "csv" {
		cw = csvsafe.NewWriter(w, so.RawCSV)
		if err := cw.Write([]string{"campaign", "key", "name", "number", "driver", "vendor_id", "doc_sha256", "pages", "state", "reason", "started", "finished"}); err != nil {
			return err
		}
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	rfc := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	for rc, err := range j.Receipts(ctx, c.ID) {
		if err != nil {
			return err
		}
		n++
		if cw != nil {
			if err := cw.Write([]string{rc.Campaign, rc.Key, rc.Name, rc.Number, rc.Driver, rc.VendorID, rc.DocSHA256,
				strconv.Itoa(rc.Pages), string(rc.State), rc.Reason, rfc(rc.Started), rfc(rc.Finished)}); err != nil {
				return err
			}
			continue
		}
		if err := enc.Encode(rc); err != nil {
			return err
		}
	}
	if cw != nil {
		cw.Flush()
		if err := cw.Error(); err != nil {
			return err
		}
	}
	if toStdout {
		return nil
	}
	if err := writeFileAtomic(out, []byte(buf.String()), 0o600); err != nil {
		return err
	}
	if so.JSON {
		return ui.NewJSON(so.IO.Out).Print("export", map[string]any{"path": out, "format": format, "receipts": n})
	}
	fmt.Fprintf(so.IO.ErrOut, "Wrote %d receipt(s) to %s\n", n, out)
	return nil
}

// clip shortens what the user typed for an error message.
func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
