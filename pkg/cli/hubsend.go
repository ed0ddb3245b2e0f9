package cli

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/faxjam/faxjam/pkg/campaign"
	"github.com/faxjam/faxjam/pkg/hub"
	"github.com/faxjam/faxjam/pkg/hub/client"
	"github.com/faxjam/faxjam/pkg/journal"
	"github.com/faxjam/faxjam/pkg/letter"
	"github.com/faxjam/faxjam/pkg/render"
	"github.com/faxjam/faxjam/pkg/ui"
)

// hubFor is the hub a send (or status) goes through, "" for none: --hub
// given on the command line; else, when no gateway is configured (flag,
// FAXJAM_GATEWAY or config), --hub from FAXJAM_HUB or config, or the
// campaign's hub.
func hubFor(opts *SendOptions, c *campaign.Campaign) string {
	if slices.Contains(opts.Typed, "hub") && opts.Hub != "" {
		return opts.Hub
	}
	if opts.Gateway != "" {
		return ""
	}
	if opts.Hub != "" {
		return opts.Hub
	}
	return c.Hub
}

// sendViaHub posts the signer's details to the hub, which composes and
// faxes the letter itself, and keeps the receipt for `faxjam status`.
func sendViaHub(ctx context.Context, opts *SendOptions, c *campaign.Campaign, r *render.Renderer, hubURL string) error {
	switch {
	case opts.SignersFile != "":
		return usagef("--signers: a hub takes each person's own action; a list goes through your gateway (--gateway URL)")
	case opts.DryRun:
		return usagef("--dry-run: with a hub nothing is sent from here; `faxjam letter` shows the letter the hub will fax")
	case opts.Redirect != "":
		return usagef("--redirect: a rehearsal goes through your own gateway (--gateway URL)")
	}
	cl, err := client.New(hubURL, nil, opts.Version)
	if err != nil {
		return usagef("--hub: %v", err)
	}
	s, err := oneSigner(ctx, opts, c, r)
	if errors.Is(err, errDeclined) {
		fmt.Fprintln(opts.IO.ErrOut, "Nothing was sent.")
		return nil
	}
	if err != nil {
		return err
	}
	s = letter.Normalize(s)
	store := client.ActionsIn(opts.DataDir, c.ID)
	act, err := store.Key(cl.URL(), letter.SignerKey(c.ID, s), opts.Now())
	if err != nil {
		return err
	}
	got, err := cl.Act(ctx, c.ID, hub.ActionRequest{Key: act.Key, Name: s.Name, City: s.City, Country: s.Country, Email: s.Email, Note: s.Note, Lang: s.Lang})
	var he *client.Error
	if errors.As(err, &he) && he.Status/100 == 4 && !he.Retryable() {
		if he.Field != "" {
			return &UsageError{Err: err, Hint: "fix --" + he.Field}
		}
		return &UsageError{Err: err}
	}
	if err != nil {
		return fmt.Errorf("%w; run the same send again: the hub will not take it twice", err)
	}
	if got.Receipt != "" {
		if err := store.Answered(act, got.ID, got.Receipt); err != nil {
			return err
		}
	}
	if opts.JSON {
		return ui.NewJSON(opts.IO.Out).Print("accepted", map[string]any{"campaign": c.ID, "hub": cl.URL(), "id": got.ID,
			"receipt": got.Receipt, "state": got.State, "duplicate": got.Duplicate})
	}
	st := opts.IO.ErrStyles()
	switch {
	case got.Receipt == "":
		fmt.Fprintf(opts.IO.ErrOut, "%s the hub %s already has an action from %s (%s, %s): it is %s. One action per person.\n",
			st.Warning.Render("Already:"), cl.URL(), s.Name, s.City, s.Country, got.State)
	default:
		what := "took your action"
		if got.Duplicate {
			what = "already had your action"
		}
		fmt.Fprintf(opts.IO.ErrOut, "%s the hub %s %s: it composes your letter and faxes it to %s.\n", st.Success.Render("Sent:"), cl.URL(), what, c.Target.Name)
		fmt.Fprintf(opts.IO.Out, "action %s · receipt %s · %s\n", got.ID, got.Receipt, got.State)
		fmt.Fprintf(opts.IO.ErrOut, "The receipt is kept in %s; `%s status` shows what the hub says (--follow waits until it is final).\n", store.Path(), self(opts.Self))
	}
	return nil
}

// statusHub is the hub `faxjam status` asks, or "" when it reads the
// journal (an ID, --export, --journal, or no hub).
func statusHub(opts *StatusOptions, c *campaign.Campaign) string {
	if opts.Export != "" || opts.Ref != "" || slices.Contains(opts.Send.Typed, "journal") {
		return ""
	}
	return hubFor(&opts.Send, c)
}

// hubStatus shows what the hub says about the campaign's actions sent
// from here; ok is false when there are none (status shows the journal).
// With a hub given (--hub, config, the campaign's) it shows the actions
// sent there; without one, those sent to any hub (`send --hub URL` then a
// plain `status`). With follow it asks again until every one is final.
func hubStatus(ctx context.Context, opts *StatusOptions, c *campaign.Campaign) (ok bool, err error) {
	so := &opts.Send
	if opts.Export != "" || opts.Ref != "" || slices.Contains(so.Typed, "journal") {
		return false, nil
	}
	want := ""
	if hubURL := statusHub(opts, c); hubURL != "" {
		cl, err := client.New(hubURL, nil, so.Version)
		if err != nil {
			return true, usagef("--hub: %v", err)
		}
		want = cl.URL()
	} else if so.Gateway != "" {
		return false, nil // a gateway of our own: its journal
	}
	as, err := client.ActionsIn(so.DataDir, c.ID).All()
	if err != nil {
		return true, err
	}
	as = slices.DeleteFunc(as, func(a client.Action) bool { return want != "" && a.Hub != want || a.Receipt == "" })
	if len(as) == 0 {
		return false, nil
	}
	clients := map[string]*client.Client{}
	for _, a := range as {
		if clients[a.Hub] == nil {
			if clients[a.Hub], err = client.New(a.Hub, nil, so.Version); err != nil {
				return true, fmt.Errorf("receipt of action %s names hub %q: %w", a.ID, a.Hub, err)
			}
		}
	}
	poll := so.Poll
	if poll <= 0 {
		poll = 3 * time.Second
	}
	var deadline <-chan time.Time
	if so.Wait > 0 {
		deadline = time.After(so.Wait)
	}
	shown := map[string]journal.State{}
	for {
		final := true
		for _, a := range as {
			cl := clients[a.Hub]
			st, err := cl.Status(ctx, a.ID, a.Receipt)
			if err != nil {
				return true, err
			}
			final = final && hub.Final(st.State)
			if opts.Follow && shown[a.ID] == st.State {
				continue
			}
			shown[a.ID] = st.State
			if err := printHubStatus(so, c, cl.URL(), st); err != nil {
				return true, err
			}
		}
		if !opts.Follow || final {
			return true, nil
		}
		select {
		case <-ctx.Done():
			return true, ctx.Err()
		case <-deadline:
			return true, &PartialError{Queued: len(as), Self: so.Self}
		case <-time.After(poll):
		}
	}
}

func printHubStatus(so *SendOptions, c *campaign.Campaign, hubURL string, st hub.Status) error {
	if so.JSON {
		return ui.NewJSON(so.IO.Out).Print("action", map[string]any{"campaign": c.ID, "hub": hubURL, "action": st})
	}
	s := so.IO.Styles()
	line := fmt.Sprintf("action %s: %s", st.ID, s.Key.Render(string(st.State)))
	switch {
	case st.DeliveredAt != nil && st.Rehearsal:
		line += fmt.Sprintf(" (rehearsal: written for %s at %s, nothing was faxed)", st.NumberLabel, st.DeliveredAt.Local().Format("2006-01-02 15:04"))
	case st.DeliveredAt != nil:
		line += fmt.Sprintf(" to %s at %s", st.NumberLabel, st.DeliveredAt.Local().Format("2006-01-02 15:04"))
	case st.PetitionedAt != nil:
		line += fmt.Sprintf(": every line was down, so your name is on the petition (%s)", st.PetitionedAt.Local().Format("2006-01-02 15:04"))
	case st.State == journal.Sending:
		line += " to " + st.NumberLabel
	}
	if st.Message != "" && !hub.Final(st.State) || st.State == journal.Failed || st.State == journal.GaveUp {
		line += " — " + st.Message
	}
	_, err := fmt.Fprintln(so.IO.Out, line)
	return err
}
