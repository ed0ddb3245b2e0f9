package linesim

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/faxjam/faxjam/pkg/petition"
)

// Petition is a petition endpoint in memory: it keeps one signature per
// key, as faxjam's own server does, and counts every call per key. It can
// limit its callers' rate as the server does (429 with Retry-After), take
// time per call, and says how many calls it had at once.
type Petition struct {
	mu         sync.Mutex
	sigs       map[string]petition.Signature
	calls      map[string]int
	err        error
	lim        *rate.Limiter
	retryAfter time.Duration
	latency    time.Duration
	active     int
	maxActive  int
	throttled  []time.Time // when each 429 was answered
	arrivals   []time.Time // when each call arrived
}

// NewPetition returns an empty petition.
func NewPetition() *Petition {
	return &Petition{sigs: map[string]petition.Signature{}, calls: map[string]int{}}
}

// FailWith makes every Sign fail with err (nil: succeed again).
func (p *Petition) FailWith(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.err = err
}

// Limit answers calls beyond r a second (burst b) with a 429 telling
// retryAfter, as a rate-limited server does.
func (p *Petition) Limit(r rate.Limit, b int, retryAfter time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.lim, p.retryAfter = rate.NewLimiter(r, b), retryAfter
}

// SetLatency makes every call take d.
func (p *Petition) SetLatency(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.latency = d
}

// Sign records s once per key.
func (p *Petition) Sign(ctx context.Context, s petition.Signature) (petition.Receipt, error) {
	if err := ctx.Err(); err != nil {
		return petition.Receipt{}, &petition.Error{Driver: "linesim", Op: "sign", Retryable: true, Err: err}
	}
	if s.Key == "" {
		return petition.Receipt{}, &petition.Error{Driver: "linesim", Op: "sign", HTTPStatus: 400, Message: "key is required"}
	}
	p.mu.Lock()
	now := time.Now()
	p.arrivals = append(p.arrivals, now)
	if p.lim != nil && !p.lim.AllowN(now, 1) {
		p.throttled = append(p.throttled, now)
		p.mu.Unlock()
		return petition.Receipt{}, &petition.Error{Driver: "linesim", Op: "sign", Retryable: true, HTTPStatus: 429,
			RetryAfter: p.retryAfter, Message: "too many requests"}
	}
	p.active++
	p.maxActive = max(p.maxActive, p.active)
	latency := p.latency
	p.mu.Unlock()
	if latency > 0 {
		t := time.NewTimer(latency)
		select {
		case <-t.C:
		case <-ctx.Done():
		}
		t.Stop()
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.active--
	if p.err != nil {
		return petition.Receipt{}, p.err
	}
	p.calls[s.Key]++
	_, dup := p.sigs[s.Key]
	if !dup {
		p.sigs[s.Key] = s
	}
	return petition.Receipt{ID: fmt.Sprintf("sig-%s", s.Key), Duplicate: dup}, nil
}

// MaxConcurrent returns the most calls the petition had in hand at once.
func (p *Petition) MaxConcurrent() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.maxActive
}

// Throttled returns when each call answered 429 came, and when every call
// came (throttled or not), oldest first.
func (p *Petition) Throttled() (throttled, arrivals []time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]time.Time(nil), p.throttled...), append([]time.Time(nil), p.arrivals...)
}

// Signatures returns the signatures by key.
func (p *Petition) Signatures() map[string]petition.Signature {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[string]petition.Signature, len(p.sigs))
	for k, s := range p.sigs {
		out[k] = s
	}
	return out
}

// Calls returns how many times each key was signed (duplicates included).
func (p *Petition) Calls() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[string]int, len(p.calls))
	for k, n := range p.calls {
		out[k] = n
	}
	return out
}
