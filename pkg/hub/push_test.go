package hub_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/dispatch"
	"github.com/faxjam/faxjam/pkg/dispatch/linesim"
	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/gateway/phaxio"
	"github.com/faxjam/faxjam/pkg/gateway/telnyx"
	"github.com/faxjam/faxjam/pkg/hub"
	"github.com/faxjam/faxjam/pkg/journal"
)

// pushingVendor is a fax vendor that pushes each fax's end to the hub as
// Telnyx does (a signed fax.delivered webhook over HTTP), in front of the
// line simulator: the fax ends when the simulator says, and its webhook
// is posted then.
type pushingVendor struct {
	*linesim.Sim
	d    time.Duration // how long a fax holds its line
	priv ed25519.PrivateKey
	url  func() string // the hub's receiver, known once it listens
	wg   sync.WaitGroup
	mu   sync.Mutex
	n    int
}

func (v *pushingVendor) Send(ctx context.Context, f gateway.Fax) (gateway.Receipt, error) {
	rec, err := v.Sim.Send(ctx, f)
	if err != nil {
		return rec, err
	}
	v.wg.Add(1)
	time.AfterFunc(v.d+time.Millisecond, func() {
		defer v.wg.Done()
		v.mu.Lock()
		v.n++
		ev := fmt.Sprintf("ev-%d", v.n)
		v.mu.Unlock()
		body := []byte(fmt.Sprintf(`{"data":{"event_type":"fax.delivered","id":%q,"record_type":"event","payload":{"fax_id":%q,"status":"delivered"}},"meta":{"attempt":1}}`, ev, rec.ID))
		req, _ := http.NewRequest("POST", v.url(), bytes.NewReader(body))
		req.Header = telnyx.SignWebhook(v.priv, time.Now(), body)
		req.Header.Set("Content-Type", "application/json")
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	})
	return rec, nil
}

// startPushing is a hub whose gateway pushes, polling every poll.
func startPushing(tb testing.TB, d, poll time.Duration, push bool) (*testHub, *pushingVendor) {
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		tb.Fatal(err)
	}
	var th *testHub
	v := &pushingVendor{Sim: linesim.New(linesim.Config{Duration: d}), d: d, priv: priv,
		url: func() string { return th.url + "/v1/push/telnyx" }}
	th = start(tb, nil, func(c *hub.Config) {
		c.Gateway, c.Driver = v, gateway.Driver{Scheme: linesim.Driver}
		c.Dispatch = dispatch.Config{Poll: poll}
		if push {
			c.Push.TelnyxKey = pub
		}
	})
	tb.Cleanup(v.wg.Wait)
	return th, v
}

func metricsText(t testing.TB, th *testHub) string {
	return string(do(t, "GET", th.url+"/metrics", "", "Authorization", "Bearer "+adminToken).body)
}

// TestPushedStatusFreesTheLine: with a poll of an hour, faxes can only end
// through the vendor's push; all 12 are delivered, each push is counted
// as having woken its fax, and nothing is sent twice (issue 18).
func TestPushedStatusFreesTheLine(t *testing.T) {
	th, v := startPushing(t, 20*time.Millisecond, time.Hour, true)
	for i := range 12 {
		if a := th.act(t, fmt.Sprint("push-", i), fmt.Sprint("Persona ", i)); a.status != http.StatusAccepted {
			t.Fatalf("act: %d %s", a.status, a.body)
		}
	}
	waitFor(t, func() bool {
		n, _ := th.j.Counts(t.Context(), th.c.ID)
		return n[journal.Delivered] == 12
	}, "12 deliveries through pushes (the poll is an hour)")
	if sends, _ := v.Sends(); sends != 12 {
		t.Errorf("%d faxes sent, want 12", sends)
	}
	v.wg.Wait()
	// Woken, or kept for a tracker that began after the push (a short
	// fax's end can arrive before its send is recorded).
	m := metricsText(t, th)
	n := 0
	for _, r := range []string{"woken", "kept"} {
		var k int
		if i := strings.Index(m, `faxjam_push_total{vendor="telnyx",result="`+r+`"} `); i >= 0 {
			fmt.Sscan(m[i+len(`faxjam_push_total{vendor="telnyx",result="`+r+`"} `):], &k)
		}
		n += k
	}
	if n != 12 {
		t.Errorf("%d pushes counted woken or kept, want 12:\n%s", n, grepLines(m, "push"))
	}
}

// TestForgedStaleAndReplayedPushesAreRefused over real HTTP: a body signed
// by another key, an altered body, a timestamp six minutes old and the same
// event twice are refused and counted; an unsigned Phaxio callback too.
func TestForgedStaleAndReplayedPushesAreRefused(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(nil)
	_, other, _ := ed25519.GenerateKey(nil)
	const token = "phaxio-webhook-token"
	th := start(t, &linesim.Config{}, func(c *hub.Config) {
		c.Push = hub.PushConfig{TelnyxKey: pub, PhaxioToken: token, PhaxioURL: "https://fax.example.org/v1/push/phaxio"}
	})
	body := []byte(`{"data":{"event_type":"fax.delivered","id":"ev-1","payload":{"fax_id":"sim-1"}}}`)
	post := func(h http.Header, b []byte) int {
		req, _ := http.NewRequest("POST", th.url+"/v1/push/telnyx", bytes.NewReader(b))
		req.Header = h
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	now := time.Now()
	for name, c := range map[string]struct {
		h    http.Header
		body []byte
		want int
	}{
		"another key":     {telnyx.SignWebhook(other, now, body), body, 401},
		"altered body":    {telnyx.SignWebhook(priv, now, body), bytes.Replace(body, []byte("sim-1"), []byte("sim-2"), 1), 401},
		"six minutes old": {telnyx.SignWebhook(priv, now.Add(-6*time.Minute), body), body, 401},
		"unsigned":        {http.Header{}, body, 401},
	} {
		if got := post(c.h, c.body); got != c.want {
			t.Errorf("%s: %d, want %d", name, got, c.want)
		}
	}
	signed := telnyx.SignWebhook(priv, now, body)
	if got := post(signed, body); got != http.StatusAccepted {
		t.Errorf("a signed push: %d, want 202", got)
	}
	if got := post(signed, body); got != http.StatusConflict {
		t.Errorf("the same push again (a replay): %d, want 409", got)
	}
	// Phaxio: unsigned, then signed twice.
	values := url.Values{"fax": {`{"id":77}`}, "event_type": {"fax_completed"}, "success": {"true"}}
	postPhaxio := func(sig string) int {
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		for k, vs := range values {
			w.WriteField(k, vs[0])
		}
		w.Close()
		req, _ := http.NewRequest("POST", th.url+"/v1/push/phaxio", &b)
		req.Header.Set("Content-Type", w.FormDataContentType())
		req.Header.Set("X-Phaxio-Signature", sig)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := postPhaxio(strings.Repeat("0", 40)); got != 401 {
		t.Errorf("phaxio, forged: %d, want 401", got)
	}
	sig := phaxio.SignCallback(token, "https://fax.example.org/v1/push/phaxio", values)
	if got := postPhaxio(sig); got != 202 {
		t.Errorf("phaxio, signed: %d, want 202", got)
	}
	if got := postPhaxio(sig); got != 409 {
		t.Errorf("phaxio, replayed: %d, want 409", got)
	}
	m := metricsText(t, th)
	for _, want := range []string{
		`faxjam_push_total{vendor="telnyx",result="forged"} 3`,
		`faxjam_push_total{vendor="telnyx",result="stale"} 1`,
		`faxjam_push_total{vendor="telnyx",result="replayed"} 1`,
		`faxjam_push_total{vendor="phaxio",result="forged"} 1`,
		`faxjam_push_total{vendor="phaxio",result="replayed"} 1`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %s:\n%s", want, grepLines(m, "push"))
		}
	}
}

func grepLines(s, sub string) string {
	var out []string
	for l := range strings.Lines(s) {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "")
}

// BenchmarkPushLineUtilisation: 30 actions posted at once, 3 numbers, each
// fax holding its line 150 ms, the default poll of 3 s; with the vendor's
// push and without. The ideal is ⌈30/3⌉ × 150 ms = 1.5 s; x-ideal is the
// hub's time from the first post to the last delivery over it.
//
//	go test -run '^$' -bench PushLineUtilisation -benchtime 1x ./pkg/hub/
func BenchmarkPushLineUtilisation(b *testing.B) {
	for _, push := range []bool{true, false} {
		b.Run(fmt.Sprint("push=", push), func(b *testing.B) {
			const n, d = 30, 150 * time.Millisecond
			var worst float64
			for b.Loop() {
				th, _ := startPushing(b, d, 3*time.Second, push)
				began := time.Now()
				for i := range n {
					if a := th.act(b, fmt.Sprint("bench-push-", i), fmt.Sprint("Persona ", i)); a.status != http.StatusAccepted {
						b.Fatalf("act: %d", a.status)
					}
				}
				for {
					c, _ := th.j.Counts(context.Background(), th.c.ID)
					if c[journal.Delivered] == n {
						break
					}
					time.Sleep(5 * time.Millisecond)
				}
				ideal := time.Duration((n+2)/3) * d
				worst = max(worst, float64(time.Since(began))/float64(ideal))
			}
			b.ReportMetric(worst, "x-ideal")
		})
	}
}
