// Package web is the hub's signing page and admin page: server-rendered
// HTML (html/template) for people who take the campaign's action in a
// browser rather than with the CLI, and for the organizer who watches the
// lines. Every asset is embedded; no script is needed (there is none), no
// font or file is loaded from elsewhere.
//
//	GET  /                      the campaign, the lines' live state and the form
//	POST /preview               the same form, kept, and the fax page it makes
//	POST /act                   takes the action; 303 to the receipt
//	GET  /r/{id}?t=RECEIPT      the receipt; refreshes itself (Refresh header) until final
//	GET  /r/{id}/fax.png?t=RECEIPT the page that was faxed
//	GET  /admin                 login form, or the lines table, deliveries chart, pause/resume
//	POST /admin/login · /admin/logout · /admin/pause · /admin/resume
//	GET  /static/...            the embedded style sheet
//
// The page's own words come in es, en, fr, de and pt (?lang= switch, else
// Accept-Language); the letter comes in each language the campaign has a
// template for.
//
// Security: every POST passes net/http's CrossOriginProtection (a form sent
// from another site gets a 403 page), forms carry a honeypot field, the
// Content-Security-Policy allows nothing but this origin's style sheet and
// images (frame-ancestors 'none' unless Config.EmbedOrigins names partner
// sites), and every response that can hold personal data is
// Cache-Control: no-store. Personal data only ever travels in POST bodies:
// the preview image is inlined as a data: URL so it needs no GET. The
// receipt URL carries the action id and, in its query, the 128-bit receipt
// token, never a name: the hub's request log records paths and never
// queries, so the token stays out of it. The admin
// token is posted once to /admin/login and then lives in an HttpOnly,
// SameSite=Strict cookie as an HMAC, never in a URL.
//
// Rate limits are the hub's: it wraps this handler in its per-client
// limiter. The package must not import pkg/hub (the hub imports it and
// mounts Handler); Backend is everything it needs from the hub.
package web

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/faxjam/faxjam/pkg/campaign"
	"github.com/faxjam/faxjam/pkg/letter"
	"github.com/faxjam/faxjam/pkg/lines"
)

// Backend is what the pages need from the hub.
type Backend interface {
	// Lines is the public state of the target's lines.
	Lines(ctx context.Context) (Lines, error)
	// Act takes one person's action (key: idempotency key of this form).
	// A signer that breaks the input rules is a *letter.FieldErrors; a
	// closed campaign ErrClosed. The same key again gets its receipt, the
	// same person under another key the first action without a token
	// (Duplicate set in both).
	Act(ctx context.Context, key string, s letter.Signer) (Receipt, error)
	// Action is the state of an action; ErrNotFound for an unknown id or a
	// wrong token.
	Action(ctx context.Context, id, token string) (Action, error)
	// Preview is the fax page (PNG) the hub would send for s: the same
	// composer and renderer as the fax. Bad input is a *letter.FieldErrors.
	Preview(ctx context.Context, s letter.Signer) ([]byte, error)
	// FaxPNG is the page that was faxed for an action; ErrNotFound when
	// the id or token is wrong or nothing was faxed.
	FaxPNG(ctx context.Context, id, token string) ([]byte, error)
	// Admin is the organizer's summary: petition count, deliveries per
	// hour, pause state.
	Admin(ctx context.Context) (AdminView, error)
	// Pause stops dialling (calls in flight finish; acceptance goes on);
	// Pause(false) resumes.
	Pause(ctx context.Context, paused bool) error
	// RevokeSession records that the admin session id is signed out, for
	// every hub process and across restarts; Revoked reports it.
	RevokeSession(ctx context.Context, id string) error
	Revoked(ctx context.Context, id string) (bool, error)
	// People finds at most limit actions whose person's name or e-mail
	// holds query (case ignored), newest first (people.go).
	People(ctx context.Context, query string, limit int) ([]PersonRow, error)
	// Person is one action with its attempts; ErrNotFound for an unknown
	// id.
	Person(ctx context.Context, id string) (PersonHistory, error)
	// Forget deletes the personal data of the action's person.
	Forget(ctx context.Context, id string) error
	// Export writes every action, as CSV or as JSON.
	Export(ctx context.Context, w io.Writer, csv bool) error
	// Release lets a held number be dialled again.
	Release(ctx context.Context, number string) error
}

// ErrNotFound is an unknown action id or a wrong receipt token: the page
// answers 404 without saying which.
var ErrNotFound = errors.New("not found")

// ErrKeyUsed is a form key already used for an action with other details
// (the form was tampered with, or sent twice for two people).
var ErrKeyUsed = errors.New("this form's key was used for another action")

// ErrClosed (wrapped, with the reason) is an action for a campaign that is
// closed or past its end: nothing is sent.
var ErrClosed = errors.New("the campaign is closed")

// Lines is the public, anonymous state of the target's lines.
type Lines struct {
	Paused         bool
	UpdatedAt      time.Time
	Queue          int
	Delivered      int
	DeliveredToday int
	Petitioned     int
	Failed         int
	IdealPerHour   int
	Lines          []Line
}

// Line is one fax number.
type Line struct {
	Label, Number     string
	State             string    // up | sending | busy | down | quiet (pkg/lines)
	Until             time.Time // for down and quiet, when known
	InFlightSince     time.Time
	DeliveredLastHour int
	FailedLastHour    int
	// Held is why the number is held until the organizer releases it
	// (its calls found no fax there); shown on /admin only.
	Held string
}

// Answering counts the lines that take calls now (up, sending or busy).
func (l Lines) Answering() int {
	n := 0
	for _, x := range l.Lines {
		if lines.State(x.State).Answering() {
			n++
		}
	}
	return n
}

// Receipt is the answer to an accepted action.
type Receipt struct {
	ID, Token, State string
	Duplicate        bool
}

// Action is what a receipt shows.
type Action struct {
	ID           string
	State        string // queued | sending | submitted | delivered | petitioned | failed | gave-up | unknown | ...
	NumberLabel  string
	Attempts     int
	Pages        int
	DeliveredAt  time.Time
	PetitionedAt time.Time
	UpdatedAt    time.Time
	Reason       string
}

// Final reports whether the state will not change any more: everything
// but queued, sending and unconfirmed (submitted is final: the gateway
// took the fax and cannot report more).
func (a Action) Final() bool {
	switch a.State {
	case "queued", "sending", "unconfirmed", "":
		return false
	}
	return true
}

// Faxed reports whether a page went to the target's fax.
func (a Action) Faxed() bool { return a.State == "delivered" || a.State == "submitted" }

// AdminView is what the admin page shows beyond the lines.
type AdminView struct {
	Paused bool
	Leader bool // this hub process is the one dialling
	// The forecast of the queue (campaignrun.ForecastQueue): Queue
	// waiting, the last would go out at Last (ForecastOK false: no line
	// will take a call), LeftAtEnd still waiting when the campaign Ends.
	Queue      int
	Last, Ends time.Time
	ForecastOK bool
	LeftAtEnd  int
	Petitioned int
	// PerHour holds deliveries per hour, oldest first, the last entry
	// being the current hour; Start is the start of the first hour.
	PerHour []int
	Start   time.Time
}

// Config is what Handler needs.
type Config struct {
	Campaign *campaign.Campaign
	Backend  Backend
	// AdminToken guards /admin; empty disables the admin page (404).
	AdminToken string
	// EmbedOrigins are partner sites allowed to frame the page
	// (CSP frame-ancestors), e.g. "https://amnesty.example".
	EmbedOrigins []string
	// Secure marks cookies Secure (the hub serves TLS or sits behind it).
	Secure bool
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// RefreshSeconds is how often an unfinished receipt reloads; 0 means 5.
	RefreshSeconds int
	// PrivacyNotice is the organizer's privacy notice, shown at the foot
	// of every page; "" shows none.
	PrivacyNotice string
	// EmailRequired: the hub confirms every action by e-mail, so the form
	// asks for one.
	EmailRequired bool
	// Rehearsal: the hub's gateway dials nothing (the outbox). Every page
	// says so, and a receipt says the fax was written, not delivered.
	Rehearsal bool
}
