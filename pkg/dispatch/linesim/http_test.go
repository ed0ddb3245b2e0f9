package linesim_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/dispatch/linesim"
	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/gateway/gatewaytest"
	"github.com/faxjam/faxjam/pkg/gateway/webhook"
)

const number = "+12025550142"

// relay starts sim behind its HTTP front and opens the webhook driver on it,
// as a faxjam process would.
func relay(t *testing.T, sim *linesim.Sim) (gateway.Gateway, *linesim.Relay) {
	t.Helper()
	h := linesim.Handler(sim)
	srv := gatewaytest.StartHTTP(t, h)
	return gatewaytest.Open(t, webhook.Driver(), "webhook+"+srv.URL+"/fax"), h
}

func sample(key string) gateway.Fax {
	return gateway.Fax{To: number, PDF: []byte("%PDF-1.4 test\n%%EOF\n"), Pages: 1, Key: key, Campaign: "c", Sender: "Ana", Fictitious: true}
}

// waitState polls the fax until it is terminal (or fails the test after 5s).
func waitState(t *testing.T, g gateway.Gateway, id string) gateway.Status {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		st, err := g.Status(t.Context(), id)
		if err != nil {
			t.Fatalf("Status(%s): %v", id, err)
		}
		if st.State.Terminal() {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("fax %s still %s after 5s", id, st.State)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestRelaySendStatusLookupThroughTheWebhookDriver(t *testing.T) {
	sim := linesim.New(linesim.Config{Duration: 20 * time.Millisecond})
	g, h := relay(t, sim)
	if err := g.(gateway.Checker).Check(t.Context()); err != nil {
		t.Errorf("Check: %v, want the relay reachable", err)
	}

	rec, err := g.Send(t.Context(), sample("k1"))
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	if rec.ID == "" || rec.To != number {
		t.Errorf("receipt %+v: want an id and To %s", rec, number)
	}
	if st := waitState(t, g, rec.ID); st.State != gateway.Delivered || st.Pages != 1 {
		t.Errorf("status %+v, want delivered, 1 page", st)
	}

	looker := g.(gateway.Looker)
	found, ok, err := looker.Lookup(t.Context(), "k1")
	if err != nil || !ok || found.ID != rec.ID || found.State != gateway.Delivered {
		t.Errorf("Lookup(k1) = %+v, %v, %v; want %s delivered", found, ok, err, rec.ID)
	}
	if _, ok, err := looker.Lookup(t.Context(), "never-sent"); ok || err != nil {
		t.Errorf("Lookup(never-sent) = %v, %v; want not found, no error", ok, err)
	}
	if _, err := g.Status(t.Context(), "sim-999"); err == nil {
		t.Errorf("Status of an unknown fax: no error, want the relay's 404")
	}

	// The protocol's idempotency: the same key is the same fax.
	again, err := g.Send(t.Context(), sample("k1"))
	if err != nil || again.ID != rec.ID {
		t.Errorf("Send with a repeated key = %+v, %v; want the first fax %s", again, err, rec.ID)
	}
	if got := sim.Received()["k1"]; got != 1 {
		t.Errorf("line received k1 %d times, want 1", got)
	}
	if got := h.Repeats()["k1"]; got != 1 {
		t.Errorf("Repeats()[k1] = %d, want 1", got)
	}
}

func TestRelayReportsLineFailuresInFaxjamsVocabulary(t *testing.T) {
	tests := []struct {
		mode      linesim.Mode
		busy      bool // a first fax occupies the line
		want      gateway.Reason
		retryable bool
	}{
		{mode: linesim.On, busy: true, want: gateway.ReasonBusy, retryable: true},
		{mode: linesim.NoAnswer, want: gateway.ReasonNoAnswer, retryable: true},
		{mode: linesim.NotAFax, want: gateway.ReasonNotAFax},
		{mode: linesim.Invalid, want: gateway.ReasonInvalidNumber},
	}
	for _, tt := range tests {
		t.Run(string(tt.want), func(t *testing.T) {
			sim := linesim.New(linesim.Config{Duration: time.Hour, Ring: time.Millisecond})
			sim.SetLine(number, tt.mode)
			g, _ := relay(t, sim)
			if tt.busy {
				if _, err := g.Send(t.Context(), sample("first")); err != nil {
					t.Fatal(err)
				}
			}
			rec, err := g.Send(t.Context(), sample("k"))
			if err != nil {
				t.Fatalf("Send: %v", err)
			}
			st := waitState(t, g, rec.ID)
			if st.State != gateway.Failed || st.Reason != tt.want || st.Retryable != tt.retryable {
				t.Errorf("status %+v, want failed %s retryable=%v", st, tt.want, tt.retryable)
			}
		})
	}
}

// Every injected fault reaches the driver as an error it can act on, and
// the one rule that keeps a fax from going twice holds: an error the driver
// reads as "not taken" never hides a fax the line received, and a fax the
// line received is found by its key.
func TestRelayFaultsNeverHideATakenFax(t *testing.T) {
	sim := linesim.New(linesim.Config{Duration: time.Millisecond, Seed: 7,
		Faults: linesim.Faults{Rate: 1, RetryAfter: 10 * time.Millisecond}})
	g, _ := relay(t, sim)
	looker := g.(gateway.Looker)
	seen := map[string]int{}
	for i := range 60 {
		key := fmt.Sprintf("k%d", i)
		fax := sample(key)
		fax.To = fmt.Sprintf("+12025550%03d", 100+i) // a line each: none is busy
		_, err := g.Send(t.Context(), fax)
		ge, ok := gateway.AsError(err)
		if !ok {
			t.Fatalf("send %s with every call faulty: %v, want a *gateway.Error", key, err)
		}
		taken := sim.Received()[key] == 1
		_, found, lerr := looker.Lookup(t.Context(), key)
		if lerr != nil {
			t.Fatalf("Lookup(%s): %v", key, lerr)
		}
		switch {
		case taken && !ge.Accepted:
			t.Errorf("%s: the line took the fax but the driver was told it was not (%v): it would be sent twice", key, ge)
		case taken != found:
			t.Errorf("%s: taken=%v but lookup found=%v", key, taken, found)
		}
		switch {
		case ge.Reason == gateway.ReasonRateLimited:
			seen["429"]++
			if ge.HTTPStatus != 429 || ge.RetryAfter < time.Second {
				t.Errorf("%s: 429 %+v, want HTTP 429 with Retry-After ≥ 1s", key, ge)
			}
		case ge.HTTPStatus == 500:
			seen["500"]++
		case taken:
			seen["dropped after taking"]++
		case ge.Accepted:
			seen["reset"]++
		default:
			t.Errorf("%s: unexpected error %+v", key, ge)
		}
	}
	for _, kind := range []string{"429", "500", "dropped after taking", "reset"} {
		if seen[kind] == 0 {
			t.Errorf("no %q fault in 60 faulty sends (seen %v)", kind, seen)
		}
	}
	// Status faults: a 500 or a reset, both retryable.
	ok := linesim.New(linesim.Config{Duration: time.Millisecond})
	good, _ := relay(t, ok)
	rec, err := good.Send(t.Context(), sample("s"))
	if err != nil {
		t.Fatal(err)
	}
	faulty := linesim.New(linesim.Config{Faults: linesim.Faults{Rate: 1}})
	fg, _ := relay(t, faulty)
	for range 10 {
		_, err := fg.Status(t.Context(), rec.ID)
		if ge, isGE := gateway.AsError(err); !isGE || !ge.Retryable() {
			t.Errorf("Status with every call faulty: %v, want a retryable gateway error", err)
		}
	}
}

func TestRelayRefusals(t *testing.T) {
	t.Run("bad credentials are auth", func(t *testing.T) {
		sim := linesim.New(linesim.Config{})
		sim.SetAuthFailure(true)
		g, _ := relay(t, sim)
		_, err := g.Send(t.Context(), sample("k"))
		if ge, ok := gateway.AsError(err); !ok || ge.Reason != gateway.ReasonAuth {
			t.Errorf("Send with auth failing: %v, want reason auth", err)
		}
	})
	t.Run("a real network refuses fictitious numbers", func(t *testing.T) {
		sim := linesim.New(linesim.Config{RealNetwork: true})
		g, _ := relay(t, sim)
		_, err := g.Send(t.Context(), sample("k"))
		if ge, ok := gateway.AsError(err); !ok || ge.Reason != gateway.ReasonFictitious {
			t.Errorf("Send of a fictitious number: %v, want reason fictitious", err)
		}
		if n := sim.ReceivedOn(number); n != 0 {
			t.Errorf("line received %d faxes, want 0", n)
		}
	})
}

func TestRelayKeepsStateAcrossClients(t *testing.T) {
	// A second client (a restarted faxjam) finds what the first sent.
	sim := linesim.New(linesim.Config{Duration: time.Millisecond})
	h := linesim.Handler(sim)
	srv := gatewaytest.StartHTTP(t, h)
	first := gatewaytest.Open(t, webhook.Driver(), "webhook+"+srv.URL+"/fax")
	rec, err := first.Send(context.Background(), sample("k"))
	if err != nil {
		t.Fatal(err)
	}
	second := gatewaytest.Open(t, webhook.Driver(), "webhook+"+srv.URL+"/fax")
	found, ok, err := second.(gateway.Looker).Lookup(t.Context(), "k")
	if err != nil || !ok || found.ID != rec.ID {
		t.Errorf("second client's Lookup = %+v, %v, %v; want %s", found, ok, err, rec.ID)
	}
}

func TestRelayLatencyClientGoneBeforeTakingSendsNothing(t *testing.T) {
	sim := linesim.New(linesim.Config{Duration: time.Millisecond})
	h := linesim.Handler(sim)
	h.Latency = time.Second // half a second before the relay takes a fax
	srv := gatewaytest.StartHTTP(t, h)
	g := gatewaytest.Open(t, webhook.Driver(), "webhook+"+srv.URL+"/fax")

	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	_, err := g.Send(ctx, sample("gone"))
	if ge, ok := gateway.AsError(err); !ok || !ge.Accepted {
		t.Errorf("Send abandoned mid-request: %v, want an error saying the fax may have been taken", err)
	}
	srv.Close() // waits for the relay's handlers
	if n := sim.Received()["gone"]; n != 0 {
		t.Errorf("a client gone before the relay took its fax: the line received it %d times, want 0", n)
	}
}

func TestRelayLatencyDelaysTheAnswer(t *testing.T) {
	sim := linesim.New(linesim.Config{Duration: time.Millisecond})
	h := linesim.Handler(sim)
	h.Latency = 100 * time.Millisecond
	g := gatewaytest.Open(t, webhook.Driver(), "webhook+"+gatewaytest.StartHTTP(t, h).URL+"/fax")
	start := time.Now()
	if _, err := g.Send(t.Context(), sample("slow")); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < h.Latency {
		t.Errorf("answer after %s, want at least the latency %s", took, h.Latency)
	}
	if n := sim.Received()["slow"]; n != 1 {
		t.Errorf("line received the fax %d times, want 1", n)
	}
}
