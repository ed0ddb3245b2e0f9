package hub

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/faxjam/faxjam/pkg/dispatch"
	"github.com/faxjam/faxjam/pkg/letter"
	"github.com/faxjam/faxjam/pkg/lines"
)

// metrics are the hub's Prometheus metrics: counters fed by the actions
// taken and the engine's events, and the lines' state read from the lines
// view (the model /lines draws) at each scrape. Labels carry campaigns,
// numbers, outcomes and reasons: never a person.
//
// Written by hand rather than with prometheus/client_golang: linking that
// module (and protobuf, which it pulls in) adds package initialisers that
// run at every faxjam start, `faxjam version` included — 5 to 7 ms of
// init per process measured with GODEBUG=inittrace=1 against ~15 ms for
// all of faxjam's — for a dozen series a text writer of a page serves. The
// tests parse what it writes with Prometheus' own parser
// (prometheus/common/expfmt), so the format is held to the real one.
type metrics struct {
	campaign string
	mu       sync.Mutex
	counters map[series]float64
	hist     map[string]*histogram // by campaign
	onLine   map[string]time.Time  // fax key → when the gateway took it
}

// series is one metric's name and its labels, rendered: name{k="v",...}.
type series string

func seriesOf(name string, kv ...string) series {
	var b strings.Builder
	b.WriteString(name)
	if len(kv) > 0 {
		b.WriteByte('{')
		for i := 0; i+1 < len(kv); i += 2 {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(kv[i] + "=" + strconv.Quote(kv[i+1]))
		}
		b.WriteByte('}')
	}
	return series(b.String())
}

func (s series) name() string { n, _, _ := strings.Cut(string(s), "{"); return n }

// lineBuckets are the upper bounds (seconds) of the line-time histogram.
var lineBuckets = []float64{5, 15, 30, 60, 90, 120, 180, 300, 600}

type histogram struct {
	counts []uint64 // per bucket, not cumulative
	sum    float64
	n      uint64
}

func newMetrics(h *Hub) *metrics {
	return &metrics{campaign: h.c.ID, counters: map[series]float64{}, hist: map[string]*histogram{}, onLine: map[string]time.Time{}}
}

// help is each family's HELP and TYPE.
var help = map[string][2]string{
	"faxjam_actions_accepted_total":   {"counter", "Actions the hub took (durable in the journal), first of each person."},
	"faxjam_actions_rejected_total":   {"counter", "Actions not taken, by reason: input (a field breaks the input rules), closed, duplicate (a person or key again), error."},
	"faxjam_faxes_total":              {"counter", "Fax attempts that ended, by number and outcome (delivered, submitted, or the failure's reason)."},
	"faxjam_gateway_errors_total":     {"counter", "Gateway calls retried after a transient error."},
	"faxjam_push_total":               {"counter", "Status pushes from the fax vendor, by result: woken (a fax's status asked at once), kept (not tracked yet, or not dialled here), forged, stale, replayed, bad."},
	"faxjam_petition_fallbacks_total": {"counter", "People whose name went to the petition because every line was down."},
	"faxjam_fax_line_seconds":         {"histogram", "How long a fax held its line, from the gateway taking it to its delivery."},
	"faxjam_line_state":               {"gauge", "1 for the state each line is in now (up, sending, busy, down, quiet)."},
	"faxjam_queue_depth":              {"gauge", "Actions waiting to be faxed."},
	"faxjam_sending":                  {"gauge", "Faxes on a line now."},
	"faxjam_throughput_per_hour":      {"gauge", "Faxes completed per hour over the last 15 minutes."},
	"faxjam_leader":                   {"gauge", "1 when this hub process is the one dialling."},
	"faxjam_paused":                   {"gauge", "1 when the organizer paused dialling."},
}

func (m *metrics) add(s series, x float64) {
	m.mu.Lock()
	m.counters[s] += x
	m.mu.Unlock()
}

// acted counts an action's answer.
func (m *metrics) acted(acc Accepted, err error) {
	var fe *letter.FieldErrors
	var ce *ClosedError
	reason := ""
	switch {
	case err == nil && (acc.Duplicate || acc.person):
		reason = "duplicate"
	case err == nil:
		m.add(seriesOf("faxjam_actions_accepted_total", "campaign", m.campaign), 1)
		return
	case errors.As(err, &fe):
		reason = "input"
	case errors.As(err, &ce):
		reason = "closed"
	default:
		reason = "error"
	}
	m.add(seriesOf("faxjam_actions_rejected_total", "campaign", m.campaign, "reason", reason), 1)
}

// event counts an engine event.
func (m *metrics) event(ev dispatch.Event) {
	c := m.campaign
	fax := func(outcome string) {
		m.counters[seriesOf("faxjam_faxes_total", "campaign", c, "number", ev.Number, "outcome", outcome)]++
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	switch ev.Type {
	case dispatch.EventSubmitted:
		if _, on := m.onLine[ev.Key]; on { // a second "submitted" is the end, for drivers that cannot report delivery
			delete(m.onLine, ev.Key)
			fax("submitted")
			return
		}
		m.onLine[ev.Key] = ev.Time
	case dispatch.EventDelivered:
		fax("delivered")
		since, ok := m.onLine[ev.Key]
		delete(m.onLine, ev.Key)
		if ok && !ev.Time.Before(since) {
			m.observe(c, ev.Time.Sub(since).Seconds())
		}
	case dispatch.EventFailed:
		fax(string(ev.Reason))
		delete(m.onLine, ev.Key)
	case dispatch.EventRetry:
		m.counters[seriesOf("faxjam_gateway_errors_total", "campaign", c)]++
	case dispatch.EventPetitioned:
		m.counters[seriesOf("faxjam_petition_fallbacks_total", "campaign", c)]++
	}
}

// observe adds a line time to the histogram; m.mu is held.
func (m *metrics) observe(campaign string, secs float64) {
	h := m.hist[campaign]
	if h == nil {
		h = &histogram{counts: make([]uint64, len(lineBuckets)+1)}
		m.hist[campaign] = h
	}
	i, _ := slices.BinarySearch(lineBuckets, secs)
	h.counts[i]++
	h.sum += secs
	h.n++
}

// write writes every metric in Prometheus' text format (version 0.0.4):
// the counters and the histogram, then the gauges from the lines view.
func (m *metrics) write(w io.Writer, v Lines) error {
	fam := map[string][]string{}
	m.mu.Lock()
	for s, x := range m.counters {
		fam[s.name()] = append(fam[s.name()], string(s)+" "+num(x))
	}
	for c, h := range m.hist {
		const n = "faxjam_fax_line_seconds"
		var cum uint64
		for i, le := range lineBuckets {
			cum += h.counts[i]
			fam[n] = append(fam[n], fmt.Sprintf("%s_bucket{campaign=%q,le=%q} %d", n, c, num(le), cum))
		}
		fam[n] = append(fam[n], fmt.Sprintf("%s_bucket{campaign=%q,le=\"+Inf\"} %d", n, c, h.n),
			fmt.Sprintf("%s_sum{campaign=%q} %s", n, c, num(h.sum)), fmt.Sprintf("%s_count{campaign=%q} %d", n, c, h.n))
	}
	m.mu.Unlock()
	c := v.Campaign
	gauge := func(name string, x float64, kv ...string) {
		fam[name] = append(fam[name], string(seriesOf(name, append([]string{"campaign", c}, kv...)...))+" "+num(x))
	}
	for _, l := range v.Lines {
		for _, st := range []lines.State{lines.Up, lines.Sending, lines.Busy, lines.Down, lines.Quiet} {
			gauge("faxjam_line_state", b2f(string(st) == l.State), "number", l.Number, "state", string(st))
		}
	}
	gauge("faxjam_queue_depth", float64(v.Queue))
	gauge("faxjam_sending", float64(v.Sending))
	gauge("faxjam_throughput_per_hour", v.PerHour)
	gauge("faxjam_leader", b2f(v.Dispatching))
	gauge("faxjam_paused", b2f(v.Paused))
	var b strings.Builder
	for _, name := range slices.Sorted(maps.Keys(fam)) {
		ht := help[name]
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s %s\n", name, ht[1], name, ht[0])
		rows := fam[name]
		if ht[0] != "histogram" { // a histogram's rows stay in bucket order
			slices.Sort(rows)
		}
		for _, r := range rows {
			b.WriteString(r + "\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func num(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// MetricsHandler serves the hub's metrics in Prometheus' text format,
// without a token: for a separate listener (serve --metrics-addr) kept off
// the public address. On the hub's own address /metrics needs the admin
// token.
func (h *Hub) MetricsHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
		defer cancel()
		v, err := h.Lines(ctx)
		if err != nil {
			http.Error(w, "cannot read the lines now", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		h.metrics.write(w, v)
	})
}

func (h *Hub) metricsView(w http.ResponseWriter, r *http.Request) {
	if !h.admin(w, r) {
		return
	}
	h.MetricsHandler().ServeHTTP(w, r)
}
