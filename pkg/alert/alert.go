// Package alert tells an organizer when a campaign hub needs them: the
// gateway takes no call, every line is down, the queue has stalled, the
// process dialling changed. Each incident is told once when it begins and
// once when it ends (not at every check), to a webhook (a JSON POST) and/or
// by mail. An alert carries campaigns, kinds and counts: never a person.
//
// It imports nothing of faxjam's; the hub decides what holds (pkg/hub's
// alertLoop) and a Watcher turns those conditions into incidents.
package alert

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Kinds of incident.
const (
	GatewayDown  = "gateway-down"  // the gateway answers no call
	LinesDown    = "lines-down"    // every line is down (not quiet hours)
	QueueStalled = "queue-stalled" // work waits and nothing is faxed
	NumberHeld   = "number-held"   // a number is held until the organizer looks: its calls found no fax there
	Leader       = "leader"        // the process dialling changed (told once, no end)
)

// Alert is what is sent: one incident beginning or ending.
type Alert struct {
	Kind     string    `json:"kind"`
	Campaign string    `json:"campaign"`
	State    string    `json:"state"` // "firing" or "resolved"
	Since    time.Time `json:"since"` // when the incident began
	At       time.Time `json:"at"`    // when this was sent
	Message  string    `json:"message"`
}

// Sender delivers an alert.
type Sender interface {
	Send(ctx context.Context, a Alert) error
}

// Webhook POSTs each alert as JSON to URL.
type Webhook struct {
	URL    string
	Client *http.Client // nil: a client with a 10 s timeout
}

func (w Webhook) Send(ctx context.Context, a Alert) error {
	body, err := json.Marshal(a)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "faxjam-alert")
	c := w.Client
	if c == nil {
		c = &http.Client{Timeout: 10 * time.Second}
	}
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("alert webhook: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("alert webhook: HTTP %d", resp.StatusCode)
	}
	return nil
}

// Mailer is what Mail sends through (the hub's SMTP mailer).
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// Mail mails each alert to To.
type Mail struct {
	Mailer Mailer
	To     string
}

func (m Mail) Send(ctx context.Context, a Alert) error {
	subject := fmt.Sprintf("[faxjam %s] %s %s", a.Campaign, a.Kind, a.State)
	body := fmt.Sprintf("%s\n\nCampaign: %s\nIncident: %s (%s)\nSince: %s\n", a.Message, a.Campaign, a.Kind, a.State, a.Since.UTC().Format(time.RFC3339))
	return m.Mailer.Send(ctx, m.To, subject, body)
}

// Watcher turns the conditions a hub checks into incidents: a kind that
// begins to hold is sent firing once, and resolved once when it stops.
// Sending failures are retried at the next Observe, never dropped.
type Watcher struct {
	Campaign string
	Senders  []Sender
	Now      func() time.Time

	mu   sync.Mutex
	open map[string]time.Time // firing kinds, since when
	owed []owed               // not yet sent to every sender
}

// owed is an alert and the senders (by index) it has not reached yet.
type owed struct {
	a  Alert
	to []int
}

func (w *Watcher) owe(a Alert) {
	to := make([]int, len(w.Senders))
	for i := range to {
		to[i] = i
	}
	w.owed = append(w.owed, owed{a: a, to: to})
}

// Observe takes the kinds that hold now, with their messages, and sends
// what began or ended since the last call. It returns the senders' errors
// (the alerts stay owed and go at the next call).
func (w *Watcher) Observe(ctx context.Context, holding map[string]string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.open == nil {
		w.open = map[string]time.Time{}
	}
	now := w.Now()
	for _, kind := range sortedKeys(holding) {
		if _, on := w.open[kind]; on {
			continue
		}
		w.open[kind] = now
		w.owe(Alert{Kind: kind, Campaign: w.Campaign, State: "firing", Since: now, Message: holding[kind]})
	}
	for _, kind := range sortedKeys(w.open) {
		if _, still := holding[kind]; still {
			continue
		}
		since := w.open[kind]
		delete(w.open, kind)
		w.owe(Alert{Kind: kind, Campaign: w.Campaign, State: "resolved", Since: since, Message: kind + " is over"})
	}
	return w.flush(ctx, now)
}

// Tell sends a one-off alert (the leader changed): no incident stays open.
func (w *Watcher) Tell(ctx context.Context, kind, message string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	now := w.Now()
	w.owe(Alert{Kind: kind, Campaign: w.Campaign, State: "firing", Since: now, Message: message})
	return w.flush(ctx, now)
}

func (w *Watcher) flush(ctx context.Context, now time.Time) error {
	var errs []error
	kept := w.owed[:0]
	for _, o := range w.owed {
		o.a.At = now
		var left []int
		for _, i := range o.to { // a sender that has it never gets it twice
			if err := w.Senders[i].Send(ctx, o.a); err != nil {
				errs = append(errs, err)
				left = append(left, i)
			}
		}
		if len(left) > 0 {
			o.to = left
			kept = append(kept, o)
		}
	}
	w.owed = kept
	return errors.Join(errs...)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// CheckURL checks an --alert URL: http(s) with a host.
func CheckURL(s string) error {
	if !strings.HasPrefix(s, "https://") && !strings.HasPrefix(s, "http://") {
		return fmt.Errorf("%q: want an http(s):// URL that takes a JSON POST", s)
	}
	return nil
}
