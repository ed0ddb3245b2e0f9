package linesim

import (
	"context"
	"fmt"
	"sync"

	"github.com/faxjam/faxjam/pkg/petition"
)

// Petition is a petition endpoint in memory: it keeps one signature per
// key, as faxjam's own server does, and counts every call per key.
type Petition struct {
	mu    sync.Mutex
	sigs  map[string]petition.Signature
	calls map[string]int
	err   error
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

// Sign records s once per key.
func (p *Petition) Sign(ctx context.Context, s petition.Signature) (petition.Receipt, error) {
	if err := ctx.Err(); err != nil {
		return petition.Receipt{}, &petition.Error{Driver: "linesim", Op: "sign", Retryable: true, Err: err}
	}
	if s.Key == "" {
		return petition.Receipt{}, &petition.Error{Driver: "linesim", Op: "sign", HTTPStatus: 400, Message: "key is required"}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
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
