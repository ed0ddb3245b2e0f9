package dispatch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/campaign"
	"github.com/faxjam/faxjam/pkg/dispatch/linesim"
	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/journal"
	"github.com/faxjam/faxjam/pkg/letter"
)

// Fictitious North American numbers (555-01XX): never a real line.
const (
	numA = "+12025550142"
	numB = "+12025550143"
	numC = "+12025550144"
)

func testCampaign(numbers ...string) *campaign.Campaign {
	c := &campaign.Campaign{ID: "test-campaign", Target: campaign.Target{Timezone: "America/Guatemala"},
		Limits: campaign.Limits{CallsPerNumber: 1, MaxAttemptsPerNumber: 1}}
	for _, n := range numbers {
		c.Target.Fax = append(c.Target.Fax, campaign.FaxNumber{Number: n, Fictitious: true})
	}
	return c
}

func cheapCompose(_ context.Context, s letter.Signer) (Document, error) {
	if strings.Contains(s.Name, "UNPRINTABLE") {
		return Document{}, fmt.Errorf("name %q: the font has no glyph for it", s.Name)
	}
	pdf := []byte("%PDF-1.4 letter from " + s.Name)
	sum := sha256.Sum256(pdf)
	return Document{PDF: pdf, Pages: 1, SHA256: hex.EncodeToString(sum[:])}, nil
}

func signerList(n int) []letter.Signer {
	out := make([]letter.Signer, n)
	for i := range out {
		out[i] = letter.Signer{Name: fmt.Sprintf("Signer %d", i), City: "Quetzaltenango", Country: "Guatemala"}
	}
	return out
}

func seq(ss []letter.Signer) iter.Seq2[letter.Signer, error] {
	return func(yield func(letter.Signer, error) bool) {
		for _, s := range ss {
			if !yield(s, nil) {
				return
			}
		}
	}
}

// harness is a campaign, a simulated network, a petition and a journal
// file, with the events a run emitted.
type harness struct {
	t      *testing.T
	c      *campaign.Campaign
	sim    *linesim.Sim
	pet    *linesim.Petition
	j      *journal.Journal
	mu     sync.Mutex
	events []Event
	onEv   func(Event)
}

func newHarness(t *testing.T, sc linesim.Config, numbers ...string) *harness {
	t.Helper()
	j, err := journal.Open(filepath.Join(t.TempDir(), "journal.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	return &harness{t: t, c: testCampaign(numbers...), sim: linesim.New(sc), pet: linesim.NewPetition(), j: j}
}

func (h *harness) config() Config {
	return Config{
		Campaign: h.c, Gateway: h.sim, Driver: linesim.Driver, Petition: h.pet, Journal: h.j, Compose: cheapCompose,
		Poll:    2 * time.Millisecond,
		Backoff: Backoff{Base: time.Millisecond, Max: 5 * time.Millisecond, Retries: 30},
		Breaker: Breaker{Failures: 3, Cooldown: time.Hour},
		// A request lost in a crash may arrive for 30 ms.
		RequestTimeout: 20 * time.Millisecond, LateMargin: 10 * time.Millisecond,
		Events: func(ev Event) {
			h.mu.Lock()
			h.events = append(h.events, ev)
			f := h.onEv
			h.mu.Unlock()
			if f != nil {
				f(ev)
			}
		},
	}
}

func (h *harness) run(ctx context.Context, cfg Config, ss []letter.Signer) (Summary, error) {
	h.t.Helper()
	e, err := New(cfg)
	if err != nil {
		h.t.Fatal(err)
	}
	return e.Run(ctx, seq(ss))
}

func (h *harness) eventsOf(t EventType) []Event {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []Event
	for _, ev := range h.events {
		if ev.Type == t {
			out = append(out, ev)
		}
	}
	return out
}

// faxesPerSigner counts the faxes each signer's letter arrived as.
func (h *harness) faxesPerSigner() map[string]int {
	out := map[string]int{}
	for k, n := range h.sim.Received() {
		out[SignerOf(k)] += n
	}
	return out
}

// assertEachOnce checks that every signer arrived exactly once: by fax, or
// on the petition, never both, never twice, none lost.
func (h *harness) assertEachOnce(ss []letter.Signer) {
	h.t.Helper()
	faxes, sigs := h.faxesPerSigner(), h.pet.Signatures()
	for _, s := range ss {
		k := letter.SignerKey(h.c.ID, s)
		n := faxes[k]
		if _, ok := sigs[k]; ok {
			n++
		}
		if n != 1 {
			h.t.Errorf("signer %s (%s): %d faxes + petition %v; want exactly one of them", s.Name, k, faxes[k], sigs[k].Key != "")
		}
	}
	if len(faxes) > len(ss) {
		h.t.Errorf("%d signers received, only %d sent", len(faxes), len(ss))
	}
}

func TestDeliversEverySignerOnceSpreadOverNumbers(t *testing.T) {
	h := newHarness(t, linesim.Config{Duration: 5 * time.Millisecond}, numA, numB, numC)
	ss := signerList(30)
	sum, err := h.run(t.Context(), h.config(), ss)
	if err != nil {
		t.Fatal(err)
	}
	h.assertEachOnce(ss)
	if sum.Run[journal.Delivered] != 30 || sum.Counts[journal.Delivered] != 30 || !sum.Done() {
		t.Errorf("summary = %+v, want 30 delivered and done", sum)
	}
	for _, n := range []string{numA, numB, numC} {
		if got := h.sim.ReceivedOn(n); got < 3 {
			t.Errorf("%s received %d of 30 faxes: numbers are not shared", n, got)
		}
	}
	if len(h.eventsOf(EventSummary)) != 1 {
		t.Error("no summary event")
	}
}

func TestFailsOverToNextNumber(t *testing.T) {
	h := newHarness(t, linesim.Config{Duration: 2 * time.Millisecond}, numA, numB)
	h.sim.SetLine(numA, linesim.NotAFax)
	ss := signerList(12)
	if _, err := h.run(t.Context(), h.config(), ss); err != nil {
		t.Fatal(err)
	}
	h.assertEachOnce(ss)
	if got := h.sim.ReceivedOn(numB); got != 12 {
		t.Errorf("%s received %d, want all 12", numB, got)
	}
	failed := h.eventsOf(EventFailed)
	if len(failed) == 0 || failed[0].Number != numA || failed[0].Reason != gateway.ReasonNotAFax {
		t.Fatalf("failed events = %+v, want not-a-fax on %s", failed, numA)
	}
	s, err := h.j.Submission(t.Context(), h.c.ID, failed[0].Key)
	if err != nil {
		t.Fatal(err)
	}
	as, err := h.j.Attempts(t.Context(), s.ID)
	if err != nil || len(as) != 2 || as[0].Number != numA || as[0].State != journal.AttemptFailed || as[1].Number != numB || as[1].State != journal.AttemptDelivered {
		t.Errorf("attempts of %s = %+v, %v; want failed on A then delivered on B", s.Name, as, err)
	}
}

func TestCircuitBreakerTakesFailingNumberDown(t *testing.T) {
	h := newHarness(t, linesim.Config{Duration: 2 * time.Millisecond}, numA, numB)
	h.sim.SetLine(numA, linesim.NoAnswer)
	ss := signerList(20)
	if _, err := h.run(t.Context(), h.config(), ss); err != nil {
		t.Fatal(err)
	}
	h.assertEachOnce(ss)
	onA := 0
	for _, ev := range h.eventsOf(EventFailed) {
		if ev.Number == numA {
			onA++
		}
	}
	if onA != 3 {
		t.Errorf("%d failed attempts on %s, want 3: the breaker opens after 3 line failures", onA, numA)
	}
	down := h.eventsOf(EventNumberDown)
	if len(down) != 1 || down[0].Number != numA || down[0].Until.Before(time.Now().Add(50*time.Minute)) {
		t.Errorf("number-down events = %+v, want one for %s an hour long", down, numA)
	}
	nums, _ := h.j.Numbers(t.Context(), h.c.ID)
	for _, n := range nums {
		if n.Number == numA && !n.Down(time.Now()) {
			t.Errorf("journal health of %s = %+v, want down", numA, n)
		}
	}
}

func TestAllNumbersOff(t *testing.T) {
	tests := []struct {
		name       string
		petition   bool
		wantState  journal.State
		wantSigned int
	}{
		{name: "go to the petition", petition: true, wantState: journal.Petitioned, wantSigned: 10},
		{name: "stay queued without a petition", petition: false, wantState: journal.Queued},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, linesim.Config{Duration: 2 * time.Millisecond}, numA, numB)
			h.sim.SetLine(numA, linesim.NotAFax)
			h.sim.SetLine(numB, linesim.NoAnswer)
			cfg := h.config()
			if !tt.petition {
				cfg.Petition = nil
			}
			ss := signerList(10)
			sum, err := h.run(t.Context(), cfg, ss)
			if err != nil {
				t.Fatal(err)
			}
			if sum.Counts[tt.wantState] != 10 {
				t.Errorf("counts = %v, want 10 %s", sum.Counts, tt.wantState)
			}
			if got := len(h.pet.Signatures()); got != tt.wantSigned {
				t.Errorf("%d petition signatures, want %d", got, tt.wantSigned)
			}
			for k, n := range h.pet.Calls() {
				if n != 1 {
					t.Errorf("signer %s signed %d times", k, n)
				}
			}
			if len(h.sim.Received()) != 0 {
				t.Errorf("faxes received on dead lines: %v", h.sim.Received())
			}
			if !tt.petition {
				s, _ := h.j.Submission(t.Context(), h.c.ID, letter.SignerKey(h.c.ID, ss[0]))
				if s.Reason != "no-petition" || !strings.Contains(s.Message, "petition") {
					t.Errorf("queued submission = %+v, want it to say no petition is configured", s)
				}
			}
		})
	}
}

func TestNumberComesBackAfterCooldown(t *testing.T) {
	h := newHarness(t, linesim.Config{Duration: 10 * time.Millisecond}, numA, numB)
	h.sim.SetLine(numA, linesim.NoAnswer)
	h.onEv = func(ev Event) {
		if ev.Type == EventNumberDown {
			h.sim.SetLine(numA, linesim.On) // switched back on during the cool-down
		}
	}
	cfg := h.config()
	cfg.Breaker.Cooldown = 100 * time.Millisecond
	ss := signerList(60) // 60 × 10ms on B alone would be 600ms
	if _, err := h.run(t.Context(), cfg, ss); err != nil {
		t.Fatal(err)
	}
	h.assertEachOnce(ss)
	if len(h.eventsOf(EventNumberDown)) != 1 {
		t.Fatalf("number-down events: %+v", h.eventsOf(EventNumberDown))
	}
	if got := h.sim.ReceivedOn(numA); got == 0 {
		t.Errorf("%s received nothing after it came back", numA)
	}
}

// clock is a settable fake time.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

func TestQuietHoursWait(t *testing.T) {
	gt, err := time.LoadLocation("America/Guatemala")
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, linesim.Config{Duration: time.Millisecond}, numA)
	h.c.Limits.QuietHours = "20:00-08:00"
	clk := &clock{t: time.Date(2026, 11, 27, 22, 0, 0, 0, gt)}
	var sendsWhileQuiet int
	h.onEv = func(ev Event) {
		if ev.Type == EventWaiting && strings.Contains(ev.Message, "quiet hours") {
			sendsWhileQuiet, _ = h.sim.Sends()
			clk.Set(time.Date(2026, 11, 28, 8, 1, 0, 0, gt))
		}
	}
	cfg := h.config()
	cfg.Now = clk.Now
	ss := signerList(5)
	sum, err := h.run(t.Context(), cfg, ss)
	if err != nil {
		t.Fatal(err)
	}
	waits := h.eventsOf(EventWaiting)
	if len(waits) != 1 || !waits[0].Until.Equal(time.Date(2026, 11, 28, 8, 0, 0, 0, gt)) {
		t.Fatalf("waiting events = %+v, want one until 08:00 in Guatemala", waits)
	}
	if sendsWhileQuiet != 0 {
		t.Errorf("%d faxes dialled during quiet hours", sendsWhileQuiet)
	}
	if sum.Run[journal.Delivered] != 5 {
		t.Errorf("after quiet hours: %v, want 5 delivered", sum.Run)
	}
}

func TestWaitExpiresLeavingWorkQueued(t *testing.T) {
	h := newHarness(t, linesim.Config{Duration: time.Millisecond}, numA)
	h.c.Limits.QuietHours = "00:00-23:59"
	cfg := h.config()
	gt, _ := time.LoadLocation("America/Guatemala")
	cfg.Now = func() time.Time { return time.Date(2026, 11, 27, 12, 0, 0, 0, gt) }
	cfg.Wait = 50 * time.Millisecond
	sum, err := h.run(t.Context(), cfg, signerList(4))
	if err != nil {
		t.Fatal(err)
	}
	if sum.Counts[journal.Queued] != 4 || sum.Done() {
		t.Errorf("counts = %v, want 4 still queued", sum.Counts)
	}
	if s, _ := h.sim.Sends(); s != 0 {
		t.Errorf("%d sends during quiet hours", s)
	}
}

func TestCampaignEndedDialsNothing(t *testing.T) {
	h := newHarness(t, linesim.Config{Duration: time.Millisecond}, numA)
	h.c.Ends = "2012-02-29"
	sum, err := h.run(t.Context(), h.config(), signerList(3))
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := h.sim.Sends(); s != 0 {
		t.Errorf("%d sends after the campaign ended", s)
	}
	w := h.eventsOf(EventWaiting)
	if len(w) != 1 || !strings.Contains(w[0].Message, "ended") {
		t.Errorf("waiting events = %+v, want one saying the campaign ended", w)
	}
	if sum.Counts[journal.Queued] != 3 {
		t.Errorf("counts = %v, want 3 queued", sum.Counts)
	}
}

func TestRunStops(t *testing.T) {
	tests := []struct {
		name  string
		setup func(h *harness)
		check func(t *testing.T, err error)
	}{
		{
			name:  "on bad credentials",
			setup: func(h *harness) { h.sim.SetAuthFailure(true) },
			check: func(t *testing.T, err error) {
				ge, ok := gateway.AsError(err)
				if !ok || ge.Reason != gateway.ReasonAuth || !strings.Contains(err.Error(), "credentials") {
					t.Errorf("err = %v, want the gateway's auth error", err)
				}
			},
		},
		{
			name:  "on a fictitious number given to a real gateway",
			setup: func(h *harness) { h.sim = linesim.New(linesim.Config{Duration: time.Millisecond, RealNetwork: true}) },
			check: func(t *testing.T, err error) {
				ge, ok := gateway.AsError(err)
				if !errors.Is(err, ErrConfig) || !ok || ge.Reason != gateway.ReasonFictitious || !strings.Contains(err.Error(), "fictitious") {
					t.Errorf("err = %v, want a configuration error about the fictitious number", err)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, linesim.Config{Duration: time.Millisecond}, numA, numB)
			tt.setup(h)
			sum, err := h.run(t.Context(), h.config(), signerList(20))
			if err == nil {
				t.Fatal("Run succeeded, want it to stop with an error")
			}
			tt.check(t, err)
			if len(h.sim.Received()) != 0 {
				t.Errorf("faxes received: %v", h.sim.Received())
			}
			if sum.Counts[journal.Queued] != 20 {
				t.Errorf("counts = %v, want every signer still queued", sum.Counts)
			}
			if p, _ := h.j.Pending(t.Context(), h.c.ID); len(p) != 0 {
				t.Errorf("attempts left without outcome: %+v", p)
			}
		})
	}
}

func TestFaultsEverySignerExactlyOnce(t *testing.T) {
	h := newHarness(t, linesim.Config{Duration: 2 * time.Millisecond, Seed: 7,
		Faults: linesim.Faults{Rate: 0.3, RetryAfter: 2 * time.Millisecond}}, numA, numB, numC)
	h.c.Limits.MaxAttemptsPerNumber = 2
	ss := signerList(200)
	sum, err := h.run(t.Context(), h.config(), ss)
	if err != nil {
		t.Fatal(err)
	}
	h.assertEachOnce(ss)
	if got := sum.Counts[journal.Delivered] + sum.Counts[journal.Petitioned]; got != 200 {
		t.Errorf("counts = %v, want all 200 delivered or petitioned", sum.Counts)
	}
	if _, faults := h.sim.Sends(); faults < 30 {
		t.Errorf("only %d faults injected: the test does not test faults", faults)
	}
	if len(h.eventsOf(EventRetry)) == 0 {
		t.Error("no retry events")
	}
}

// TestFaultsWithoutLookupNeverSendTwice: when the gateway may have taken a
// fax and cannot look it up, the signer is unknown, never resent.
func TestFaultsWithoutLookupNeverSendTwice(t *testing.T) {
	h := newHarness(t, linesim.Config{Duration: time.Millisecond, Seed: 3,
		Faults: linesim.Faults{Rate: 0.3, RetryAfter: time.Millisecond}}, numA, numB, numC)
	cfg := h.config()
	cfg.Gateway = linesim.NoLookup{Gateway: h.sim}
	ss := signerList(100)
	sum, err := h.run(t.Context(), cfg, ss)
	if err != nil {
		t.Fatal(err)
	}
	for k, n := range h.faxesPerSigner() {
		if n > 1 {
			t.Errorf("signer %s received %d times", k, n)
		}
	}
	if sum.Counts[journal.Unknown] == 0 || len(h.eventsOf(EventUnknown)) != sum.Counts[journal.Unknown] {
		t.Errorf("counts = %v, %d unknown events; want some unknown, each reported", sum.Counts, len(h.eventsOf(EventUnknown)))
	}
	if got := sum.Counts[journal.Delivered] + sum.Counts[journal.Unknown] + sum.Counts[journal.Petitioned]; got != 100 {
		t.Errorf("counts = %v, want all 100 delivered, petitioned or unknown", sum.Counts)
	}
}

// TestCrashAndResume stops runs at random instants and runs again, as an
// organizer whose `send` is interrupted re-runs it: each signer must arrive
// exactly once in the end. The instant is drawn as a number of events (so
// the test interrupts as often under -race as without) plus a random timer.
func TestCrashAndResume(t *testing.T) {
	h := newHarness(t, linesim.Config{Duration: time.Millisecond, Seed: 11,
		Faults: linesim.Faults{Rate: 0.1, RetryAfter: time.Millisecond}}, numA, numB, numC)
	ss := signerList(500)
	rng := rand.New(rand.NewPCG(1, 2))
	var sum Summary
	runs, interrupted := 0, 0
	for ; runs < 300; runs++ {
		ctx, cancel := context.WithTimeout(t.Context(), time.Duration(50+rng.IntN(500))*time.Millisecond)
		var mu sync.Mutex
		left := 1 + rng.IntN(60)
		h.mu.Lock()
		h.onEv = func(ev Event) {
			mu.Lock()
			defer mu.Unlock()
			if ev.Type != EventSummary && ev.Type != EventQueued && ev.Type != EventAlready {
				if left--; left == 0 {
					cancel()
				}
			}
		}
		h.mu.Unlock()
		var err error
		sum, err = h.run(ctx, h.config(), ss)
		cancel()
		if err != nil && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
			t.Fatalf("run %d: %v", runs, err)
		}
		if err != nil {
			interrupted++
		}
		if testing.Verbose() {
			t.Logf("run %d: %v in %v: %v", runs, err, sum.Duration, sum.Counts)
		}
		if err == nil && sum.Done() {
			break
		}
	}
	if !sum.Done() {
		t.Fatalf("after %d runs: %v", runs, sum.Counts)
	}
	t.Logf("%d runs, %d interrupted", runs+1, interrupted)
	if interrupted < 3 {
		t.Errorf("%d runs interrupted: the test did not test interruption", interrupted)
	}
	h.assertEachOnce(ss)
	if sum.Counts[journal.Delivered] != 500 {
		t.Errorf("counts = %v, want 500 delivered", sum.Counts)
	}
}

// TestReconcileInterruptedIntent covers the instant between the journal's
// intent and its record of the gateway's answer.
// dedupe is a gateway that treats a repeated key as the same fax, as the
// webhook protocol asks of relays.
type dedupe struct{ *linesim.Sim }

func (d dedupe) Send(ctx context.Context, fax gateway.Fax) (gateway.Receipt, error) {
	if rec, ok, _ := d.Lookup(ctx, fax.Key); ok {
		return rec, nil
	}
	return d.Sim.Send(ctx, fax)
}

func TestReconcileInterruptedIntent(t *testing.T) {
	tests := []struct {
		name       string
		sentBefore bool          // the gateway took the fax before the crash
		lateBy     time.Duration // the original request reaches the gateway this long after the restart (0: never)
		dedupe     bool
		noLookup   bool
		wantState  journal.State
		wantFaxes  int
		wantN      int // the attempt that delivered
	}{
		{name: "taken: followed, not resent", sentBefore: true, wantState: journal.Delivered, wantFaxes: 1, wantN: 1},
		{name: "not taken: sent", wantState: journal.Delivered, wantFaxes: 1, wantN: 2},
		{name: "arrives late: waited for, not sent again", lateBy: 15 * time.Millisecond, wantState: journal.Delivered, wantFaxes: 1, wantN: 1},
		{name: "dedupe, arrives late: resent as the same attempt", lateBy: 15 * time.Millisecond, dedupe: true, wantState: journal.Delivered, wantFaxes: 1, wantN: 1},
		{name: "dedupe, never arrives: resent as the same attempt", dedupe: true, wantState: journal.Delivered, wantFaxes: 1, wantN: 1},
		{name: "no lookup: unknown, not resent", sentBefore: true, noLookup: true, wantState: journal.Unknown, wantFaxes: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, linesim.Config{Duration: time.Millisecond}, numA, numB)
			ctx := t.Context()
			s := signerList(1)[0]
			key := letter.SignerKey(h.c.ID, s)
			subs := []journal.Submission{{Campaign: h.c.ID, Key: key, Name: s.Name, City: s.City, Country: s.Country}}
			if _, _, err := h.j.Enqueue(ctx, subs); err != nil {
				t.Fatal(err)
			}
			a, err := h.j.StartAttempt(ctx, journal.Attempt{SubmissionID: subs[0].ID, N: 1, Key: AttemptKey(key, numA, 1), Number: numA, Driver: linesim.Driver}, "x", 1)
			if err != nil {
				t.Fatal(err)
			}
			if tt.sentBefore {
				if _, err := h.sim.Send(ctx, gateway.Fax{To: numA, PDF: []byte("%PDF"), Key: a.Key}); err != nil {
					t.Fatal(err)
				}
			}
			cfg := h.config()
			var gw gateway.Gateway = h.sim
			if tt.dedupe {
				gw, cfg.DedupeByKey = dedupe{h.sim}, true
				// Within the deadline however loaded the machine: past it
				// "not sent" is the right verdict, and this case is about
				// the resend before it.
				cfg.LateMargin = time.Second
			}
			cfg.Gateway = gw
			if tt.noLookup {
				cfg.Gateway = linesim.NoLookup{Gateway: h.sim}
			}
			if tt.lateBy > 0 { // a slow relay finishing the killed run's POST
				// Within the deadline however slow the machine: the
				// driver's contract, which the test must not break.
				cfg.LateMargin = time.Second
				go func() {
					time.Sleep(tt.lateBy)
					gw.Send(context.WithoutCancel(ctx), gateway.Fax{To: numA, PDF: []byte("%PDF"), Key: a.Key})
				}()
			}
			e, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			sum, err := e.Resume(ctx)
			if err != nil {
				t.Fatal(err)
			}
			time.Sleep(2 * tt.lateBy) // let a late request land, if it was going to
			if sum.Counts[tt.wantState] != 1 {
				t.Errorf("counts = %v, want 1 %s", sum.Counts, tt.wantState)
			}
			if got := h.faxesPerSigner()[key]; got != tt.wantFaxes {
				t.Errorf("%d faxes arrived, want %d", got, tt.wantFaxes)
			}
			if p, _ := h.j.Pending(ctx, h.c.ID); len(p) != 0 {
				t.Errorf("still pending: %+v", p)
			}
			as, err := h.j.Attempts(ctx, subs[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, at := range as {
				switch {
				case at.State == journal.AttemptDelivered && at.N != tt.wantN:
					t.Errorf("attempt %d delivered, want attempt %d: %+v", at.N, tt.wantN, as)
				case at.State == journal.AttemptNotSent && h.sim.Received()[at.Key] > 0:
					t.Errorf("attempt %d recorded not sent, and the gateway has it", at.N)
				}
			}
		})
	}
}

func TestSendingAgainIsANoOpUnlessForced(t *testing.T) {
	h := newHarness(t, linesim.Config{Duration: time.Millisecond}, numA)
	ss := signerList(5)
	if _, err := h.run(t.Context(), h.config(), ss); err != nil {
		t.Fatal(err)
	}
	sum, err := h.run(t.Context(), h.config(), ss)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Already != 5 || len(h.eventsOf(EventAlready)) != 5 {
		t.Errorf("second run: already = %d, events %d; want 5", sum.Already, len(h.eventsOf(EventAlready)))
	}
	h.assertEachOnce(ss)
	cfg := h.config()
	cfg.Force = true
	if _, err := h.run(t.Context(), cfg, ss[:1]); err != nil {
		t.Fatal(err)
	}
	if got := h.faxesPerSigner()[letter.SignerKey(h.c.ID, ss[0])]; got != 2 {
		t.Errorf("forced signer arrived %d times, want 2", got)
	}
}

func TestHourlyCapWaits(t *testing.T) {
	h := newHarness(t, linesim.Config{Duration: time.Millisecond}, numA)
	h.c.Limits.PerNumberPerHour = 2
	cfg := h.config()
	cfg.Wait = time.Second // time for two faxes however loaded the machine: the run then waits on the cap
	sum, err := h.run(t.Context(), cfg, signerList(5))
	if err != nil {
		t.Fatal(err)
	}
	if sum.Counts[journal.Delivered] != 2 || sum.Counts[journal.Queued] != 3 {
		t.Errorf("counts = %v, want 2 delivered and 3 queued", sum.Counts)
	}
	w := h.eventsOf(EventWaiting)
	if len(w) == 0 || !strings.Contains(w[0].Message, "an hour") || w[0].Until.Before(time.Now().Add(50*time.Minute)) {
		t.Errorf("waiting events = %+v, want one about the hourly cap", w)
	}
}

func TestUnprintableLetterIsRejectedOthersSent(t *testing.T) {
	h := newHarness(t, linesim.Config{Duration: time.Millisecond}, numA)
	ss := signerList(3)
	ss[1].Name = "UNPRINTABLE"
	sum, err := h.run(t.Context(), h.config(), ss)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Rejected != 1 || sum.Run[journal.Failed] != 0 || sum.Counts[journal.Delivered] != 2 {
		t.Errorf("summary = %+v, want 1 rejected (counted once, not also failed), 2 delivered", sum)
	}
	if r := h.eventsOf(EventRejected); len(r) != 1 || !strings.Contains(r[0].Message, "glyph") || r[0].Err == nil {
		t.Errorf("rejected events = %+v", r)
	}

	// The fix (a font that has the glyph): the same list again, without
	// --force, sends the rejected signer and nobody else.
	cfg := h.config()
	cfg.Compose = func(ctx context.Context, s letter.Signer) (Document, error) {
		s.Name = strings.ReplaceAll(s.Name, "UNPRINTABLE", "printable")
		return cheapCompose(ctx, s)
	}
	sum, err = h.run(t.Context(), cfg, ss)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Run[journal.Delivered] != 1 || sum.Already != 2 || sum.Rejected != 0 {
		t.Errorf("re-run with the fix: %+v, want 1 delivered, 2 already", sum)
	}
	for _, s := range ss {
		if got := h.faxesPerSigner()[letter.SignerKey(h.c.ID, s)]; got != 1 {
			t.Errorf("%s arrived %d times, want once", s.Name, got)
		}
	}
	// What reached a line needs --force; a delivered signer is not sent
	// again by a plain run.
	if sum, err = h.run(t.Context(), h.config(), ss); err != nil || sum.Already != 3 {
		t.Errorf("third run: %+v, %v; want 3 already", sum, err)
	}
}

func TestDryRunDialsAndWritesNothing(t *testing.T) {
	var events []Event
	e, err := New(Config{Campaign: testCampaign(numA, numB), Compose: cheapCompose, DryRun: true,
		Events: func(ev Event) { events = append(events, ev) }})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := e.Run(t.Context(), seq(signerList(40)))
	if err != nil {
		t.Fatal(err)
	}
	per := map[string]int{}
	for _, ev := range events {
		if ev.Type == EventPlanned {
			per[ev.Number]++
			if ev.SHA256 == "" || ev.Pages != 1 {
				t.Errorf("planned event without its document: %+v", ev)
			}
		}
	}
	if sum.Planned != 40 || per[numA] == 0 || per[numB] == 0 {
		t.Errorf("planned %d: %v; want 40 spread over both numbers", sum.Planned, per)
	}
}

func TestRedirectSendsEverythingToOneNumber(t *testing.T) {
	h := newHarness(t, linesim.Config{Duration: time.Millisecond}, numA, numB)
	cfg := h.config()
	cfg.Redirect = "+1 202 555 0199"
	ss := signerList(4)
	if _, err := h.run(t.Context(), cfg, ss); err != nil {
		t.Fatal(err)
	}
	if got := h.sim.ReceivedOn("+12025550199"); got != 4 {
		t.Errorf("redirect number received %d, want 4", got)
	}
	h.assertEachOnce(ss)
}

// TestStatusPollsThatKeepFailing: a gateway whose status API keeps failing
// for one number's faxes. Transient failures are polled again with backoff
// (longer than Backoff.Retries allows a send) and the run goes on; a status
// that never comes is unknown after StatusTimeout, not resent; only bad
// credentials stop the run.
func TestStatusPollsThatKeepFailing(t *testing.T) {
	serverError := &gateway.Error{Driver: linesim.Driver, Op: "status", Reason: gateway.ReasonGatewayError, HTTPStatus: 500, Message: "internal server error"}
	tooMany := &gateway.Error{Driver: linesim.Driver, Op: "status", Reason: gateway.ReasonRateLimited, HTTPStatus: 429, RetryAfter: 30 * time.Millisecond}
	auth := &gateway.Error{Driver: linesim.Driver, Op: "status", Reason: gateway.ReasonAuth, HTTPStatus: 401, Message: "invalid API key"}
	tests := []struct {
		name        string
		err         error
		failures    int           // failed polls on numA before its status comes back (0: never)
		timeout     time.Duration // StatusTimeout
		wantErr     bool
		wantUnknown bool
	}{
		{name: "a 5xx streak longer than the retries is waited out", err: serverError, failures: 25, timeout: time.Minute},
		{name: "429s are waited out, at least Retry-After apart", err: tooMany, failures: 4, timeout: time.Minute},
		{name: "a status that never comes is unknown after the timeout", err: serverError, timeout: 150 * time.Millisecond, wantUnknown: true},
		{name: "bad credentials stop the run", err: auth, failures: 1, timeout: time.Minute, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, linesim.Config{Duration: 2 * time.Millisecond}, numA, numB)
			h.sim.FailStatus(numA, tt.err)
			var mu sync.Mutex
			failed := 0
			h.onEv = func(ev Event) {
				mu.Lock()
				defer mu.Unlock()
				if ev.Type == EventRetry && ev.Number == numA && ev.VendorID != "" {
					if failed++; failed == tt.failures {
						h.sim.FailStatus(numA, nil)
					}
				}
			}
			cfg := h.config()
			cfg.Backoff.Retries = 3 // a send gives up after 4 tries; a status poll must not
			cfg.StatusTimeout = tt.timeout
			ss := signerList(10)
			sum, err := h.run(t.Context(), cfg, ss)
			if tt.wantErr {
				if ge, ok := gateway.AsError(err); !ok || ge.Reason != gateway.ReasonAuth {
					t.Fatalf("err = %v, want the gateway's auth error", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("one fax's status failing stopped the run: %v", err)
			}
			for k, n := range h.faxesPerSigner() {
				if n > 1 {
					t.Errorf("signer %s received %d times", k, n)
				}
			}
			if got := sum.Counts[journal.Delivered] + sum.Counts[journal.Unknown]; got != len(ss) {
				t.Errorf("counts = %v, want all %d delivered or unknown", sum.Counts, len(ss))
			}
			if h.sim.ReceivedOn(numA) == 0 || h.sim.ReceivedOn(numB) == 0 {
				t.Errorf("received %d on A, %d on B: want both lines used", h.sim.ReceivedOn(numA), h.sim.ReceivedOn(numB))
			}
			unknown := h.eventsOf(EventUnknown)
			if !tt.wantUnknown {
				h.assertEachOnce(ss)
				if len(unknown) != 0 || sum.Counts[journal.Delivered] != len(ss) {
					t.Errorf("counts = %v, unknown events %+v; want all delivered", sum.Counts, unknown)
				}
				if failed < tt.failures {
					t.Errorf("%d retry events for status polls, want at least %d", failed, tt.failures)
				}
			} else {
				if len(unknown) == 0 || len(unknown) != sum.Counts[journal.Unknown] || len(unknown) != h.sim.ReceivedOn(numA) {
					t.Errorf("%d unknown events, counts %v, %d received on A: want each fax to A unknown, reported once", len(unknown), sum.Counts, h.sim.ReceivedOn(numA))
				}
				for _, ev := range unknown {
					if ev.Number != numA || !strings.Contains(ev.Message, "has not reported") || !strings.Contains(ev.Message, "not resent") {
						t.Errorf("unknown event %+v: want one for %s saying its status never came and it is not resent", ev, numA)
					}
				}
			}
			for _, ev := range h.eventsOf(EventRetry) {
				if ev.Reason == gateway.ReasonRateLimited && ev.Until.Sub(ev.Time) < tooMany.RetryAfter {
					t.Errorf("retry event %+v: next poll in %s, before the gateway's Retry-After %s", ev, ev.Until.Sub(ev.Time), tooMany.RetryAfter)
				}
			}
		})
	}
}

// TestOnlyLeavesOtherQueuedWorkAlone: a run restricted to some signers (as
// `petition deliver` is: its Compose makes the petition, not letters) must
// not dispatch the other queued submissions of the journal with it.
func TestOnlyLeavesOtherQueuedWorkAlone(t *testing.T) {
	h := newHarness(t, linesim.Config{Duration: time.Millisecond}, numA, numB)
	// The earlier signers are queued and not yet tried: the first run
	// meets the target's quiet hours and stops waiting.
	h.c.Limits.QuietHours = "00:00-23:59"
	cfg := h.config()
	cfg.Petition = nil
	cfg.Wait = 100 * time.Millisecond
	earlier := signerList(3)
	if _, err := h.run(t.Context(), cfg, earlier); err != nil {
		t.Fatal(err)
	}
	if n, err := h.j.Counts(t.Context(), h.c.ID); err != nil || n[journal.Queued] != 3 {
		t.Fatalf("after the first run: %v, %v; want the 3 signers queued", n, err)
	}
	h.c.Limits.QuietHours = ""
	cfg.Wait = 0
	before := h.faxesPerSigner()

	petition := letter.Signer{Name: "Petition with 3 signatures", City: "faxjam", Country: "petition"}
	cfg.Only = []string{letter.SignerKey(h.c.ID, petition)}
	cfg.Compose = func(context.Context, letter.Signer) (Document, error) {
		return Document{PDF: []byte("%PDF petition"), Pages: 1, SHA256: "p"}, nil
	}
	sum, err := h.run(t.Context(), cfg, []letter.Signer{petition})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Run[journal.Delivered] != 1 {
		t.Errorf("run summary %+v, want the petition delivered", sum.Run)
	}
	after := h.faxesPerSigner()
	if got := after[cfg.Only[0]]; got != 1 {
		t.Errorf("the petition was faxed %d times, want 1", got)
	}
	for _, s := range earlier {
		k := letter.SignerKey(h.c.ID, s)
		if after[k] != before[k] {
			t.Errorf("%s of the earlier run was faxed by the restricted run (%d faxes, had %d)", s.Name, after[k], before[k])
		}
	}
	if n, err := h.j.Counts(t.Context(), h.c.ID); err != nil || n[journal.Queued] != 3 {
		t.Errorf("after the restricted run: %v, %v; want the 3 earlier signers still queued", n, err)
	}
}

// TestQueuedWorkGoesOnlyWhereItWasQueuedFor: a rehearsal (--redirect) that
// stops with work queued must not have that work dialled to the target's
// real numbers by a later run without --redirect, nor the real campaign's
// work sent to a rehearsal number; --force takes it over for the run, and
// another rehearsal number may carry rehearsal work on.
func TestQueuedWorkGoesOnlyWhereItWasQueuedFor(t *testing.T) {
	const rehearsal, other = "+12025550199", "+12025550198"
	tests := []struct {
		name           string
		queuedFor      string // the first run's redirect, which leaves its 3 signers queued
		runFor         string // the second run's redirect
		force          bool
		resume         bool // the second run is Resume (status --follow): no signers of its own
		wantHeld       int
		wantHint       string
		wantReceivedOn string // where the second run's faxes went, if any
	}{
		{name: "rehearsal work is not sent for real", queuedFor: rehearsal, wantHeld: 3,
			wantHint: "queued in a rehearsal to " + rehearsal + ": carry on with --redirect " + rehearsal + ", or use --force to send it for real"},
		{name: "real work is not sent to a rehearsal number", runFor: rehearsal, wantHeld: 3,
			wantHint: "queued for the real campaign: carry on without --redirect, or use --force to send it to " + rehearsal + " instead"},
		{name: "another rehearsal number carries rehearsal work on", queuedFor: rehearsal, runFor: other, wantReceivedOn: other},
		{name: "the same rehearsal carries on", queuedFor: rehearsal, runFor: rehearsal, wantReceivedOn: rehearsal},
		{name: "the real campaign carries on", wantReceivedOn: "target"},
		{name: "force sends rehearsal work for real", queuedFor: rehearsal, force: true, wantReceivedOn: "target"},
		{name: "force sends real work to the rehearsal number", runFor: rehearsal, force: true, wantReceivedOn: rehearsal},
		{name: "resume holds rehearsal work", queuedFor: rehearsal, resume: true, wantHeld: 3,
			wantHint: "carry on with --redirect " + rehearsal + ", or use --force to send it for real"},
		{name: "resume with force sends rehearsal work for real", queuedFor: rehearsal, force: true, resume: true, wantReceivedOn: "target"},
		{name: "resume with another rehearsal number carries it on", queuedFor: rehearsal, runFor: other, resume: true, wantReceivedOn: other},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, linesim.Config{Duration: time.Millisecond}, numA, numB)
			h.c.Limits.QuietHours = "00:00-23:59" // the first run only queues
			cfg := h.config()
			cfg.Petition = nil
			cfg.Wait = 50 * time.Millisecond
			cfg.Redirect = tt.queuedFor
			ss := signerList(3)
			if _, err := h.run(t.Context(), cfg, ss); err != nil {
				t.Fatal(err)
			}
			if s, _ := h.sim.Sends(); s != 0 {
				t.Fatalf("the first run sent %d faxes, want it only to queue", s)
			}

			h.c.Limits.QuietHours = ""
			cfg.Wait, cfg.Redirect, cfg.Force = time.Second, tt.runFor, tt.force
			var sum Summary
			var err error
			if tt.resume {
				e, nerr := New(cfg)
				if nerr != nil {
					t.Fatal(nerr)
				}
				sum, err = e.Resume(t.Context())
			} else {
				sum, err = h.run(t.Context(), cfg, ss)
			}
			if err != nil {
				t.Fatal(err)
			}
			held := h.eventsOf(EventHeld)
			if len(held) != tt.wantHeld || sum.Held[tt.queuedFor] != tt.wantHeld {
				t.Errorf("held events %d, summary held %v; want %d held for %q", len(held), sum.Held, tt.wantHeld, tt.queuedFor)
			}
			for _, ev := range held {
				if !strings.Contains(ev.Message, tt.wantHint) || ev.Key == "" {
					t.Errorf("held event %+v, want the key and a message with %q", ev, tt.wantHint)
				}
			}
			received := map[string]int{}
			for _, n := range []string{numA, numB, rehearsal, other} {
				received[n] = h.sim.ReceivedOn(n)
			}
			target := received[numA] + received[numB]
			switch tt.wantReceivedOn {
			case "":
				if s, _ := h.sim.Sends(); s != 0 {
					t.Errorf("%d faxes sent (%v), want none: the work is held", s, received)
				}
				if sum.Counts[journal.Queued] != 3 || sum.Done() {
					t.Errorf("counts %v, want the 3 held signers still queued", sum.Counts)
				}
			case "target":
				if target != 3 || received[rehearsal] != 0 {
					t.Errorf("received %v, want 3 faxes on the target's numbers", received)
				}
			default:
				if got := received[tt.wantReceivedOn]; got != 3 || target != 0 {
					t.Errorf("received %v, want 3 faxes on %s and none on the target's", received, tt.wantReceivedOn)
				}
			}
			if tt.wantReceivedOn != "" {
				h.assertEachOnce(ss)
				for s, err := range h.j.Submissions(t.Context(), journal.Filter{Campaign: h.c.ID}) {
					if err != nil {
						t.Fatal(err)
					}
					if s.Redirect != tt.runFor {
						t.Errorf("%s recorded for redirect %q, want %q", s.Key, s.Redirect, tt.runFor)
					}
				}
			}
		})
	}
}

func TestSummaryJSONGivesDurationsInSeconds(t *testing.T) {
	tests := []struct {
		name string
		sum  Summary
		want []string
	}{
		{"durations", Summary{Duration: 1500 * time.Millisecond, LineTime: 90 * time.Second},
			[]string{`"duration_s":1.5`, `"line_time_s":90`}},
		{"zero", Summary{}, []string{`"duration_s":0`, `"line_time_s":0`}},
		{"held by redirect", Summary{Held: map[string]int{"+12025550199": 2}}, []string{`"held":{"+12025550199":2}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(Event{Type: EventSummary, Summary: &tt.sum})
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(b), w) {
					t.Errorf("summary JSON %s, want %s", b, w)
				}
			}
			if strings.Contains(string(b), `"duration":`) || strings.Contains(string(b), `"line_time":`) {
				t.Errorf("summary JSON %s still has nanosecond durations", b)
			}
		})
	}
}

// TestANumberWithNoFaxIsHeldUntilReleased: three calls in a row that find
// a number not in service hold it until the organizer looks (issue 20):
// no fourth call, no timed cool-down that would dial it again in ten
// minutes, the hold in the journal for every later run; Release lets it
// be dialled again.
func TestANumberWithNoFaxIsHeldUntilReleased(t *testing.T) {
	h := newHarness(t, linesim.Config{Duration: 2 * time.Millisecond}, numA, numB)
	h.sim.SetLine(numA, linesim.Invalid)
	ss := signerList(20)
	if _, err := h.run(t.Context(), h.config(), ss); err != nil {
		t.Fatal(err)
	}
	h.assertEachOnce(ss)
	if n := h.sim.ReceivedOn(numA); n != 0 {
		t.Errorf("%d faxes arrived on the dead number", n)
	}
	onA := 0
	for _, ev := range h.eventsOf(EventFailed) {
		if ev.Number == numA {
			onA++
		}
	}
	held := h.eventsOf(EventNumberHeld)
	if onA != 3 || len(held) != 1 || held[0].Number != numA || !strings.Contains(held[0].Message, "faxjam lines release") {
		t.Fatalf("%d calls to %s, held events %+v: want 3 calls, then held, saying how to release", onA, numA, held)
	}
	if down := h.eventsOf(EventNumberDown); len(down) != 0 {
		t.Errorf("a timed cool-down as well: %+v", down)
	}
	heldIn := func() string {
		nums, err := h.j.Numbers(t.Context(), h.c.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range nums {
			if n.Number == numA {
				return n.Held
			}
		}
		return ""
	}
	if got := heldIn(); got != "invalid-number" {
		t.Fatalf("journal hold of %s = %q, want invalid-number", numA, got)
	}
	// The next run, a day later, still does not dial it.
	h.sim.SetLine(numA, linesim.On)
	more := signerList(26)[20:]
	if _, err := h.run(t.Context(), h.config(), more); err != nil {
		t.Fatal(err)
	}
	if n := h.sim.ReceivedOn(numA); n != 0 {
		t.Errorf("a held number was dialled by the next run: %d faxes", n)
	}
	if ok, err := h.j.Release(t.Context(), h.c.ID, numA); err != nil || !ok {
		t.Fatalf("Release: %v, %v", ok, err)
	}
	if got := heldIn(); got != "" {
		t.Errorf("after Release the hold is %q", got)
	}
	if _, err := h.run(t.Context(), h.config(), signerList(40)[26:]); err != nil {
		t.Fatal(err)
	}
	if n := h.sim.ReceivedOn(numA); n == 0 {
		t.Error("a released number was not dialled again")
	}
}
