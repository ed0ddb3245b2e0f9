package server

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/petition/store"
	"github.com/faxjam/faxjam/pkg/testtool"
)

// slowStore holds every Add until release is closed.
type slowStore struct {
	store.Store
	entered chan struct{}
	release chan struct{}
}

func (s *slowStore) Add(ctx context.Context, sig store.Signature) (store.Signature, bool, error) {
	s.entered <- struct{}{}
	<-s.release
	return s.Store.Add(ctx, sig)
}

func TestShutdownFinishesInFlightRequests(t *testing.T) {
	slow := &slowStore{Store: openStore(t), entered: make(chan struct{}, 1), release: make(chan struct{})}
	s, err := New(Config{Store: slow, Campaigns: testCampaigns()})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, ln) }()
	base := "http://" + ln.Addr().String()

	answered := make(chan answer, 1)
	go func() {
		answered <- do(t, "POST", base+"/v1/campaigns/"+testCampaign+"/signatures", sigJSON(jose("k-inflight")))
	}()
	<-slow.entered
	cancel() // shutdown begins while the signature is being stored
	time.Sleep(100 * time.Millisecond)
	if _, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second); err == nil {
		t.Errorf("the server still accepts connections after shutdown began")
	}
	close(slow.release)
	a := <-answered
	if a.status != http.StatusCreated {
		t.Errorf("in-flight signature answered %d %s, want 201", a.status, a.body)
	}
	if err := <-served; err != nil {
		t.Errorf("Serve after a graceful shutdown: %v", err)
	}
	if n, _ := slow.Count(context.Background(), testCampaign); n != 1 {
		t.Errorf("store has %d signatures, want the in-flight one", n)
	}
}

func TestRunListensAndStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	addrs := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, Config{Addr: "127.0.0.1:0", Store: openStore(t), Campaigns: testCampaigns(), Listening: func(a net.Addr) { addrs <- a }})
	}()
	select {
	case a := <-addrs:
		if r := do(t, "GET", "http://"+a.String()+"/healthz", ""); r.status != 200 {
			t.Errorf("healthz: %d", r.status)
		}
	case err := <-done:
		t.Fatalf("Run returned before listening: %v", err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run after cancel: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after its context was cancelled")
	}
}

func TestRunRefusesAnInvalidConfig(t *testing.T) {
	err := Run(context.Background(), Config{Addr: "0.0.0.0:0", Store: openStore(t), Campaigns: testCampaigns()})
	if err == nil || !strings.Contains(err.Error(), "token") {
		t.Errorf("Run on all interfaces without a token = %v, want a config error", err)
	}
}

func TestTLS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, pool := testtool.SelfSigned(t, dir)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addrs := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, Config{Addr: "127.0.0.1:0", Store: openStore(t), Campaigns: testCampaigns(), TLSCert: certFile, TLSKey: keyFile, Listening: func(a net.Addr) { addrs <- a }})
	}()
	a := <-addrs
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := c.Get("https://" + a.String() + "/healthz")
	if err != nil {
		t.Fatalf("GET over TLS: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.TLS == nil {
		t.Errorf("GET over TLS: %d, TLS %v", resp.StatusCode, resp.TLS != nil)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
}

func TestTLSWithABadKeyFailsAtStart(t *testing.T) {
	dir := t.TempDir()
	certFile, _, _ := testtool.SelfSigned(t, dir)
	listening := false
	err := Run(context.Background(), Config{Addr: "127.0.0.1:0", Store: openStore(t), Campaigns: testCampaigns(), TLSCert: certFile, TLSKey: certFile, Listening: func(net.Addr) { listening = true }})
	if err == nil || !strings.Contains(err.Error(), "TLS") {
		t.Errorf("Run with a certificate as its own key = %v, want a TLS error", err)
	}
	if listening {
		t.Errorf("the server said it was listening with an unusable certificate")
	}
}

func FuzzDecodeRequest(f *testing.F) {
	for _, s := range []string{
		`{"name":"José Pérez","city":"Xela","country":"Guatemala","key":"k"}`,
		`{"name":"a","city":"b","country":"c","email":"a@b.org","note":"n","key":"k","campaign":"c"}`,
		`{"key":"` + strings.Repeat("k", 300) + `"}`,
		`{"name":7}`, `[]`, `{}{}`, `{"x":1}`, "", `{"key":"a\u0000b"}`, `{"name":"\ud800"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := decodeRequest(strings.NewReader(string(body)))
		if err != nil {
			if err.Error() == "" {
				t.Fatalf("empty error for %q", body)
			}
			if len(err.Error()) > 300 {
				t.Fatalf("error of %d bytes echoes too much input: %q", len(err.Error()), err)
			}
			return
		}
		if checkKey(req.Key) != nil {
			t.Fatalf("accepted a request with an invalid key %q", req.Key)
		}
	})
}
