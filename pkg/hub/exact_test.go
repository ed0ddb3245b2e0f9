package hub_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/dispatch"
	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/hub"
	"github.com/faxjam/faxjam/pkg/hub/hubtest"
	"github.com/faxjam/faxjam/pkg/journal"
	"github.com/faxjam/faxjam/pkg/letter"
)

// slowGateway is a gateway with a timeout of its own (as hylafax://…?
// timeout=90s) whose record is the truth: the faxes it took, by key. A
// request lost in a crash reaches it late (land).
type slowGateway struct {
	timeout time.Duration
	mu      sync.Mutex
	took    map[string]int
	sends   int
}

func (g *slowGateway) land(key string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.took[key]++
}

func (g *slowGateway) Send(_ context.Context, f gateway.Fax) (gateway.Receipt, error) {
	g.mu.Lock()
	g.sends++
	g.mu.Unlock()
	g.land(f.Key)
	return gateway.Receipt{ID: f.Key, Driver: "slow", To: f.To, State: gateway.Sending}, nil
}

func (g *slowGateway) Status(_ context.Context, id string) (gateway.Status, error) {
	return gateway.Status{ID: id, State: gateway.Delivered}, nil
}

func (g *slowGateway) Lookup(_ context.Context, key string) (gateway.Receipt, bool, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.took[key] == 0 {
		return gateway.Receipt{}, false, nil
	}
	return gateway.Receipt{ID: key, Driver: "slow", State: gateway.Sending}, true, nil
}

func (g *slowGateway) RequestTimeout() time.Duration { return g.timeout }

func (g *slowGateway) faxes() (total, sends int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, n := range g.took {
		total += n
	}
	return total, g.sends
}

// TestHubWaitsOutTheGatewaysOwnRequestTimeoutAfterACrash: a hub that died
// while its request to a slow gateway with timeout=90s was on the wire
// starts again 88 s later. The request may still arrive until 90 s after
// it began, so the hub must not judge it lost on the HTTP default (60 s)
// and fax again: it waits, finds the fax when it lands, and the gateway
// has taken one fax, not two.
func TestHubWaitsOutTheGatewaysOwnRequestTimeoutAfterACrash(t *testing.T) {
	c := testCampaign(t)
	j, err := journal.Open(filepath.Join(t.TempDir(), "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	ctx := context.Background()

	// What the crashed hub left: the action, and its attempt's intent,
	// begun 88 s ago.
	s := letter.Signer{Name: "Ana Lenta", City: "Lima", Country: "Perú"}
	key := letter.SignerKey(c.ID, s)
	if _, _, err := j.Enqueue(ctx, []journal.Submission{{Campaign: c.ID, Key: key, Name: s.Name, City: s.City, Country: s.Country, Created: time.Now()}}); err != nil {
		t.Fatal(err)
	}
	sub, err := j.Submission(ctx, c.ID, key)
	if err != nil {
		t.Fatal(err)
	}
	number := c.Target.Fax[0].Number
	lost := dispatch.AttemptKey(key, number, 1)
	began := time.Now().Add(-88 * time.Second)
	if _, err := j.StartAttempt(ctx, journal.Attempt{SubmissionID: sub.ID, N: 1, Key: lost, Number: number, Driver: "slow", Started: began}, "", 1); err != nil {
		t.Fatal(err)
	}

	gw := &slowGateway{timeout: 90 * time.Second, took: map[string]int{}}
	landed := time.AfterFunc(time.Second, func() { gw.land(lost) }) // the lost request arrives
	defer landed.Stop()
	var mu sync.Mutex
	var waited []dispatch.Event
	h := hubtest.Start(t, hub.Config{Campaign: c, Journal: j, Gateway: gw, Driver: gateway.Driver{Scheme: "slow"},
		Dispatch: dispatch.Config{Poll: 10 * time.Millisecond},
		Events: func(ev dispatch.Event) {
			if ev.Type == dispatch.EventWaiting {
				mu.Lock()
				waited = append(waited, ev)
				mu.Unlock()
			}
		}})

	deadline := time.Now().Add(15 * time.Second)
	for {
		got, err := j.Submission(ctx, c.ID, key)
		if err != nil {
			t.Fatal(err)
		}
		if got.State.Terminal() {
			if got.State != journal.Delivered {
				t.Errorf("the action ended %s (%s), want delivered", got.State, got.Message)
			}
			break
		}
		if total, _ := gw.faxes(); total > 1 || time.Now().After(deadline) {
			t.Errorf("the action is still %s after the lost request landed", got.State)
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	h.Stop()
	if total, sends := gw.faxes(); total != 1 || sends != 0 {
		t.Errorf("the gateway took %d fax(es), %d sent again after the crash; want the lost one only (1, 0)", total, sends)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(waited) == 0 {
		t.Error("no waiting event: the hub did not wait for the lost request")
	} else if d := waited[0].Until.Sub(began); d < 89*time.Second {
		t.Errorf("waited until %s after the request began, want the gateway's 90 s", d)
	}
}
