package dispatch

import (
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/faxjam/faxjam/pkg/dispatch/linesim"
	"github.com/faxjam/faxjam/pkg/journal"
	"github.com/faxjam/faxjam/pkg/letter"
	"github.com/faxjam/faxjam/pkg/petition"
)

// deadLines is a harness whose every number is switched off, so every
// signer goes to the petition.
func deadLines(t *testing.T) *harness {
	h := newHarness(t, linesim.Config{Duration: time.Millisecond}, numA, numB)
	h.sim.SetLine(numA, linesim.NotAFax)
	h.sim.SetLine(numB, linesim.NotAFax)
	return h
}

func TestPetitionCallsAreCapped(t *testing.T) {
	tests := []struct {
		name     string
		parallel int
		want     int
	}{
		{name: "default 4", want: 4},
		{name: "one at a time", parallel: 1, want: 1},
		{name: "6", parallel: 6, want: 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := deadLines(t)
			// Long enough that calls overlap even when composing is slow
			// (the whole suite under -race on 2 cores): with 5 ms the cap
			// was sometimes never reached (2 at once, want 4).
			h.pet.SetLatency(30 * time.Millisecond)
			cfg := h.config()
			cfg.Parallel = 16 // many signers ready at once
			cfg.PetitionParallel = tt.parallel
			ss := signerList(60)
			sum, err := h.run(t.Context(), cfg, ss)
			if err != nil {
				t.Fatal(err)
			}
			h.assertEachOnce(ss)
			if sum.Counts[journal.Petitioned] != len(ss) {
				t.Errorf("counts = %v, want all %d petitioned", sum.Counts, len(ss))
			}
			if got := h.pet.MaxConcurrent(); got != tt.want {
				t.Errorf("%d petition calls at once, want %d", got, tt.want)
			}
		})
	}
}

// TestPetitionTooManyRequestsHoldsEveryone: an endpoint that allows 100
// calls a second (burst 10) and answers 429 with Retry-After beyond. The
// Retry-After one call hears holds every call, and calls are paced after,
// so few 429s come and no call arrives inside a hold it could know of.
func TestPetitionTooManyRequestsHoldsEveryone(t *testing.T) {
	const retryAfter = 50 * time.Millisecond
	h := deadLines(t)
	h.pet.Limit(100, 10, retryAfter)
	cfg := h.config()
	cfg.Parallel = 16
	cfg.PetitionParallel = 8
	ss := signerList(150)
	start := time.Now()
	sum, err := h.run(t.Context(), cfg, ss)
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	h.assertEachOnce(ss)
	if sum.Counts[journal.Petitioned] != len(ss) {
		t.Errorf("counts = %v, want all %d petitioned", sum.Counts, len(ss))
	}
	throttled, arrivals := h.pet.Throttled()
	// The endpoint's first 429 is inevitable (nothing tells its limit
	// before), and the calls then in flight (up to PetitionParallel) hear
	// one each; after that the pace should keep the 429s rare.
	if len(throttled) == 0 || len(throttled) > 3*cfg.PetitionParallel {
		t.Errorf("%d calls answered 429 (of %d calls), want some but at most %d", len(throttled), len(arrivals), 3*cfg.PetitionParallel)
	}
	// A call that arrives inside the hold of a 429 answered before it
	// started ignored the Retry-After. Calls in flight at the 429 may
	// arrive just after it: allow those a millisecond.
	early := 0
	for _, t429 := range throttled {
		for _, a := range arrivals {
			if a.After(t429.Add(time.Millisecond)) && a.Before(t429.Add(retryAfter-time.Millisecond)) {
				early++
			}
		}
	}
	if early > 0 {
		t.Errorf("%d calls arrived within Retry-After (%s) of a 429", early, retryAfter)
	}
	// 150 calls at 100/s (burst 10) need ~1.4 s; paced at 90 % of the rate
	// it took, about 1.6 s, plus the holds.
	t.Logf("%d calls, %d answered 429, in %s", len(arrivals), len(throttled), took.Round(time.Millisecond))
	if took > 5*time.Second {
		t.Errorf("150 signatures took %s: paced far below the endpoint's 100/s", took)
	}
}

func TestPetitionFailingTransiently(t *testing.T) {
	unavailable := &petition.Error{Driver: "linesim", Op: "sign", Retryable: true, HTTPStatus: 503, Message: "service unavailable"}
	tests := []struct {
		name     string
		failures int           // retry events before the endpoint recovers (0: never)
		timeout  time.Duration // PetitionTimeout
		wantErr  bool
	}{
		{name: "a streak longer than the retries is waited out", failures: 12, timeout: time.Minute},
		{name: "an endpoint that never recovers stops the run after the timeout", timeout: 150 * time.Millisecond, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := deadLines(t)
			h.pet.FailWith(unavailable)
			var mu sync.Mutex
			retries := 0
			h.onEv = func(ev Event) {
				mu.Lock()
				defer mu.Unlock()
				if ev.Type == EventRetry && ev.Number == "" {
					if retries++; retries == tt.failures {
						h.pet.FailWith(nil)
					}
				}
			}
			cfg := h.config()
			cfg.Backoff.Retries = 3 // a gateway send gives up after 4 tries; the petition must not
			cfg.PetitionTimeout = tt.timeout
			ss := signerList(20)
			start := time.Now()
			sum, err := h.run(t.Context(), cfg, ss)
			if tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), "petition endpoint keeps failing") {
					t.Fatalf("err = %v, want the run stopped on the failing petition endpoint", err)
				}
				if time.Since(start) < tt.timeout {
					t.Errorf("the run stopped after %s, before PetitionTimeout %s", time.Since(start), tt.timeout)
				}
				if sum.Counts[journal.Queued] != len(ss) {
					t.Errorf("counts = %v, want all %d still queued", sum.Counts, len(ss))
				}
				return
			}
			if err != nil {
				t.Fatalf("a petition endpoint failing for a while stopped the run: %v", err)
			}
			h.assertEachOnce(ss)
			if sum.Counts[journal.Petitioned] != len(ss) || retries < tt.failures {
				t.Errorf("counts = %v after %d retries, want all %d petitioned after at least %d", sum.Counts, retries, len(ss), tt.failures)
			}
		})
	}
}

// TestGatePace: after a 429 the gate paces calls at what the endpoint took
// since the one before (less a margin), and never faster than before.
func TestGatePace(t *testing.T) {
	g := newGate(time.Millisecond, time.Second)
	gen, ok := g.wait(t.Context())
	if !ok {
		t.Fatal("wait refused")
	}
	if g.lim.Limit() != rate.Inf {
		t.Fatalf("pace before any 429 = %v, want none", g.lim.Limit())
	}
	g.since = time.Now().Add(-time.Second)
	for range 20 {
		g.succeeded()
	}
	hold := g.throttled(gen, 20*time.Millisecond)
	if l := g.lim.Limit(); l < 17 || l > 18.1 {
		t.Errorf("pace after 20 signatures in a second = %v, want 18 (90%%)", l)
	}
	if d := time.Until(hold); d < 15*time.Millisecond {
		t.Errorf("hold %s, want the Retry-After 20ms", d)
	}
	// A second call of the same generation only extends the hold.
	before := g.lim.Limit()
	g.throttled(gen, 40*time.Millisecond)
	if g.lim.Limit() != before {
		t.Errorf("a stale 429 moved the pace from %v to %v", before, g.lim.Limit())
	}
	if g.failingFor() <= 0 {
		t.Error("failingFor is 0 after 429s")
	}
	g.succeeded()
	if g.failingFor() != 0 {
		t.Error("failingFor is not 0 after a signature was taken")
	}
}

// TestNoNumberCanTakeIt: a submission with no number to go to and no
// petition to fall back on is told why, number by number — down until
// when, or failed for it — and a petition endpoint is suggested only where
// one could take it (not for NoFallback, such as the petition document).
func TestNoNumberCanTakeIt(t *testing.T) {
	tests := []struct {
		name         string
		down         bool // the numbers are held down by the breaker (else: not a fax)
		noFallback   bool
		wantType     EventType
		wantState    journal.State
		wantPetition bool // the message suggests a petition endpoint
	}{
		{name: "numbers down, no petition configured", down: true, wantType: EventWaiting, wantState: journal.Queued, wantPetition: true},
		{name: "numbers down, must go by fax", down: true, noFallback: true, wantType: EventWaiting, wantState: journal.Queued},
		{name: "numbers failed for it, no petition configured", wantType: EventWaiting, wantState: journal.Queued, wantPetition: true},
		{name: "numbers failed for it, must go by fax", noFallback: true, wantType: EventGaveUp, wantState: journal.GaveUp},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, linesim.Config{Duration: time.Millisecond}, numA, numB)
			if tt.down {
				// A bulk send that found every line ringing out: the
				// breaker holds both numbers down for an hour.
				h.sim.SetLine(numA, linesim.NoAnswer)
				h.sim.SetLine(numB, linesim.NoAnswer)
				if _, err := h.run(t.Context(), h.config(), signerList(10)); err != nil {
					t.Fatal(err)
				}
				if len(h.eventsOf(EventNumberDown)) != 2 {
					t.Fatalf("number-down events %+v, want both numbers down", h.eventsOf(EventNumberDown))
				}
			} else {
				h.sim.SetLine(numA, linesim.NotAFax)
				h.sim.SetLine(numB, linesim.NotAFax)
			}
			h.mu.Lock()
			h.events = nil
			h.mu.Unlock()
			cfg := h.config()
			cfg.Petition, cfg.NoFallback = nil, tt.noFallback
			doc := letter.Signer{Name: "Petition with 10 signatures", City: "faxjam", Country: "petition"}
			sum, err := h.run(t.Context(), cfg, []letter.Signer{doc})
			if err != nil {
				t.Fatal(err)
			}
			evs := h.eventsOf(tt.wantType)
			if len(evs) != 1 {
				t.Fatalf("%s events %+v, want one", tt.wantType, h.events)
			}
			ev := evs[0]
			for _, n := range []string{numA, numB} {
				if !strings.Contains(ev.Message, n) {
					t.Errorf("message %q does not name %s", ev.Message, n)
				}
			}
			if tt.down {
				nums, _ := h.j.Numbers(t.Context(), h.c.ID)
				var first time.Time
				for _, n := range nums {
					if first.IsZero() || n.DownUntil.Before(first) {
						first = n.DownUntil
					}
				}
				if !ev.Until.Equal(first) || first.IsZero() || !strings.Contains(ev.Message, ": down until "+first.Format(time.RFC3339)) {
					t.Errorf("event %+v: want Until and the message at the first number's return, %s", ev, first)
				}
			} else {
				if !ev.Until.IsZero() || !strings.Contains(ev.Message, "not-a-fax") {
					t.Errorf("event %+v: want no Until and the numbers' reason (not-a-fax)", ev)
				}
			}
			if got := strings.Contains(ev.Message, "petition endpoint"); got != tt.wantPetition {
				t.Errorf("message %q mentions a petition endpoint: %v, want %v", ev.Message, got, tt.wantPetition)
			}
			s, err := h.j.Submission(t.Context(), h.c.ID, letter.SignerKey(h.c.ID, doc))
			if err != nil {
				t.Fatal(err)
			}
			if s.State != tt.wantState || s.Message != ev.Message || sum.Run[tt.wantState] != 1 {
				t.Errorf("submission %+v, run %v; want %s with the event's message", s, sum.Run, tt.wantState)
			}
		})
	}
}

func TestNoFallbackRefusesAPetition(t *testing.T) {
	h := newHarness(t, linesim.Config{Duration: time.Millisecond}, numA)
	cfg := h.config()
	cfg.NoFallback = true
	if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), "NoFallback") {
		t.Errorf("New with NoFallback and a petition: %v, want an error", err)
	}
}
