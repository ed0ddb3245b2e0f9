package faxjamhttp_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/faxjam/faxjam/pkg/campaign"
	"github.com/faxjam/faxjam/pkg/petition"
	faxjamhttp "github.com/faxjam/faxjam/pkg/petition/http"
	"github.com/faxjam/faxjam/pkg/petition/petitiontest"
	"github.com/faxjam/faxjam/pkg/petition/server"
	"github.com/faxjam/faxjam/pkg/petition/store"
)

// The driver's conformance runs against the real petition server over
// loopback HTTP. Failures are provoked the way they happen in life: a wrong
// signing token, a client over its rate limit, a store that fails or hangs,
// and a misconfigured proxy in front of the server answering HTML.

const signToken = "sign-token-0123456789"

// failingStore fails or hangs every Add.
type failingStore struct {
	store.Store
	hang    bool
	release chan struct{}
}

func (f *failingStore) Add(ctx context.Context, s store.Signature) (store.Signature, bool, error) {
	if f.hang {
		select {
		case <-f.release:
		case <-ctx.Done():
		}
	}
	return store.Signature{}, false, errors.New("disk full")
}

type endpoint struct{ st store.Store }

func (e endpoint) Received() []petition.Signature {
	var out []petition.Signature
	e.st.Each(context.Background(), petitiontest.Campaign, func(s store.Signature) error {
		out = append(out, petition.Signature{Campaign: s.Campaign, Name: s.Name, City: s.City, Country: s.Country, Email: s.Email, Note: s.Note, Key: s.Key})
		return nil
	})
	return out
}

func serve(t *testing.T, cfg server.Config) string {
	t.Helper()
	s, err := server.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	t.Cleanup(func() { cancel(); <-done })
	return ln.Addr().String()
}

func start(t *testing.T, k petitiontest.Kind) (string, petitiontest.Endpoint) {
	st, err := store.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "petition.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cfg := server.Config{
		Addr:      "127.0.0.1:0",
		Campaigns: []*campaign.Campaign{{ID: petitiontest.Campaign, Title: "Defend Norma Cruz"}},
		Store:     st,
		Rate:      rate.Inf,
	}
	token := ""
	switch k {
	case petitiontest.Unauthorized:
		cfg.SignToken = signToken
		token = "wrong-sign-token-0000@"
	case petitiontest.RateLimited:
		cfg.Rate, cfg.Burst = rate.Every(time.Hour), 1
	case petitiontest.ServerError:
		cfg.Store = &failingStore{Store: st}
	case petitiontest.Hang:
		f := &failingStore{Store: st, hang: true, release: make(chan struct{})}
		cfg.Store = f
		defer t.Cleanup(func() { close(f.release) }) // before the server stops
	case petitiontest.Malformed:
		proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			petitiontest.Answer(w, r, petitiontest.Malformed)
		}))
		t.Cleanup(proxy.Close)
		return proxy.URL, endpoint{st}
	}
	addr := serve(t, cfg)
	if k == petitiontest.RateLimited {
		// Spend this client's one request.
		resp, err := http.Get("http://" + addr + "/v1/campaigns/" + petitiontest.Campaign)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	return "http://" + token + addr, endpoint{st}
}

func TestConformance(t *testing.T) {
	petitiontest.Run(t, petitiontest.Harness{Driver: faxjamhttp.Driver(), Start: start})
}

func TestSignTokenIsSent(t *testing.T) {
	st, err := store.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "petition.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	addr := serve(t, server.Config{Campaigns: []*campaign.Campaign{{ID: petitiontest.Campaign}}, Store: st, SignToken: signToken})
	p, err := faxjamhttp.Driver().Open(mustURL(t, "http://"+signToken+"@"+addr+"/"), petition.Env{Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	rc, err := p.Sign(context.Background(), petitiontest.Hostile()[0])
	if err != nil || rc.ID == "" {
		t.Fatalf("Sign with the sign token = %+v, %v", rc, err)
	}
}

func TestPrefixAndCampaignRequired(t *testing.T) {
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.URL.EscapedPath()
		w.WriteHeader(201)
		w.Write([]byte(`{"id":"s1"}`))
	}))
	defer srv.Close()
	p, err := faxjamhttp.Driver().Open(mustURL(t, srv.URL+"/faxjam/"), petition.Env{})
	if err != nil {
		t.Fatal(err)
	}
	s := petitiontest.Hostile()[0]
	s.Campaign = "a b/c"
	if _, err := p.Sign(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	if want := "/faxjam/v1/campaigns/a%20b%2Fc/signatures"; got != want {
		t.Errorf("posted to %q, want %q", got, want)
	}
	s.Campaign = ""
	if _, err := p.Sign(context.Background(), s); err == nil {
		t.Errorf("Sign without a campaign id succeeded")
	}
}

func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
