package hub_test

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/faxjam/faxjam/pkg/dispatch/linesim"
)

// /metrics, scraped as Prometheus does and parsed with its own parser:
// accepted and rejected actions, faxes by outcome and number, the line
// time, each line's state, the queue and the leader, checked by value;
// only with the admin token, and never a name.
func TestMetricsAreScrapedAndRightByValue(t *testing.T) {
	th := start(t, &linesim.Config{Duration: 5 * time.Millisecond}, nil)
	const n = 3
	for i := range n {
		a := th.act(t, rand.Text(), fmt.Sprintf("Metrica %d", i))
		if a.status != http.StatusAccepted {
			t.Fatalf("act: %d %s", a.status, a.body)
		}
		m := a.json(t)
		th.waitFinal(t, m["id"].(string), m["receipt"].(string))
	}
	// One refused: a name with markup.
	if a := th.act(t, rand.Text(), "<b>Bold</b>"); a.status != http.StatusBadRequest {
		t.Fatalf("bad name: %d", a.status)
	}
	if a := do(t, "GET", th.url+"/metrics", ""); a.status != http.StatusUnauthorized {
		t.Fatalf("/metrics without the token: %d", a.status)
	}
	a := do(t, "GET", th.url+"/metrics", "", "Authorization", "Bearer "+adminToken)
	if a.status != 200 || !strings.HasPrefix(a.header.Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Fatalf("/metrics: %d %s", a.status, a.header.Get("Content-Type"))
	}
	if strings.Contains(string(a.body), "Metrica") {
		t.Error("the metrics hold a name")
	}
	parser := expfmt.NewTextParser(model.LegacyValidation) // Prometheus' strictest names
	fams, err := parser.TextToMetricFamilies(strings.NewReader(string(a.body)))
	if err != nil {
		t.Fatalf("Prometheus cannot parse /metrics: %v\n%s", err, a.body)
	}
	value := func(name string, labels map[string]string) float64 {
		t.Helper()
		f, ok := fams[name]
		if !ok {
			t.Fatalf("no metric %s", name)
		}
		var sum float64
		for _, m := range f.Metric {
			if matches(m, labels) {
				switch {
				case m.Counter != nil:
					sum += m.Counter.GetValue()
				case m.Gauge != nil:
					sum += m.Gauge.GetValue()
				case m.Histogram != nil:
					sum += float64(m.Histogram.GetSampleCount())
				}
			}
		}
		return sum
	}
	c := map[string]string{"campaign": th.c.ID}
	for _, check := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"faxjam_actions_accepted_total", c, n},
		{"faxjam_actions_rejected_total", map[string]string{"reason": "input"}, 1},
		{"faxjam_faxes_total", map[string]string{"outcome": "delivered"}, n},
		{"faxjam_fax_line_seconds", c, n},
		{"faxjam_queue_depth", c, 0},
		{"faxjam_sending", c, 0},
		{"faxjam_leader", c, 1},
		{"faxjam_paused", c, 0},
		{"faxjam_line_state", map[string]string{"state": "up"}, 3},
		{"faxjam_line_state", map[string]string{"state": "down"}, 0},
	} {
		if got := value(check.name, check.labels); got != check.want {
			t.Errorf("%s%v = %v, want %v", check.name, check.labels, got, check.want)
		}
	}
}

func matches(m *dto.Metric, labels map[string]string) bool {
	for k, v := range labels {
		found := false
		for _, l := range m.Label {
			if l.GetName() == k && l.GetValue() == v {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return true
}
