package dispatch

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/journal"
	"github.com/faxjam/faxjam/pkg/letter"
)

type resultKind int

const (
	resNotStarted resultKind = iota // nothing was recorded or sent: back to the queue
	resNotSent                      // the intent is recorded and the gateway did not take it: back to the queue
	resInFlight                     // the gateway has it and the run stopped following it: Resume will
	resUnknown                      // it may have been sent; nobody can tell: not resent
	resDelivered
	resSubmitted
	resFailed
	resRejected // the letter could not be made
)

// result is what one attempt came to.
type result struct {
	kind     resultKind
	attempt  journal.Attempt
	reason   gateway.Reason
	code     string
	msg      string
	lineTime time.Duration
}

// attempt dials (or, for a job resumed in flight, follows) one fax and
// settles its outcome. It runs in its own goroutine; li is the line (-1 for
// a resumed fax to a number no longer in the campaign).
func (r *run) attempt(jb *job, li int) {
	r.settle(jb, li, r.dial(jb, li))
}

func (r *run) dial(jb *job, li int) result {
	if a := jb.follow; a != nil {
		jb.follow = nil
		return r.track(jb, *a, a.Started, true)
	}
	if jb.doc.SHA256 == "" && len(jb.doc.PDF) == 0 {
		if err := r.composeDoc(jb); err != nil {
			if r.ctx.Err() != nil {
				return result{kind: resNotStarted}
			}
			return result{kind: resRejected, msg: err.Error()}
		}
	}
	if r.lim != nil {
		if err := r.lim.Wait(r.ctx); err != nil {
			return result{kind: resNotStarted}
		}
	}
	if r.ctx.Err() != nil {
		return result{kind: resNotStarted}
	}
	l := r.lines[li]
	n := jb.sub.Attempts + 1
	a, err := r.j.StartAttempt(r.wctx, journal.Attempt{SubmissionID: jb.sub.ID, N: n, Key: AttemptKey(jb.sub.Key, l.fax.Number, n),
		Number: l.fax.Number, Driver: r.cfg.Driver}, jb.doc.SHA256, jb.doc.Pages)
	if err != nil {
		r.stop(err)
		return result{kind: resNotStarted}
	}
	jb.sub.Attempts = n
	fax := gateway.Fax{To: l.fax.Number, PDF: jb.doc.PDF, TIFF: jb.doc.TIFF, Pages: jb.doc.Pages, Key: a.Key,
		Campaign: r.cfg.Campaign.ID, Sender: jb.sub.Name, Fictitious: l.fax.Fictitious}
	rec, res, ok := r.send(jb, fax, a)
	if !ok {
		return res
	}
	a.VendorID = rec.ID
	switch rec.State {
	case gateway.Submitted:
		return result{kind: resSubmitted, attempt: a}
	case gateway.Delivered:
		return result{kind: resDelivered, attempt: a, lineTime: time.Since(a.Started)}
	}
	if err := r.j.Accepted(r.wctx, a.ID, rec.ID); err != nil {
		r.stop(err) // the intent stays: the next run finds the fax by its key
		return result{kind: resInFlight, attempt: a}
	}
	ev := r.jobEvent(EventSubmitted, jb)
	ev.Number, ev.Attempt, ev.VendorID = a.Number, a.N, rec.ID
	r.emit(ev)
	return r.track(jb, a, a.Started, false)
}

// send makes the gateway call, retrying it while the gateway says it did
// not take the fax, and reconciling through Lookup when it may have. ok
// reports a receipt; otherwise res is the attempt's end.
func (r *run) send(jb *job, fax gateway.Fax, a journal.Attempt) (rec gateway.Receipt, res result, ok bool) {
	res.attempt = a
	for try := 0; ; try++ {
		// A call under way is let finish when the run stops, so its outcome
		// is known and recorded instead of left for reconciliation.
		sctx, cancel := context.WithTimeout(context.WithoutCancel(r.ctx), r.cfg.SendGrace)
		rec, err := r.cfg.Gateway.Send(sctx, fax)
		cancel()
		if err == nil {
			return rec, res, true
		}
		ge, isGE := gateway.AsError(err)
		if !isGE { // drivers return *gateway.Error; anything else may have reached the vendor
			ge = &gateway.Error{Driver: r.cfg.Driver, Op: "send", Reason: gateway.ReasonGatewayError, Accepted: true, Err: err}
		}
		if ge.Accepted {
			if r.e.looker == nil {
				res.kind = resUnknown
				res.msg = fmt.Sprintf("the gateway may have taken the fax (%v) and cannot look it up: not resent; check the gateway, then send with --force if it did not go", ge)
				return rec, res, false
			}
			found, ok, err := r.lookup(a.Key)
			if err != nil {
				res.kind = resUnknown
				res.msg = fmt.Sprintf("the gateway may have taken the fax (%v) and looking it up failed: %v", ge, err)
				return rec, res, false
			}
			if ok {
				return found, res, true
			}
			// Not there: it was not taken, so sending again is safe.
		}
		switch ge.Reason {
		case gateway.ReasonAuth:
			r.stop(fmt.Errorf("dispatch: the gateway refused the credentials: %w", ge))
			res.kind, res.msg = resNotSent, ge.Error()
			return rec, res, false
		case gateway.ReasonFictitious:
			r.stop(fmt.Errorf("dispatch: %w: %w", ErrConfig, ge))
			res.kind, res.msg = resNotSent, ge.Error()
			return rec, res, false
		case gateway.ReasonRateLimited, gateway.ReasonGatewayError:
			if try >= r.cfg.Backoff.Retries {
				r.stop(fmt.Errorf("dispatch: the gateway keeps failing (%d tries sending to %s): %w", try+1, fax.To, ge))
				res.kind, res.msg = resNotSent, ge.Error()
				return rec, res, false
			}
			d := r.backoff(try, ge.RetryAfter)
			ev := r.jobEvent(EventRetry, jb)
			ev.Number, ev.Attempt, ev.Reason, ev.Message, ev.Until = a.Number, a.N, ge.Reason, ge.Error(), r.cfg.Now().Add(d)
			r.emit(ev)
			if !sleep(r.ctx, d) {
				res.kind, res.msg = resNotSent, "the run stopped before the gateway took the fax"
				return rec, res, false
			}
		default: // the number or the document: this attempt failed
			res.kind, res.reason, res.code, res.msg = resFailed, ge.Reason, ge.Code, ge.Error()
			return rec, res, false
		}
	}
}

// lookup asks the gateway for a fax by key, retrying transient errors.
func (r *run) lookup(key string) (gateway.Receipt, bool, error) {
	for try := 0; ; try++ {
		rec, ok, err := r.e.looker.Lookup(r.wctx, key)
		if err == nil {
			return rec, ok, nil
		}
		ge, isGE := gateway.AsError(err)
		if !isGE || !ge.Retryable() || try >= r.cfg.Backoff.Retries {
			return rec, false, err
		}
		if !sleep(r.parent, r.backoff(try, ge.RetryAfter)) {
			return rec, false, err
		}
	}
}

// track polls a fax the gateway has until it is terminal or the run stops.
// A poll that fails transiently (429, 5xx, timeouts, resets) is asked
// again later, backing off from Poll (jitter, at least the gateway's
// Retry-After, at most Backoff.Max apart): one fax whose status goes quiet
// must not stop the faxes on other lines. Only bad credentials stop the
// run. A fax whose status cannot be learnt for StatusTimeout is unknown: it
// may well have arrived, so it is not resent, and the organizer is told.
func (r *run) track(jb *job, a journal.Attempt, started time.Time, now bool) result {
	res := result{kind: resInFlight, attempt: a}
	wait := r.cfg.Poll
	if now {
		wait = 0
	}
	fails := 0
	var quietSince time.Time // the first failed poll of the current streak
	for {
		if wait > 0 && !sleep(r.ctx, wait) {
			return res
		}
		wait = r.cfg.Poll
		st, err := r.cfg.Gateway.Status(r.ctx, a.VendorID)
		if err != nil {
			if r.ctx.Err() != nil {
				return res
			}
			ge, isGE := gateway.AsError(err)
			switch {
			case isGE && ge.Reason == gateway.ReasonAuth:
				r.stop(fmt.Errorf("dispatch: the gateway refused the credentials: %w", ge))
				return res
			case isGE && !ge.Retryable():
				res.kind, res.msg = resUnknown, fmt.Sprintf("the gateway cannot report fax %s: %v", a.VendorID, ge)
				return res
			}
			if fails == 0 {
				quietSince = time.Now()
			}
			fails++
			quiet := time.Since(quietSince)
			if quiet >= r.cfg.StatusTimeout {
				res.kind = resUnknown
				res.msg = fmt.Sprintf("the gateway has not reported fax %s for %s (%d polls failed; last: %v): not resent; check the gateway, then send with --force if it did not arrive",
					a.VendorID, quiet.Round(time.Second), fails, err)
				return res
			}
			var after time.Duration
			if isGE {
				after = ge.RetryAfter
			}
			// The last poll falls on the deadline, so giving up is on time.
			wait = min(max(r.cfg.Poll, backoff(r.cfg.Poll, r.cfg.Backoff.Max, fails-1, after)), r.cfg.StatusTimeout-quiet)
			ev := r.jobEvent(EventRetry, jb)
			ev.Time = r.cfg.Now()
			ev.Number, ev.Attempt, ev.VendorID, ev.Until = a.Number, a.N, a.VendorID, ev.Time.Add(wait)
			if isGE {
				ev.Reason = ge.Reason
			}
			ev.Message = fmt.Sprintf("status of fax %s: %v; asking again in %s", a.VendorID, err, wait.Round(time.Millisecond))
			r.emit(ev)
			continue
		}
		fails = 0
		switch st.State {
		case gateway.Delivered:
			res.kind, res.lineTime = resDelivered, time.Since(started)
		case gateway.Submitted:
			res.kind = resSubmitted
		case gateway.Failed:
			res.kind, res.reason, res.code, res.msg, res.lineTime = resFailed, st.Reason, st.Code, st.Message, time.Since(started)
			if res.reason == "" {
				res.reason = gateway.ReasonRejected
			}
		default:
			continue
		}
		res.attempt.VendorID = st.ID
		if st.ID == "" {
			res.attempt.VendorID = a.VendorID
		}
		return res
	}
}

// settle records an attempt's outcome with what follows from it (the
// number's health, the submission's next state) and frees the line only
// then: the next fax to a number goes after the previous outcome is durable.
func (r *run) settle(jb *job, li int, res result) {
	now := r.cfg.Now()
	a := res.attempt
	o := journal.Outcome{Attempt: a}
	o.Attempt.State = "" // set below only for an outcome to record
	ev := r.jobEvent("", jb)
	ev.Number, ev.Attempt, ev.VendorID, ev.Reason, ev.Message = a.Number, a.N, a.VendorID, res.reason, res.msg
	var down *Event
	requeue := false

	r.mu.Lock()
	var l *lineState
	if li >= 0 {
		l = r.lines[li]
	}
	r.sum.LineTime += res.lineTime
	switch res.kind {
	case resNotStarted:
		requeue = true
	case resRejected:
	case resNotSent:
		o.Attempt.State, o.Next, o.NextMessage = journal.AttemptNotSent, journal.Queued, res.msg
		requeue = true
	case resInFlight:
		r.sum.Run[journal.Sending]++
	case resUnknown:
		o.Attempt.State, o.Attempt.Message = journal.AttemptUnknown, res.msg
		o.Next, o.NextReason, o.NextMessage = journal.Unknown, "unknown", res.msg
		r.sum.Run[journal.Unknown]++
		ev.Type = EventUnknown
	case resDelivered, resSubmitted:
		o.Attempt.State, o.Next, ev.Type = journal.AttemptDelivered, journal.Delivered, EventDelivered
		if res.kind == resSubmitted {
			o.Attempt.State, o.Next, ev.Type = journal.AttemptSubmitted, journal.Submitted, EventSubmitted
		}
		r.sum.Faxes++
		r.sum.Run[o.Next]++
		if l != nil {
			h := &l.health
			h.Attempts++
			if res.kind == resDelivered {
				h.Delivered++
			}
			h.ConsecutiveFailures, h.DownUntil, h.LastResult, h.LastAt = 0, time.Time{}, string(o.Next), now
			o.Health = new(*h)
		}
	case resFailed:
		r.sum.Faxes++
		o.Attempt.State, o.Attempt.Reason, o.Attempt.Code, o.Attempt.Message = journal.AttemptFailed, string(res.reason), res.code, res.msg
		o.Next, o.NextReason, o.NextMessage = journal.Queued, string(res.reason), res.msg
		ev.Type = EventFailed
		if res.reason == gateway.ReasonDocument { // no number will take this document
			o.Next = journal.Failed
			r.sum.Run[journal.Failed]++
		} else {
			requeue = true
		}
		if l != nil {
			jb.tries[li]++
			jb.why[li] = res.reason
			if !res.reason.Retryable() {
				jb.dead[li] = true
			}
			h := &l.health
			h.Attempts++
			h.LastResult, h.LastAt = string(res.reason), now
			if res.reason.Line() {
				h.ConsecutiveFailures++
				if h.ConsecutiveFailures >= r.cfg.Breaker.Failures && !h.Down(now) {
					h.DownUntil = now.Add(r.cfg.Breaker.Cooldown)
					down = &Event{Type: EventNumberDown, Number: l.fax.Number, Reason: res.reason, Until: h.DownUntil,
						Message: fmt.Sprintf("%d line failures in a row on %s: not dialled until %s", h.ConsecutiveFailures, l.fax.Number, h.DownUntil.Format(time.RFC3339))}
				}
			}
			o.Health = new(*h)
		}
	}
	r.mu.Unlock()

	if res.kind == resRejected {
		r.reject(jb, errors.New(res.msg))
	} else if o.Attempt.State != "" {
		if err := r.j.FinishAttempt(r.wctx, o); err != nil {
			r.stop(err)
		}
	}
	if ev.Type != "" {
		r.emit(ev)
	}
	if down != nil {
		r.emit(*down)
	}

	r.mu.Lock()
	if l != nil {
		l.inflight--
	}
	r.inflight--
	if requeue {
		r.queue = append(r.queue, jb)
	}
	r.mu.Unlock()
	r.poke()
}

// reconcile settles the attempts an earlier run left without an outcome. An
// intent the gateway can find by key is followed; one it cannot find was
// never taken and goes back to the queue; with a gateway that cannot look
// up, it is unknown and is not resent. Accepted faxes are followed.
func (r *run) reconcile() ([]*job, error) {
	c := r.cfg.Campaign
	pending, err := r.j.Pending(r.wctx, c.ID)
	if err != nil {
		return nil, err
	}
	var follow []*job
	for _, a := range pending {
		sub, err := r.j.Submission(r.wctx, c.ID, strconv.FormatInt(a.SubmissionID, 10))
		if err != nil {
			return nil, err
		}
		if !r.e.mine(sub.Key) {
			continue
		}
		if a.VendorID == "" {
			if r.e.looker == nil {
				msg := "the run was interrupted during the gateway call and this gateway cannot look faxes up: not resent; check the gateway, then send with --force if it did not go"
				a.State, a.Message = journal.AttemptUnknown, msg
				if err := r.j.FinishAttempt(r.wctx, journal.Outcome{Attempt: a, Next: journal.Unknown, NextReason: "unknown", NextMessage: msg}); err != nil {
					return nil, err
				}
				r.sum.Run[journal.Unknown]++
				r.emit(Event{Type: EventUnknown, Key: sub.Key, Name: sub.Name, Number: a.Number, Attempt: a.N, Message: msg})
				continue
			}
			rec, found, err := r.lookup(a.Key)
			if err != nil {
				return nil, fmt.Errorf("dispatch: reconcile attempt %d of %s (key %s): %w", a.N, sub.Key, a.Key, err)
			}
			if !found {
				a.State = journal.AttemptNotSent
				if err := r.j.FinishAttempt(r.wctx, journal.Outcome{Attempt: a, Next: journal.Queued,
					NextMessage: "the gateway never took the interrupted attempt"}); err != nil {
					return nil, err
				}
				continue
			}
			if err := r.j.Accepted(r.wctx, a.ID, rec.ID); err != nil {
				return nil, err
			}
			a.VendorID, a.State = rec.ID, journal.AttemptAccepted
		}
		jb, err := r.newJob(sub)
		if err != nil {
			return nil, err
		}
		jb.follow = &a
		follow = append(follow, jb)
	}
	return follow, nil
}

// backoff is the delay before retry try+1 of a gateway call.
func (r *run) backoff(try int, retryAfter time.Duration) time.Duration {
	return backoff(r.cfg.Backoff.Base, r.cfg.Backoff.Max, try, retryAfter)
}

// backoff is the delay before retry try+1: exponential from base up to
// most, with jitter (so retries spread out instead of arriving together),
// and at least what the other side asked for (Retry-After).
func backoff(base, most time.Duration, try int, retryAfter time.Duration) time.Duration {
	d := base << min(try, 20)
	if d > most || d <= 0 {
		d = most
	}
	d = d/2 + rand.N(d/2+1)
	return max(d, retryAfter)
}

// sleep waits d or until ctx ends; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// dryRun composes every letter and says where it would go; it dials nothing
// and writes nothing.
func (e *Engine) dryRun(ctx context.Context, signers iter.Seq2[letter.Signer, error]) (Summary, error) {
	start := time.Now()
	sum := Summary{Run: map[journal.State]int{}}
	var mu sync.Mutex
	emit := func(ev Event, f func()) {
		mu.Lock()
		defer mu.Unlock()
		f()
		if e.cfg.Events != nil {
			ev.Time = e.cfg.Now()
			e.cfg.Events(ev)
		}
	}
	if ev, ok := e.wouldWait(); ok {
		emit(ev, func() {})
	}
	in := make(chan letter.Signer)
	var wg sync.WaitGroup
	for range e.cfg.Parallel {
		wg.Go(func() {
			for s := range in {
				key := letter.SignerKey(e.cfg.Campaign.ID, s)
				doc, err := e.cfg.Compose(ctx, s)
				if err != nil {
					emit(Event{Type: EventRejected, Key: key, Name: s.Name, Message: "letter: " + err.Error(), Err: err}, func() { sum.Rejected++ })
					continue
				}
				to := e.lines[rotation(key, len(e.lines))].Number
				emit(Event{Type: EventPlanned, Key: key, Name: s.Name, Number: to, Pages: doc.Pages, SHA256: doc.SHA256}, func() { sum.Planned++ })
			}
		})
	}
feed:
	for s, err := range signers {
		if err != nil {
			emit(Event{Type: EventRejected, Message: err.Error(), Err: err}, func() { sum.Rejected++ })
			continue
		}
		select {
		case in <- s:
		case <-ctx.Done():
			break feed
		}
	}
	close(in)
	wg.Wait()
	sum.Duration = time.Since(start)
	emit(Event{Type: EventSummary, Summary: &sum}, func() {})
	return sum, ctx.Err()
}

// wouldWait says what a real run started now would wait for: the campaign's
// end, or its quiet hours with a gateway that dials.
func (e *Engine) wouldWait() (Event, bool) {
	c, now := e.cfg.Campaign, e.cfg.Now()
	if c.Ended(now) {
		return Event{Type: EventWaiting, Message: fmt.Sprintf("campaign %s ended on %s: a real send would dial nothing", c.ID, c.Ends)}, true
	}
	if quiet, until := c.InQuiet(now); quiet && !e.cfg.Offline {
		return Event{Type: EventWaiting, Until: until,
			Message: fmt.Sprintf("quiet hours (%s %s): a real send now would dial nothing until %s", c.Limits.QuietHours, c.Target.Timezone, until.Format("15:04"))}, true
	}
	return Event{}, false
}
