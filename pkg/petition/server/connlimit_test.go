package server

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// One address holding many slow connections gets no more than its cap:
// the next one is closed at once, and another address is served promptly
// (issue 16: 21,000 slow connections from one address stalled everyone).
func TestConnectionsPerAddressAreCapped(t *testing.T) {
	base := start(t, Config{MaxConnsPerAddr: 5})
	addr := strings.TrimPrefix(base, "http://")
	var held []net.Conn
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	for range 5 { // slow clients: half a request each, never finished
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		c.Write([]byte("GET /healthz HTTP/1.1\r\nHost: x\r\n"))
		held = append(held, c)
	}
	time.Sleep(100 * time.Millisecond) // let the server accept them
	over, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer over.Close()
	over.SetReadDeadline(time.Now().Add(3 * time.Second))
	if _, err := over.Read(make([]byte, 1)); err == nil || !(err == io.EOF || strings.Contains(err.Error(), "reset")) {
		t.Errorf("the connection over the cap: read %v, want it closed at once", err)
	}
	// Another address (127.0.0.2 is loopback too) is served at once.
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}}
	client := &http.Client{Timeout: 3 * time.Second, Transport: &http.Transport{DialContext: func(ctx context.Context, network, a string) (net.Conn, error) {
		return d.DialContext(ctx, network, a)
	}}}
	begin := time.Now()
	resp, err := client.Get(base + "/healthz")
	if err != nil {
		t.Fatalf("another address: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || time.Since(begin) > 2*time.Second {
		t.Errorf("another address: %d after %s", resp.StatusCode, time.Since(begin))
	}
	// A closed connection gives its place back.
	held[0].Close()
	held = held[1:]
	time.Sleep(100 * time.Millisecond)
	resp, err = http.Get(base + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("after one slow connection closed, the address is served again: %v", err)
	}
	resp.Body.Close()
}
