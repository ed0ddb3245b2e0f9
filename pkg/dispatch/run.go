package dispatch

import (
	"context"
	"fmt"
	"iter"
	"maps"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/faxjam/faxjam/pkg/campaign"
	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/journal"
	"github.com/faxjam/faxjam/pkg/letter"
)

// enqueueBatch is how many signers share one journal transaction when a
// list is queued.
const enqueueBatch = 1000

// run is one call of Run or Resume. The scheduler state (lines, queue,
// counters) is guarded by mu; the goroutines that dial, poll and petition
// take it only to read and settle their outcome.
type run struct {
	e   *Engine
	cfg *Config
	j   *journal.Journal
	lim *rate.Limiter

	parent context.Context // the caller's: cancelled = stop everything (Ctrl-C)
	ctx    context.Context // dispatching: also ends with Wait or a stop
	cancel context.CancelFunc
	wctx   context.Context // journal writes: never cancelled, so outcomes are recorded

	evMu sync.Mutex
	wake chan struct{}

	mu        sync.Mutex
	lines     []*lineState
	queue     []*job
	inflight  int // attempts and petitions running
	petitions int // petition calls running (at most PetitionParallel)
	gate      *gate
	out       *outage // the gateway's failures in a row
	stopErr   error
	waiting   string // the last waiting event's message, to say it once
	sum       Summary
	// owned are the submissions reconcile took up: their jobs requeue them
	// themselves, so feed skips them if it comes to them.
	owned map[int64]bool
	// checkKeys: the journal is new (journal.CheckKeys), so a signer's
	// first fax is looked up at the gateway first (insure).
	checkKeys bool
	// serving: the run is Serve's (it waits for notify, for days).
	serving bool
	// What the run took on, so that its totals add up to its rows: taken
	// counts the submissions ingest queued for it; oldIn are those of them
	// queued before the run began (re-run rows), oldFed the submissions
	// from before the run that it dispatched (fed, resumed in flight,
	// taken over); those in oldFed but not oldIn were carried on from
	// earlier runs. rejTaken counts taken ones whose letter could not be
	// made (counted as rejected). The sets hold earlier runs' work only,
	// never a whole list.
	began    time.Time
	taken    int
	oldIn    map[int64]bool
	oldFed   map[int64]bool
	rejTaken int
}

type lineState struct {
	fax      campaign.FaxNumber
	inflight int
	health   journal.NumberHealth
	starts   []time.Time // attempts started in the last hour, oldest first
	// noFax counts this run's calls in a row that found no fax at the
	// number (not in service, a voice line): Breaker.HoldAfter of them
	// hold it until the organizer looks.
	noFax int
}

// job is a submission in the scheduler's hands.
type job struct {
	sub   journal.Submission
	doc   Document
	order []int            // line indexes in the order this signer tries them
	tries []int            // attempts per line index
	dead  []bool           // per line index: failed for a reason another try will not change
	why   []gateway.Reason // per line index: the last failure's reason
	// follow is set for a job resumed in flight: poll it, do not send it.
	follow *journal.Attempt
	// unmade is why its letter could not be made, for a job that goes to
	// the petition for it (Config.UnmadeToPetition).
	unmade error
}

func (jb *job) signer() letter.Signer {
	s := jb.sub
	return letter.Signer{Name: s.Name, City: s.City, Country: s.Country, Email: s.Email, Note: s.Note, Lang: s.Lang}
}

// Run queues signers in the journal (streaming, in batches) and dispatches
// the campaign's queued work — this run's signers and any left queued by
// earlier runs — until every submission is terminal, Wait expires or ctx is
// cancelled. A signer the journal already has done is reported (EventAlready)
// and not sent again unless Force. Errors from the signers sequence are
// reported as EventRejected and skipped.
//
// Run returns an error when it had to stop: bad credentials, a fictitious
// number given to a real gateway (errors.Is(err, ErrConfig)), a gateway that
// keeps failing (down for GatewayTimeout with no petition endpoint:
// ErrGatewayDown), a journal failure, or ctx's error when cancelled. Work not
// done stays queued in the journal for Resume or another Run.
func (e *Engine) Run(ctx context.Context, signers iter.Seq2[letter.Signer, error]) (Summary, error) {
	if e.cfg.DryRun {
		return e.dryRun(ctx, signers)
	}
	return e.run(ctx, signers, nil)
}

// Resume reconciles attempts interrupted by a crash and dispatches the
// campaign's queued work, as Run does without new signers.
func (e *Engine) Resume(ctx context.Context) (Summary, error) {
	if e.cfg.DryRun {
		return Summary{Run: map[journal.State]int{}}, nil
	}
	return e.run(ctx, nil, nil)
}

// run dispatches until the work is done: signers' and the queue's. With
// notify (Serve) it takes no signers and does not end when the queue is
// empty: each receive on notify reads the queue again for new work.
func (e *Engine) run(parent context.Context, signers iter.Seq2[letter.Signer, error], notify <-chan struct{}) (Summary, error) {
	start := time.Now()
	r := &run{e: e, cfg: &e.cfg, j: e.cfg.Journal, parent: parent, wctx: context.WithoutCancel(parent),
		wake: make(chan struct{}, 1), sum: Summary{Run: map[journal.State]int{}},
		gate: newGate(e.cfg.Backoff.Base, e.cfg.Backoff.Max), out: newOutage(), owned: map[int64]bool{},
		began: e.cfg.Now(), oldIn: map[int64]bool{}, oldFed: map[int64]bool{}}
	if e.cfg.Rate > 0 {
		r.lim = rate.NewLimiter(e.cfg.Rate, 1)
	}
	ctx := parent
	if e.cfg.Wait > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, e.cfg.Wait)
		defer cancel()
	}
	r.ctx, r.cancel = context.WithCancel(ctx)
	defer r.cancel()
	r.serving = notify != nil

	if err := r.j.Claim(r.wctx, e.cfg.Campaign.ID, e.cfg.SharedJournal); err != nil {
		return r.summary(start), err
	}
	check, err := r.j.CheckKeys(r.wctx)
	if err != nil {
		return r.summary(start), err
	}
	r.checkKeys = check && e.looker != nil
	if err := r.loadLines(); err != nil {
		return r.summary(start), err
	}
	follow, err := r.reconcile()
	if err != nil {
		return r.summary(start), err
	}

	var wg sync.WaitGroup
	ingested := make(chan struct{})
	more := make(chan struct{}, 1)
	var feedMore <-chan struct{} = more
	switch {
	case signers != nil:
		wg.Go(func() {
			defer close(ingested)
			if err := r.ingest(signers, more); err != nil {
				r.stop(err)
			}
		})
	case notify != nil: // ingestion never ends (nil): the feed waits for notify
		feedMore, ingested = notify, nil
	default:
		close(ingested)
	}
	subs := make(chan journal.Submission)
	wg.Go(func() {
		defer close(subs)
		if err := r.feed(subs, ingested, feedMore); err != nil {
			r.stop(err)
		}
	})
	lookahead := len(e.lines)*e.callsPerNumber()*2 + e.cfg.Parallel
	ready := make(chan *job, lookahead)
	var cw sync.WaitGroup
	for range e.cfg.Parallel {
		cw.Go(func() { r.compose(subs, ready) })
	}
	go func() { cw.Wait(); close(ready) }()

	r.mu.Lock()
	for _, jb := range follow {
		r.startAttempt(jb, r.lineOf(jb.follow.Number))
	}
	r.mu.Unlock()
	r.schedule(ready, lookahead)

	r.cancel()
	for range ready { // let the compose workers finish: they see ctx
	}
	wg.Wait()

	r.mu.Lock()
	r.sum.Run[journal.Queued] = max(r.leftQueued(), len(r.queue)) // what is still in hand is queued, at least
	stopErr := r.stopErr
	r.mu.Unlock()
	sum := r.summary(start)
	if check && stopErr == nil && sum.Done() {
		if err := r.j.KeysChecked(r.wctx); err != nil {
			stopErr = err
		}
	}
	r.emit(Event{Type: EventSummary, Summary: &sum})
	if stopErr != nil {
		return sum, stopErr
	}
	if err := parent.Err(); err != nil {
		return sum, err
	}
	return sum, nil
}

// leftQueued is what is left queued of the run's work: what it took on
// (its rows, and earlier runs' work it carried on) less what reached an
// end in it. Called with r.mu held.
func (r *run) leftQueued() int {
	total := r.taken
	for id := range r.oldFed {
		if !r.oldIn[id] {
			total++
		}
	}
	for st, n := range r.sum.Run {
		if st != journal.Queued {
			total -= n
		}
	}
	return max(0, total-r.rejTaken)
}

// summary reads the journal's counts and computes the run's utilisation.
func (r *run) summary(start time.Time) Summary {
	r.mu.Lock()
	s := r.sum
	s.Run = make(map[journal.State]int, len(r.sum.Run))
	for k, v := range r.sum.Run {
		s.Run[k] = v
	}
	s.Held = maps.Clone(r.sum.Held)
	r.mu.Unlock()
	s.Duration = time.Since(start)
	if c, err := r.j.Counts(r.wctx, r.cfg.Campaign.ID); err == nil {
		s.Counts = c
	}
	if capacity := time.Duration(len(r.e.lines)*r.e.callsPerNumber()) * s.Duration; capacity > 0 {
		s.Utilisation = float64(s.LineTime) / float64(capacity)
	}
	return s
}

func (r *run) emit(ev Event) {
	if r.cfg.Events == nil {
		return
	}
	if ev.Time.IsZero() {
		ev.Time = r.cfg.Now()
	}
	r.evMu.Lock()
	defer r.evMu.Unlock()
	r.cfg.Events(ev)
}

func (r *run) jobEvent(t EventType, jb *job) Event {
	return Event{Type: t, Key: jb.sub.Key, Name: jb.sub.Name}
}

// stop ends dispatching with err (the first one wins).
func (r *run) stop(err error) {
	r.mu.Lock()
	if r.stopErr == nil {
		r.stopErr = err
	}
	r.mu.Unlock()
	r.cancel()
}

func (r *run) poke() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// loadLines reads the numbers' health and the last hour's attempts, so the
// circuit breaker and the hourly cap carry over between runs.
func (r *run) loadLines() error {
	c := r.cfg.Campaign
	hs, err := r.j.Numbers(r.wctx, c.ID)
	if err != nil {
		return err
	}
	health := map[string]journal.NumberHealth{}
	for _, h := range hs {
		health[h.Number] = h
	}
	starts, err := r.j.StartedSince(r.wctx, c.ID, r.cfg.Now().Add(-time.Hour))
	if err != nil {
		return err
	}
	for _, f := range r.e.lines {
		h, ok := health[f.Number]
		if !ok {
			h = journal.NumberHealth{Campaign: c.ID, Number: f.Number}
		}
		r.lines = append(r.lines, &lineState{fax: f, health: h, starts: starts[f.Number]})
	}
	return nil
}

func (r *run) lineOf(number string) int {
	for i, l := range r.lines {
		if l.fax.Number == number {
			return i
		}
	}
	return -1
}

// newJob builds a submission's job with its history: which numbers it has
// tried, how often, and which failed for good.
func (r *run) newJob(sub journal.Submission) (*job, error) {
	n := len(r.lines)
	jb := &job{sub: sub, order: make([]int, n), tries: make([]int, n), dead: make([]bool, n), why: make([]gateway.Reason, n)}
	first := rotation(sub.Key, n)
	for i := range n {
		jb.order[i] = (first + i) % n
	}
	if sub.Attempts == 0 {
		return jb, nil
	}
	as, err := r.j.Attempts(r.wctx, sub.ID)
	if err != nil {
		return nil, err
	}
	for _, a := range as {
		li := r.lineOf(a.Number)
		if li < 0 || a.State != journal.AttemptFailed {
			continue
		}
		jb.tries[li]++
		jb.why[li] = gateway.Reason(a.Reason)
		if !gateway.Reason(a.Reason).Retryable() {
			jb.dead[li] = true
		}
	}
	return jb, nil
}

// ingest queues signers in the journal, a batch per transaction, and pokes
// the feeder after each.
func (r *run) ingest(signers iter.Seq2[letter.Signer, error], more chan<- struct{}) error {
	c := r.cfg.Campaign
	batch := make([]journal.Submission, 0, enqueueBatch)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		_, existing, err := r.j.Enqueue(r.parent, batch)
		if err != nil {
			return err
		}
		old := make(map[int]bool, len(existing))
		for _, i := range existing {
			old[i] = true
		}
		for i, s := range batch {
			ev := Event{Type: EventQueued, Key: s.Key, Name: s.Name}
			taken := true
			switch {
			case old[i] && s.State == journal.Queued && s.Redirect != r.e.redirect:
				continue // another run's work: feed says so (held) or, with Force, takes it over
			case old[i] && s.State == journal.Sending && r.isOwned(s.ID):
				ev.Message = "in flight when the last run stopped: followed up"
			case !old[i] || s.State == journal.Queued:
			case s.State.Terminal() && (r.cfg.Force || neverFaxed(s)):
				if err := r.j.Requeue(r.parent, s.ID, r.e.redirect); err != nil {
					return err
				}
				ev.Message = "sent again (--force); it was " + string(s.State)
				if neverFaxed(s) {
					ev.Message = "its letter could not be made before; it is made again"
				}
			default:
				taken = false
				ev.Type, ev.State = EventAlready, s.State
				ev.Message = alreadyMessage(s)
				r.mu.Lock()
				r.sum.Already++
				r.mu.Unlock()
			}
			if taken {
				r.mu.Lock()
				r.taken++
				if old[i] {
					r.oldIn[s.ID] = true
				}
				r.mu.Unlock()
			}
			r.emit(ev)
		}
		batch = batch[:0]
		select {
		case more <- struct{}{}:
		default:
		}
		return nil
	}
	for s, err := range signers {
		if err != nil {
			r.mu.Lock()
			r.sum.Rejected++
			r.mu.Unlock()
			r.emit(Event{Type: EventRejected, Message: err.Error(), Err: err})
			continue
		}
		if err := r.parent.Err(); err != nil {
			return flush()
		}
		batch = append(batch, journal.Submission{Campaign: c.ID, Key: letter.SignerKey(c.ID, s), Redirect: r.e.redirect,
			Name: s.Name, City: s.City, Country: s.Country, Email: s.Email, Note: s.Note, Lang: s.Lang})
		if len(batch) == enqueueBatch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// neverFaxed reports a submission that ended before any attempt: its
// letter could not be made (reject). Nothing reached a line, so a run that
// has the signer again tries again, without --force.
func neverFaxed(s journal.Submission) bool {
	return s.State == journal.Failed && s.Attempts == 0
}

func alreadyMessage(s journal.Submission) string {
	switch s.State {
	case journal.Sending:
		return "already in flight to " + s.Number
	case journal.Unknown:
		return "an earlier attempt's outcome is unknown: check the gateway, then use --force to send again"
	}
	return "already " + string(s.State) + " (use --force to send again)"
}

// feed reads the campaign's queued submissions from the journal in queue
// order, until ingestion is over and the queue is read to its end. The
// journal is the queue, so a list of a million signers is never in memory.
// A nil ingested never ends (Serve).
func (r *run) feed(out chan<- journal.Submission, ingested <-chan struct{}, more <-chan struct{}) error {
	const page = 256
	var after int64
	// With Rescan (Serve), the queue is read again from its start now and
	// then; fed keeps what this run has taken, so nothing is taken twice.
	var fed map[int64]bool
	var rescan <-chan time.Time
	if r.cfg.Rescan > 0 && ingested == nil {
		fed = map[int64]bool{}
		t := time.NewTicker(r.cfg.Rescan)
		defer t.Stop()
		rescan = t.C
	}
	for {
		done := false
		select {
		case <-ingested:
			done = true
		default:
		}
		subs, err := r.j.Queued(r.ctx, r.cfg.Campaign.ID, after, page)
		if err != nil {
			if r.ctx.Err() != nil {
				return nil
			}
			return err
		}
		moved := false // a submission hold took over went to the queue's end: read on to it
		for _, s := range subs {
			after = s.Seq
			if !r.e.mine(s.Key) || r.isOwned(s.ID) || fed[s.ID] {
				continue
			}
			if fed != nil {
				fed[s.ID] = true
			}
			if s.Redirect != r.e.redirect {
				took, err := r.hold(s)
				if err != nil {
					return err
				}
				moved = moved || took
				continue
			}
			r.carried(s)
			select {
			case out <- s:
			case <-r.ctx.Done():
				return nil
			}
		}
		if len(subs) == page || moved {
			continue
		}
		if done { // ingestion ended before this read, so the read saw all of it
			return nil
		}
		select {
		case <-more:
		case <-ingested:
		case <-rescan:
			after = 0
		case <-r.ctx.Done():
			return nil
		}
	}
}

// carried notes a submission from before the run that it dispatches.
func (r *run) carried(s journal.Submission) {
	if s.Created.Before(r.began) {
		r.mu.Lock()
		r.oldFed[s.ID] = true
		r.mu.Unlock()
	}
}

func (r *run) isOwned(id int64) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.owned[id]
}

// hold deals with a queued submission that was queued for another
// redirect than this run's: a rehearsal's fax must never go to the target's
// lines because the organizer carried on without --redirect, nor the real
// campaign's to a rehearsal number (it would count as delivered and never
// reach the target). It stays queued and is counted as held, unless Force
// takes it over for this run: then it goes to the end of the queue, where
// feed reads it again. Rehearsal work carried on with another rehearsal
// number (petition deliver --to, given again) goes there: neither is the
// target's.
func (r *run) hold(s journal.Submission) (took bool, err error) {
	// Rehearsal work carried on to another rehearsal number goes without
	// Force (neither is the target's); the outbox's work and the real
	// campaign's never change hands without it.
	phone := func(r string) bool { return r != "" && r != OutboxQueue }
	if r.cfg.Force || phone(s.Redirect) && phone(r.e.redirect) {
		if err := r.j.Requeue(r.parent, s.ID, r.e.redirect); err != nil {
			return false, err
		}
		r.emit(Event{Type: EventQueued, Key: s.Key, Name: s.Name,
			Message: "was " + queuedFor(s.Redirect) + "; now " + queuedFor(r.e.redirect)})
		return true, nil
	}
	r.mu.Lock()
	if r.sum.Held == nil {
		r.sum.Held = map[string]int{}
	}
	r.sum.Held[s.Redirect]++
	r.mu.Unlock()
	r.emit(Event{Type: EventHeld, Key: s.Key, Name: s.Name, State: s.State, Message: HeldHint(s.Redirect, r.e.redirect)})
	return false, nil
}

func queuedFor(redirect string) string {
	switch redirect {
	case "":
		return "queued for the real campaign"
	case OutboxQueue:
		return "queued for the outbox (a rehearsal that dials nothing)"
	}
	return "queued in a rehearsal to " + redirect
}

// HeldHint says why a submission queued for redirect (empty: the real
// campaign) is not sent by a run with runRedirect, and what to do.
func HeldHint(redirect, runRedirect string) string {
	carry := "carry on without --redirect"
	switch redirect {
	case "":
	case OutboxQueue:
		carry = "carry on with the outbox gateway"
	default:
		carry = "carry on with --redirect " + redirect
	}
	force := "use --force to send it for real"
	switch runRedirect {
	case "":
	case OutboxQueue:
		force = "use --force to write it to the outbox instead (it is then never faxed)"
	default:
		force = "use --force to send it to " + runRedirect + " instead"
	}
	return queuedFor(redirect) + ": " + carry + ", or " + force
}

// compose turns submissions into jobs with their documents.
func (r *run) compose(in <-chan journal.Submission, out chan<- *job) {
	for sub := range in {
		jb, err := r.newJob(sub)
		if err != nil {
			r.stop(err)
			return
		}
		if err := r.composeDoc(jb); err != nil {
			if r.ctx.Err() != nil {
				return
			}
			if !r.cfg.UnmadeToPetition {
				r.reject(jb, err)
				continue
			}
			jb.unmade = err // choose sends it to the petition
		}
		select {
		case out <- jb:
		case <-r.ctx.Done():
			return
		}
	}
}

func (r *run) composeDoc(jb *job) error {
	doc, err := r.cfg.Compose(r.ctx, jb.signer())
	if err != nil {
		return err
	}
	if len(doc.PDF) == 0 && len(doc.TIFF) == 0 {
		return fmt.Errorf("the composed document is empty")
	}
	jb.doc = doc
	return nil
}

// reject marks a signer whose letter cannot be made: failed, for the
// organizer to fix, never faxed half-made.
func (r *run) reject(jb *job, err error) {
	msg := "letter: " + err.Error()
	if werr := r.j.SetState(r.wctx, jb.sub.ID, journal.Failed, "document", msg); werr != nil {
		r.stop(werr)
		return
	}
	// Counted once, as rejected: it is no failed fax, and the next run that
	// has the signer makes its letter again (neverFaxed).
	r.mu.Lock()
	r.sum.Rejected++
	r.rejTaken++
	r.mu.Unlock()
	ev := r.jobEvent(EventRejected, jb)
	ev.Message, ev.Err = msg, err
	r.emit(ev)
}

// schedule matches ready jobs with free lines until the work is done or the
// run is stopped, then waits for the calls in flight.
func (r *run) schedule(ready <-chan *job, lookahead int) {
	readyDone, stopping := false, false
	for {
		r.mu.Lock()
		if !stopping {
			r.assign()
		}
		qlen, idle := len(r.queue), r.inflight == 0
		r.mu.Unlock()
		if idle && (stopping || readyDone && qlen == 0) {
			return
		}
		var in <-chan *job
		if !readyDone && !stopping && qlen < lookahead {
			in = ready
		}
		var tick <-chan time.Time
		if qlen > 0 && !stopping {
			tick = time.After(r.cfg.Poll)
		}
		var done <-chan struct{}
		if !stopping {
			done = r.ctx.Done()
		}
		select {
		case jb, ok := <-in:
			if !ok {
				readyDone = true
				continue
			}
			r.mu.Lock()
			r.queue = append(r.queue, jb)
			r.mu.Unlock()
		case <-r.wake:
		case <-tick:
		case <-done:
			stopping = true
		}
	}
}

// assign starts what can start now. Called with mu held.
func (r *run) assign() {
	now := r.cfg.Now()
	c := r.cfg.Campaign
	if len(r.queue) == 0 {
		return
	}
	if c.Ended(now) {
		r.say(Event{Type: EventWaiting, Message: fmt.Sprintf("campaign %s ended on %s: nothing is dialled", c.ID, c.Ends)})
		r.cancel()
		return
	}
	if quiet, until := c.InQuiet(now); quiet && !r.cfg.Offline {
		r.say(Event{Type: EventWaiting, Until: until,
			Message: fmt.Sprintf("quiet hours (%s %s): no dialling until %s", c.Limits.QuietHours, c.Target.Timezone, until.Format("15:04"))})
		return
	}
	hour := now.Add(-time.Hour)
	for _, l := range r.lines {
		i := 0
		for i < len(l.starts) && !l.starts[i].After(hour) {
			i++
		}
		l.starts = l.starts[i:]
	}
	kept := r.queue[:0]
	for _, jb := range r.queue {
		li, petition := r.choose(jb, now)
		switch {
		case li >= 0:
			r.startAttempt(jb, li)
		case petition && r.cfg.Petition == nil:
			r.inflight++
			go r.strandJob(jb, r.strand(jb, now))
		case petition && r.petitions < r.cfg.PetitionParallel:
			r.startPetition(jb)
		default:
			kept = append(kept, jb)
		}
	}
	clear(r.queue[len(kept):])
	r.queue = kept
	if len(r.queue) > 0 && r.inflight == 0 {
		r.explainWait(now)
	}
}

// choose picks the line a job goes to now (-1: none now), or says it is for
// the petition: every number it has not exhausted is down, or the gateway
// is (outage).
func (r *run) choose(jb *job, now time.Time) (li int, petition bool) {
	calls, perHour := r.e.callsPerNumber(), r.cfg.Campaign.Limits.PerNumberPerHour
	if r.cfg.Offline {
		perHour = 0
	}
	if jb.unmade != nil {
		return -1, true
	}
	if r.out.isDown() { // the gateway: the petition, or nothing when there is none (the run stops)
		return -1, r.petitionsWhenDown()
	}
	open := 0
	for _, i := range jb.order {
		l := r.lines[i]
		if jb.dead[i] || jb.tries[i] >= r.e.attemptsPerNumber() || l.health.Down(now) {
			continue
		}
		open++
		if l.inflight < calls && (perHour <= 0 || len(l.starts) < perHour) {
			return i, false
		}
	}
	return -1, open == 0
}

// explainWait says why queued work is not moving although no line is busy:
// the hourly caps.
func (r *run) explainWait(now time.Time) {
	var until time.Time
	for _, l := range r.lines {
		if len(l.starts) > 0 && !l.health.Down(now) {
			if t := l.starts[0].Add(time.Hour); until.IsZero() || t.Before(until) {
				until = t
			}
		}
	}
	if until.IsZero() {
		return
	}
	r.say(Event{Type: EventWaiting, Until: until,
		Message: fmt.Sprintf("every open number reached its cap of %d faxes an hour: waiting until %s",
			r.cfg.Campaign.Limits.PerNumberPerHour, until.Format(time.RFC3339))})
}

// say emits a waiting event once until its message changes. Called with mu
// held.
func (r *run) say(ev Event) {
	if ev.Message == r.waiting {
		return
	}
	r.waiting = ev.Message
	r.emit(ev)
}

func (r *run) startAttempt(jb *job, li int) {
	r.inflight++
	if li >= 0 {
		l := r.lines[li]
		l.inflight++
		if jb.follow == nil {
			l.starts = append(l.starts, r.cfg.Now())
		}
	}
	r.waiting = ""
	go r.attempt(jb, li)
}

func (r *run) startPetition(jb *job) {
	r.inflight++
	r.petitions++
	go r.petition(jb)
}
