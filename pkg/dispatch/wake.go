package dispatch

import "sync"

// A gateway that pushes status (a Telnyx or Phaxio webhook, received by
// the hub) says a fax ended as it ends; polling every Poll would leave its
// line idle until the next poll (3 s by default, against faxes of a minute
// but also against a hub's whole throughput). Wake lets the receiver of
// such a push cut the wait: the run asks the gateway for that fax's status
// at once. The push is only a hint, never the record: the status comes
// from the gateway's own answer, as with a poll, so a forged push that got
// through could at most cost one status call. Polling stays the fallback
// for a push lost on the way.

// wakers holds, per vendor id being tracked, the channel its tracker waits
// on.
type wakers struct {
	mu sync.Mutex
	m  map[string]chan struct{}
	// early are pushes for faxes not tracked yet: a vendor may push the
	// end of a short fax before the run has recorded its send and begun
	// to track it. The tracker that comes later finds it here. Bounded:
	// the oldest is dropped past maxEarly (polling covers it).
	early []string
}

const maxEarly = 1024

// watch registers the tracker of id; the returned func unregisters it.
func (w *wakers) watch(id string) (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	w.mu.Lock()
	if w.m == nil {
		w.m = map[string]chan struct{}{}
	}
	w.m[id] = ch
	for i, e := range w.early {
		if e == id {
			w.early = append(w.early[:i], w.early[i+1:]...)
			ch <- struct{}{}
			break
		}
	}
	w.mu.Unlock()
	return ch, func() {
		w.mu.Lock()
		if w.m[id] == ch {
			delete(w.m, id)
		}
		w.mu.Unlock()
	}
}

// Wake asks the run tracking the fax with the gateway's id to ask for its
// status now. It reports whether a run was tracking it; if none was (the
// push came before the run began tracking the fax, or it already ended,
// or another process dispatches), the push is kept for a tracker that
// comes later.
func (e *Engine) Wake(vendorID string) bool {
	e.wake.mu.Lock()
	ch, ok := e.wake.m[vendorID]
	if !ok {
		e.wake.early = append(e.wake.early, vendorID)
		if len(e.wake.early) > maxEarly {
			e.wake.early = e.wake.early[1:]
		}
	}
	e.wake.mu.Unlock()
	if ok {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
	return ok
}
