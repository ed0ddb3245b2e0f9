package dispatch

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/faxjam/faxjam/pkg/journal"
	"github.com/faxjam/faxjam/pkg/petition"
)

// petition puts a signer that no number (or no gateway: outage) could take
// on the petition, once:
// the signer key is the endpoint's idempotency key, so a retried or repeated
// call after a crash is one signature. Calls go through the run's gate: at
// most PetitionParallel at once (assign sees to that), none while the
// endpoint has asked everyone to wait, paced once it has said 429. A call
// failing transiently waits and tries again; the run stops only when the
// endpoint has taken no signature for PetitionTimeout.
func (r *run) petition(jb *job) {
	defer func() {
		r.mu.Lock()
		r.inflight--
		r.petitions--
		r.mu.Unlock()
		r.poke()
	}()
	count := func(s journal.State) {
		r.mu.Lock()
		r.sum.Run[s]++
		r.mu.Unlock()
	}
	p := r.cfg.Petition
	s := jb.sub
	sig := petition.Signature{Campaign: s.Campaign, Name: s.Name, City: s.City, Country: s.Country, Email: s.Email, Note: s.Note, Key: s.Key}
	for {
		gen, ok := r.gate.wait(r.ctx)
		if !ok {
			count(journal.Queued)
			return
		}
		rec, err := p.Sign(r.ctx, sig)
		if err == nil {
			r.gate.succeeded()
			pr := journal.PetitionRecord{SubmissionID: s.ID, Campaign: s.Campaign, Key: s.Key, ID: rec.ID, Duplicate: rec.Duplicate}
			switch {
			case jb.unmade != nil:
				pr.Reason, pr.Message = "document", "its letter could not be made: "+jb.unmade.Error()
			case r.out.isDown():
				pr.Reason, pr.Message = "gateway-down", r.downMessage()
			}
			if err := r.j.Petitioned(r.wctx, pr); err != nil {
				r.stop(err)
				return
			}
			count(journal.Petitioned)
			ev := r.jobEvent(EventPetitioned, jb)
			ev.VendorID, ev.Message = rec.ID, pr.Message
			r.emit(ev)
			return
		}
		if r.ctx.Err() != nil {
			count(journal.Queued)
			return
		}
		pe, isPE := petition.AsError(err)
		switch {
		case isPE && pe.Auth:
			r.stop(fmt.Errorf("dispatch: the petition endpoint refused the credentials: %w", err))
			count(journal.Queued)
			return
		case isPE && misconfigured(pe.HTTPStatus):
			// An endpoint that is not there (a wrong URL or campaign
			// id) or forbids us says nothing about this signer: the run
			// stops naming it, and the work stays queued for a re-run
			// with the right endpoint, never given up on.
			r.stop(fmt.Errorf("dispatch: the petition endpoint answered HTTP %d; check its URL and token (the signers stay queued): %w", pe.HTTPStatus, err))
			count(journal.Queued)
			return
		case !isPE || pe.Retryable:
			var until time.Time
			if isPE && pe.HTTPStatus == 429 {
				until = r.gate.throttled(gen, pe.RetryAfter)
			} else {
				var after time.Duration
				if isPE {
					after = pe.RetryAfter
				}
				until = r.gate.failed(gen, after)
			}
			if quiet := r.gate.failingFor(); quiet >= r.cfg.PetitionTimeout {
				r.stop(fmt.Errorf("dispatch: the petition endpoint keeps failing (no signature taken for %s): %w", quiet.Round(time.Second), err))
				count(journal.Queued)
				return
			}
			ev := r.jobEvent(EventRetry, jb)
			ev.Message = err.Error()
			ev.Until = r.cfg.Now().Add(time.Until(until))
			r.emit(ev)
		default:
			msg := "the petition endpoint refused the signature: " + err.Error()
			if err := r.j.SetState(r.wctx, s.ID, journal.GaveUp, "petition", msg); err != nil {
				r.stop(err)
			}
			count(journal.GaveUp)
			ev := r.jobEvent(EventGaveUp, jb)
			ev.Message = msg
			r.emit(ev)
			return
		}
	}
}

// misconfigured reports an HTTP status that is the endpoint's setup, not
// the signature: not found, not allowed, forbidden, unauthorized, gone.
func misconfigured(status int) bool {
	switch status {
	case 401, 403, 404, 405, 410:
		return true
	}
	return false
}

// stranded is a job that no number can take now and no petition will:
// what becomes of it and why.
type stranded struct {
	state  journal.State // Queued to wait for a number; GaveUp when none will take it
	reason string
	msg    string
	until  time.Time // when the first number is back; zero when none will be
	number string    // that number
}

// strand says why no number can take jb now, number by number: down until
// when (the circuit breaker), or failed for this letter and why. A petition
// endpoint is mentioned only where one could take the name instead: not for
// a submission that must go by fax (NoFallback), such as the petition
// itself. Called with mu held.
func (r *run) strand(jb *job, now time.Time) stranded {
	var parts []string
	var st stranded
	for _, i := range jb.order {
		l := r.lines[i]
		n := l.fax.Number
		switch {
		case jb.dead[i]:
			parts = append(parts, fmt.Sprintf("%s: %s", n, jb.why[i]))
		case jb.tries[i] >= r.e.attemptsPerNumber():
			parts = append(parts, fmt.Sprintf("%s: %s, %d time(s)", n, jb.why[i], jb.tries[i]))
		case l.health.Down(now):
			parts = append(parts, fmt.Sprintf("%s: down until %s", n, l.health.DownUntil.Format(time.RFC3339)))
			if st.until.IsZero() || l.health.DownUntil.Before(st.until) {
				st.until, st.number = l.health.DownUntil, n
			}
		}
	}
	numbers := strings.Join(parts, ", ")
	waits := !st.until.IsZero()
	head := fmt.Sprintf("every fax number failed for it (%s)", numbers)
	if waits {
		head = fmt.Sprintf("no fax number can take it now (%s)", numbers)
	}
	st.state, st.reason = journal.Queued, "no-petition"
	switch {
	case r.cfg.NoFallback && waits:
		st.reason = "numbers-down"
		st.msg = fmt.Sprintf("%s: it must go by fax, so it stays queued until a number is back; run it again after %s", head, st.until.Format(time.RFC3339))
	case r.cfg.NoFallback:
		st.state, st.reason = journal.GaveUp, "numbers-failed"
		st.msg = head + ", and it must go by fax: nothing is left to try"
	case waits:
		st.msg = fmt.Sprintf("%s and no petition endpoint is configured to take the name instead: it stays queued (configure a petition endpoint, or run it again after %s)", head, st.until.Format(time.RFC3339))
	default:
		st.msg = head + " and no petition endpoint is configured to take the name instead: it stays queued (configure a petition endpoint)"
	}
	return st
}

// strandJob records a job that no number and no petition can take: queued
// to wait for a number, or given up when none will ever take it.
func (r *run) strandJob(jb *job, st stranded) {
	defer func() {
		r.mu.Lock()
		r.inflight--
		r.mu.Unlock()
		r.poke()
	}()
	if err := r.j.SetState(r.wctx, jb.sub.ID, st.state, st.reason, st.msg); err != nil {
		r.stop(err)
	}
	r.mu.Lock()
	r.sum.Run[st.state]++
	r.mu.Unlock()
	ev := r.jobEvent(EventWaiting, jb)
	if st.state == journal.GaveUp {
		ev.Type = EventGaveUp
	}
	ev.Message, ev.Until, ev.Number = st.msg, st.until, st.number
	r.emit(ev)
}

// Pacing of the petition endpoint once it has said 429.
const (
	// petitionMinRate is the slowest the gate paces calls: an endpoint
	// that allows less is left to its Retry-After.
	petitionMinRate = rate.Limit(0.2)
	// petitionMargin keeps the pace under the rate the endpoint was seen to
	// allow, so the pacing rather than the endpoint's 429s sets it.
	petitionMargin = 0.9
	// petitionRaiseEvery is how long the pace must go without a 429 before
	// it is raised by a tenth, to find capacity the endpoint has regained.
	petitionRaiseEvery = 10 * time.Second
)

// gate paces a run's calls to the petition endpoint. A petition endpoint is
// one server (often faxjam's own, with a per-client limit) and the run is
// one client of it: a 429 or a failure of one call says something about
// every call, so the wait it asks for holds all of them, and after a 429
// calls are paced at the rate the endpoint was seen to take (AIMD: cut to
// what got through at the 429, raised slowly while no 429 comes).
//
// Several calls in flight often fail together; gen tells the first of them
// (which moves the pace and the backoff) from the rest (which only make
// sure the hold covers their own Retry-After).
type gate struct {
	base, most time.Duration // backoff while the endpoint fails

	mu     sync.Mutex
	lim    *rate.Limiter // rate.Inf until the first 429
	hold   time.Time     // no call starts before this
	gen    int           // bumped when a 429 or failure moves the pace or the backoff
	streak int           // failures in a row (429s aside), for the backoff
	ok     int           // signatures taken since the last 429
	since  time.Time     // the last 429, or the first call
	down   time.Time     // the first failure since the last signature taken (zero: none)
	raised time.Time     // the last change of pace
}

func newGate(base, most time.Duration) *gate {
	return &gate{base: base, most: most, lim: rate.NewLimiter(rate.Inf, 1)}
}

// wait blocks until a call may start, and returns the generation the call
// starts in; false when ctx ended first.
func (g *gate) wait(ctx context.Context) (int, bool) {
	for {
		g.mu.Lock()
		hold, gen := g.hold, g.gen
		g.mu.Unlock()
		if d := time.Until(hold); d > 0 {
			if !sleep(ctx, d) {
				return 0, false
			}
			continue // the hold may have moved meanwhile
		}
		if g.lim.Wait(ctx) != nil {
			return 0, false
		}
		g.mu.Lock()
		now := time.Now()
		moved := g.gen != gen && now.Before(g.hold)
		gen = g.gen
		if g.since.IsZero() {
			g.since = now
		}
		g.mu.Unlock()
		if !moved {
			return gen, true
		}
	}
}

// succeeded records a signature taken, and raises the pace when none was
// refused for a while.
func (g *gate) succeeded() {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := time.Now()
	g.streak, g.down = 0, time.Time{}
	g.ok++
	if l := g.lim.Limit(); l != rate.Inf && now.Sub(g.raised) >= petitionRaiseEvery {
		g.lim.SetLimitAt(now, l*1.1)
		g.raised = now
	}
}

// throttled records a 429 to a call of generation gen: everyone waits
// Retry-After, and the pace drops to what the endpoint took since the last
// 429. It returns when calls may start again.
func (g *gate) throttled(gen int, retryAfter time.Duration) time.Time {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := time.Now()
	if g.down.IsZero() {
		g.down = now
	}
	if gen == g.gen {
		g.gen++
		// What got through since the last 429 is the endpoint's rate (its
		// bucket was empty then and is now). A cycle with idle time in it
		// reads low, so a pace already set drops at most to a quarter.
		l := rate.Limit(float64(g.ok)/max(now.Sub(g.since), time.Millisecond).Seconds()) * petitionMargin
		if cur := g.lim.Limit(); cur != rate.Inf {
			l = min(cur*petitionMargin, max(l, cur/4))
		}
		l = max(petitionMinRate, l)
		g.lim.SetLimitAt(now, l)
		g.ok, g.since, g.raised = 0, now, now
		if retryAfter <= 0 {
			retryAfter = time.Duration(float64(time.Second) / float64(l))
		}
	}
	g.hold = later(g.hold, now.Add(retryAfter))
	return g.hold
}

// failed records a transient failure (5xx, timeout, reset) of a call of
// generation gen: everyone waits, longer as failures go on. It returns
// when calls may start again.
func (g *gate) failed(gen int, retryAfter time.Duration) time.Time {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := time.Now()
	if g.down.IsZero() {
		g.down = now
	}
	if gen == g.gen {
		g.gen++
		g.streak++
		retryAfter = backoff(g.base, g.most, g.streak-1, retryAfter)
	}
	g.hold = later(g.hold, now.Add(retryAfter))
	return g.hold
}

// failingFor is how long the endpoint has been failing calls (429s
// included) without taking a signature.
func (g *gate) failingFor() time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.down.IsZero() {
		return 0
	}
	return time.Since(g.down)
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
