package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/faxjam/faxjam/pkg/petition/store"
)

// TestLoad: 200 concurrent clients post signatures for 10 s (FAXJAM_LOAD_SECONDS
// overrides), 10% of them repeats of a key already sent and 10% malformed.
// There must be no 5xx, every valid signature stored exactly once under the
// id it was answered with, and every malformed one refused with 400 and a
// reason. Each client has its own address (X-Forwarded-For behind
// TrustProxy), so the rate limiter is in the path but generous.
//
//	go test -run TestLoad -v ./pkg/petition/server/
func TestLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("load test: run without -short")
	}
	const clients = 200
	dur := 10 * time.Second
	if s, err := strconv.Atoi(os.Getenv("FAXJAM_LOAD_SECONDS")); err == nil && s > 0 {
		dur = time.Duration(s) * time.Second
	}
	st := openStore(t)
	base := start(t, Config{Store: st, Token: testToken, TrustProxy: true, Rate: rate.Limit(10000), Burst: 10000})
	url := base + "/v1/campaigns/" + testCampaign + "/signatures"
	hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}}

	type result struct {
		ids       map[string]string // key -> id answered
		latencies []time.Duration
		fail      []string
		counts    map[int]int
	}
	results := make([]result, clients)
	ctx, cancel := context.WithTimeout(context.Background(), dur)
	defer cancel()
	var wg sync.WaitGroup
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			res := result{ids: map[string]string{}, counts: map[int]int{}}
			rng := rand.New(rand.NewPCG(uint64(c), 1))
			var sent []string
			for i := 0; ctx.Err() == nil; i++ {
				var body, key string
				kind := rng.IntN(10)
				switch {
				case kind == 0: // malformed
					body = [...]string{
						`{"name":"<b>bold</b>","city":"Xela","country":"Guatemala","key":"m"}`,
						`{"name":"Ana","city":"Xela","country":"Guatemala"}`,
						`{"name":"Ana","city":`,
						`{"name":"Ana","city":"Xela","country":"Guatemala","key":"m","x":1}`,
					}[rng.IntN(4)]
				case kind == 1 && len(sent) > 0: // a retry of a key already answered
					key = sent[rng.IntN(len(sent))]
					body = sigJSON(map[string]string{"name": fmt.Sprintf("Persona %s", strings.ReplaceAll(key, "-", " ")), "city": "Xela", "country": "Guatemala", "key": key})
				default:
					key = fmt.Sprintf("%d-%d", c, i)
					body = sigJSON(map[string]string{"name": fmt.Sprintf("Persona %d %d", c, i), "city": "Xela", "country": "Guatemala", "note": "Con Norma Cruz.", "key": key})
				}
				req, _ := http.NewRequest("POST", url, strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("X-Forwarded-For", fmt.Sprintf("10.1.%d.%d", c/250, c%250))
				t0 := time.Now()
				resp, err := hc.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						res.fail = append(res.fail, err.Error())
					}
					continue
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				res.latencies = append(res.latencies, time.Since(t0))
				res.counts[resp.StatusCode]++
				var a struct {
					ID        string `json:"id"`
					Duplicate bool   `json:"duplicate"`
					Error     string `json:"error"`
				}
				json.Unmarshal(b, &a)
				switch {
				case resp.StatusCode >= 500:
					res.fail = append(res.fail, fmt.Sprintf("%d %s", resp.StatusCode, b))
				case kind == 0:
					if resp.StatusCode != 400 || a.Error == "" {
						res.fail = append(res.fail, fmt.Sprintf("malformed %s answered %d %s", body, resp.StatusCode, b))
					}
				case resp.StatusCode == 201 && !slices.Contains(sent, key):
					res.ids[key] = a.ID
					sent = append(sent, key)
				case resp.StatusCode == 200 && a.Duplicate && res.ids[key] == a.ID:
				default:
					res.fail = append(res.fail, fmt.Sprintf("key %s answered %d %s (had id %q)", key, resp.StatusCode, b, res.ids[key]))
				}
			}
			results[c] = res
		}(c)
	}
	start := time.Now()
	wg.Wait()
	elapsed := time.Since(start)

	all := map[string]string{}
	var lat []time.Duration
	counts := map[int]int{}
	for _, r := range results {
		for _, f := range r.fail {
			t.Error(f)
		}
		for k, id := range r.ids {
			all[k] = id
		}
		lat = append(lat, r.latencies...)
		for s, n := range r.counts {
			counts[s] += n
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	stored := map[string]string{}
	err := st.Each(context.Background(), testCampaign, func(s store.Signature) error {
		if _, twice := stored[s.Key]; twice {
			t.Errorf("key %s stored twice", s.Key)
		}
		stored[s.Key] = s.ID
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(stored) != len(all) {
		t.Errorf("store has %d signatures, clients were answered 201 for %d", len(stored), len(all))
	}
	for k, id := range all {
		if stored[k] != id {
			t.Errorf("key %s answered id %s, stored as %q", k, id, stored[k])
		}
	}
	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[int(float64(len(lat)-1)*p)] }
	t.Logf("%d clients, %v: %d requests (%v), %.0f req/s, p50 %v, p99 %v, max %v; %d signatures stored",
		clients, elapsed.Round(time.Millisecond), len(lat), counts, float64(len(lat))/elapsed.Seconds(),
		pct(0.50).Round(time.Microsecond), pct(0.99).Round(time.Microsecond), lat[len(lat)-1].Round(time.Microsecond), len(stored))
	if counts[201] == 0 || counts[200] == 0 || counts[400] == 0 {
		t.Errorf("the mix did not exercise every answer: %v", counts)
	}
}

// BenchmarkSign measures one signature over loopback HTTP into SQLite with
// synchronous=FULL, from parallel clients.
//
//	go test -run '^$' -bench Sign -benchtime 5s ./pkg/petition/server/
func BenchmarkSign(b *testing.B) {
	base := start(b, Config{Rate: rate.Inf})
	url := base + "/v1/campaigns/" + testCampaign + "/signatures"
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	var n int64
	var mu sync.Mutex
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			mu.Lock()
			n++
			i := n
			mu.Unlock()
			body := sigJSON(map[string]string{"name": fmt.Sprintf("Persona %d", i), "city": "Xela", "country": "Guatemala", "key": strconv.FormatInt(i, 10)})
			resp, err := hc.Post(url, "application/json", strings.NewReader(body))
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 201 {
				b.Fatalf("status %d", resp.StatusCode)
			}
		}
	})
}
