package alert

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// receiver is a real HTTP server that records the alerts POSTed to it;
// failing makes it answer 500.
type receiver struct {
	mu      sync.Mutex
	got     []Alert
	failing bool
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failing {
		http.Error(w, "down", 500)
		return
	}
	if req.Header.Get("Content-Type") != "application/json" {
		http.Error(w, "want JSON", http.StatusUnsupportedMediaType)
		return
	}
	var a Alert
	b, _ := io.ReadAll(req.Body)
	if err := json.Unmarshal(b, &a); err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	r.got = append(r.got, a)
}

func (r *receiver) kinds() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, a := range r.got {
		out = append(out, a.Kind+":"+a.State)
	}
	return out
}

type mailbox struct{ subjects []string }

func (m *mailbox) Send(_ context.Context, to, subject, body string) error {
	m.subjects = append(m.subjects, to+" "+subject)
	return nil
}

// An incident is told once when it begins and once when it ends, however
// many checks see it; a receiver that was down gets what it missed, and a
// sender that already had it does not get it twice.
func TestEachIncidentIsToldOnceAndNothingIsLost(t *testing.T) {
	rec := &receiver{}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	mb := &mailbox{}
	now := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	w := &Watcher{Campaign: "c", Now: func() time.Time { return now },
		Senders: []Sender{Webhook{URL: srv.URL}, Mail{Mailer: mb, To: "org@example.org"}}}
	ctx := context.Background()
	for range 5 { // every line down for five checks: one alert
		if err := w.Observe(ctx, map[string]string{LinesDown: "every line is down"}); err != nil {
			t.Fatal(err)
		}
		now = now.Add(5 * time.Second)
	}
	rec.failing = true // the receiver goes down as the lines come back
	if err := w.Observe(ctx, nil); err == nil {
		t.Fatal("a failing webhook reported no error")
	}
	rec.failing = false
	if err := w.Observe(ctx, map[string]string{QueueStalled: "the queue has not moved for 10m"}); err != nil {
		t.Fatal(err)
	}
	if err := w.Tell(ctx, Leader, "this process now dials"); err != nil {
		t.Fatal(err)
	}
	want := []string{"lines-down:firing", "lines-down:resolved", "queue-stalled:firing", "leader:firing"}
	if got := rec.kinds(); !equal(got, want) {
		t.Errorf("webhook got %v, want %v", got, want)
	}
	if len(mb.subjects) != 4 || mb.subjects[0] != "org@example.org [faxjam c] lines-down firing" {
		t.Errorf("mail got %v, want the same four, once each", mb.subjects)
	}
	if r := rec.got[1]; !r.Since.Equal(time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("the resolved alert says since %v, want when it began", r.Since)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
