package hub_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/dispatch/linesim"
	"github.com/faxjam/faxjam/pkg/hub"
	"github.com/faxjam/faxjam/pkg/hub/hubtest"
	"github.com/faxjam/faxjam/pkg/journal"
)

// TestJSONLogsOneObjectPerLineWithoutPersonalData: with a JSON Logger
// every line of the hub's log is a JSON object (log/slog): a request is
// its method, its route's pattern, status and duration; a line event says
// what happened to a number. No name, city, e-mail, note, id or receipt
// token appears (issue 18).
func TestJSONLogsOneObjectPerLineWithoutPersonalData(t *testing.T) {
	var logw syncBuffer
	th := start(t, &linesim.Config{Duration: 2 * time.Millisecond}, func(c *hub.Config) {
		c.HTTP.Logger = hubtest.Log(&logw, "json")
		c.Dispatch.Breaker.HoldAfter = 1
	})
	th.sim.SetLine(th.c.Target.Fax[0].Number, linesim.Invalid) // a line event: held
	var secrets []string
	for i := range 6 {
		name, email := fmt.Sprintf("Zacarías Secreto%d", i), fmt.Sprintf("zsecreto%d@example.org", i)
		b, _ := json.Marshal(map[string]string{"key": testKey(fmt.Sprint("log-", i)), "name": name, "city": "Chichicastenango",
			"country": "Guatemala", "email": email, "note": "nota-privada"})
		a := do(t, "POST", th.url+"/v1/campaigns/"+th.c.ID+"/actions", string(b), "Content-Type", "application/json")
		if a.status != http.StatusAccepted {
			t.Fatalf("act: %d %s", a.status, a.body)
		}
		m := a.json(t)
		secrets = append(secrets, name, email, m["id"].(string), m["receipt"].(string))
		do(t, "GET", th.url+"/v1/actions/"+m["id"].(string), "", "Authorization", "Bearer "+m["receipt"].(string))
	}
	waitFor(t, func() bool {
		n, _ := th.j.Counts(t.Context(), th.c.ID)
		return n[journal.Delivered] == 6
	}, "6 deliveries")
	waitFor(t, func() bool { return strings.Contains(logw.String(), `"msg":"line held`) }, "the held number's line event")
	logw.mu.Lock()
	text := logw.String()
	logw.mu.Unlock()
	requests := 0
	for i, line := range strings.Split(strings.TrimSpace(text), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("line %d is not JSON: %q", i+1, line)
		}
		if m["time"] == nil || m["level"] == nil || m["msg"] == nil {
			t.Errorf("line %d lacks time, level or msg: %q", i+1, line)
		}
		if m["msg"] == "request" {
			requests++
			if m["method"] == nil || m["status"] == nil || m["duration"] == nil || !strings.HasPrefix(fmt.Sprint(m["path"]), "/") {
				t.Errorf("request line %d lacks a field: %q", i+1, line)
			}
		}
	}
	if requests < 12 {
		t.Errorf("%d request lines, want one per request (12 at least)", requests)
	}
	if !strings.Contains(text, `"path":"/v1/actions/{id}"`) {
		t.Error("no request line names the route's pattern")
	}
	for _, s := range append(secrets, "Chichicastenango", "nota-privada") {
		if strings.Contains(text, s) {
			t.Errorf("the log contains %q", s)
		}
	}
}
