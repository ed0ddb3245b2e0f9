// Package dispatch is the engine that gets letters to the target's fax
// lines: it queues signers in the journal, composes their documents, chooses
// a number for each (line-aware: a line takes one call at a time), fails over
// to the next number, trips a circuit breaker on numbers that keep failing,
// retries transient gateway errors with backoff (a gateway that takes no
// call for GatewayTimeout is down: the signers go to the petition), follows each fax's status
// through a gateway's transient failures, falls back to the petition
// endpoint when every number is failed or down (a few calls at a time,
// paced by the endpoint's 429s), honours the campaign's quiet
// hours, hourly caps and end date (only the end date for a gateway that
// dials nothing), and reconciles after a crash so that nothing is sent twice
// and no signer is lost.
//
// It reports progress as Event values to a callback and returns a Summary;
// it never prints. It imports campaign, letter, gateway, petition and
// journal, and must not import cli, ui or any driver.
package dispatch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/faxjam/faxjam/pkg/campaign"
	"github.com/faxjam/faxjam/pkg/e164"
	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/journal"
	"github.com/faxjam/faxjam/pkg/letter"
	"github.com/faxjam/faxjam/pkg/petition"
)

// Document is one signer's letter, ready to fax.
type Document struct {
	PDF    []byte
	TIFF   []byte // optional, for drivers that transmit fax images
	Pages  int
	SHA256 string // of PDF, hex
	// Stamp, when set, draws the document again with the fax header
	// dated at (the attempt's start), for a gateway that prints no
	// header of its own: the header says when the fax was sent, so it is
	// drawn as each attempt starts, not when the letter was made.
	Stamp func(at time.Time) (Document, error)
}

// ComposeFunc makes a signer's document. The CLI builds one from pkg/letter
// and pkg/render; it must be safe for concurrent use.
type ComposeFunc func(ctx context.Context, s letter.Signer) (Document, error)

// Breaker is the per-number circuit breaker.
type Breaker struct {
	Failures int           // consecutive line failures that put a number down; default 3
	Cooldown time.Duration // how long it stays down; default 10 minutes
	// HoldAfter is how many calls in a row that find no fax at a number
	// (invalid-number, not-a-fax) hold it until the organizer releases it
	// (journal.Release); default 3.
	HoldAfter int
}

// Backoff paces retries of a gateway call that was not accepted (429, 5xx,
// resets, timeouts before the fax was taken), and of petition calls. Max
// also bounds the time between status polls of a fax whose status fails.
type Backoff struct {
	Base time.Duration // first delay; default 1s
	Max  time.Duration // longest delay; default 1 minute
	// Retries bounds the retries of a lookup, and of a send the gateway
	// may have taken (a 5xx to a gateway that dedupes by key), before the
	// run stops with the error; default 8. A send the gateway did not take
	// is retried until the outage passes Config.GatewayTimeout. Status
	// polls and petition calls have their own bounds: StatusTimeout,
	// PetitionTimeout.
	Retries int
}

// OutboxQueue is the queue mark (a submission's Redirect) of work queued
// through a gateway that dials nothing (the outbox): it is kept apart from
// the real campaign's as a --redirect rehearsal's is.
const OutboxQueue = "outbox"

// Config is everything an Engine needs. No field is read from anywhere else.
type Config struct {
	Campaign *campaign.Campaign // required: target numbers, limits, quiet hours, end date
	Gateway  gateway.Gateway    // required unless DryRun; a gateway.Looker is used to reconcile
	Driver   string             // the gateway's scheme, recorded with each attempt
	Petition petition.Petition  // nil: signers who cannot be faxed stay queued
	// NoFallback says this run's submissions must go by fax and there is
	// nothing to fall back to (the petition document itself): when no
	// number can take one, it waits for a number (queued, the event says
	// which is back when) or, when every number failed for it, gives up;
	// nothing suggests a petition endpoint. Petition must be nil.
	NoFallback bool
	// UnmadeToPetition sends a signer whose letter cannot be made to the
	// petition instead of failing it for the organizer to fix: the hub
	// answered the person 202, so their name must reach the target one way
	// or the other, never nowhere. Petition must be set.
	UnmadeToPetition bool
	// Only, when not empty, restricts the run to the submissions with these
	// signer keys: the journal may hold other queued work (signers of an
	// earlier bulk run) that this run's Compose must never be used for —
	// `petition deliver` composes the petition, not their letters. Their
	// interrupted attempts are left for a run that can compose them.
	Only    []string
	Journal *journal.Journal // required unless DryRun
	// SharedJournal says Journal serves several campaigns (the data dir's
	// default journal); otherwise it serves the campaign it was made for,
	// and a run of another campaign is refused (journal.Claim).
	SharedJournal bool
	Compose       ComposeFunc // required
	// Offline says the gateway dials nothing (gateway.Driver.Offline): the
	// campaign's courtesy to the target's lines — quiet hours, hourly caps,
	// calls per number — does not apply; the campaign's end date does.
	Offline bool

	Redirect string // +E164: every fax of the run goes to this one number instead
	DryRun   bool   // compose and plan every letter; dial nothing, write nothing
	Force    bool   // send signers again that the journal says are done

	Parallel int           // compose workers; default GOMAXPROCS
	Rate     rate.Limit    // faxes submitted per second overall; 0 = no limit
	Poll     time.Duration // how often a fax's status is asked; default 3s
	// StatusTimeout is how long a fax's status may keep failing to come
	// (polls failing transiently) before its attempt is recorded unknown —
	// not resent, for the organizer to check — and the run moves on.
	// Default 30 minutes.
	StatusTimeout time.Duration
	Wait          time.Duration // Run returns after this long, leaving work queued; 0 = until done
	// Rescan, for Serve, is how often the whole queue is read again: with
	// several processes recording submissions in one journal
	// (PostgreSQL), one may commit a submission after another's later one
	// was read, behind the feed's position. 0: never (one process).
	Rescan  time.Duration
	Breaker Breaker
	Backoff Backoff
	// PetitionParallel caps the petition calls in flight: a petition
	// endpoint is one server, and every signer queued at once when the
	// numbers go down must not arrive at once. Default 4.
	PetitionParallel int
	// PetitionTimeout is how long the petition endpoint may keep failing
	// (429s, 5xx, timeouts: each backed off, for every call at once) without
	// taking a signature before the run stops with its error. Default 10
	// minutes.
	PetitionTimeout time.Duration
	// GatewayTimeout is how long the gateway may keep failing — every call
	// refused, timed out or answered 5xx or 429 before it took a fax, with
	// no answer in between — before it counts as down: then every
	// submission still queued for the run goes to the petition, with the
	// reason, or, without a petition endpoint, the run stops with
	// ErrGatewayDown. Until then sends back off (Backoff) and try again.
	// Serve (a hub's dispatcher, which runs for days) always stops with
	// ErrGatewayDown instead: one outage must not send every later action
	// to the petition. Default 10 minutes.
	GatewayTimeout time.Duration
	// GatewayName is the gateway as messages show it (redacted: no
	// credentials); default Driver.
	GatewayName string
	// SendGrace bounds a gateway call in flight when the run is stopped: it
	// is let finish so its outcome is recorded, not left for reconciliation.
	// Default 2 minutes.
	SendGrace time.Duration
	// RequestTimeout is the longest one gateway call can take (the HTTP
	// client's timeout: gateway.RequestTimeout); default the one drivers
	// use when given no client. With LateMargin (gateway.Driver's) it says
	// when a request lost in a crash can no longer reach the gateway: a
	// lookup's "not found" counts as not sent only after that (see judge).
	RequestTimeout time.Duration
	LateMargin     time.Duration
	// DedupeByKey says the gateway treats a repeated key as the same fax
	// (gateway.Driver.DedupeByKey): an interrupted attempt not found yet is
	// sent again at once with the same key, instead of waited for.
	DedupeByKey bool
	// RealNetwork says the gateway refuses fictitious numbers
	// (gateway.Driver.RealNetwork): nothing was ever faxed to them through
	// it, so they are not looked up before a first fax.
	RealNetwork bool

	Now    func() time.Time // the clock for quiet hours, end date and caps; default time.Now
	Events func(Event)      // progress; called from one goroutine at a time; may be nil
}

// EventType says what happened.
type EventType string

const (
	EventQueued     EventType = "queued"      // a signer entered the queue
	EventAlready    EventType = "already"     // a signer the journal already has done (or in flight): not sent again
	EventPlanned    EventType = "planned"     // dry run: the letter was composed and would go to Number
	EventSubmitted  EventType = "submitted"   // the gateway took a fax (VendorID); or, for drivers that cannot report, the end
	EventDelivered  EventType = "delivered"   // a fax arrived
	EventFailed     EventType = "failed"      // an attempt failed (Reason); the signer goes on to the next number or the petition
	EventPetitioned EventType = "petitioned"  // the signer's name went to the petition
	EventGaveUp     EventType = "gave-up"     // every number failed and the petition refused the name (or, NoFallback, there is none)
	EventRejected   EventType = "rejected"    // a signer row or letter could not be made into a fax
	EventUnknown    EventType = "unknown"     // an attempt's outcome was lost and cannot be reconciled: not resent
	EventWaiting    EventType = "waiting"     // work waits (quiet hours, caps, campaign end, numbers down and no petition) until Until, when known
	EventHeld       EventType = "held"        // a queued signer belongs to another rehearsal (or to the real campaign): left queued, not sent by this run
	EventRetry      EventType = "retry"       // a gateway call is retried after a transient error
	EventNumberDown EventType = "number-down" // the circuit breaker took a number out until Until
	EventNumberHeld EventType = "number-held" // a number's calls all found no fax: held until the organizer releases it
	EventSummary    EventType = "summary"     // the run ended: Summary
)

// Event is one thing that happened, for pkg/ui to print.
type Event struct {
	Type     EventType      `json:"type"`
	Key      string         `json:"key,omitempty"` // the signer's key
	Name     string         `json:"name,omitempty"`
	Number   string         `json:"number,omitempty"`
	Attempt  int            `json:"attempt,omitempty"`
	VendorID string         `json:"vendor_id,omitempty"`
	Reason   gateway.Reason `json:"reason,omitempty"`
	State    journal.State  `json:"state,omitempty"` // EventAlready: the state the journal has
	Pages    int            `json:"pages,omitempty"`
	SHA256   string         `json:"sha256,omitempty"`
	Message  string         `json:"message,omitempty"`
	Until    time.Time      `json:"until,omitzero"`
	Time     time.Time      `json:"time"`
	Summary  *Summary       `json:"summary,omitempty"`
	// Err is the error behind an EventRejected (a *signers.RowError for a
	// row of a list, with its line and field), for printers that show its
	// parts; Message is its text.
	Err error `json:"-"`
}

// Summary is what a run did.
type Summary struct {
	// Counts is the campaign's submissions by state in the journal when the
	// run ended (all runs, not only this one).
	Counts map[journal.State]int `json:"counts"`
	// Run counts this run's outcomes: delivered, submitted, petitioned,
	// failed, gave-up, unknown, and queued for signers left waiting.
	Run      map[journal.State]int `json:"run"`
	Already  int                   `json:"already"`
	Rejected int                   `json:"rejected"`
	Planned  int                   `json:"planned,omitempty"`
	// Held counts the queued submissions this run left alone because they
	// were queued for another --redirect, by that redirect ("" = the real
	// campaign).
	Held     map[string]int `json:"held,omitempty"`
	Faxes    int            `json:"faxes"` // attempts made
	Duration time.Duration  `json:"-"`     // in JSON: duration_s, seconds
	// LineTime is the time lines spent on our faxes; Utilisation is it
	// over the capacity of the run (lines × calls per line × Duration).
	LineTime    time.Duration `json:"-"` // in JSON: line_time_s, seconds
	Utilisation float64       `json:"utilisation"`
}

// MarshalJSON gives Duration and LineTime as seconds (duration_s,
// line_time_s): a script reading --json should not have to know Go's
// nanosecond durations.
func (s Summary) MarshalJSON() ([]byte, error) {
	type fields Summary // without this method
	return json.Marshal(struct {
		fields
		DurationS float64 `json:"duration_s"`
		LineTimeS float64 `json:"line_time_s"`
	}{fields(s), s.Duration.Seconds(), s.LineTime.Seconds()})
}

// Done reports whether every signer of the campaign has reached a terminal
// state.
func (s Summary) Done() bool { return s.Counts[journal.Queued] == 0 && s.Counts[journal.Sending] == 0 }

// ErrConfig marks errors that are the organizer's configuration to fix
// (e.g. a fictitious number given to a gateway that dials for real).
var ErrConfig = errors.New("configuration")

// Engine runs dispatches for one campaign.
type Engine struct {
	cfg   Config
	lines []campaign.FaxNumber
	// redirect is Config.Redirect normalized (OutboxQueue for an offline
	// gateway without one): recorded with each
	// submission, and the only submissions this run dispatches.
	redirect string
	looker   gateway.Looker
	only     map[string]bool // nil: every submission of the campaign
	wake     wakers          // Wake: pushed status (wake.go)
}

// mine reports whether the run may dispatch the submission with key.
func (e *Engine) mine(key string) bool { return e.only == nil || e.only[key] }

// New checks cfg, fills its defaults and returns an Engine.
func New(cfg Config) (*Engine, error) {
	c := cfg.Campaign
	if c == nil {
		return nil, fmt.Errorf("dispatch: no campaign")
	}
	if cfg.Compose == nil {
		return nil, fmt.Errorf("dispatch: no Compose function")
	}
	if !cfg.DryRun && cfg.Gateway == nil {
		return nil, fmt.Errorf("dispatch: no gateway")
	}
	if !cfg.DryRun && cfg.Journal == nil {
		return nil, fmt.Errorf("dispatch: no journal")
	}
	if cfg.UnmadeToPetition && cfg.Petition == nil {
		return nil, fmt.Errorf("dispatch: UnmadeToPetition without a petition endpoint")
	}
	if cfg.NoFallback && cfg.Petition != nil {
		return nil, fmt.Errorf("dispatch: NoFallback with a petition endpoint: a submission that must go by fax has nothing to fall back to")
	}
	e := &Engine{cfg: cfg}
	if len(cfg.Only) > 0 {
		e.only = make(map[string]bool, len(cfg.Only))
		for _, k := range cfg.Only {
			e.only[k] = true
		}
	}
	if cfg.Redirect != "" {
		n, err := e164.Normalize(cfg.Redirect)
		if err != nil {
			return nil, fmt.Errorf("dispatch: redirect: %w", err)
		}
		e.lines = []campaign.FaxNumber{{Number: n, Label: "redirect"}}
		e.redirect = n
	} else {
		if cfg.Offline {
			// Work queued through the outbox is the outbox's: a run
			// through a gateway that dials never takes it up, nor the
			// outbox the real campaign's (it would be marked delivered
			// and never faxed), without Force.
			e.redirect = OutboxQueue
		}
		for i, f := range c.Target.Fax {
			n, err := e164.Normalize(f.Number)
			if err != nil {
				return nil, fmt.Errorf("dispatch: campaign %s: target.fax[%d]: %w", c.ID, i, err)
			}
			f.Number = n
			e.lines = append(e.lines, f)
		}
	}
	if len(e.lines) == 0 {
		return nil, fmt.Errorf("dispatch: campaign %s has no fax numbers (target.fax)", c.ID)
	}
	if l, ok := cfg.Gateway.(gateway.Looker); ok {
		e.looker = l
	}
	d := &e.cfg
	if d.Driver == "" {
		d.Driver = "gateway"
	}
	if d.Parallel <= 0 {
		d.Parallel = runtime.GOMAXPROCS(0)
	}
	if d.Poll <= 0 {
		d.Poll = 3 * time.Second
	}
	if d.StatusTimeout <= 0 {
		d.StatusTimeout = 30 * time.Minute
	}
	if d.Breaker.Failures <= 0 {
		d.Breaker.Failures = 3
	}
	if d.Breaker.HoldAfter <= 0 {
		d.Breaker.HoldAfter = 3
	}
	if d.Breaker.Cooldown <= 0 {
		d.Breaker.Cooldown = 10 * time.Minute
	}
	if d.Backoff.Base <= 0 {
		d.Backoff.Base = time.Second
	}
	if d.Backoff.Max <= 0 {
		d.Backoff.Max = time.Minute
	}
	if d.Backoff.Retries <= 0 {
		d.Backoff.Retries = 8
	}
	if d.PetitionParallel <= 0 {
		d.PetitionParallel = 4
	}
	if d.PetitionTimeout <= 0 {
		d.PetitionTimeout = 10 * time.Minute
	}
	if d.GatewayTimeout <= 0 {
		d.GatewayTimeout = 10 * time.Minute
	}
	if d.GatewayName == "" {
		d.GatewayName = d.Driver
	}
	if d.SendGrace <= 0 {
		d.SendGrace = 2 * time.Minute
	}
	if d.RequestTimeout <= 0 {
		d.RequestTimeout = gateway.Env{}.RequestTimeout()
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	return e, nil
}

// callsPerNumber is how many faxes may be in flight to one number. A line
// takes one call at a time; a gateway that dials nothing has no line to
// spare, so there it is as many as letters are composed in parallel.
func (e *Engine) callsPerNumber() int {
	n := max(1, e.cfg.Campaign.Limits.CallsPerNumber)
	if e.cfg.Offline {
		n = max(n, e.cfg.Parallel)
	}
	return n
}

func (e *Engine) attemptsPerNumber() int { return max(1, e.cfg.Campaign.Limits.MaxAttemptsPerNumber) }

// AttemptKey is the idempotency key of a signer's n-th attempt, to number:
// campaign and signer (in the signer key), number and attempt, so a retry of
// the same call is recognised by the vendor and a later attempt is not.
func AttemptKey(signerKey, number string, n int) string {
	return signerKey + "-" + e164.Digits(number) + "-" + strconv.Itoa(n)
}

// SignerOf returns the signer key an AttemptKey was made from.
func SignerOf(attemptKey string) string {
	k, _, _ := strings.Cut(attemptKey, "-")
	return k
}

// rotation is where a signer starts in the list of numbers: stable across
// runs (from the key), spread evenly over signers.
func rotation(key string, n int) int {
	v, err := strconv.ParseUint(key[:min(8, len(key))], 16, 64)
	if err != nil {
		var h uint64
		for _, c := range []byte(key) {
			h = h*31 + uint64(c)
		}
		v = h
	}
	return int(v % uint64(n))
}

// Declare takes from the gateway's driver declaration what the engine must
// know of it: its scheme, whether it dials (Offline), refuses fictitious
// numbers (RealNetwork), dedupes by key and how late a lost request may
// still arrive (LateMargin). RequestTimeout is the opened gateway's, set
// apart (gateway.RequestTimeout).
func (c *Config) Declare(d gateway.Driver) {
	c.Driver, c.Offline, c.RealNetwork = d.Scheme, d.Offline, d.RealNetwork
	c.DedupeByKey, c.LateMargin = d.DedupeByKey, d.LateMargin
}
