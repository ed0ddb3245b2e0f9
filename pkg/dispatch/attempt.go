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
		if a.VendorID == "" {
			return r.resolve(jb, *a)
		}
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
	if r.ctx.Err() != nil || r.out.isDown() { // the gateway is down: back to the queue, for the petition
		return result{kind: resNotStarted}
	}
	if jb.sub.Attempts == 0 && r.checkKeys && r.e.looker != nil {
		if res, found := r.insure(jb); found {
			return res
		}
	}
	l := r.lines[li]
	n := jb.sub.Attempts + 1
	started := r.cfg.Now()
	doc, err := jb.stamped(started)
	if err != nil {
		return result{kind: resRejected, msg: err.Error()}
	}
	a, err := r.j.StartAttempt(r.wctx, journal.Attempt{SubmissionID: jb.sub.ID, N: n, Key: AttemptKey(jb.sub.Key, l.fax.Number, n),
		Number: l.fax.Number, Driver: r.cfg.Driver, Started: started}, doc.SHA256, doc.Pages)
	if err != nil {
		r.stop(err)
		return result{kind: resNotStarted}
	}
	jb.sub.Attempts = n
	return r.place(jb, a, doc)
}

// stamped is the job's document as attempt that starts at is sent: with
// the fax header dated then, when the gateway prints none. The same time
// draws the same bytes, so a resend of the attempt sends what its intent
// recorded.
func (jb *job) stamped(at time.Time) (Document, error) {
	if jb.doc.Stamp == nil {
		return jb.doc, nil
	}
	return jb.doc.Stamp(at)
}

// place sends attempt a, whose intent is recorded, as doc and follows the
// fax.
func (r *run) place(jb *job, a journal.Attempt, doc Document) result {
	c := r.cfg.Campaign
	fax := gateway.Fax{To: a.Number, PDF: doc.PDF, TIFF: doc.TIFF, Pages: doc.Pages, Key: a.Key,
		Campaign: c.ID, Sender: jb.sub.Name, SenderID: c.Sender(), TimeZone: c.Target.Timezone, Fictitious: r.fictitious(a.Number)}
	rec, res, ok := r.send(jb, fax, a)
	if !ok {
		return res
	}
	a.VendorID = rec.ID
	switch rec.State {
	case gateway.Submitted:
		return result{kind: resSubmitted, attempt: a}
	case gateway.Delivered:
		return result{kind: resDelivered, attempt: a, lineTime: r.cfg.Now().Sub(a.Started)}
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

// fictitious reports whether number is one of the campaign's documented
// fictitious numbers.
func (r *run) fictitious(number string) bool {
	li := r.lineOf(number)
	return li >= 0 && r.lines[li].fax.Fictitious
}

// verdict is what becomes of an attempt whose request may have reached the
// gateway (a crash during it, or an answer that never came), once a
// lookup by its key has answered.
type verdict int

const (
	verdictFound   verdict = iota // the gateway has it: follow it
	verdictNotSent                // not found, and the request can no longer arrive: it was never taken
	verdictResend                 // not found yet, and the gateway dedupes by key: send the same attempt again, same key, same number
	verdictWait                   // not found yet, and a resend could fax twice: look up again at the deadline
)

// judge decides about an attempt a lookup did (found) or did not find. A
// "not found" is final only after deadline: the moment the attempt's last
// request can no longer reach the gateway (its start + the client's request
// timeout + the driver's late margin, or, for a request that was answered,
// the answer + the margin). Until then the request may still be on its way
// — a slow relay finishing a POST whose client was killed — and sending a
// new attempt (a new key, often to another number) would fax twice. A
// gateway that dedupes by key makes a resend of the same attempt harmless,
// so it is resent at once; any other is asked again at deadline.
func judge(found, dedupe bool, now, deadline time.Time) verdict {
	switch {
	case found:
		return verdictFound
	case now.After(deadline):
		return verdictNotSent
	case dedupe:
		return verdictResend
	}
	return verdictWait
}

// deadline is when a request begun at tried can no longer reach the gateway.
func (r *run) deadline(tried time.Time) time.Time {
	return tried.Add(r.cfg.RequestTimeout + r.cfg.LateMargin)
}

// resolve settles an attempt an earlier run left at its intent (the gateway
// was being called when it died), holding the attempt's line meanwhile: the
// gateway is asked by key; a fax found is followed; one not found is judged
// (see judge): resent as the same attempt, waited for, or, past the
// deadline, recorded not sent and queued for its next attempt.
func (r *run) resolve(jb *job, a journal.Attempt) result {
	waited := false
	for {
		rec, found, err := r.lookup(a.Key)
		if err != nil {
			if r.ctx.Err() == nil {
				r.stop(fmt.Errorf("dispatch: reconcile attempt %d of %s (key %s): %w", a.N, jb.sub.Key, a.Key, err))
			}
			return result{kind: resInFlight, attempt: a}
		}
		dl := r.deadline(a.Tried)
		switch judge(found, r.cfg.DedupeByKey, r.cfg.Now(), dl) {
		case verdictFound:
			if err := r.j.Accepted(r.wctx, a.ID, rec.ID); err != nil {
				r.stop(err)
				return result{kind: resInFlight, attempt: a}
			}
			a.VendorID, a.State = rec.ID, journal.AttemptAccepted
			return r.track(jb, a, a.Started, true)
		case verdictNotSent:
			return result{kind: resNotSent, attempt: a,
				msg: fmt.Sprintf("the gateway never took the interrupted attempt: not found after %s, when its request could no longer arrive", dl.Format(time.RFC3339))}
		case verdictResend:
			if jb.doc.SHA256 == "" && len(jb.doc.PDF) == 0 {
				if err := r.composeDoc(jb); err != nil {
					if r.ctx.Err() == nil {
						r.stop(fmt.Errorf("dispatch: resend attempt %d of %s: letter: %w", a.N, jb.sub.Key, err))
					}
					return result{kind: resInFlight, attempt: a}
				}
			}
			doc, err := jb.stamped(a.Started)
			if err != nil {
				if r.ctx.Err() == nil {
					r.stop(fmt.Errorf("dispatch: resend attempt %d of %s: letter: %w", a.N, jb.sub.Key, err))
				}
				return result{kind: resInFlight, attempt: a}
			}
			now := r.cfg.Now()
			if err := r.j.Tried(r.wctx, a.ID, now); err != nil {
				r.stop(err)
				return result{kind: resInFlight, attempt: a}
			}
			a.Tried = now
			ev := r.jobEvent(EventRetry, jb)
			ev.Number, ev.Attempt = a.Number, a.N
			ev.Message = "the interrupted attempt is not at the gateway yet; sent again with the same key to the same number (the gateway dedupes by key)"
			r.emit(ev)
			return r.place(jb, a, doc)
		case verdictWait:
			if !waited {
				ev := r.jobEvent(EventWaiting, jb)
				ev.Number, ev.Attempt, ev.Until = a.Number, a.N, dl
				ev.Message = fmt.Sprintf("the interrupted attempt is not at the gateway yet and its request may still arrive: asking again at %s before sending anything else to this signer", dl.Format(time.RFC3339))
				r.emit(ev)
				waited = true
			}
			if !sleep(r.ctx, dl.Sub(r.cfg.Now())+time.Millisecond) {
				return result{kind: resInFlight, attempt: a}
			}
		}
	}
}

// insure looks a signer up before its first fax while the journal is new
// (journal.CheckKeys): a journal lost before this one may have faxed it.
// Attempt keys are deterministic (AttemptKey: signer, number, n), and every
// signer ever faxed had an attempt 1 on some number, so looking up attempt
// 1's key on each number (one lookup per number, a bounded cost) finds a
// first fax the gateway has. Later attempts are not looked up: they follow
// an attempt 1 that failed, which this finds, and their keys come out the
// same again, which a gateway that dedupes by key recognises. found reports
// that it found one: res is then that fax, recorded and followed.
func (r *run) insure(jb *job) (res result, found bool) {
	for _, l := range r.lines {
		if l.fax.Fictitious && r.cfg.RealNetwork {
			continue
		}
		key := AttemptKey(jb.sub.Key, l.fax.Number, 1)
		// Paced and stopped with the run, as a send is: a gateway that
		// does not answer leaves the signer queued.
		rec, ok, err := r.lookupIn(r.ctx, r.ctx, key, func(ge *gateway.Error, d time.Duration) {
			ev := r.jobEvent(EventRetry, jb)
			ev.Number, ev.Reason, ev.Until = l.fax.Number, ge.Reason, r.cfg.Now().Add(d)
			ev.Message = "looking the signer up before its first fax (the journal is new): " + ge.Error()
			r.emit(ev)
		})
		if err != nil {
			switch {
			case errors.Is(err, errOutage):
				r.gatewayDown(err)
			case r.ctx.Err() == nil:
				r.stop(fmt.Errorf("dispatch: look up %s before its first fax (the journal is new): %w", jb.sub.Key, err))
			}
			return result{kind: resNotStarted}, true
		}
		if !ok {
			continue
		}
		a, err := r.j.StartAttempt(r.wctx, journal.Attempt{SubmissionID: jb.sub.ID, N: 1, Key: key, Number: l.fax.Number, Driver: r.cfg.Driver},
			jb.doc.SHA256, jb.doc.Pages)
		if err != nil {
			r.stop(err)
			return result{kind: resNotStarted}, true
		}
		jb.sub.Attempts = 1
		if err := r.j.Accepted(r.wctx, a.ID, rec.ID); err != nil {
			r.stop(err)
			return result{kind: resInFlight, attempt: a}, true
		}
		a.VendorID, a.State = rec.ID, journal.AttemptAccepted
		ev := r.jobEvent(EventSubmitted, jb)
		ev.Number, ev.Attempt, ev.VendorID = a.Number, a.N, rec.ID
		ev.Message = "the gateway already had this signer's first fax (sent through a journal before this one): followed, not sent again"
		r.emit(ev)
		return r.track(jb, a, a.Started, true), true
	}
	return result{}, false
}

// send makes the gateway call, retrying it while the gateway says it did
// not take the fax, and reconciling through Lookup when it may have. Every
// retry is the same attempt (same key, same number), and its start is
// recorded first (journal Tried), so a crash during it is judged from it.
// ok reports a receipt; otherwise res is the attempt's end.
//
// A call that may have been taken — its answer lost (a timeout or reset
// after the request went out), or, with a gateway that does not dedupe by
// key, a 5xx (the vendor may have failed after taking it) — is looked up;
// not found, it is sent again at once where the gateway dedupes by key,
// and otherwise only after its request can no longer arrive (judge). If
// the run must stop while such a call is unresolved, the intent is left
// for the next run to reconcile: never recorded not sent on a guess.
func (r *run) send(jb *job, fax gateway.Fax, a journal.Attempt) (rec gateway.Receipt, res result, ok bool) {
	res.attempt = a
	for try := 0; ; try++ {
		if try > 0 {
			now := r.cfg.Now()
			if err := r.j.Tried(r.wctx, a.ID, now); err != nil {
				r.stop(err)
				res.kind, res.msg = resInFlight, "the journal failed before the attempt was sent again"
				return rec, res, false
			}
			a.Tried = now
		}
		// A call under way is let finish when the run stops, so its outcome
		// is known and recorded instead of left for reconciliation.
		sctx, cancel := context.WithTimeout(context.WithoutCancel(r.ctx), r.cfg.SendGrace)
		rec, err := r.cfg.Gateway.Send(sctx, fax)
		cancel()
		if err == nil {
			r.out.answered()
			return rec, res, true
		}
		answered := r.cfg.Now()
		ge, isGE := gateway.AsError(err)
		if !isGE { // drivers return *gateway.Error; anything else may have reached the vendor
			ge = &gateway.Error{Driver: r.cfg.Driver, Op: "send", Reason: gateway.ReasonGatewayError, Accepted: true, Err: err}
		}
		// lookFirst: the gateway may have the fax; look before sending again.
		// A call that never reached it (no connection) is not looked up.
		maybe := ge.Reason == gateway.ReasonGatewayError && r.e.looker != nil && !unreached(ge)
		lookFirst := ge.Accepted || maybe && !r.cfg.DedupeByKey
		// unsure: it may have the fax, nobody looked (a deduping gateway's
		// 5xx is simply sent again): if the run stops now, the next one looks.
		unsure := maybe
		if lookFirst {
			if r.e.looker == nil {
				res.kind = resUnknown
				res.msg = fmt.Sprintf("the gateway may have taken the fax (%v) and cannot look it up: not resent; check the gateway, then send with --force if it did not go", ge)
				return rec, res, false
			}
			dl := answered.Add(r.cfg.LateMargin)
			if ge.Accepted {
				dl = r.deadline(a.Tried)
			}
			found, taken, decided, err := r.settled(a.Key, dl)
			switch {
			case err != nil:
				res.kind = resUnknown
				res.msg = fmt.Sprintf("the gateway may have taken the fax (%v) and looking it up failed: %v", ge, err)
				return rec, res, false
			case !decided: // the run stopped first
				res.kind, res.msg = resInFlight, "the run stopped before the gateway could say whether it took the fax"
				return rec, res, false
			case taken:
				return found, res, true
			}
			unsure = false // not there, and it can no longer arrive: sending again is safe
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
			if !unsure { // the gateway did not take it: retried until the outage is one
				if r.outageOver(ge) {
					res.kind, res.msg = resNotSent, r.downMessage()
					return rec, res, false
				}
				d := min(r.backoff(try, ge.RetryAfter), max(0, r.cfg.GatewayTimeout-r.out.failingFor()))
				ev := r.jobEvent(EventRetry, jb)
				ev.Number, ev.Attempt, ev.Reason, ev.Message, ev.Until = a.Number, a.N, ge.Reason, ge.Error(), r.cfg.Now().Add(d)
				r.emit(ev)
				if !r.out.pause(r.ctx, d) {
					res.kind, res.msg = resNotSent, "the run stopped before the gateway took the fax"
					return rec, res, false
				}
				if f := r.out.failingFor(); f >= r.cfg.GatewayTimeout || r.out.isDown() {
					r.gatewayDown(ge)
					res.kind, res.msg = resNotSent, r.downMessage()
					return rec, res, false
				}
				continue
			}
			if try >= r.cfg.Backoff.Retries {
				r.stop(fmt.Errorf("dispatch: the gateway keeps failing (%d tries sending to %s): %w", try+1, fax.To, ge))
				res.kind, res.msg = resNotSent, ge.Error()
				if unsure {
					res.kind = resInFlight // the next run looks it up
				}
				return rec, res, false
			}
			d := r.backoff(try, ge.RetryAfter)
			ev := r.jobEvent(EventRetry, jb)
			ev.Number, ev.Attempt, ev.Reason, ev.Message, ev.Until = a.Number, a.N, ge.Reason, ge.Error(), r.cfg.Now().Add(d)
			r.emit(ev)
			if !sleep(r.ctx, d) {
				res.kind, res.msg = resNotSent, "the run stopped before the gateway took the fax"
				if unsure {
					res.kind = resInFlight
				}
				return rec, res, false
			}
		default: // the number or the document: this attempt failed
			r.out.answered()
			res.kind, res.reason, res.code, res.msg = resFailed, ge.Reason, ge.Code, ge.Error()
			return rec, res, false
		}
	}
}

// settled looks key up until the answer is final: found (rec set), or not
// found once deadline has passed (see judge); with a gateway that dedupes
// by key a first "not found" is final for a resend, as resending is
// harmless. decided is false when the run stopped first.
func (r *run) settled(key string, deadline time.Time) (rec gateway.Receipt, found, decided bool, err error) {
	for {
		rec, ok, err := r.lookup(key)
		if err != nil {
			return rec, false, false, err
		}
		switch judge(ok, r.cfg.DedupeByKey, r.cfg.Now(), deadline) {
		case verdictFound:
			return rec, true, true, nil
		case verdictNotSent, verdictResend:
			return rec, false, true, nil
		}
		if !sleep(r.ctx, deadline.Sub(r.cfg.Now())+time.Millisecond) {
			return rec, false, false, nil
		}
	}
}

// lookup asks the gateway for a fax by key, retrying transient errors.
func (r *run) lookup(key string) (gateway.Receipt, bool, error) {
	return r.lookupIn(r.wctx, r.parent, key, nil)
}

// lookupIn is lookup with ctx for the calls and wait for the pauses
// between them; retry, when not nil, hears of each retry. With retry (a
// lookup before a first fax, which nothing may have taken), transient
// failures are retried until the outage is one (an error that is
// errOutage), not Backoff.Retries times.
func (r *run) lookupIn(ctx, wait context.Context, key string, retry func(ge *gateway.Error, d time.Duration)) (gateway.Receipt, bool, error) {
	for try := 0; ; try++ {
		rec, ok, err := r.e.looker.Lookup(ctx, key)
		if err == nil {
			r.out.answered()
			return rec, ok, nil
		}
		ge, isGE := gateway.AsError(err)
		if !isGE || !ge.Retryable() || retry == nil && try >= r.cfg.Backoff.Retries {
			return rec, false, err
		}
		d, pause := r.backoff(try, ge.RetryAfter), sleep
		if retry != nil {
			if r.outageOver(ge) {
				return rec, false, fmt.Errorf("%w: %w", errOutage, err)
			}
			d, pause = min(d, max(0, r.cfg.GatewayTimeout-r.out.failingFor())), r.out.pause
			retry(ge, d)
		}
		if !pause(wait, d) {
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
	woken, unwatch := r.e.wake.watch(a.VendorID)
	defer unwatch()
	for {
		if wait > 0 && !sleepOrWake(r.ctx, wait, woken) {
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
				quietSince = r.cfg.Now()
			}
			fails++
			quiet := r.cfg.Now().Sub(quietSince)
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
		r.out.answered()
		switch st.State {
		case gateway.Delivered:
			res.kind, res.lineTime = resDelivered, r.cfg.Now().Sub(started)
		case gateway.Submitted:
			res.kind = resSubmitted
		case gateway.Failed:
			res.kind, res.reason, res.code, res.msg, res.lineTime = resFailed, st.Reason, st.Code, st.Message, r.cfg.Now().Sub(started)
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
	r.mu.Lock()
	var l *lineState
	if li >= 0 {
		l = r.lines[li]
	}
	r.sum.LineTime += res.lineTime
	o, ev, requeue := r.outcome(jb, res)
	var down *Event
	if l != nil {
		o.Health, down = r.lineHealth(jb, li, res, now)
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

// outcome is what the journal records of res (no State: nothing to record),
// the event that says it and whether the job goes back to the queue; it
// counts the run's outcomes. Called with mu held.
func (r *run) outcome(jb *job, res result) (o journal.Outcome, ev Event, requeue bool) {
	a := res.attempt
	o = journal.Outcome{Attempt: a}
	o.Attempt.State = "" // set below only for an outcome to record
	ev = r.jobEvent("", jb)
	ev.Number, ev.Attempt, ev.VendorID, ev.Reason, ev.Message = a.Number, a.N, a.VendorID, res.reason, res.msg
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
	}
	return o, ev, requeue
}

// lineHealth updates line li's health and the job's record of it after
// res: a fax taken clears the failures, a line failure counts towards the
// circuit breaker, which may take the number down (the event says so). It
// returns the health to record, nil when res says nothing of the line.
// Called with mu held.
func (r *run) lineHealth(jb *job, li int, res result, now time.Time) (*journal.NumberHealth, *Event) {
	l := r.lines[li]
	h := &l.health
	switch res.kind {
	case resDelivered, resSubmitted:
		h.Attempts++
		if res.kind == resDelivered {
			h.Delivered++
		}
		next := journal.Delivered
		if res.kind == resSubmitted {
			next = journal.Submitted
		}
		h.ConsecutiveFailures, h.DownUntil, h.LastResult, h.LastAt = 0, time.Time{}, string(next), now
		l.noFax = 0
		return new(*h), nil
	case resFailed:
		jb.tries[li]++
		jb.why[li] = res.reason
		if !res.reason.Retryable() {
			jb.dead[li] = true
		}
		h.Attempts++
		h.LastResult, h.LastAt = string(res.reason), now
		var down *Event
		l.noFax++
		if res.reason != gateway.ReasonInvalidNumber && res.reason != gateway.ReasonNotAFax {
			l.noFax = 0
		}
		if l.noFax >= r.cfg.Breaker.HoldAfter && h.Held == "" {
			// Not a busy office: no fax is there. Dialling it again
			// wastes every signer's try on it until someone looks.
			h.Held = string(res.reason)
			return new(*h), &Event{Type: EventNumberHeld, Number: l.fax.Number, Reason: res.reason,
				Message: fmt.Sprintf("%d calls in a row to %s found no fax there (%s): held until the organizer looks (faxjam lines release %s)",
					l.noFax, l.fax.Number, res.reason, l.fax.Number)}
		}
		if res.reason.Line() {
			h.ConsecutiveFailures++
			if h.ConsecutiveFailures >= r.cfg.Breaker.Failures && !h.Down(now) {
				h.DownUntil = now.Add(r.cfg.Breaker.Cooldown)
				down = &Event{Type: EventNumberDown, Number: l.fax.Number, Reason: res.reason, Until: h.DownUntil,
					Message: fmt.Sprintf("%d line failures in a row on %s: not dialled until %s", h.ConsecutiveFailures, l.fax.Number, h.DownUntil.Format(time.RFC3339))}
			}
		}
		return new(*h), down
	}
	return nil, nil
}

// reconcile takes up the attempts an earlier run left without an outcome:
// each becomes a job that holds its number's line until it is settled. An
// accepted fax is followed; an intent (the run died during the gateway
// call) is resolved by its job (see resolve), so a wait for a slow gateway
// holds that one line, not the run. With a gateway that cannot look up, an
// intent is unknown and is not resent. The submissions taken up are the
// run's: feed does not read them again when they go back to the queue.
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
		if a.VendorID == "" && r.e.looker == nil {
			msg := "the run was interrupted during the gateway call and this gateway cannot look faxes up: not resent; check the gateway, then send with --force if it did not go"
			a.State, a.Message = journal.AttemptUnknown, msg
			if err := r.j.FinishAttempt(r.wctx, journal.Outcome{Attempt: a, Next: journal.Unknown, NextReason: "unknown", NextMessage: msg}); err != nil {
				return nil, err
			}
			r.sum.Run[journal.Unknown]++
			r.emit(Event{Type: EventUnknown, Key: sub.Key, Name: sub.Name, Number: a.Number, Attempt: a.N, Message: msg})
			continue
		}
		jb, err := r.newJob(sub)
		if err != nil {
			return nil, err
		}
		jb.follow = &a
		r.owned[sub.ID] = true
		r.oldFed[sub.ID] = true
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

// sleepOrWake is sleep, cut short by a push for the fax (Engine.Wake).
func sleepOrWake(ctx context.Context, d time.Duration, woken <-chan struct{}) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-woken:
		return true
	case <-ctx.Done():
		return false
	}
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
