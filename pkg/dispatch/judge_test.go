package dispatch

import (
	"testing"
	"time"
)

// FuzzJudge drives the reconcile decision (judge) through a random history
// of one signer: intents recorded, requests that reach the gateway after a
// random delay (within the request timeout plus the driver's margin, as
// its contract promises) or never, processes killed at any step and started
// again with only the journal, lookups at random instants. However the
// history goes, the gateway never places two faxes for the signer: with a
// gateway that dedupes by key (resent at once) and with one that does not
// (waited for).
func FuzzJudge(f *testing.F) {
	f.Add([]byte{2, 40, 3, 1, 2, 2, 0, 90, 2, 3, 2}, true)
	f.Add([]byte{2, 200, 1, 2, 0, 5, 2, 3, 0, 255, 2, 3, 2, 2}, false)
	f.Add([]byte{2, 10, 2, 1, 0, 1, 2, 2, 3, 2, 0, 200, 3, 2, 2}, true)
	f.Fuzz(func(t *testing.T, ops []byte, dedupe bool) {
		const timeout, margin = 100 * time.Millisecond, 50 * time.Millisecond
		numbers := []string{"+12025550142", "+12025550143"}
		type request struct {
			key    string
			arrive time.Time // zero: never arrives (refused before the gateway took it)
			gen    int       // the process that made it: it hears the answer if it lives
		}
		type attempt struct {
			n      int
			key    string
			number string
			tried  time.Time
			done   bool
		}
		now := time.Unix(0, 0)
		var (
			inflight []request
			placed   = map[string]bool{} // keys the gateway placed a fax for
			faxes    int
			journal  []attempt // what survives a kill
			alive    bool
			gen      int
			finished bool // the journal says the signer's fax is placed
		)
		// arrive lets the gateway take every request due by now.
		arrive := func() {
			kept := inflight[:0]
			for _, r := range inflight {
				switch {
				case r.arrive.IsZero():
				case !r.arrive.After(now):
					if !placed[r.key] || !dedupe {
						faxes++
					}
					placed[r.key] = true
					// The process that sent it, still alive, reads the receipt.
					if k := len(journal) - 1; alive && r.gen == gen && k >= 0 && journal[k].key == r.key && !journal[k].done {
						journal[k].done, finished = true, true
					}
				default:
					kept = append(kept, r)
				}
			}
			inflight = kept
		}
		next := func(i int) byte {
			if i < len(ops) {
				return ops[i]
			}
			return 0
		}
		post := func(a attempt, b byte) {
			r := request{key: a.key, gen: gen}
			if b%8 != 0 { // one in eight is refused before it is taken
				r.arrive = now.Add(time.Duration(b) * (timeout + margin) / 255)
			}
			inflight = append(inflight, r)
		}
		for i := 0; i < len(ops); i++ {
			switch ops[i] % 4 {
			case 0: // time passes
				i++
				now = now.Add(time.Duration(next(i)) * time.Millisecond)
			case 1: // SIGKILL: the requests on their way go on
				alive = false
			case 2: // the engine steps: start (again, after a kill), reconcile, or send
				if !alive {
					alive, gen = true, gen+1
				}
				if finished {
					break
				}
				i++
				b := next(i)
				if k := len(journal) - 1; k >= 0 && !journal[k].done {
					a := &journal[k]
					arrive()
					switch judge(placed[a.key], dedupe, now, a.tried.Add(timeout+margin)) {
					case verdictFound:
						a.done, finished = true, true
					case verdictNotSent:
						a.done = true
					case verdictResend:
						if !dedupe {
							t.Fatal("judge resends to a gateway that does not dedupe by key")
						}
						a.tried = now
						post(*a, b)
					case verdictWait:
					}
					break
				}
				n := len(journal) + 1
				a := attempt{n: n, number: numbers[n%2], tried: now}
				a.key = AttemptKey("signer", a.number, n)
				journal = append(journal, a)
				post(a, b)
			case 3: // a lookup's answer comes back late: the gateway moves on meanwhile
				arrive()
			}
		}
		now = now.Add(timeout + margin + time.Millisecond)
		arrive()
		if faxes > 1 {
			t.Fatalf("the gateway placed %d faxes for one signer (dedupe %v): keys %v, journal %+v", faxes, dedupe, placed, journal)
		}
	})
}
