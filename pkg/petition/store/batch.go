package store

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// maxBatch bounds how many Adds share one SQLite transaction.
const maxBatch = 128

// batcher is SQLite's group commit: one goroutine owns the writer
// connection and commits every Add waiting in one transaction, so N
// concurrent signatures cost one WAL fsync instead of N. Each Add still
// returns only after its transaction committed.
type batcher struct {
	s    *db
	reqs chan *addReq
	quit chan struct{}
	done sync.WaitGroup
	once sync.Once
}

type addReq struct {
	ctx  context.Context
	sig  Signature
	resp chan addResp
}

type addResp struct {
	sig Signature
	dup bool
	err error
}

func newBatcher(s *db) *batcher {
	b := &batcher{s: s, reqs: make(chan *addReq), quit: make(chan struct{})}
	b.done.Add(1)
	go b.run()
	return b
}

func (b *batcher) add(ctx context.Context, sig Signature) (Signature, bool, error) {
	r := &addReq{ctx: ctx, sig: sig, resp: make(chan addResp, 1)}
	select {
	case b.reqs <- r:
	case <-ctx.Done():
		return Signature{}, false, fmt.Errorf("store: add to %s: %w", sig.Campaign, ctx.Err())
	case <-b.quit:
		return Signature{}, false, fmt.Errorf("store: add to %s: store closed", sig.Campaign)
	}
	// Once taken, the request is answered whatever happens to ctx: the
	// caller must learn whether its signature was committed.
	res := <-r.resp
	return res.sig, res.dup, res.err
}

func (b *batcher) run() {
	defer b.done.Done()
	for {
		var batch []*addReq
		select {
		case r := <-b.reqs:
			batch = append(batch, r)
		case <-b.quit:
			return
		}
	more:
		for len(batch) < maxBatch {
			select {
			case r := <-b.reqs:
				batch = append(batch, r)
			default:
				break more
			}
		}
		b.commit(batch)
	}
}

// commit runs a batch in one transaction. A failing statement or commit
// fails every Add of the batch: none of them is stored.
func (b *batcher) commit(batch []*addReq) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out := make([]addResp, len(batch))
	fail := func(err error) {
		for _, r := range batch {
			r.resp <- addResp{err: fmt.Errorf("store: add to %s: %w", r.sig.Campaign, err)}
		}
	}
	tx, err := b.s.w.BeginTx(ctx, nil)
	if err != nil {
		fail(err)
		return
	}
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			out[i].err = fmt.Errorf("store: add to %s: %w", r.sig.Campaign, err)
			continue
		}
		sig, dup, err := b.s.addOne(ctx, tx, r.sig)
		if err != nil {
			tx.Rollback()
			fail(err)
			return
		}
		out[i] = addResp{sig: sig, dup: dup}
	}
	if err := tx.Commit(); err != nil {
		fail(err)
		return
	}
	for i, r := range batch {
		r.resp <- out[i]
	}
}

func (b *batcher) close() {
	b.once.Do(func() { close(b.quit) })
	b.done.Wait()
}
