// Package sim is a rehearsal gateway with lines that behave like real ones:
// it dials nothing, and each of the campaign's numbers is a simulated fax
// line (pkg/dispatch/linesim) that takes one call at a time for a line
// time, answers busy while occupied, and by the URL's shares finds a line
// busy anyway, rings out, or takes three times as long; lines beyond the
// first `lines` numbers dialled (not counting those in `off`), and the
// numbers in `off`, are switched off
// (no answer). An organizer sees failover, retries and the petition
// fallback before any real fax goes out:
//
//	sim://?lines=3&line_time=20s&busy=0.2&no_answer=0.1&seed=1
//
// The same seed gives the same run for the same order of calls. Every fax a
// line took counts as delivered, in this process only: nothing is written,
// and the network is gone when faxjam exits (Lookup finds nothing of an
// earlier run). A rehearsal is kept apart from real work: the CLI gives a
// run through sim its own journal (Driver.Rehearsal), so a rehearsal's
// "delivered" never stands in for a real fax to the target.
//
// It imports gateway, e164 and the simulator, pkg/dispatch/linesim (which
// imports gateway and petition only); it dials nothing.
package sim

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/faxjam/faxjam/pkg/dispatch/linesim"
	"github.com/faxjam/faxjam/pkg/e164"
	"github.com/faxjam/faxjam/pkg/gateway"
)

// Scheme is the sim driver's URL scheme.
const Scheme = "sim"

// MaxDocument is what the simulated gateway takes, a vendor's usual limit.
const MaxDocument = 20 << 20

// kept is how many delivered documents Received keeps, newest last: enough
// to look at, bounded for a long rehearsal.
const kept = 100

// Driver declares the sim driver.
func Driver() gateway.Driver {
	return gateway.Driver{
		Scheme:  Scheme,
		Summary: "rehearsal: simulated fax lines (busy, no answer, slow calls, lines switched off); dials nothing, writes nothing",
		Syntax:  "sim://?lines=N&line_time=20s&busy=0.2&no_answer=0.1&slow=0.1&off=+E164,...&seed=1",
		Example: "sim://?lines=3&line_time=20s&busy=0.2&no_answer=0.1&seed=1",
		// Not Offline: the lines are simulated so that the dispatcher's
		// courtesy to lines (one call per line, hourly caps, quiet hours)
		// is rehearsed as it will run.
		Rehearsal:   true,
		DedupeByKey: false,
		MaxDocument: MaxDocument,
		Options: []gateway.Option{
			{Name: "lines", Place: gateway.InQuery, Help: "how many numbers have a working line: the first N dialled; the others ring out (default: all)"},
			{Name: "line_time", Place: gateway.InQuery, Default: "20s", Help: "how long a fax holds its line (a Go duration)"},
			{Name: "busy", Place: gateway.InQuery, Default: "0", Help: "share of calls (0..1) that find a free line busy anyway"},
			{Name: "no_answer", Place: gateway.InQuery, Default: "0", Help: "share of calls (0..1) that ring out"},
			{Name: "slow", Place: gateway.InQuery, Default: "0", Help: "share of calls (0..1) that take three times line_time"},
			{Name: "off", Place: gateway.InQuery, Help: "numbers (+E164, comma-separated) whose line is switched off"},
			{Name: "dead", Place: gateway.InQuery, Help: "numbers (+E164, comma-separated) that are not in service: every call fails invalid-number"},
			{Name: "seed", Place: gateway.InQuery, Default: "1", Help: "random seed: the same seed, the same run"},
		},
		Open: open,
	}
}

// Gateway is a simulated fax network.
type Gateway struct {
	sim   *linesim.Sim
	lines int // working lines; 0: every number

	off map[string]bool // switched off by the URL

	mu       sync.Mutex
	dialled  map[string]bool // numbers dialled that are not off
	received []Fax
}

// Fax is a document a simulated line took.
type Fax struct {
	To, Key string
	PDF     []byte
}

func open(u *url.URL, env gateway.Env) (gateway.Gateway, error) {
	if u.Host != "" || (u.Path != "" && u.Path != "/") || u.Opaque != "" || u.User != nil {
		return nil, fmt.Errorf("sim: options go in the query: sim://?lines=3&line_time=20s")
	}
	v, err := Driver().Values(u)
	if err != nil {
		return nil, err
	}
	share := func(name string) (float64, error) {
		f, err := strconv.ParseFloat(v[name], 64)
		if err != nil || f < 0 || f > 1 {
			return 0, fmt.Errorf("sim: %s=%q: want a share from 0 to 1 (e.g. 0.2)", name, v[name])
		}
		return f, nil
	}
	cfg := linesim.Config{}
	if cfg.Duration, err = time.ParseDuration(v["line_time"]); err != nil || cfg.Duration <= 0 {
		return nil, fmt.Errorf("sim: line_time=%q: want a duration such as 20s", v["line_time"])
	}
	if cfg.Busy, err = share("busy"); err != nil {
		return nil, err
	}
	if cfg.NoAnswer, err = share("no_answer"); err != nil {
		return nil, err
	}
	if cfg.Slow, err = share("slow"); err != nil {
		return nil, err
	}
	if cfg.Seed, err = strconv.ParseUint(v["seed"], 10, 64); err != nil {
		return nil, fmt.Errorf("sim: seed=%q: want a whole number", v["seed"])
	}
	g := &Gateway{dialled: map[string]bool{}, off: map[string]bool{}}
	if s := v["lines"]; s != "" {
		if g.lines, err = strconv.Atoi(s); err != nil || g.lines < 1 {
			return nil, fmt.Errorf("sim: lines=%q: want a number of lines, at least 1", s)
		}
	}
	g.sim = linesim.New(cfg)
	for _, o := range []struct {
		name string
		mode linesim.Mode
	}{{"off", linesim.NoAnswer}, {"dead", linesim.Invalid}} {
		s := v[o.name]
		if s == "" {
			continue
		}
		for _, n := range strings.Split(s, ",") {
			num, err := e164.Normalize(strings.TrimSpace(n))
			if err != nil {
				return nil, fmt.Errorf("sim: %s: %q: %w", o.name, n, err)
			}
			g.sim.SetLine(num, o.mode)
			g.off[num] = true
		}
	}
	return g, nil
}

// Send places a call on the simulated network. It refuses what a vendor
// would (a number that is not E.164, an oversized document) before any
// line is touched.
func (g *Gateway) Send(ctx context.Context, fax gateway.Fax) (gateway.Receipt, error) {
	to, err := gateway.Prepare(Driver(), fax)
	if err != nil {
		return gateway.Receipt{}, err
	}
	g.mu.Lock()
	if !g.off[to] && !g.dialled[to] {
		g.dialled[to] = true
		if g.lines > 0 && len(g.dialled) > g.lines {
			g.sim.SetLine(to, linesim.NoAnswer)
		}
	}
	g.mu.Unlock()
	rc, err := g.sim.Send(ctx, fax)
	if err != nil {
		return rc, rename(err)
	}
	rc.Driver = Scheme
	g.mu.Lock()
	g.received = append(g.received, Fax{To: to, Key: fax.Key, PDF: fax.PDF})
	if len(g.received) > kept {
		g.received = append(g.received[:0], g.received[len(g.received)-kept:]...)
	}
	g.mu.Unlock()
	return rc, nil
}

// Status reports a fax by id.
func (g *Gateway) Status(ctx context.Context, id string) (gateway.Status, error) {
	st, err := g.sim.Status(ctx, id)
	return st, rename(err)
}

// Lookup finds the latest fax sent with key in this process.
func (g *Gateway) Lookup(ctx context.Context, key string) (gateway.Receipt, bool, error) {
	rc, ok, err := g.sim.Lookup(ctx, key)
	if ok {
		rc.Driver = Scheme
	}
	return rc, ok, rename(err)
}

// Received lists the last faxes the network took (at most 100), oldest
// first.
func (g *Gateway) Received() []Fax {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]Fax(nil), g.received...)
}

// rename makes the simulator's errors this driver's.
func rename(err error) error {
	if ge, ok := err.(*gateway.Error); ok {
		c := *ge
		c.Driver = Scheme
		return &c
	}
	return err
}
