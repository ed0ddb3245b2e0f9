package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/dispatch/linesim"
	"github.com/faxjam/faxjam/pkg/gateway"
)

// telnyxFake follows Telnyx API v2's documented contract as the telnyx
// driver uses it (POST /media, POST /faxes with client_state, GET
// /faxes/{id}, GET /faxes newest first, paged) over a simulated network.
// Like Telnyx it does not deduplicate by key: every POST /faxes is a new
// fax. It is as slow and flaky as the relay of the webhook test: 0..slow
// before it records a fax (finishing a request whose client was killed),
// a share of creates answered 500 before taking the fax and a share after.
type telnyxFake struct {
	sim           *linesim.Sim
	slow          time.Duration
	before, after float64

	mu               sync.Mutex
	rng              *rand.Rand
	faxes            []telnyxFax // oldest first
	failedB, failedA int
}

type telnyxFax struct {
	ID            string `json:"id"`
	To            string `json:"to"`
	Status        string `json:"status"`
	FailureReason string `json:"failure_reason,omitempty"`
	ClientState   string `json:"client_state,omitempty"`
	CreatedAt     string `json:"created_at"`
}

func (f *telnyxFake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer e2e-telnyx-key" {
		writeJSONe2e(w, http.StatusUnauthorized, map[string]any{"errors": []map[string]string{{"detail": "unauthorized"}}})
		return
	}
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/media":
		if err := r.ParseMultipartForm(32 << 20); err != nil || r.MultipartForm.File["media"] == nil {
			writeJSONe2e(w, http.StatusUnprocessableEntity, map[string]any{"errors": []map[string]string{{"detail": "media is required"}}})
			return
		}
		writeJSONe2e(w, http.StatusCreated, map[string]any{"data": map[string]string{"media_name": fmt.Sprintf("m-%d", time.Now().UnixNano())}})
	case r.Method == http.MethodPost && r.URL.Path == "/faxes":
		f.create(w, r)
	case r.Method == http.MethodGet && r.URL.Path == "/faxes":
		f.list(w, r)
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/faxes/"):
		id := strings.TrimPrefix(r.URL.Path, "/faxes/")
		f.mu.Lock()
		defer f.mu.Unlock()
		for _, fx := range f.faxes {
			if fx.ID == id {
				writeJSONe2e(w, http.StatusOK, map[string]any{"data": f.now(fx)})
				return
			}
		}
		writeJSONe2e(w, http.StatusNotFound, map[string]any{"errors": []map[string]string{{"detail": "not found"}}})
	default:
		writeJSONe2e(w, http.StatusNotFound, map[string]any{"errors": []map[string]string{{"detail": "no route"}}})
	}
}

func (f *telnyxFake) create(w http.ResponseWriter, r *http.Request) {
	var req struct {
		ConnectionID string `json:"connection_id"`
		To           string `json:"to"`
		From         string `json:"from"`
		MediaName    string `json:"media_name"`
		ClientState  string `json:"client_state"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.To == "" || req.MediaName == "" || req.ConnectionID == "" {
		writeJSONe2e(w, http.StatusUnprocessableEntity, map[string]any{"errors": []map[string]string{{"detail": "connection_id, to and media_name are required"}}})
		return
	}
	key, err := base64.StdEncoding.DecodeString(req.ClientState)
	if err != nil {
		writeJSONe2e(w, http.StatusUnprocessableEntity, map[string]any{"errors": []map[string]string{{"detail": "client_state must be base64"}}})
		return
	}
	ctx := context.WithoutCancel(r.Context()) // the request is finished even if its client is gone
	f.mu.Lock()
	d := time.Duration(f.rng.Int64N(int64(f.slow) + 1))
	f.mu.Unlock()
	time.Sleep(d)
	f.mu.Lock()
	if f.rng.Float64() < f.before {
		f.failedB++
		f.mu.Unlock()
		writeJSONe2e(w, http.StatusInternalServerError, map[string]any{"errors": []map[string]string{{"detail": "internal error"}}})
		return
	}
	rec, err := f.sim.Send(ctx, gateway.Fax{To: req.To, PDF: []byte("%PDF-1.4"), Pages: 1, Key: string(key)})
	if err != nil {
		f.mu.Unlock()
		writeJSONe2e(w, http.StatusInternalServerError, map[string]any{"errors": []map[string]string{{"detail": err.Error()}}})
		return
	}
	fx := telnyxFax{ID: rec.ID, To: req.To, Status: "queued", ClientState: req.ClientState, CreatedAt: time.Now().UTC().Format(time.RFC3339)}
	f.faxes = append(f.faxes, fx)
	failAfter := f.rng.Float64() < f.after
	if failAfter {
		f.failedA++
	}
	f.mu.Unlock()
	if failAfter {
		writeJSONe2e(w, http.StatusInternalServerError, map[string]any{"errors": []map[string]string{{"detail": "internal error"}}})
		return
	}
	writeJSONe2e(w, http.StatusAccepted, map[string]any{"data": fx})
}

// list is GET /faxes, newest first, page[number] and page[size].
func (f *telnyxFake) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page[number]"))
	size, _ := strconv.Atoi(q.Get("page[size]"))
	page, size = max(page, 1), min(max(size, 1), 250)
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []telnyxFax
	for i := len(f.faxes) - 1 - (page-1)*size; i >= 0 && len(out) < size; i-- {
		out = append(out, f.now(f.faxes[i]))
	}
	writeJSONe2e(w, http.StatusOK, map[string]any{"data": out, "meta": map[string]int{"page_number": page, "page_size": size, "total_pages": (len(f.faxes) + size - 1) / size}})
}

// now is fx with its status as the network has it. Called with mu held.
func (f *telnyxFake) now(fx telnyxFax) telnyxFax {
	st, err := f.sim.Status(context.Background(), fx.ID)
	if err != nil {
		return fx
	}
	switch st.State {
	case gateway.Delivered:
		fx.Status = "delivered"
	case gateway.Failed:
		fx.Status, fx.FailureReason = "failed", map[gateway.Reason]string{gateway.ReasonBusy: "user_busy", gateway.ReasonNoAnswer: "receiver_no_answer"}[st.Reason]
		if fx.FailureReason == "" {
			fx.FailureReason = "receiver_call_dropped"
		}
	default:
		fx.Status = "sending"
	}
	return fx
}

func writeJSONe2e(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

// The kill-and-restart-at-once test through a vendor that does not
// deduplicate by key (Telnyx's contract): an attempt whose answer was lost
// is never posted again before its request can no longer arrive
// (--request-timeout + the driver's 30 s margin); until then its line
// waits. Each signer is faxed exactly once by the fake's own record.
func TestKilledAndRestartedAtOnceThroughAVendorThatDoesNotDedupeFaxesEachSignerOnce(t *testing.T) {
	t.Parallel()
	const signers, kills = 30, 10
	sd := seed(t)
	rng := rand.New(rand.NewPCG(sd, sd^0x7e1))
	w := newWorkspace(t)
	camp, c := w.writeCampaign(map[string]any{"quiet_hours": nil, "per_number_per_hour": 100000})
	list := people(signers)
	want := keys(c.ID, list)
	w.writeSigners("signers.csv", list)

	sim := linesim.New(linesim.Config{Duration: 30 * time.Millisecond, Seed: sd, RealNetwork: true})
	fake := &telnyxFake{sim: sim, slow: 600 * time.Millisecond, before: 0.10, after: 0.05, rng: rand.New(rand.NewPCG(sd, 0x7e1))}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	r := &relay{sim: sim, h: linesim.Handler(sim)} // h: no POST reaches it, so it counts no repeats
	p := startPetition(t, c, w.path("petition.db"))
	// A rehearsal to one number: Telnyx dials for real, and the campaign's
	// numbers are fictitious. Nothing leaves loopback.
	gw := "telnyx://e2e-telnyx-key@conn-1?from=%2B12025550100&endpoint=" + srv.URL
	args := []string{"--campaign", camp, "send", "--signers", "signers.csv", "--redirect", "+12025550100",
		"--gateway", gw, "--petition", p.url, "--journal", "journal.db",
		"--yes", "--json", "--poll", "20ms", "--request-timeout", "1s"}

	start := time.Now()
	waits := killAtRandom(t, w, rng, kills, sim, func(ev event) bool {
		return ev.Type == "waiting" && strings.Contains(ev.Message, "interrupted attempt")
	}, args...)
	faxed, _ := checkOnce(t, w, camp, c, want, r, p, w.path("journal.db"))
	checkReceipts(t, w, camp, r, w.path("journal.db"))
	received := 0
	for _, n := range sim.Received() {
		received += n
	}
	t.Logf("%d signers, %d kills: the fake received %d faxes (%d signers faxed once); %d creates failed before taking, %d after; %d waits for an interrupted attempt; %s in all",
		signers, kills, received, faxed, fake.failedB, fake.failedA, waits, time.Since(start).Round(time.Millisecond))
	if received != signers {
		t.Errorf("the fake received %d faxes for %d signers", received, signers)
	}
}
