package sim

import (
	"context"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/gateway/gatewaytest"
)

// simFake is the simulator's "fake": the gateway the suite opened, read
// back through Received. The harness's driver hands each opened gateway to
// the fake of the same subtest (subtests run one at a time).
type simFake struct {
	t *testing.T
	g *Gateway
}

func (f *simFake) Next(o gatewaytest.Outcome) {
	if o.Kind != gatewaytest.Deliver {
		f.t.Errorf("sim cannot be scripted to answer %s: its outcomes are its lines'", o.Kind)
	}
}

func (f *simFake) Received() []gatewaytest.Received {
	var out []gatewaytest.Received
	for _, fx := range f.g.Received() {
		out = append(out, gatewaytest.Received{To: fx.To, PDF: fx.PDF, Key: fx.Key})
	}
	return out
}

func TestConformance(t *testing.T) {
	var current *simFake
	drv := Driver()
	open := drv.Open
	drv.Open = func(u *url.URL, env gateway.Env) (gateway.Gateway, error) {
		g, err := open(u, env)
		if err == nil {
			current.g = g.(*Gateway)
		}
		return g, err
	}
	gatewaytest.Run(t, gatewaytest.Harness{
		Driver: drv,
		Start: func(t *testing.T) (string, gatewaytest.Fake) {
			current = &simFake{t: t}
			return "sim://?line_time=20ms&seed=7", current
		},
		Kinds: []gatewaytest.Kind{}, // no protocol to fail: it is in this process
		Keyed: true,
	})
}

// TestLinesBehaveLikeRealOnes: one call at a time per line (a second call
// while the first holds it is busy), lines beyond `lines` and those in
// `off` ring out, and the shares of busy, no-answer and slow calls come out
// near what the URL asks, the same for the same seed.
func TestLinesBehaveLikeRealOnes(t *testing.T) {
	ctx := context.Background()
	openURL := func(raw string) *Gateway {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		g, err := Driver().Open(u, gateway.Env{})
		if err != nil {
			t.Fatalf("open %s: %v", raw, err)
		}
		return g.(*Gateway)
	}
	final := func(g *Gateway, id string) gateway.Status {
		for {
			st, err := g.Status(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if st.State.Terminal() {
				return st
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
	fax := func(to, key string) gateway.Fax {
		return gateway.Fax{To: to, PDF: []byte("%PDF-1.4"), Pages: 1, Key: key}
	}

	g := openURL("sim://?lines=2&line_time=50ms&off=%2B12025550143")
	a, _ := g.Send(ctx, fax("+12025550142", "a"))
	busy, _ := g.Send(ctx, fax("+12025550142", "b"))
	off, _ := g.Send(ctx, fax("+12025550143", "c"))
	third, _ := g.Send(ctx, fax("+12025550144", "d"))  // the second working line
	beyond, _ := g.Send(ctx, fax("+12025550145", "e")) // past lines=2
	for _, tt := range []struct {
		what   string
		id     string
		state  gateway.State
		reason gateway.Reason
	}{
		{"first call", a.ID, gateway.Delivered, ""},
		{"second call while the line is held", busy.ID, gateway.Failed, gateway.ReasonBusy},
		{"a line in off", off.ID, gateway.Failed, gateway.ReasonNoAnswer},
		{"the second working line", third.ID, gateway.Delivered, ""},
		{"a number past lines=2", beyond.ID, gateway.Failed, gateway.ReasonNoAnswer},
	} {
		if st := final(g, tt.id); st.State != tt.state || st.Reason != tt.reason {
			t.Errorf("%s: %s %s, want %s %s", tt.what, st.State, st.Reason, tt.state, tt.reason)
		}
	}

	// Shares: 400 calls, each to a fresh number (so occupancy plays no part).
	count := func(seed int) map[string]int {
		g := openURL(fmt.Sprintf("sim://?line_time=1ms&busy=0.2&no_answer=0.1&seed=%d", seed))
		n := map[string]int{}
		for i := range 400 {
			rc, err := g.Send(ctx, fax(fmt.Sprintf("+1202555%04d", i), fmt.Sprint(i)))
			if err != nil {
				t.Fatal(err)
			}
			st := final(g, rc.ID)
			n[string(st.State)+" "+string(st.Reason)]++
		}
		return n
	}
	n := count(1)
	busyN, noAnswerN := n["failed busy"], n["failed no-answer"]
	// 0.2 of 400 is 80; no answer is drawn from the calls not busy: 0.1 of 320 is 32.
	if busyN < 55 || busyN > 105 || noAnswerN < 15 || noAnswerN > 50 || n["delivered "] != 400-busyN-noAnswerN {
		t.Errorf("400 calls at busy=0.2, no_answer=0.1: %v", n)
	}
	if again := count(1); fmt.Sprint(again) != fmt.Sprint(n) {
		t.Errorf("the same seed gave %v, then %v", n, again)
	}
	t.Logf("400 calls: %d busy, %d no answer, %d delivered", busyN, noAnswerN, n["delivered "])

	for _, bad := range []string{"sim://?busy=2", "sim://?line_time=soon", "sim://?lines=0", "sim://?off=12", "sim://host", "sim://?colour=red"} {
		u, _ := url.Parse(bad)
		if _, err := Driver().Open(u, gateway.Env{}); err == nil {
			t.Errorf("%s opened; want an error naming the option", bad)
		}
	}
}
