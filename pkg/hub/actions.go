package hub

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/faxjam/faxjam/pkg/campaignrun"
	"github.com/faxjam/faxjam/pkg/dispatch"
	"github.com/faxjam/faxjam/pkg/journal"
	"github.com/faxjam/faxjam/pkg/letter"
	"github.com/faxjam/faxjam/pkg/petition/server"
	"github.com/faxjam/faxjam/pkg/render"
)

// MaxBody bounds a request body: an action is well under 2 KB (the note,
// the only free text, is at most letter.MaxNote runes).
const MaxBody = 16 << 10

// ActionRequest is the body of POST /v1/campaigns/{id}/actions.
type ActionRequest struct {
	Key     string `json:"key"` // the client's idempotency key: the same key again is the same action
	Name    string `json:"name"`
	City    string `json:"city"`
	Country string `json:"country"`
	Email   string `json:"email,omitempty"`
	Note    string `json:"note,omitempty"`
	Lang    string `json:"lang,omitempty"`
}

// Accepted is the answer to an action: 202 new, 200 duplicate.
type Accepted struct {
	ID      string        `json:"id"`
	Receipt string        `json:"receipt"`
	State   journal.State `json:"state"`
	// Duplicate: the same key again (the client's retry), 200.
	Duplicate bool `json:"duplicate,omitempty"`
	person    bool // the same person under a new key: answered as new (metrics count it)
}

// Status is the answer of GET /v1/actions/{id}.
type Status struct {
	ID           string        `json:"id"`
	State        journal.State `json:"state"`
	NumberLabel  string        `json:"number_label,omitempty"`
	Attempts     int           `json:"attempts"`
	Pages        int           `json:"pages"`
	DeliveredAt  *time.Time    `json:"delivered_at,omitempty"`
	PetitionedAt *time.Time    `json:"petitioned_at,omitempty"`
	UpdatedAt    time.Time     `json:"updated_at"`
	Reason       string        `json:"reason,omitempty"`
	Message      string        `json:"message,omitempty"`
	// Rehearsal: the hub's gateway dials nothing (the outbox), so a
	// delivered fax was written, not sent.
	Rehearsal bool `json:"rehearsal,omitempty"`
}

// Final reports whether an action in state s is done with: status
// --follow stops there.
func Final(s journal.State) bool { return s.Terminal() }

// apiError is every error answer.
type apiError struct {
	Error  string              `json:"error"`
	Field  string              `json:"field,omitempty"`
	Fields []letter.FieldError `json:"fields,omitempty"`
}

var writeJSON = server.WriteJSON

func writeError(w http.ResponseWriter, status int, field, msg string) {
	writeJSON(w, status, apiError{Error: msg, Field: field})
}

var methodNotAllowed = server.MethodNotAllowed

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// ours answers 404 unless the path's campaign is the hub's.
func (h *Hub) ours(w http.ResponseWriter, r *http.Request) bool {
	if id := r.PathValue("id"); id != h.c.ID {
		writeError(w, http.StatusNotFound, "", fmt.Sprintf("unknown campaign %q (this hub serves %s)", truncate(id, 64), h.c.ID))
		return false
	}
	return true
}

func (h *Hub) actions(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodPost:
		h.accept(w, r)
	case http.MethodGet:
		h.export(w, r)
	default:
		methodNotAllowed(w, r, http.MethodGet, http.MethodPost)
	}
}

// decodeAction reads exactly one JSON object with the known fields. Its
// errors name the field and quote no value.
func decodeAction(r io.Reader) (ActionRequest, string, error) {
	var req ActionRequest
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		var te *json.UnmarshalTypeError
		var se *json.SyntaxError
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe):
			return req, "", err
		case errors.As(err, &te):
			if te.Field == "" {
				return req, "", errors.New("body: want a JSON object")
			}
			return req, te.Field, fmt.Errorf("%s: want a string", te.Field)
		case errors.As(err, &se), errors.Is(err, io.ErrUnexpectedEOF):
			return req, "", errors.New("body: not valid JSON")
		case errors.Is(err, io.EOF):
			return req, "", errors.New("body: empty; want a JSON action {key, name, city, country, email?, note?, lang?}")
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return req, truncate(name, 40), fmt.Errorf("%s: unknown field (known: key, name, city, country, email, note, lang)", truncate(name, 40))
		}
		return req, "", errors.New("body: not valid JSON")
	}
	if _, err := dec.Token(); err != io.EOF {
		return req, "", errors.New("body: want one JSON object and nothing after it")
	}
	return req, "", nil
}

// CheckActionKey is the rule for an action's idempotency key: 16 to 128
// characters of A-Z a-z 0-9 - _ with at least 8 different ones, new and
// random for each action (crypto/rand; the CLI sends 32 hex digits, the
// page mints 22 base64url characters). A short, blank or patterned key
// would be shared by strangers, and the same key is the same action.
func CheckActionKey(k string) error {
	const rule = "key: want 16 to 128 random characters (A-Z a-z 0-9 - _), new for each action, from a random generator"
	if len(k) < 16 || len(k) > 128 {
		return errors.New(rule)
	}
	seen := map[rune]bool{}
	for _, c := range k {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return errors.New(rule)
		}
		seen[c] = true
	}
	if len(seen) < 8 {
		return errors.New(rule)
	}
	return nil
}

// letterFieldError names the field that keeps the letter from being made:
// the note for a letter over one page, the field holding a character the
// fonts cannot draw; anything else is the letter's as a whole ("note",
// the one field a person can shorten).
func letterFieldError(s letter.Signer, err error) error {
	field := "note"
	var ge *render.GlyphError
	if errors.As(err, &ge) {
		for _, f := range []struct{ name, v string }{{"name", s.Name}, {"city", s.City}, {"country", s.Country}, {"note", s.Note}, {"email", s.Email}} {
			if strings.ContainsRune(f.v, ge.Rune) {
				field = f.name
				break
			}
		}
	}
	return &letter.FieldErrors{Fields: []letter.FieldError{{Field: field, Reason: err.Error()}}}
}

// ErrKeyReused is a key already used for an action with other details: the
// answer is 409 and says nothing of that action.
var ErrKeyReused = errors.New("key: already used for another action; send each action with a new random key")

func (h *Hub) accept(w http.ResponseWriter, r *http.Request) {
	if !h.ours(w, r) {
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			writeError(w, http.StatusUnsupportedMediaType, "", "Content-Type: want application/json")
			return
		}
	}
	req, field, err := decodeAction(http.MaxBytesReader(w, r.Body, MaxBody))
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		writeError(w, http.StatusRequestEntityTooLarge, "", fmt.Sprintf("body: larger than %d bytes", MaxBody))
		return
	case err != nil:
		writeError(w, http.StatusBadRequest, field, err.Error())
		return
	}
	got, err := h.Act(r.Context(), req.Key, letter.Signer{Name: req.Name, City: req.City, Country: req.Country, Email: req.Email, Note: req.Note, Lang: req.Lang})
	var fe *letter.FieldErrors
	var ce *ClosedError
	switch {
	case errors.As(err, &ce):
		writeError(w, http.StatusGone, "", ce.Error())
	case errors.Is(err, ErrKeyReused):
		writeError(w, http.StatusConflict, "key", err.Error())
	case errors.As(err, &fe):
		e := apiError{Error: err.Error(), Fields: fe.Fields}
		if len(fe.Fields) > 0 {
			e.Field = fe.Fields[0].Field
		}
		writeJSON(w, http.StatusBadRequest, e)
	case err != nil:
		writeError(w, http.StatusServiceUnavailable, "", "could not store the action now; try again with the same key")
	case got.Duplicate:
		writeJSON(w, http.StatusOK, got)
	default:
		writeJSON(w, http.StatusAccepted, got)
	}
}

// Act takes one person's action under the client's idempotency key (the
// key's rules are checked by the caller: server.CheckKey). A signer that
// breaks the letter's input rules is a *letter.FieldErrors. It returns once
// the action is durable in the journal. The same key again answers the
// first action with its receipt; the same person under another key the
// first action without it (Duplicate set in both).
func (h *Hub) Act(ctx context.Context, key string, signer letter.Signer) (acc Accepted, err error) {
	defer func() { h.metrics.acted(acc, err) }()
	if why := h.c.ClosedWhy(h.cfg.Now()); why != "" {
		return Accepted{}, &ClosedError{Campaign: h.c.ID, Why: why, Contact: h.c.Contact}
	}
	s := letter.Normalize(signer)
	if err := letter.ValidateSigner(s, h.c.RequireNote); err != nil {
		return Accepted{}, err
	}
	if err := CheckActionKey(key); err != nil {
		return Accepted{}, &letter.FieldErrors{Fields: []letter.FieldError{{Field: "key", Reason: strings.TrimPrefix(err.Error(), "key: ")}}}
	}
	// The letter is made and laid out before the action is taken: what
	// cannot make one page or cannot be drawn is refused now, naming the
	// field, never taken with a 202 and then failed for good (issue 16).
	if _, _, err := campaignrun.Layout(ctx, h.c, h.cfg.Renderer, "", s, h.cfg.Now()); err != nil {
		return Accepted{}, letterFieldError(s, err)
	}
	sub := journal.Submission{Campaign: h.c.ID, Key: letter.SignerKey(h.c.ID, s),
		Name: s.Name, City: s.City, Country: s.Country, Email: s.Email, Note: s.Note, Lang: s.Lang}
	if h.rehearsal() {
		sub.Redirect = dispatch.OutboxQueue // the outbox's work, kept apart from real work
	}
	if h.cfg.Confirm != nil { // confirm.go
		if sub.Email == "" {
			return Accepted{}, &letter.FieldErrors{Fields: []letter.FieldError{{Field: "email", Reason: "required: this hub confirms every action by e-mail before it is sent"}}}
		}
		sub.State = journal.Unconfirmed
	}
	// Stored even if the client hangs up meanwhile: it may retry with the
	// same key and must then find it.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	a, got, found, err := h.j.Accept(ctx, journal.Action{ID: newID(), Campaign: h.c.ID, KeyHash: h.keyHash(key)}, sub)
	if err != nil {
		h.mu.Lock()
		h.acceptFailed = h.cfg.Now()
		h.mu.Unlock()
		return Accepted{}, err
	}
	if got.State == journal.Unconfirmed && found != journal.SamePerson {
		if err := h.mailConfirmation(ctx, a, got); err != nil {
			return Accepted{}, fmt.Errorf("hub: mail the confirmation link: %w", err)
		}
	}
	switch found {
	case journal.New:
		h.poke()
		return Accepted{ID: a.ID, Receipt: h.receipt(a.ID), State: got.State}, nil
	case journal.SameKey:
		// The client's own retry gets its action again; a key reused with
		// another person's details gets nothing of it.
		if got.Key != sub.Key || got.Note != "" && got.Note != sub.Note {
			return Accepted{}, ErrKeyReused
		}
		return Accepted{ID: a.ID, Receipt: h.receipt(a.ID), State: got.State, Duplicate: true}, nil
	}
	// The same person under a new key: one action per person, so nothing
	// is faxed again, and the answer is a fresh accept's, to the letter,
	// so that it tells nobody whether this person had acted (a membership
	// oracle): an id and a receipt of its own, made from the key, whose
	// status says "queued: we have your action" and never the first
	// action's progress, details or page.
	id := h.echoID(key)
	if err := h.j.PutSetting(ctx, echoSetting(id), "1"); err != nil {
		return Accepted{}, err
	}
	return Accepted{ID: id, Receipt: h.receipt(id), State: journal.Queued, person: true}, nil
}

// echoID is the action id answered to a person who had acted, under key:
// an HMAC of the key, shaped as newID's, so the same key gets it again.
func (h *Hub) echoID(key string) string {
	m := hmac.New(sha256.New, h.secret)
	io.WriteString(m, "faxjam echo\x00"+h.c.ID+"\x00"+key)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:12])
}

// echoSetting marks an echo id in the journal's settings.
func echoSetting(id string) string { return "hub.echo." + id }

// ErrNotFound is an unknown action or a wrong receipt: the same error, so
// that ids cannot be told from receipts.
var ErrNotFound = errors.New("no such action for this receipt")

// held returns the action with id for the holder of its receipt.
func (h *Hub) held(ctx context.Context, id, receipt string) (journal.Action, journal.Submission, error) {
	if subtle.ConstantTimeCompare([]byte(receipt), []byte(h.receipt(id))) != 1 {
		return journal.Action{}, journal.Submission{}, ErrNotFound
	}
	a, s, err := h.j.Action(ctx, id)
	if errors.Is(err, journal.ErrNotFound) {
		return a, s, ErrNotFound
	}
	return a, s, err
}

// Status is what the hub says about an action, for the holder of its
// receipt; ErrNotFound otherwise.
func (h *Hub) Status(ctx context.Context, id, receipt string) (Status, error) {
	a, s, err := h.held(ctx, id, receipt)
	if errors.Is(err, ErrNotFound) && subtle.ConstantTimeCompare([]byte(receipt), []byte(h.receipt(id))) == 1 {
		if v, _, serr := h.j.Setting(ctx, echoSetting(id)); serr == nil && v == "1" {
			// A second action of a person who had acted: it says it is
			// held, and nothing of the first.
			return Status{ID: id, State: journal.Queued, Message: "we have your action", UpdatedAt: h.cfg.Now().UTC(), Rehearsal: h.rehearsal()}, nil
		}
	}
	if err != nil {
		return Status{}, err
	}
	return h.status(a, s), nil
}

// bearer returns the request's bearer token, "" for none.
func bearer(r *http.Request) string {
	t, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return ""
	}
	return strings.TrimSpace(t)
}

// heldRequest answers a request for the action of the path's id: 405 for a
// method but GET, and the same 404 without the receipt, with a wrong one
// or for an unknown id. ok says whether to go on with id and receipt.
func heldRequest(w http.ResponseWriter, r *http.Request) (id, receipt string, ok bool) {
	if r.Method != http.MethodGet {
		methodNotAllowed(w, r, http.MethodGet)
		return "", "", false
	}
	return r.PathValue("id"), bearer(r), true
}

// heldError answers the error of a held action.
func heldError(w http.ResponseWriter, err error) {
	if errors.Is(err, ErrNotFound) {
		writeError(w, http.StatusNotFound, "", ErrNotFound.Error()+": give it as Authorization: Bearer RECEIPT")
		return
	}
	writeError(w, http.StatusServiceUnavailable, "", "cannot read the action now; try again")
}

func (h *Hub) action(w http.ResponseWriter, r *http.Request) {
	id, receipt, ok := heldRequest(w, r)
	if !ok {
		return
	}
	st, err := h.Status(r.Context(), id, receipt)
	if err != nil {
		heldError(w, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, st)
}

func (h *Hub) status(a journal.Action, s journal.Submission) Status {
	st := Status{ID: a.ID, State: s.State, NumberLabel: h.label(s.Number), Attempts: s.Attempts, Pages: s.Pages, Rehearsal: h.rehearsal(),
		UpdatedAt: s.Updated, Reason: s.Reason, Message: s.Message}
	t := s.Updated
	switch s.State {
	case journal.Delivered, journal.Submitted:
		st.DeliveredAt = &t
	case journal.Petitioned:
		st.PetitionedAt = &t
	}
	return st
}

// label is a number's label in the campaign, or the number when it has
// none ("" for no number).
func (h *Hub) label(number string) string { return h.labels[number] }

// healthy is /healthz's question to the hub: can it take an action now?
// The journal must take a synced write (a full disk, a read-only or lost
// database cannot), and no action may have failed to store in the last
// acceptWindow.
func (h *Hub) healthy(ctx context.Context) error {
	h.mu.Lock()
	failed := h.acceptFailed
	h.mu.Unlock()
	if !failed.IsZero() && h.cfg.Now().Sub(failed) < acceptWindow {
		return errors.New("cannot store actions now: the last one failed")
	}
	if err := h.j.Probe(ctx); err != nil {
		h.log.Error("healthz: the journal takes no writes", "error", err.Error())
		return errors.New("cannot store actions now: the journal takes no writes")
	}
	return nil
}

// acceptWindow is how long a failure to store an action keeps /healthz
// failing.
const acceptWindow = 30 * time.Second
