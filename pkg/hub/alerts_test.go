package hub_test

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/alert"
	"github.com/faxjam/faxjam/pkg/dispatch"
	"github.com/faxjam/faxjam/pkg/dispatch/linesim"
	"github.com/faxjam/faxjam/pkg/hub"
)

// alertInbox is a real webhook receiver on loopback.
type alertInbox struct {
	mu  sync.Mutex
	got []alert.Alert
}

func (in *alertInbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	var a alert.Alert
	if err := json.Unmarshal(b, &a); err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	in.mu.Lock()
	in.got = append(in.got, a)
	in.mu.Unlock()
}

func (in *alertInbox) count(kind, state string) int {
	in.mu.Lock()
	defer in.mu.Unlock()
	n := 0
	for _, a := range in.got {
		if a.Kind == kind && a.State == state {
			n++
		}
	}
	return n
}

// A hub whose every line goes down tells the organizer once (however many
// checks see it), and once more when a line is back; it said once that it
// began dialling. Nothing in an alert names a person.
func TestAlertsAreSentOncePerIncidentThroughARealReceiver(t *testing.T) {
	in := &alertInbox{}
	srv := httptest.NewServer(in)
	defer srv.Close()
	th := start(t, &linesim.Config{Duration: 2 * time.Millisecond}, func(c *hub.Config) {
		c.Dispatch.Breaker = dispatch.Breaker{Failures: 1, Cooldown: 2 * time.Second}
		c.Alerts = []alert.Sender{alert.Webhook{URL: srv.URL}}
		c.AlertEvery = 20 * time.Millisecond
	})
	for _, f := range th.c.Target.Fax {
		th.sim.SetLine(f.Number, linesim.NoAnswer)
	}
	for i := range 3 {
		if a := th.act(t, rand.Text(), fmt.Sprintf("Alerta %d", i)); a.status != http.StatusAccepted {
			t.Fatalf("act: %d %s", a.status, a.body)
		}
	}
	waitFor(t, func() bool { return in.count(alert.LinesDown, "firing") == 1 }, "a lines-down alert")
	time.Sleep(200 * time.Millisecond) // many more checks while the lines stay down
	if n := in.count(alert.LinesDown, "firing"); n != 1 {
		t.Errorf("%d lines-down alerts for one incident, want 1", n)
	}
	for _, f := range th.c.Target.Fax {
		th.sim.SetLine(f.Number, linesim.On)
	}
	waitFor(t, func() bool { return in.count(alert.LinesDown, "resolved") == 1 }, "the lines-down incident resolved")
	if n := in.count(alert.Leader, "firing"); n != 1 {
		t.Errorf("%d leader alerts, want 1 (this process began dialling)", n)
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	for _, a := range in.got {
		if a.Campaign != th.c.ID || a.Message == "" {
			t.Errorf("alert %+v", a)
		}
		if b, _ := json.Marshal(a); strings.Contains(string(b), "Alerta") {
			t.Errorf("an alert names a person: %s", b)
		}
	}
}

func waitFor(t *testing.T, ok func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within 20 s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
