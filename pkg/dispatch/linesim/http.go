package linesim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"path"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/faxjam/faxjam/pkg/gateway"
)

// Relay is an HTTP front for a Sim: a relay speaking the webhook driver's
// protocol (package gateway/webhook), so that a faxjam process, which can be
// killed and started again, faxes a network whose state lives in the test
// process. Mount it anywhere; the gateway URL is webhook+http://HOST/PATH.
//
//	POST PATH        multipart (to, key, pages, fictitious, file) → {id, status}
//	GET  PATH/{id}   → {id, status, reason?, message?, pages?} or 404
//	GET  PATH?key=K  → {id, to, status, ...} of the fax sent with key K, or 404
//	GET  PATH        → 404 (reachable: the webhook check accepts it)
//
// The Sim's faults become HTTP: a 429 with Retry-After (whole seconds, at
// least 1), a 500, a connection reset (TCP RST, nothing taken), and, for a
// fault after the fax was taken, the connection dropped without an answer
// (the client sees what a timeout would show it: the request went out and no
// answer came back; a real timeout would cost the client's whole 60 s).
//
// A repeated key is the same fax, as the protocol asks of relays: the relay
// answers with the first fax's id and does not dial again, and counts the
// repeat, so a test can assert faxjam never needed that.
type Relay struct {
	sim *Sim
	// Latency slows every POST: half of it passes before the fax is taken
	// (a client that goes away meanwhile sends nothing) and half after (the
	// fax is taken, the answer is on its way), so a client killed at a
	// random instant often dies inside a send. Set it before serving.
	Latency time.Duration

	mu      sync.Mutex // one send at a time, so a key is looked up and sent atomically
	repeats map[string]int
	flaky   *flaky
}

// flaky is a slow relay that fails: see Flaky.
type flaky struct {
	rng              *rand.Rand // under Relay.mu
	slow             time.Duration
	before, after    float64
	failedB, failedA int
}

// Flaky makes the relay slow and unreliable, as the one that found a
// doubled fax was: each POST takes a uniform 0..slow before the relay
// records the fax, and goes on when the client is gone (a relay finishing a
// request whose client was killed); a share before of POSTs is answered 500
// without taking the fax and a share after 500 after taking it. Draws come
// from seed. Set it before serving.
func (h *Relay) Flaky(seed uint64, slow time.Duration, before, after float64) {
	h.flaky = &flaky{rng: rand.New(rand.NewPCG(seed, seed^0xf1a4)), slow: slow, before: before, after: after}
}

// Failed returns how many POSTs the flaky relay answered 500 before and
// after taking the fax.
func (h *Relay) Failed() (before, after int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.flaky == nil {
		return 0, 0
	}
	return h.flaky.failedB, h.flaky.failedA
}

// Handler returns an HTTP front for sim.
func Handler(sim *Sim) *Relay {
	return &Relay{sim: sim, repeats: map[string]int{}}
}

// Repeats returns how many POSTs came again with a key the relay already
// had a fax for, per key.
func (h *Relay) Repeats() map[string]int {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make(map[string]int, len(h.repeats))
	for k, n := range h.repeats {
		out[k] = n
	}
	return out
}

// answer is the protocol's JSON for a fax.
type answer struct {
	ID      string `json:"id"`
	To      string `json:"to,omitempty"`
	Status  string `json:"status"`
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message,omitempty"`
	Pages   int    `json:"pages,omitempty"`
}

func (h *Relay) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodPost:
		h.send(w, r)
	case r.Method == http.MethodGet && r.URL.Query().Has("key"):
		h.lookup(w, r)
	case r.Method == http.MethodGet:
		h.status(w, r)
	default:
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"message": r.Method + " is not part of the relay protocol"})
	}
}

func (h *Relay) send(w http.ResponseWriter, r *http.Request) {
	// The whole body is read before anything is dialled: a client killed
	// mid-upload sends nothing.
	if err := r.ParseMultipartForm(32 << 20); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": "multipart body: " + err.Error()})
		return
	}
	fax := gateway.Fax{
		To: r.FormValue("to"), From: r.FormValue("from"), Key: r.FormValue("key"),
		Campaign: r.FormValue("campaign"), Sender: r.FormValue("sender"),
		Fictitious: r.FormValue("fictitious") == "true",
	}
	if p := r.FormValue("pages"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"message": fmt.Sprintf("pages %q: not a number", p)})
			return
		}
		fax.Pages = n
	}
	for field, dst := range map[string]*[]byte{"file": &fax.PDF, "tiff": &fax.TIFF} {
		data, err := formFile(r, field)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"message": err.Error()})
			return
		}
		*dst = data
	}
	if fax.Key == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": "key is required", "reason": string(gateway.ReasonRejected)})
		return
	}

	if !pause(r.Context(), h.Latency/2) {
		return // the client went away before the relay took the fax
	}
	ctx := r.Context()
	if f := h.flaky; f != nil {
		h.mu.Lock()
		d := time.Duration(f.rng.Int64N(int64(f.slow) + 1))
		h.mu.Unlock()
		ctx = context.WithoutCancel(ctx) // the relay finishes what it was sent
		pause(ctx, d)
	}
	h.mu.Lock()
	if f := h.flaky; f != nil && f.rng.Float64() < f.before {
		f.failedB++
		h.mu.Unlock()
		writeJSON(w, http.StatusInternalServerError, map[string]string{"message": "relay error before taking the fax"})
		return
	}
	if rec, ok, _ := h.sim.Lookup(ctx, fax.Key); ok {
		h.repeats[fax.Key]++
		h.mu.Unlock()
		writeJSON(w, http.StatusOK, answer{ID: rec.ID, To: rec.To, Status: wireState(rec.State)})
		return
	}
	rec, err := h.sim.Send(ctx, fax)
	failAfter := false
	if f := h.flaky; f != nil && err == nil && f.rng.Float64() < f.after {
		f.failedA++
		failAfter = true
	}
	h.mu.Unlock()
	if failAfter {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"message": "relay error after taking the fax"})
		return
	}
	pause(context.WithoutCancel(r.Context()), h.Latency-h.Latency/2)
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, http.StatusAccepted, statusAnswer(h.sim.peek(rec.ID)))
}

// pause waits d unless ctx ends first; it reports whether d passed.
func pause(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func formFile(r *http.Request, field string) ([]byte, error) {
	fhs := r.MultipartForm.File[field]
	if len(fhs) == 0 {
		return nil, nil
	}
	f, err := fhs[0].Open()
	if err != nil {
		return nil, fmt.Errorf("file part %q: %w", field, err)
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("file part %q: %w", field, err)
	}
	return data, nil
}

func (h *Relay) status(w http.ResponseWriter, r *http.Request) {
	st, err := h.sim.Status(r.Context(), path.Base(r.URL.Path))
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, statusAnswer(st))
}

func (h *Relay) lookup(w http.ResponseWriter, r *http.Request) {
	rec, ok, err := h.sim.Lookup(r.Context(), r.URL.Query().Get("key"))
	if err != nil {
		h.fail(w, err)
		return
	}
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "no fax with that key"})
		return
	}
	a := statusAnswer(h.sim.peek(rec.ID))
	a.To = rec.To
	writeJSON(w, http.StatusOK, a)
}

// fail turns the Sim's error into what a relay on the wire would do.
func (h *Relay) fail(w http.ResponseWriter, err error) {
	ge, ok := gateway.AsError(err)
	if !ok {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"message": err.Error()})
		return
	}
	switch {
	case ge.Accepted:
		drop(w, false) // taken, and no answer comes back
		return
	case errors.Is(ge.Err, syscall.ECONNRESET):
		drop(w, true)
		return
	}
	code := ge.HTTPStatus
	if code == 0 {
		code = http.StatusUnprocessableEntity // refused before dialling: the number or the document
	}
	if ge.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(ge.RetryAfter.Seconds())))))
	}
	msg := ge.Message
	if msg == "" {
		msg = ge.Error()
	}
	writeJSON(w, code, map[string]string{"message": msg, "reason": string(ge.Reason)})
}

// drop ends the connection without an answer: with a TCP reset, or a plain
// close after the request was read.
func drop(w http.ResponseWriter, reset bool) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		writeJSON(w, http.StatusBadGateway, map[string]string{"message": "connection dropped"})
		return
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok && reset {
		tc.SetLinger(0) // close sends RST
	}
	conn.Close()
}

// peek is a fax's status as Status reports it, without drawing a fault: the
// relay's answers to a POST and a lookup carry the state the fax is in.
func (s *Sim) peek(id string) gateway.Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state(s.jobs[id], s.cfg.Now())
}

func statusAnswer(st gateway.Status) answer {
	a := answer{ID: st.ID, Status: wireState(st.State), Pages: st.Pages}
	if st.State == gateway.Failed {
		a.Reason, a.Message = string(st.Reason), st.Message
	}
	return a
}

// wireState is a State in the protocol's words.
func wireState(s gateway.State) string {
	switch s {
	case gateway.Queued, gateway.Sending, gateway.Delivered, gateway.Failed:
		return string(s)
	}
	return string(gateway.Queued)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}
