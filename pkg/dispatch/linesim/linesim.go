// Package linesim is a fax network in memory, for testing and benchmarking
// the dispatcher: each number is a line that takes one call at a time for a
// fixed duration and answers busy while occupied; lines can be switched off
// (no answer, not a fax) and back on; gateway faults (429 with Retry-After,
// 500, connection resets, timeouts after the fax was taken) are injected at a
// rate, deterministically from a seed. It counts every fax a line received
// per idempotency key, so tests can assert that each signer arrived exactly
// once. It also holds a fake petition endpoint.
//
// It implements gateway.Gateway and gateway.Looker and is safe for
// concurrent use. Relay serves it over HTTP in the webhook driver's relay
// protocol, so that a faxjam process can be pointed at it. It imports
// gateway, petition and x/time/rate only; it dials nothing.
package linesim

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"syscall"
	"time"

	"github.com/faxjam/faxjam/pkg/gateway"
)

// Mode is how a line answers.
type Mode int

const (
	On       Mode = iota // a fax machine: takes one call at a time
	NoAnswer             // rings out
	NotAFax              // a voice answers
	Invalid              // not in service
)

// Faults sets how often and how the gateway itself fails a Send or Status.
type Faults struct {
	// Rate is the fraction of calls that fail (0..1). A failed Send is, in
	// equal shares: 429 with RetryAfter, 500, a connection reset (none of
	// them took the fax) or a timeout after the fax was taken (Accepted).
	// A failed Status is a 500 or a reset.
	Rate       float64
	RetryAfter time.Duration // told with 429s; default 10ms
}

// Config sets up a simulated network.
type Config struct {
	Duration time.Duration // D: how long a fax holds the line
	Ring     time.Duration // how long a call that fails (no answer, not a fax) takes; default Duration/4
	Faults   Faults
	// Busy, NoAnswer and Slow are the shares (0..1) of calls to a line
	// that is on and free that find it busy anyway (someone else's fax),
	// ring out, or take SlowFactor times Duration: a rehearsal's lines
	// behave like real ones.
	Busy, NoAnswer, Slow float64
	Seed                 uint64
	// RealNetwork makes the simulator refuse fictitious numbers, as the
	// drivers that dial for real do.
	RealNetwork bool
	Now         func() time.Time // default time.Now
}

// Sim is the simulated gateway and its lines.
type Sim struct {
	cfg Config
	drv gateway.Driver

	mu       sync.Mutex
	rng      *rand.Rand
	lines    map[string]*line
	jobs     map[string]*job
	byKey    map[string]*job
	received map[string]int
	auth     bool
	status   map[string]error // number → what Status answers for its faxes
	sends    int
	faults   int
}

type line struct {
	mode      Mode
	busyUntil time.Time
	received  int
}

type job struct {
	id, key, to string
	ok          bool
	reason      gateway.Reason
	end         time.Time
	submitted   time.Time
}

// New returns an empty network: every number is a line that is on.
func New(cfg Config) *Sim {
	if cfg.Ring == 0 {
		cfg.Ring = cfg.Duration / 4
	}
	if cfg.Faults.RetryAfter == 0 {
		cfg.Faults.RetryAfter = 10 * time.Millisecond
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Sim{
		cfg:      cfg,
		drv:      gateway.Driver{Scheme: "linesim", RealNetwork: cfg.RealNetwork},
		rng:      rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15)),
		lines:    map[string]*line{},
		jobs:     map[string]*job{},
		byKey:    map[string]*job{},
		received: map[string]int{},
		status:   map[string]error{},
	}
}

// Driver is the scheme the simulator reports.
const Driver = "linesim"

// SetLine switches a number's line to mode.
func (s *Sim) SetLine(number string, m Mode) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.line(number).mode = m
}

// SetAuthFailure makes every call fail as with bad credentials (or not).
func (s *Sim) SetAuthFailure(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.auth = on
}

// FailStatus makes every Status of a fax to number fail with err (nil:
// answer again), as a gateway whose status API keeps failing for some faxes
// does. The faxes themselves go on: a line still delivers them.
func (s *Sim) FailStatus(number string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err == nil {
		delete(s.status, number)
		return
	}
	s.status[number] = err
}

// Received returns how many faxes arrived per idempotency key.
func (s *Sim) Received() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.received))
	for k, n := range s.received {
		out[k] = n
	}
	return out
}

// Delivered returns the ids of the faxes a line received, per idempotency
// key: the network's own record, to hold receipts against.
func (s *Sim) Delivered() map[string][]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string][]string{}
	for _, j := range s.jobs {
		if j.ok {
			out[j.key] = append(out[j.key], j.id)
		}
	}
	return out
}

// ReceivedOn returns how many faxes arrived on number.
func (s *Sim) ReceivedOn(number string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.line(number).received
}

// Sends returns how many Send calls were made, and how many of all calls
// got an injected fault.
func (s *Sim) Sends() (sends, faults int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sends, s.faults
}

func (s *Sim) line(number string) *line {
	l := s.lines[number]
	if l == nil {
		l = &line{}
		s.lines[number] = l
	}
	return l
}

// SlowFactor is how much longer than Config.Duration a slow call takes.
const SlowFactor = 3

// draw reports true with probability p, drawing nothing when p is 0 (so
// a seed gives the same run as before these shares existed).
func (s *Sim) draw(p float64) bool {
	return p > 0 && s.rng.Float64() < p
}

// fault draws whether this call fails, and how (0..kinds-1).
func (s *Sim) fault(kinds int) (int, bool) {
	if s.cfg.Faults.Rate <= 0 || s.rng.Float64() >= s.cfg.Faults.Rate {
		return 0, false
	}
	s.faults++
	return s.rng.IntN(kinds), true
}

func (s *Sim) err(op string, r gateway.Reason, status int, msg string) *gateway.Error {
	return &gateway.Error{Driver: Driver, Op: op, Reason: r, HTTPStatus: status, Message: msg}
}

// Send places a call. A line that is on and free holds it for Duration and
// receives the fax; an occupied line answers busy; a line switched off fails
// it after Ring.
func (s *Sim) Send(ctx context.Context, fax gateway.Fax) (gateway.Receipt, error) {
	if err := ctx.Err(); err != nil {
		return gateway.Receipt{}, &gateway.Error{Driver: Driver, Op: "send", Reason: gateway.ReasonGatewayError, Err: err}
	}
	to, err := gateway.Prepare(s.drv, fax)
	if err != nil {
		return gateway.Receipt{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sends++
	if s.auth {
		return gateway.Receipt{}, s.err("send", gateway.ReasonAuth, 401, "invalid API key")
	}
	accepted := false
	if kind, ok := s.fault(4); ok {
		switch kind {
		case 0:
			e := s.err("send", gateway.ReasonRateLimited, 429, "too many requests")
			e.RetryAfter = s.cfg.Faults.RetryAfter
			return gateway.Receipt{}, e
		case 1:
			return gateway.Receipt{}, s.err("send", gateway.ReasonGatewayError, 500, "internal server error")
		case 2:
			return gateway.Receipt{}, &gateway.Error{Driver: Driver, Op: "send", Reason: gateway.ReasonGatewayError, Err: syscall.ECONNRESET}
		case 3:
			accepted = true
		}
	}
	now := s.cfg.Now()
	j := &job{id: fmt.Sprintf("sim-%d", len(s.jobs)+1), key: fax.Key, to: to, submitted: now}
	l := s.line(to)
	switch {
	case l.mode == NoAnswer:
		j.reason, j.end = gateway.ReasonNoAnswer, now.Add(s.cfg.Ring)
	case l.mode == NotAFax:
		j.reason, j.end = gateway.ReasonNotAFax, now.Add(s.cfg.Ring)
	case l.mode == Invalid:
		j.reason, j.end = gateway.ReasonInvalidNumber, now
	case now.Before(l.busyUntil):
		j.reason, j.end = gateway.ReasonBusy, now
	case s.draw(s.cfg.Busy):
		j.reason, j.end = gateway.ReasonBusy, now
	case s.draw(s.cfg.NoAnswer):
		j.reason, j.end = gateway.ReasonNoAnswer, now.Add(s.cfg.Ring)
	default:
		d := s.cfg.Duration
		if s.draw(s.cfg.Slow) {
			d *= SlowFactor
		}
		j.ok, j.end = true, now.Add(d)
		l.busyUntil = j.end
		l.received++
		s.received[fax.Key]++
	}
	s.jobs[j.id] = j
	s.byKey[fax.Key] = j
	if accepted {
		return gateway.Receipt{}, &gateway.Error{Driver: Driver, Op: "send", Reason: gateway.ReasonGatewayError,
			Accepted: true, Err: context.DeadlineExceeded, Message: "timeout waiting for the response (the fax may have been taken)"}
	}
	return s.receipt(j, now), nil
}

func (s *Sim) receipt(j *job, now time.Time) gateway.Receipt {
	return gateway.Receipt{ID: j.id, Driver: Driver, To: j.to, State: s.state(j, now).State, Submitted: j.submitted}
}

func (s *Sim) state(j *job, now time.Time) gateway.Status {
	st := gateway.Status{ID: j.id, State: gateway.Sending, Updated: now}
	switch {
	case now.Before(j.end):
	case j.ok:
		st.State, st.Pages = gateway.Delivered, 1
	default:
		st.State, st.Reason, st.Retryable, st.Message = gateway.Failed, j.reason, j.reason.Retryable(), "line: "+string(j.reason)
	}
	return st
}

// Status reports a fax by id.
func (s *Sim) Status(ctx context.Context, id string) (gateway.Status, error) {
	if err := ctx.Err(); err != nil {
		return gateway.Status{}, &gateway.Error{Driver: Driver, Op: "status", Reason: gateway.ReasonGatewayError, Err: err}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.auth {
		return gateway.Status{}, s.err("status", gateway.ReasonAuth, 401, "invalid API key")
	}
	if kind, ok := s.fault(2); ok {
		if kind == 0 {
			return gateway.Status{}, s.err("status", gateway.ReasonGatewayError, 500, "internal server error")
		}
		return gateway.Status{}, &gateway.Error{Driver: Driver, Op: "status", Reason: gateway.ReasonGatewayError, Err: syscall.ECONNRESET}
	}
	j := s.jobs[id]
	if j == nil {
		return gateway.Status{}, s.err("status", gateway.ReasonRejected, 404, "no fax "+id)
	}
	if err := s.status[j.to]; err != nil {
		return gateway.Status{}, err
	}
	return s.state(j, s.cfg.Now()), nil
}

// Lookup finds the latest fax sent with key.
func (s *Sim) Lookup(ctx context.Context, key string) (gateway.Receipt, bool, error) {
	if err := ctx.Err(); err != nil {
		return gateway.Receipt{}, false, &gateway.Error{Driver: Driver, Op: "lookup", Reason: gateway.ReasonGatewayError, Err: err}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	j := s.byKey[key]
	if j == nil {
		return gateway.Receipt{}, false, nil
	}
	return s.receipt(j, s.cfg.Now()), true, nil
}

// NoLookup hides a gateway's Lookup, for testing what the dispatcher does
// with a driver that cannot find a fax by key.
type NoLookup struct{ gateway.Gateway }
