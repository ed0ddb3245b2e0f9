package hub_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/dispatch/linesim"
	"github.com/faxjam/faxjam/pkg/hub"
	"github.com/faxjam/faxjam/pkg/journal"
	"github.com/faxjam/faxjam/pkg/testtool"
)

// BenchmarkAccept200Clients: actions accepted with a durable 202 (journal
// on SQLite, WAL, synchronous=FULL, concurrent accepts grouped into one
// commit), from 200 concurrent clients over loopback HTTP in this process.
// It reports accepts/s and the latency's p50 and p99.
//
//	go test -run '^$' -bench Accept200Clients -benchtime 20000x ./pkg/hub/
func BenchmarkAccept200Clients(b *testing.B) { benchAccept(b, start(b, nil, nil)) }

// BenchmarkAccept200ClientsPostgres is BenchmarkAccept200Clients with the
// journal on PostgreSQL (a throwaway server on loopback, testtool.Postgres,
// started with fsync=off: the figure is the round trips, not the disk).
//
//	go test -run '^$' -bench Accept200ClientsPostgres -benchtime 20000x ./pkg/hub/
func BenchmarkAccept200ClientsPostgres(b *testing.B) {
	dsn := testtool.Postgres(b)
	j, err := journal.OpenPostgres(context.Background(), dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer j.Close()
	benchAccept(b, start(b, nil, func(c *hub.Config) { c.Journal = j }))
}

func benchAccept(b *testing.B, th *testHub) {
	const clients = 200
	url := th.url + "/v1/campaigns/" + th.c.ID + "/actions"
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}}
	var next atomic.Int64
	lat := make([][]time.Duration, clients)
	var wg sync.WaitGroup
	b.ResetTimer()
	began := time.Now()
	for c := range clients {
		wg.Go(func() {
			for {
				i := next.Add(1)
				if i > int64(b.N) {
					return
				}
				body := fmt.Sprintf(`{"key":"%s","name":"Persona %d","city":"Xela","country":"Guatemala"}`, testKey(fmt.Sprint("bench-", i)), i)
				t0 := time.Now()
				resp, err := hc.Post(url, "application/json", strings.NewReader(body))
				if err != nil {
					b.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusAccepted {
					b.Errorf("status %d", resp.StatusCode)
					return
				}
				lat[c] = append(lat[c], time.Since(t0))
			}
		})
	}
	wg.Wait()
	took := time.Since(began)
	b.StopTimer()
	all := slices.Concat(lat...)
	slices.Sort(all)
	if len(all) == 0 {
		return
	}
	b.ReportMetric(float64(len(all))/took.Seconds(), "accepts/s")
	b.ReportMetric(float64(all[len(all)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
}

// BenchmarkLineUtilisation200Actions: 200 actions posted at once to a hub
// whose gateway is the line simulator with the campaign's 3 numbers, each
// fax holding its line 200 ms. The ideal is ⌈200/3⌉ × 200 ms = 13.4 s from
// the first call to the last fax's end; x-ideal is the hub's time over it.
//
//	go test -run '^$' -bench LineUtilisation200Actions -benchtime 1x ./pkg/hub/
func BenchmarkLineUtilisation200Actions(b *testing.B) {
	const n, d = 200, 200 * time.Millisecond
	for range b.N {
		th := start(b, &linesim.Config{Duration: d}, nil)
		var wg sync.WaitGroup
		ids := make([][2]string, n)
		for i := range n {
			wg.Go(func() {
				m := th.act(b, fmt.Sprintf("u-%d", i), fmt.Sprintf("Persona %d", i)).json(b)
				ids[i] = [2]string{m["id"].(string), m["receipt"].(string)}
			})
		}
		wg.Wait()
		for _, id := range ids {
			th.waitFinal(b, id[0], id[1])
		}
		var first, last time.Time
		done, err := th.j.FinishedSince(context.Background(), th.c.ID, time.Time{})
		if err != nil {
			b.Fatal(err)
		}
		for _, a := range done {
			if first.IsZero() || a.Started.Before(first) {
				first = a.Started
			}
			if a.Finished.After(last) {
				last = a.Finished
			}
		}
		ideal := time.Duration((n+2)/3) * d
		b.ReportMetric(float64(last.Sub(first))/float64(ideal), "x-ideal")
		b.ReportMetric(float64(len(th.sim.Received())), "faxes")
	}
}
