package dispatch

import "context"

// Serve reconciles interrupted attempts and dispatches the campaign's
// queued work as Resume does, and then keeps going: it does not return when
// the queue is empty but waits for notify, and each receive reads the
// journal's queue again for work enqueued meanwhile (by the campaign hub,
// which queues each action it accepts and then notifies). A send on notify
// should not block: give a channel with a buffer of one and send with
// select/default, so notifications coalesce.
//
// It returns when ctx is cancelled (calls in flight finish, bounded by
// SendGrace, so their outcomes are recorded), when the campaign has ended,
// or with the error that stopped dispatching, as Run does. Work not done
// stays queued in the journal for the next Serve.
func (e *Engine) Serve(ctx context.Context, notify <-chan struct{}) (Summary, error) {
	if notify == nil {
		notify = make(chan struct{}) // never: only the queue as it is, and then waiting
	}
	return e.run(ctx, nil, notify)
}
