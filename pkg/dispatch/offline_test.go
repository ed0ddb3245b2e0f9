package dispatch

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/dispatch/linesim"
	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/journal"
)

// paper is a gateway that dials nothing, as outbox:// does: each fax is
// "delivered" when written. It counts the faxes it holds at once.
type paper struct {
	mu       sync.Mutex
	inflight int
	most     int
	sent     int
}

func (p *paper) Send(_ context.Context, f gateway.Fax) (gateway.Receipt, error) {
	p.mu.Lock()
	p.inflight++
	p.most = max(p.most, p.inflight)
	p.mu.Unlock()
	time.Sleep(20 * time.Millisecond) // writing the files
	p.mu.Lock()
	p.inflight--
	p.sent++
	p.mu.Unlock()
	return gateway.Receipt{ID: f.Key, To: f.To, State: gateway.Delivered}, nil
}

func (p *paper) Status(_ context.Context, id string) (gateway.Status, error) {
	return gateway.Status{ID: id, State: gateway.Delivered}, nil
}

// TestOfflineGatewayIgnoresLineCourtesy: quiet hours, hourly caps and calls
// per number spare the target's lines; a gateway that dials nothing
// (outbox://) writes every letter at once, at night too.
func TestOfflineGatewayIgnoresLineCourtesy(t *testing.T) {
	gt, err := time.LoadLocation("America/Guatemala")
	if err != nil {
		t.Fatal(err)
	}
	night := func() time.Time { return time.Date(2026, 11, 27, 22, 0, 0, 0, gt) }
	tests := []struct {
		name      string
		offline   bool
		delivered int
	}{
		{"offline writes every letter now", true, 10},
		{"a dialling gateway waits for the morning", false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, linesim.Config{}, numA)
			h.c.Limits.QuietHours = "20:00-08:00"
			h.c.Limits.PerNumberPerHour = 2
			gw := &paper{}
			cfg := h.config()
			cfg.Gateway, cfg.Driver, cfg.Offline, cfg.Now, cfg.Parallel = gw, "outbox", tt.offline, night, 4
			cfg.Wait = 300 * time.Millisecond // a dialling gateway would wait all night
			sum, err := h.run(t.Context(), cfg, signerList(10))
			if err != nil {
				t.Fatal(err)
			}
			if sum.Counts[journal.Delivered] != tt.delivered {
				t.Errorf("counts = %v, want %d delivered", sum.Counts, tt.delivered)
			}
			w := h.eventsOf(EventWaiting)
			if tt.offline {
				if len(w) != 0 {
					t.Errorf("waiting events %+v for a gateway that dials nothing", w)
				}
				if gw.most < 2 {
					t.Errorf("at most %d fax in flight to the one number, want several: calls_per_number spares a line outbox does not use", gw.most)
				}
				return
			}
			if len(w) != 1 || !strings.Contains(w[0].Message, "quiet hours") {
				t.Errorf("waiting events = %+v, want one for quiet hours", w)
			}
		})
	}
}

// TestOfflineGatewayKeepsTheEndDate: a campaign that ended is over whatever
// the gateway.
func TestOfflineGatewayKeepsTheEndDate(t *testing.T) {
	h := newHarness(t, linesim.Config{}, numA)
	h.c.Ends = "2012-02-29"
	gw := &paper{}
	cfg := h.config()
	cfg.Gateway, cfg.Offline = gw, true
	sum, err := h.run(t.Context(), cfg, signerList(3))
	if err != nil {
		t.Fatal(err)
	}
	if gw.sent != 0 || sum.Counts[journal.Queued] != 3 {
		t.Errorf("%d written, counts %v; want none written, 3 queued", gw.sent, sum.Counts)
	}
	if w := h.eventsOf(EventWaiting); len(w) != 1 || !strings.Contains(w[0].Message, "ended") {
		t.Errorf("waiting events = %+v, want one saying the campaign ended", w)
	}
}

// TestDryRunSaysWhatARealSendWouldWaitFor: a dry run dials nothing, but an
// organizer planning at night should learn the letters would wait.
func TestDryRunSaysWhatARealSendWouldWaitFor(t *testing.T) {
	gt, err := time.LoadLocation("America/Guatemala")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		at      time.Time
		offline bool
		ends    string
		want    string // "" = no waiting event
	}{
		{"quiet hours, dialling gateway", time.Date(2026, 11, 27, 22, 0, 0, 0, gt), false, "", "would dial nothing until 08:00"},
		{"quiet hours, offline gateway", time.Date(2026, 11, 27, 22, 0, 0, 0, gt), true, "", ""},
		{"daytime", time.Date(2026, 11, 27, 12, 0, 0, 0, gt), false, "", ""},
		{"ended", time.Date(2026, 11, 27, 12, 0, 0, 0, gt), true, "2012-02-29", "ended on 2012-02-29"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := testCampaign(numA)
			c.Limits.QuietHours, c.Ends = "20:00-08:00", tt.ends
			var waits []Event
			e, err := New(Config{Campaign: c, Compose: cheapCompose, DryRun: true, Offline: tt.offline,
				Now: func() time.Time { return tt.at },
				Events: func(ev Event) {
					if ev.Type == EventWaiting {
						waits = append(waits, ev)
					}
				}})
			if err != nil {
				t.Fatal(err)
			}
			sum, err := e.Run(t.Context(), seq(signerList(3)))
			if err != nil || sum.Planned != 3 {
				t.Fatalf("dry run: %+v, %v; want 3 planned", sum, err)
			}
			switch {
			case tt.want == "" && len(waits) != 0:
				t.Errorf("waiting events %+v, want none", waits)
			case tt.want != "" && (len(waits) != 1 || !strings.Contains(waits[0].Message, tt.want)):
				t.Errorf("waiting events %+v, want one saying %q", waits, tt.want)
			}
		})
	}
}
