package petitiontest

import (
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/faxjam/faxjam/pkg/petition"
)

// Answer writes the protocol-level answer of kinds Unauthorized,
// RateLimited (Retry-After: 7), ServerError, Hang and Malformed, which every
// HTTP fake gives the same way, and reports whether it did. For Accept and
// Reject it writes nothing: those answers are in the vendor's own shape.
func Answer(w http.ResponseWriter, r *http.Request, k Kind) bool {
	switch k {
	case Unauthorized:
		http.Error(w, `{"error":"API Key invalid or not present"}`, http.StatusUnauthorized)
	case RateLimited:
		w.Header().Set("Retry-After", "7")
		http.Error(w, `{"error":"too many requests"}`, http.StatusTooManyRequests)
	case ServerError:
		http.Error(w, `{"error":"internal error"}`, http.StatusInternalServerError)
	case Hang:
		// The server notices the client leave only once the body is read.
		io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-time.After(time.Minute):
		}
	case Malformed:
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<html><body>Welcome to nginx!</body></html>"))
	default:
		return false
	}
	return true
}

// Recorder is a fake's memory of signatures, one per key; it is safe for
// concurrent use and implements Endpoint.
type Recorder struct {
	mu   sync.Mutex
	ids  map[string]string
	sigs []petition.Signature
}

// Add stores s unless its key is known, and returns its id and whether it
// was a duplicate.
func (r *Recorder) Add(s petition.Signature) (id string, duplicate bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if id, ok := r.ids[s.Key]; ok {
		return id, true
	}
	if r.ids == nil {
		r.ids = map[string]string{}
	}
	id = fmt.Sprintf("sig-%d", len(r.sigs)+1)
	r.ids[s.Key] = id
	r.sigs = append(r.sigs, s)
	return id, false
}

// Received implements Endpoint.
func (r *Recorder) Received() []petition.Signature {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]petition.Signature(nil), r.sigs...)
}
