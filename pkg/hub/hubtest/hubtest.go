// Package hubtest runs a real campaign hub (package hub) over HTTP on
// loopback for tests: its journal and petition store in a temporary
// folder, its log kept for the test to read, stopped when the test ends.
// Nothing in the product imports it.
package hubtest

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"sync"
	"testing"

	"github.com/faxjam/faxjam/pkg/campaign"
	"github.com/faxjam/faxjam/pkg/hub"
	"github.com/faxjam/faxjam/pkg/journal"
	"github.com/faxjam/faxjam/pkg/petition/server"
	"github.com/faxjam/faxjam/pkg/petition/store"
	"github.com/faxjam/faxjam/pkg/render"
)

// Campaign is the bundled campaign without quiet hours or hourly caps, so
// that a test does not depend on the time of day.
func Campaign(t testing.TB) *campaign.Campaign {
	t.Helper()
	all, err := campaign.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	c := *all[0]
	c.Limits.QuietHours, c.Limits.PerNumberPerHour = "", 0
	return &c
}

// Log is the hub's log (server.NewLogger) writing format, "text" or
// "json", to w.
func Log(w io.Writer, format string) *slog.Logger {
	l, err := server.NewLogger(w, format, nil)
	if err != nil {
		panic("hubtest: " + err.Error()) // a test's mistake
	}
	return l
}

// Hub is a hub serving on loopback.
type Hub struct {
	URL     string // http://127.0.0.1:PORT
	Hub     *hub.Hub
	Journal *journal.Journal
	Store   store.Store
	// Stop ends the hub now (as its process stopping); the test's end
	// does it otherwise. Once is enough.
	Stop func()
	log  *syncBuffer
}

// Log is what the hub logged so far.
func (h *Hub) Log() string {
	h.log.mu.Lock()
	defer h.log.mu.Unlock()
	return h.log.b.String()
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// Start runs a hub with cfg. What cfg leaves unset is filled in: a journal
// and a petition store in a temporary folder, the default renderer (Fill),
// a text log (read with Hub.Log), no rate limit (HTTP.Rate and Burst 0 become 10⁶) and no
// cap on connections per address.
func Start(t testing.TB, cfg hub.Config) *Hub {
	t.Helper()
	Fill(t, &cfg)
	logw := &syncBuffer{}
	if cfg.HTTP.Logger == nil {
		cfg.HTTP.Logger = Log(logw, "text")
	}
	if cfg.HTTP.Rate == 0 && cfg.HTTP.Burst == 0 {
		cfg.HTTP.Rate, cfg.HTTP.Burst = 1e6, 1e6
	}
	if cfg.HTTP.MaxConnsPerAddr == 0 {
		cfg.HTTP.MaxConnsPerAddr = -1 // the tests' clients all come from loopback
	}
	h, err := hub.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.Serve(ctx, ln) }()
	hh := &Hub{URL: "http://" + ln.Addr().String(), Hub: h, Journal: cfg.Journal, Store: cfg.Store, log: logw}
	hh.Stop = sync.OnceFunc(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("hub Serve: %v", err)
		}
	})
	t.Cleanup(hh.Stop)
	return hh
}

// Fill gives cfg what it leaves unset: a journal and a petition store in a
// temporary folder (closed when the test ends) and the default renderer.
func Fill(t testing.TB, cfg *hub.Config) {
	t.Helper()
	dir := t.TempDir()
	if cfg.Journal == nil {
		j, err := journal.Open(filepath.Join(dir, "hub.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { j.Close() })
		cfg.Journal = j
	}
	if cfg.Store == nil {
		st, err := store.Open(context.Background(), filepath.Join(dir, "petition.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		cfg.Store = st
	}
	if cfg.Renderer == nil {
		r, err := render.New(render.Options{})
		if err != nil {
			t.Fatal(err)
		}
		cfg.Renderer = r
	}
}
