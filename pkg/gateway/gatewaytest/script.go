package gatewaytest

import (
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"sync"
)

// Script is the state every contract fake shares: the scripted outcomes,
// what was received, and each accepted fax's life. Fakes embed it and do the
// vendor-specific wire work themselves.
type Script struct {
	mu       sync.Mutex
	next     []Outcome
	received []Received
	faxes    map[string]*Job
	keys     map[string]string
	seq      int
}

// Job is one fax a fake accepted.
type Job struct {
	ID      string
	Outcome Outcome
	Polls   int
	Key     string
	seq     int
}

// Done reports the job's phase at this poll: the first poll after Send
// sees it in progress, later ones its end.
func (j *Job) Done() bool { return j.Polls > 1 }

// Next implements Fake.
func (s *Script) Next(o Outcome) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next = append(s.next, o)
}

// Received implements Fake.
func (s *Script) Received() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.received...)
}

// Take returns the outcome for the request at hand (Deliver when none was
// scripted).
func (s *Script) Take() Outcome {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.next) == 0 {
		return Outcome{Kind: Deliver}
	}
	o := s.next[0]
	s.next = s.next[1:]
	return o
}

// Accept records a received fax and creates its job with a fresh id
// (prefix + sequence number).
func (s *Script) Accept(prefix string, r Received, o Outcome) *Job {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.faxes == nil {
		s.faxes = map[string]*Job{}
		s.keys = map[string]string{}
	}
	s.seq++
	j := &Job{ID: prefix + strconv.Itoa(s.seq), Outcome: o, Key: r.Key, seq: s.seq}
	s.faxes[j.ID] = j
	if r.Key != "" {
		s.keys[r.Key] = j.ID
	}
	s.received = append(s.received, r)
	return j
}

// Poll counts a status request for id and returns a copy of the job.
func (s *Script) Poll(id string) (Job, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j, ok := s.faxes[id]
	if !ok {
		return Job{}, false
	}
	j.Polls++
	return *j, true
}

// ByKey finds a job by idempotency key.
func (s *Script) ByKey(key string) (Job, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.keys[key]
	if !ok {
		return Job{}, false
	}
	return *s.faxes[id], true
}

// Jobs lists every job, in the order they were accepted.
func (s *Script) Jobs() []Job {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Job, 0, len(s.faxes))
	for _, j := range s.faxes {
		out = append(out, *j)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].seq < out[b].seq })
	return out
}

// HTTPProtocol answers the protocol-level outcomes the way most HTTP APIs
// do: 401 with a JSON message, 429 with Retry-After, 500, a hang until the
// client gives up, or malformedBody with 200. It returns false for Deliver
// and Fail, which the fake answers itself.
func HTTPProtocol(w http.ResponseWriter, r *http.Request, o Outcome, malformedBody string) bool {
	return HTTPProtocolAs(w, r, o, malformedBody, func(w http.ResponseWriter, status int) {
		switch status {
		case http.StatusUnauthorized:
			http.Error(w, `{"message":"invalid credentials"}`, status)
		case http.StatusTooManyRequests:
			http.Error(w, `{"message":"too many requests"}`, status)
		default:
			http.Error(w, `{"message":"internal error"}`, status)
		}
	})
}

// HTTPProtocolAs is HTTPProtocol for a vendor with its own error shape:
// writeError answers 401, 429 (Retry-After already set) and 500 the way
// the vendor does.
func HTTPProtocolAs(w http.ResponseWriter, r *http.Request, o Outcome, malformedBody string, writeError func(w http.ResponseWriter, status int)) bool {
	switch o.Kind {
	case Unauthorized:
		writeError(w, http.StatusUnauthorized)
	case RateLimited:
		w.Header().Set("Retry-After", fmt.Sprint(int(o.RetryAfter.Seconds())))
		writeError(w, http.StatusTooManyRequests)
	case ServerError:
		writeError(w, http.StatusInternalServerError)
	case Hang:
		// net/http cancels the request's context only once the body is
		// read: drain it, or the handler (and the server's Close) waits forever.
		io.Copy(io.Discard, r.Body)
		<-r.Context().Done()
	case Malformed:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		fmt.Fprint(w, malformedBody)
	default:
		return false
	}
	return true
}
