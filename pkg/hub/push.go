package hub

import (
	"crypto/ed25519"
	"errors"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/faxjam/faxjam/pkg/dispatch"
	"github.com/faxjam/faxjam/pkg/gateway/phaxio"
	"github.com/faxjam/faxjam/pkg/gateway/telnyx"
)

// Vendors that push a fax's status as it changes save the hub the wait for
// its next poll: a line is free as soon as the vendor says the fax ended.
// The hub receives them at
//
//	POST /v1/push/telnyx   signed with Ed25519 (telnyx.VerifyWebhook)
//	POST /v1/push/phaxio   signed with HMAC-SHA1 (phaxio.VerifyCallback)
//
// when PushConfig has the vendor's key, and the gateway URL names the
// receiver (telnyx://…&webhook_url=, phaxio://…&callback_url=). A push is a
// hint, never the record: it makes the dispatcher ask the gateway for that
// fax's status now (dispatch.Engine.Wake), and the status is the gateway's
// own answer. So a forged push that passed could cost one status call at
// most, and a lost one a poll interval. Forged, stale and replayed pushes
// are refused (401, 401, 409) and counted (faxjam_push_total by result).
// Only the process dialling can act on one; a push that reaches a standby
// hub is answered 202 and left to polling.

// PushConfig holds the keys that sign the vendors' pushes.
type PushConfig struct {
	// TelnyxKey is the account's public key (telnyx.ParsePublicKey).
	TelnyxKey ed25519.PublicKey
	// PhaxioToken is the account's webhook token, and PhaxioURL the
	// callback URL exactly as given to Phaxio (it is signed too).
	PhaxioToken, PhaxioURL string
}

// maxPush bounds a push's body: Telnyx's events are small JSON; Phaxio's
// callbacks can carry the fax's PDF.
const maxPush = 8 << 20

// replays remembers the pushes seen for a while, by an id of the delivery:
// a vendor retrying is told 409 and nothing is done twice, and a recorded
// push posted again is refused.
type replays struct {
	mu   sync.Mutex
	seen map[string]time.Time
}

// first reports whether id is new, remembering it until now+keep.
func (r *replays) first(id string, now time.Time, keep time.Duration) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.seen == nil {
		r.seen = map[string]time.Time{}
	}
	for k, until := range r.seen {
		if now.After(until) {
			delete(r.seen, k)
		}
	}
	if _, ok := r.seen[id]; ok {
		return false
	}
	r.seen[id] = now.Add(keep)
	return true
}

// pushState is the hub's part of the receiver: the engine to wake and the
// pushes seen.
type pushState struct {
	eng  atomic.Pointer[dispatch.Engine]
	seen replays
}

func (h *Hub) pushRoutes(mux *http.ServeMux, lim func(http.HandlerFunc) http.HandlerFunc) {
	if h.cfg.Push.TelnyxKey != nil {
		mux.HandleFunc("POST /v1/push/telnyx", lim(h.pushTelnyx))
	}
	if h.cfg.Push.PhaxioToken != "" {
		mux.HandleFunc("POST /v1/push/phaxio", lim(h.pushPhaxio))
	}
}

func (h *Hub) pushTelnyx(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxPush))
	if err != nil {
		h.pushed(w, "telnyx", "bad", http.StatusRequestEntityTooLarge, "body too large")
		return
	}
	p, err := telnyx.VerifyWebhook(h.cfg.Push.TelnyxKey, h.cfg.Now(), r.Header, body)
	switch {
	case errors.Is(err, telnyx.ErrStale):
		h.pushed(w, "telnyx", "stale", http.StatusUnauthorized, err.Error())
		return
	case err != nil:
		h.pushed(w, "telnyx", "forged", http.StatusUnauthorized, err.Error())
		return
	}
	// Telnyx refuses older than 5 minutes: remembering 10 covers a replay.
	if !h.push.seen.first("telnyx:"+p.EventID, h.cfg.Now(), 2*telnyx.WebhookTolerance) {
		h.pushed(w, "telnyx", "replayed", http.StatusConflict, "this event was received already")
		return
	}
	h.wake(w, "telnyx", p.FaxID)
}

func (h *Hub) pushPhaxio(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxPush)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		h.pushed(w, "phaxio", "bad", http.StatusBadRequest, "want multipart/form-data")
		return
	}
	defer r.MultipartForm.RemoveAll()
	c, err := phaxio.VerifyCallback(h.cfg.Push.PhaxioToken, h.cfg.Push.PhaxioURL, r.Header.Get("X-Phaxio-Signature"), r.MultipartForm)
	if err != nil {
		h.pushed(w, "phaxio", "forged", http.StatusUnauthorized, err.Error())
		return
	}
	// Phaxio's callbacks carry no time; the signature identifies one
	// delivery (the same outcome sent again is signed the same). A day
	// covers its 16 retries.
	if !h.push.seen.first("phaxio:"+c.Signature, h.cfg.Now(), 24*time.Hour) {
		h.pushed(w, "phaxio", "replayed", http.StatusConflict, "this callback was received already")
		return
	}
	h.wake(w, "phaxio", c.FaxID)
}

// wake tells the dispatcher, if this process is dialling, to ask for the
// fax's status now.
func (h *Hub) wake(w http.ResponseWriter, vendor, faxID string) {
	// Not tracked (yet): kept for a tracker that comes later (a push
	// before the send was recorded), or it ended already, or another hub
	// dials.
	result := "kept"
	if eng := h.push.eng.Load(); eng != nil && eng.Wake(faxID) {
		result = "woken"
	}
	h.pushed(w, vendor, result, http.StatusAccepted, "")
}

// pushed answers a push and counts it.
func (h *Hub) pushed(w http.ResponseWriter, vendor, result string, status int, msg string) {
	h.metrics.add(seriesOf("faxjam_push_total", "vendor", vendor, "result", result), 1)
	if status >= 400 {
		writeError(w, status, "", msg)
		return
	}
	w.WriteHeader(status)
}
