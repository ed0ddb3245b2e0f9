package dispatch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"syscall"
	"time"

	"github.com/faxjam/faxjam/pkg/gateway"
)

// ErrGatewayDown marks the error of a run stopped because the gateway took
// no call for GatewayTimeout and there is no petition endpoint to take the
// names instead.
var ErrGatewayDown = errors.New("gateway down")

// outage tells a gateway that is down from lines that are down. Every
// gateway call that fails transiently without the gateway having taken a
// fax (connection refused, timeouts and 5xx before the fax was taken,
// 429s, lookups that fail) extends the run's current streak; any answer of
// the gateway ends it. A streak longer than GatewayTimeout is an outage:
// it trips once, and for the rest of the run no fax is sent — the signers
// still queued go to the petition, or the run stops without one.
type outage struct {
	mu      sync.Mutex
	since   time.Time // the first failure of the streak; zero: none
	tripped bool
	down    chan struct{} // closed when tripped: wakes the calls backing off
}

func newOutage() *outage { return &outage{down: make(chan struct{})} }

// failed records a transient failure and returns how long the streak has
// lasted.
func (o *outage) failed() time.Duration {
	o.mu.Lock()
	defer o.mu.Unlock()
	now := time.Now()
	if o.since.IsZero() {
		o.since = now
	}
	return now.Sub(o.since)
}

// answered records an answer of the gateway: the streak ends (an outage
// that tripped stays tripped for the run).
func (o *outage) answered() {
	o.mu.Lock()
	o.since = time.Time{}
	o.mu.Unlock()
}

// failingFor is how long the current streak has lasted; 0: none.
func (o *outage) failingFor() time.Duration {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.since.IsZero() {
		return 0
	}
	return time.Since(o.since)
}

// trip marks the outage; first reports the call that did.
func (o *outage) trip() (first bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.tripped {
		return false
	}
	o.tripped = true
	close(o.down)
	return true
}

func (o *outage) isDown() bool {
	select {
	case <-o.down:
		return true
	default:
		return false
	}
}

// pause waits d, until ctx ends (false) or until the outage trips.
func (o *outage) pause(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-o.down:
	case <-ctx.Done():
		return false
	}
	return true
}

// unreached reports an error of a call that never reached the gateway: no
// connection was made (refused, no route, no such host), so nothing was
// sent and the gateway cannot have taken the fax.
func unreached(ge *gateway.Error) bool {
	var dns *net.DNSError
	var op *net.OpError
	return errors.Is(ge, syscall.ECONNREFUSED) || errors.As(ge, &dns) || errors.As(ge, &op) && op.Op == "dial"
}

// gatewayDown is said when the outage has lasted GatewayTimeout (last is
// the last failure): the first caller trips it and, without a petition
// endpoint, stops the run with ErrGatewayDown.
func (r *run) gatewayDown(last error) {
	if !r.out.trip() {
		return
	}
	if !r.petitionsWhenDown() {
		alt := "; or configure a petition endpoint (--petition) to take the names while it is down"
		if r.cfg.NoFallback || r.serving {
			alt = ""
		}
		r.stop(fmt.Errorf("dispatch: %w: the gateway %s has taken no call for %s (last: %v); the faxes stay queued: check that it runs and that its URL is right (faxjam gateway check --gateway URL), then run the same command again%s",
			ErrGatewayDown, r.cfg.GatewayName, r.cfg.GatewayTimeout, last, alt))
	}
	r.poke()
}

// petitionsWhenDown says whether the outage sends the signers to the
// petition: when there is one, and the run is not Serve's (a hub's
// dispatcher runs for days: one outage must not send every later action to
// the petition; it stops with ErrGatewayDown, and the hub starts it again
// after a pause, the work still queued).
func (r *run) petitionsWhenDown() bool { return r.cfg.Petition != nil && !r.serving }

// downMessage is the reason recorded with a signature the outage sent to
// the petition.
func (r *run) downMessage() string {
	return fmt.Sprintf("the gateway %s took no call for %s: the name went to the petition instead", r.cfg.GatewayName, r.cfg.GatewayTimeout)
}

// errOutage marks a lookup given up because the gateway is down.
var errOutage = errors.New("the gateway is down")

// outageOver records a transient failure ge of a call the gateway did not
// take, and reports whether the outage has lasted GatewayTimeout (or
// another call found so): then the gateway is down (gatewayDown).
func (r *run) outageOver(ge error) bool {
	if r.out.failed() >= r.cfg.GatewayTimeout || r.out.isDown() {
		r.gatewayDown(ge)
		return true
	}
	return false
}
