package hub

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/faxjam/faxjam/pkg/campaignrun"
	"github.com/faxjam/faxjam/pkg/journal"
	"github.com/faxjam/faxjam/pkg/petition/store"
)

// Privacy: the hub's signed pack, forgetting a person, and retention.
//
//	GET    /v1/campaigns/{id}/pack               public: the campaign as the organizer signed it
//	                                             (Config.Pack), for `faxjam campaign add|update`
//	DELETE /v1/actions/{id}                      admin: forget the action's person
//	DELETE /v1/campaigns/{id}/actions?email=A    admin: forget everyone with that e-mail
//	       200 {"actions": n, "signatures": m, "documents": d, "compacted": bool}
//
// Forgetting blanks the person's name, city, country, e-mail and note in
// the journal (cancelling what is still queued; an action with a fax in
// flight answers 409, to be asked again when it is done), deletes the
// documents of their faxes from the hub's outbox (a rehearsal's) and their
// petition signatures from the store; then both files are compacted so the
// values do not stay readable in free pages or the write-ahead log.
//
// Retention (Config.Retain): every so often the hub blanks the e-mail and
// the note of every action final for longer than Retain, and of every
// signature older than that, and deletes those faxes' documents from the
// hub's outbox; the names and cities on the petition, the states, the
// counts and the faxed documents' SHA-256 stay.

// ClosedError is an action for a campaign its organizer has closed (or
// whose end date is past): answered 410 Gone.
type ClosedError struct {
	Campaign, Why, Contact string
}

func (e *ClosedError) Error() string {
	return fmt.Sprintf("campaign %s is closed: %s; nothing is sent; ask its contact, %s", e.Campaign, e.Why, e.Contact)
}

// PackType is the media type of a signed campaign pack.
const PackType = "application/vnd.faxjam.pack"

// privacyRoutes adds the pack and forget routes to mux.
func (h *Hub) privacyRoutes(mux *http.ServeMux, lim func(http.HandlerFunc) http.HandlerFunc) {
	mux.HandleFunc("/v1/campaigns/{id}/pack", lim(h.pack))
	mux.HandleFunc("DELETE /v1/actions/{id}", lim(h.forgetAction))
	mux.HandleFunc("DELETE /v1/campaigns/{id}/actions", lim(h.forgetEmail))
	mux.HandleFunc("/v1/confirm/{id}", lim(h.confirm))
}

func (h *Hub) pack(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		methodNotAllowed(w, r, http.MethodGet)
		return
	}
	if !h.ours(w, r) {
		return
	}
	if len(h.cfg.Pack) == 0 {
		writeError(w, http.StatusNotFound, "", "this hub serves no signed pack of its campaign: its organizer starts it with --pack FILE (made by `faxjam campaign sign`)")
		return
	}
	w.Header().Set("Content-Type", PackType)
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		w.Write(h.cfg.Pack)
	}
}

// Forgotten is the answer of the forget calls.
type Forgotten struct {
	Actions    int `json:"actions"`
	Signatures int `json:"signatures"`
	// Documents counts the faxes whose documents were deleted from the
	// hub's outbox (a rehearsal hub's); a vendor's copies are the
	// organizer's to delete.
	Documents int  `json:"documents"`
	Compacted bool `json:"compacted"`
}

func (h *Hub) forgetAction(w http.ResponseWriter, r *http.Request) {
	if !h.admin(w, r) {
		return
	}
	a, s, err := h.j.Action(r.Context(), r.PathValue("id"))
	switch {
	case errors.Is(err, journal.ErrNotFound):
		writeError(w, http.StatusNotFound, "", "no such action")
		return
	case err != nil:
		writeError(w, http.StatusServiceUnavailable, "", "cannot read the action now; try again")
		return
	case a.Campaign != h.c.ID:
		writeError(w, http.StatusNotFound, "", "no such action")
		return
	}
	h.answerForget(w, r, journal.Person{Campaign: h.c.ID, Submission: s.ID}, s.Email)
}

func (h *Hub) forgetEmail(w http.ResponseWriter, r *http.Request) {
	if !h.ours(w, r) || !h.admin(w, r) {
		return
	}
	// Trimmed before the check: a blank e-mail must never select everyone
	// who gave none.
	email := strings.TrimSpace(r.URL.Query().Get("email"))
	if email == "" || !strings.Contains(email, "@") {
		writeError(w, http.StatusBadRequest, "email", "give ?email=ADDRESS (an e-mail address, not blank): whose actions to forget")
		return
	}
	h.answerForget(w, r, journal.Person{Campaign: h.c.ID, Email: email}, email)
}

func (h *Hub) answerForget(w http.ResponseWriter, r *http.Request, p journal.Person, email string) {
	// Finished even if the admin hangs up: a half-forgotten person is no
	// state to leave.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), time.Minute)
	defer cancel()
	res, err := h.Forget(ctx, p, email)
	switch {
	case errors.Is(err, journal.ErrInFlight):
		writeError(w, http.StatusConflict, "", "a fax of this person is in flight; ask again once it is done (GET the action)")
	case err != nil && res.Actions == 0 && res.Signatures == 0:
		writeError(w, http.StatusServiceUnavailable, "", "could not forget now; try again")
	default:
		writeJSON(w, http.StatusOK, res)
	}
}

// Forget deletes the personal data of p from the journal, and the petition
// signatures of the same people (by their keys, and by email when given)
// from the store, then compacts both.
func (h *Hub) Forget(ctx context.Context, p journal.Person, email string) (Forgotten, error) {
	var out Forgotten
	s, err := campaignrun.Forget(ctx, h.j, h.outboxes(), p)
	out.Actions, out.Documents = s.Submissions, s.Documents
	if err != nil {
		return out, err
	}
	if f, ok := h.cfg.Store.(store.Forgetter); ok {
		if out.Signatures, err = f.Forget(ctx, h.c.ID, s.Keys, email); err != nil {
			return out, err
		}
	}
	h.lines.mu.Lock()
	h.lines.at = time.Time{}
	h.lines.mu.Unlock()
	out.Compacted = h.compact(ctx) == nil
	return out, nil
}

// outboxes are the folders that keep the documents of the hub's faxes: its
// gateway's, when it writes them (a rehearsal through the outbox).
func (h *Hub) outboxes() []string {
	if f := h.opened().Folder(); f != "" {
		return []string{f}
	}
	return nil
}

// compact rewrites the journal and the store.
func (h *Hub) compact(ctx context.Context) error {
	err := h.j.Compact(ctx)
	if f, ok := h.cfg.Store.(store.Forgetter); ok {
		err = errors.Join(err, f.Compact(ctx))
	}
	return err
}

// Retain blanks the e-mail and the note of every action final since
// before now-Retain and of every signature stored before then, and
// compacts the files when it blanked any. It returns how many of each.
func (h *Hub) Retain(ctx context.Context) (actions, signatures int, err error) {
	if h.cfg.Retain <= 0 {
		return 0, 0, nil
	}
	before := h.cfg.Now().Add(-h.cfg.Retain)
	s, err := campaignrun.Retain(ctx, h.j, h.outboxes(), before)
	if err != nil {
		return s.Submissions, 0, err
	}
	if f, ok := h.cfg.Store.(store.Forgetter); ok {
		if signatures, err = f.Scrub(ctx, h.c.ID, before); err != nil {
			return s.Submissions, 0, err
		}
	}
	if s.Submissions+signatures == 0 {
		return 0, 0, nil
	}
	return s.Submissions, signatures, h.compact(ctx)
}

// retainEvery is how often the hub applies Retain while it runs, and
// expireEvery how often it expires unconfirmed actions.
const (
	retainEvery = time.Hour
	expireEvery = time.Minute
)

// privacyLoop applies Expire and Retain at start and then every
// expireEvery and retainEvery until ctx ends. A failure is tried again at
// the next tick.
func (h *Hub) privacyLoop(ctx context.Context) {
	if h.cfg.Retain <= 0 && h.cfg.Confirm == nil {
		return
	}
	t := time.NewTicker(expireEvery)
	defer t.Stop()
	var retained time.Time
	for {
		h.Expire(ctx)
		if time.Since(retained) >= retainEvery {
			h.Retain(ctx)
			retained = time.Now()
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
