package dispatch

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/dispatch/linesim"
	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/journal"
	"github.com/faxjam/faxjam/pkg/letter"
)

// downGateway is the simulated network behind a gateway that refuses every
// connection while down is set: nothing listens at its address.
type downGateway struct {
	*linesim.Sim
	down  atomic.Bool
	calls atomic.Int64 // calls refused
}

func (g *downGateway) refused(op string) error {
	g.calls.Add(1)
	return &gateway.Error{Driver: linesim.Driver, Op: op, Reason: gateway.ReasonGatewayError,
		Err: &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}}
}

func (g *downGateway) Send(ctx context.Context, fax gateway.Fax) (gateway.Receipt, error) {
	if g.down.Load() {
		return gateway.Receipt{}, g.refused("send")
	}
	return g.Sim.Send(ctx, fax)
}

func (g *downGateway) Lookup(ctx context.Context, key string) (gateway.Receipt, bool, error) {
	if g.down.Load() {
		return gateway.Receipt{}, false, g.refused("lookup")
	}
	return g.Sim.Lookup(ctx, key)
}

func (g *downGateway) Status(ctx context.Context, id string) (gateway.Status, error) {
	if g.down.Load() {
		return gateway.Status{}, g.refused("status")
	}
	return g.Sim.Status(ctx, id)
}

// TestGatewayOutage: a gateway that refuses every connection is waited
// out while the outage is shorter than GatewayTimeout, however many
// retries that takes (everyone is faxed once when it is back); past it,
// everyone goes to the petition once, with the reason, and nobody is
// faxed; without a petition endpoint the run stops with ErrGatewayDown
// naming the gateway, everyone still queued.
func TestGatewayOutage(t *testing.T) {
	tests := []struct {
		name     string
		downFor  time.Duration // 0: for good
		petition bool
	}{
		{name: "shorter than the timeout", downFor: 300 * time.Millisecond, petition: true},
		{name: "longer, to the petition", petition: true},
		{name: "longer, no petition"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, linesim.Config{Duration: time.Millisecond}, numA, numB)
			gw := &downGateway{Sim: h.sim}
			gw.down.Store(true)
			if tt.downFor > 0 {
				time.AfterFunc(tt.downFor, func() { gw.down.Store(false) })
			}
			cfg := h.config()
			cfg.Gateway = gw
			cfg.GatewayName = "linesim://***@gw"
			cfg.Backoff = Backoff{Base: 5 * time.Millisecond, Max: 20 * time.Millisecond, Retries: 3}
			cfg.GatewayTimeout = 2 * time.Second
			if tt.downFor == 0 {
				cfg.GatewayTimeout = 250 * time.Millisecond
			}
			if !tt.petition {
				cfg.Petition = nil
			}
			ss := signerList(12)
			start := time.Now()
			sum, err := h.run(t.Context(), cfg, ss)
			took := time.Since(start)
			faxes, sigs := h.faxesPerSigner(), h.pet.Signatures()
			switch {
			case tt.downFor > 0:
				if err != nil {
					t.Fatalf("run: %v", err)
				}
				if gw.calls.Load() <= int64(cfg.Backoff.Retries) {
					t.Errorf("%d calls refused: the outage was not longer than the retries", gw.calls.Load())
				}
				if len(faxes) != len(ss) || len(sigs) != 0 {
					t.Errorf("%d signers faxed, %d petitioned; want all %d faxed", len(faxes), len(sigs), len(ss))
				}
				h.assertEachOnce(ss)
			case tt.petition:
				if err != nil {
					t.Fatalf("run: %v", err)
				}
				if len(faxes) != 0 || len(sigs) != len(ss) {
					t.Errorf("%d signers faxed, %d petitioned; want all %d petitioned", len(faxes), len(sigs), len(ss))
				}
				h.assertEachOnce(ss)
				if sum.Counts[journal.Petitioned] != len(ss) {
					t.Errorf("counts = %v, want all %d petitioned", sum.Counts, len(ss))
				}
				for _, s := range ss {
					sub, err := h.j.Submission(t.Context(), h.c.ID, letter.SignerKey(h.c.ID, s))
					if err != nil {
						t.Fatal(err)
					}
					if sub.Reason != "gateway-down" || !strings.Contains(sub.Message, "linesim://***@gw took no call for 250ms") {
						t.Errorf("%s: reason %q, message %q; want gateway-down naming the gateway", s.Name, sub.Reason, sub.Message)
					}
				}
				for _, ev := range h.eventsOf(EventPetitioned) {
					if !strings.Contains(ev.Message, "the name went to the petition") {
						t.Errorf("petitioned event says %q, want why", ev.Message)
					}
				}
			default:
				if !errors.Is(err, ErrGatewayDown) {
					t.Fatalf("run: %v, want ErrGatewayDown", err)
				}
				for _, want := range []string{"linesim://***@gw has taken no call for 250ms", "connection refused", "faxjam gateway check", "--petition"} {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error %q does not say %q", err, want)
					}
				}
				if len(faxes) != 0 || sum.Counts[journal.Queued] != len(ss) {
					t.Errorf("%d faxed, counts %v; want none faxed, all %d queued", len(faxes), sum.Counts, len(ss))
				}
			}
			if tt.downFor == 0 && took > cfg.GatewayTimeout+2*time.Second {
				t.Errorf("the run took %s with a gateway timeout of %s", took, cfg.GatewayTimeout)
			}
		})
	}
}

// TestGatewayAnswerEndsTheStreak: a gateway that refuses one call in two
// never has an outage, although it fails for longer than GatewayTimeout in
// all.
func TestGatewayAnswerEndsTheStreak(t *testing.T) {
	h := newHarness(t, linesim.Config{Duration: 20 * time.Millisecond}, numA)
	gw := &flakyGateway{downGateway: downGateway{Sim: h.sim}}
	cfg := h.config()
	cfg.Gateway = gw
	cfg.Backoff = Backoff{Base: 20 * time.Millisecond, Max: 30 * time.Millisecond, Retries: 1}
	cfg.GatewayTimeout = 60 * time.Millisecond
	ss := signerList(10)
	start := time.Now()
	if _, err := h.run(t.Context(), cfg, ss); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < 3*cfg.GatewayTimeout {
		t.Fatalf("the run took %s: too short to show a streak ending", took)
	}
	if faxes, sigs := h.faxesPerSigner(), h.pet.Signatures(); len(faxes) != len(ss) || len(sigs) != 0 {
		t.Errorf("%d faxed, %d petitioned; want all %d faxed", len(faxes), len(sigs), len(ss))
	}
	h.assertEachOnce(ss)
}

// flakyGateway refuses every other send.
type flakyGateway struct {
	downGateway
	n atomic.Int64
}

func (g *flakyGateway) Send(ctx context.Context, fax gateway.Fax) (gateway.Receipt, error) {
	if g.n.Add(1)%2 == 1 {
		return gateway.Receipt{}, g.refused("send")
	}
	return g.Sim.Send(ctx, fax)
}

// TestServeStopsWhenTheGatewayIsDown: a hub's dispatcher (Serve) runs for
// days, so an outage there does not send every later action to the
// petition: it stops with ErrGatewayDown, the work still queued.
func TestServeStopsWhenTheGatewayIsDown(t *testing.T) {
	h := newHarness(t, linesim.Config{Duration: time.Millisecond}, numA)
	gw := &downGateway{Sim: h.sim}
	gw.down.Store(true)
	cfg := h.config()
	cfg.Gateway = gw
	cfg.GatewayTimeout = 100 * time.Millisecond
	ss := signerList(3)
	subs := make([]journal.Submission, len(ss))
	for i, s := range ss {
		subs[i] = journal.Submission{Campaign: h.c.ID, Key: letter.SignerKey(h.c.ID, s), Name: s.Name, City: s.City, Country: s.Country}
	}
	if _, _, err := h.j.Enqueue(t.Context(), subs); err != nil {
		t.Fatal(err)
	}
	e, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := e.Serve(t.Context(), make(chan struct{}, 1))
	if !errors.Is(err, ErrGatewayDown) || strings.Contains(err.Error(), "--petition") {
		t.Fatalf("Serve: %v, want ErrGatewayDown (and no advice to configure a petition)", err)
	}
	if len(h.pet.Signatures()) != 0 || sum.Counts[journal.Queued] != len(ss) {
		t.Errorf("%d petitioned, counts %v; want all %d still queued", len(h.pet.Signatures()), sum.Counts, len(ss))
	}
}
