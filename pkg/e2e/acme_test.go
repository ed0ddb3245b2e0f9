package e2e

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/dns/dnsmessage"

	"github.com/faxjam/faxjam/pkg/testtool"
)

// pebbleModule is Let's Encrypt's test ACME server, pinned (.ci/deps
// installs the same).
const pebbleModule = "github.com/letsencrypt/pebble/v2/cmd/pebble@v2.10.3"

// acmeDomain is the name the hub asks for; the test's own DNS server
// tells Pebble it is 127.0.0.1.
const acmeDomain = "fax.example.org"

// faxjam serve --acme-domain gets its certificate from a real ACME server
// (Pebble, validating for real over loopback, no PEBBLE_VA_ALWAYS_VALID),
// by each challenge the hub answers: TLS-ALPN-01 on the hub's own address
// (Pebble's tlsPort is the hub's port, its httpPort closed) and HTTP-01 on
// --acme-http-addr (its tlsPort closed, so the TLS-ALPN-01 attempt fails
// first). Each time an HTTPS request trusting only Pebble's root gets the
// hub's signing page, with a certificate for the domain alone; the account
// and certificate are in the data folder (mode 0700); and a restarted hub,
// with Pebble gone and the settings in the config file's serve: section,
// serves the same certificate from there.
func TestServeGetsItsCertificateFromAnACMEServer(t *testing.T) {
	pebble := testtool.GoTool(t, "pebble", pebbleModule)
	for _, challenge := range []string{"tls-alpn-01", "http-01"} {
		t.Run(challenge, func(t *testing.T) {
			w := newWorkspace(t)
			camp, _ := w.writeCampaign(map[string]any{"quiet_hours": nil})
			hubAddr, httpAddr, closed := freeAddr(t), freeAddr(t), freeAddr(t)
			tlsPort, httpPort := port(t, hubAddr), port(t, httpAddr)
			if challenge == "tls-alpn-01" {
				httpPort = port(t, closed)
			} else {
				tlsPort = port(t, closed)
			}
			pb := startPebble(t, pebble, tlsPort, httpPort)
			args := []string{"--campaign", camp, "--gateway", "outbox:" + w.path("ob"), "--db", w.path("hub.db"),
				"--log-format", "json", "--acme-domain", acmeDomain, "--acme-email", "ops@example.org",
				"--acme-directory", pb.directory, "--acme-ca-file", pb.caFile, "--acme-http-addr", httpAddr}
			h := w.startHub(hubAddr, args...)
			if want := "https://" + acmeDomain + ":" + port(t, hubAddr); h.url != want {
				t.Errorf("listening at %s, want %s", h.url, want)
			}
			roots := pb.roots(t)
			start := time.Now()
			t.Cleanup(func() {
				if t.Failed() {
					t.Logf("pebble:\n%s", tail(pb.log.String(), 40))
				}
			})
			cert := getPage(t, hubAddr, roots, h)
			t.Logf("%s: the first request, with the certificate's issuance, took %s", challenge, time.Since(start).Round(time.Millisecond))
			if !slices.Equal(cert.DNSNames, []string{acmeDomain}) {
				t.Errorf("the certificate is for %v, want [%s]", cert.DNSNames, acmeDomain)
			}
			// The hub's log shows the CA's HTTP-01 requests, and only there.
			answered := strings.Count(h.stderr.String(), `"path":"/.well-known/acme-challenge/","status":200`)
			if challenge == "http-01" && answered == 0 || challenge == "tls-alpn-01" && answered != 0 {
				t.Errorf("%d HTTP-01 challenges answered:\n%s", answered, h.stderr.String())
			}
			if challenge == "http-01" {
				// Port 80's other requests go to HTTPS.
				c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
				req, _ := http.NewRequest("GET", "http://"+httpAddr+"/c/page?x=1", nil)
				req.Host = acmeDomain
				resp, err := c.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound || loc != "https://"+acmeDomain+"/c/page?x=1" {
					t.Errorf("plain HTTP: %d to %q, want 302 to https", resp.StatusCode, loc)
				}
			}

			cache := filepath.Join(w.dir, "data", "faxjam", "acme")
			fi, err := os.Stat(cache)
			if err != nil {
				t.Fatalf("no certificate cache in the data folder: %v", err)
			}
			if fi.Mode().Perm() != 0o700 {
				t.Errorf("the cache folder is %v, want 0700", fi.Mode().Perm())
			}
			for _, f := range []string{acmeDomain, "acme_account+key"} {
				if fi, err := os.Stat(filepath.Join(cache, f)); err != nil || fi.Mode().Perm()&0o077 != 0 {
					t.Errorf("cache file %s: %v %v", f, fi, err)
				}
			}
			stored := strings.Count(h.stderr.String(), `"msg":"acme certificate stored"`)
			if stored != 1 {
				t.Errorf("%d certificates stored, want 1:\n%s", stored, h.stderr.String())
			}

			// Restarted without the CA, the ACME settings now in the config
			// file's serve: section: the certificate comes from the cache.
			h.stop(t)
			pb.stop()
			cfg := fmt.Sprintf("serve:\n  log_format: json\n  acme_domain: %s\n  acme_email: ops@example.org\n  acme_directory: %s\n  acme_ca_file: %s\n  acme_http_addr: %s\n",
				acmeDomain, pb.directory, pb.caFile, httpAddr)
			if err := os.WriteFile(w.path("config.yaml"), []byte(cfg), 0o600); err != nil {
				t.Fatal(err)
			}
			h2 := w.startHub(hubAddr, "--config", w.path("config.yaml"), "--campaign", camp, "--gateway", "outbox:"+w.path("ob"), "--db", w.path("hub.db"))
			again := getPage(t, hubAddr, roots, h2)
			if again.SerialNumber.Cmp(cert.SerialNumber) != 0 {
				t.Errorf("after a restart the certificate is serial %s, want the cached %s", again.SerialNumber, cert.SerialNumber)
			}
			if n := strings.Count(h2.stderr.String(), `"msg":"acme certificate`); n != 0 {
				t.Errorf("the restarted hub asked the CA again:\n%s", h2.stderr.String())
			}
		})
	}
}

// getPage GETs the hub's signing page over HTTPS as a browser at
// https://fax.example.org would, trusting only roots, and returns the
// certificate it was served.
func getPage(t *testing.T, addr string, roots *x509.CertPool, h *hubProc) *x509.Certificate {
	t.Helper()
	c := &http.Client{Timeout: 90 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: roots},
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr) // DNS says fax.example.org is here
		},
	}}
	defer c.CloseIdleConnections()
	resp, err := c.Get("https://" + acmeDomain + ":" + port(t, addr) + "/")
	if err != nil {
		t.Fatalf("HTTPS to the hub: %v\n%s", err, tail(h.stderr.String(), 20))
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "<form") {
		t.Fatalf("HTTPS GET /: %d, not the signing page:\n%.500s", resp.StatusCode, body)
	}
	return resp.TLS.PeerCertificates[0]
}

func port(t *testing.T, addr string) string {
	t.Helper()
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// pebbleServer is a Pebble process on loopback.
type pebbleServer struct {
	directory  string // its ACME directory URL
	management string // its management API, for the roots it issues under
	caFile     string // the root of its own HTTPS certificate
	rootsCA    *x509.CertPool
	log        *syncBuffer
	stop       func()
}

// startPebble starts Pebble validating challenges at 127.0.0.1 on
// tlsPort (TLS-ALPN-01) and httpPort (HTTP-01), resolving every name to
// 127.0.0.1 through a DNS server of the test's.
func startPebble(t *testing.T, bin, tlsPort, httpPort string) *pebbleServer {
	t.Helper()
	dir := t.TempDir()
	caFile, keyFile, pool := testtool.SelfSigned(t, dir) // the root the hub gets as --acme-ca-file
	listen, mgmt := freeAddr(t), freeAddr(t)
	cfg := map[string]any{"pebble": map[string]any{
		"listenAddress": listen, "managementListenAddress": mgmt,
		"certificate": caFile, "privateKey": keyFile,
		"httpPort": atoi(t, httpPort), "tlsPort": atoi(t, tlsPort),
		"ocspResponderURL": "", "externalAccountBindingRequired": false,
		"profiles": map[string]any{"default": map[string]any{"description": "default", "validityPeriod": 7776000}},
	}}
	b, _ := json.Marshal(cfg)
	cfgFile := filepath.Join(dir, "pebble.json")
	if err := os.WriteFile(cfgFile, b, 0o600); err != nil {
		t.Fatal(err)
	}
	dns := startDNS(t)
	cmd := exec.Command(bin, "-config", cfgFile, "-dnsserver", dns)
	// No random sleep before validating, no nonces refused at random:
	// validation itself stays real.
	cmd.Env = append(os.Environ(), "PEBBLE_VA_NOSLEEP=1", "PEBBLE_WFE_NONCEREJECT=0")
	pb := &pebbleServer{directory: "https://" + listen + "/dir", management: "https://" + mgmt, caFile: caFile, rootsCA: pool, log: &syncBuffer{}}
	cmd.Stdout, cmd.Stderr = pb.log, pb.log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	pb.stop = func() {
		cmd.Process.Kill()
		<-done
	}
	t.Cleanup(pb.stop)
	c := pb.client()
	for deadline := time.Now().Add(30 * time.Second); ; {
		resp, err := c.Get(pb.directory)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		select {
		case <-done:
			t.Fatalf("pebble ended:\n%s", pb.log.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("pebble does not answer at %s: %v\n%s", pb.directory, err, pb.log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	return pb
}

func (pb *pebbleServer) client() *http.Client {
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pb.rootsCA}}}
}

// roots are the roots Pebble issues under (new at each start).
func (pb *pebbleServer) roots(t *testing.T) *x509.CertPool {
	t.Helper()
	resp, err := pb.client().Get(pb.management + "/roots/0")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	pool := x509.NewCertPool()
	if resp.StatusCode != 200 || !pool.AppendCertsFromPEM(b) {
		t.Fatalf("pebble's root: %d %s", resp.StatusCode, b)
	}
	return pool
}

func atoi(t *testing.T, s string) int {
	var n int
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// startDNS serves DNS on loopback, over UDP and TCP on one port (Pebble
// asks over both), until the test ends: every name's A record is
// 127.0.0.1, and it has no AAAA record.
func startDNS(t *testing.T) string {
	t.Helper()
	var (
		tl  net.Listener
		pc  net.PacketConn
		err error
	)
	for range 20 { // the UDP port of a free TCP port may be taken
		if tl, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			t.Fatal(err)
		}
		if pc, err = net.ListenPacket("udp", tl.Addr().String()); err == nil {
			break
		}
		tl.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close(); tl.Close() })
	go func() {
		buf := make([]byte, 1500)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return // closed
			}
			if out, err := dnsAnswer(buf[:n]); err == nil {
				pc.WriteTo(out, from)
			}
		}
	}()
	go func() {
		for {
			c, err := tl.Accept()
			if err != nil {
				return // closed
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(10 * time.Second))
				for { // messages with a two-byte length before each
					var n [2]byte
					if _, err := io.ReadFull(c, n[:]); err != nil {
						return
					}
					q := make([]byte, int(n[0])<<8|int(n[1]))
					if _, err := io.ReadFull(c, q); err != nil {
						return
					}
					out, err := dnsAnswer(q)
					if err != nil {
						return
					}
					if _, err := c.Write(append([]byte{byte(len(out) >> 8), byte(len(out))}, out...)); err != nil {
						return
					}
				}
			}()
		}
	}()
	return tl.Addr().String()
}

func dnsAnswer(query []byte) ([]byte, error) {
	var p dnsmessage.Parser
	h, err := p.Start(query)
	if err != nil {
		return nil, err
	}
	q, err := p.Question()
	if err != nil {
		return nil, err
	}
	b := dnsmessage.NewBuilder(nil, dnsmessage.Header{ID: h.ID, Response: true, Authoritative: true, RecursionDesired: h.RecursionDesired})
	b.EnableCompression()
	if err := b.StartQuestions(); err != nil {
		return nil, err
	}
	if err := b.Question(q); err != nil {
		return nil, err
	}
	if err := b.StartAnswers(); err != nil {
		return nil, err
	}
	if q.Type == dnsmessage.TypeA {
		rh := dnsmessage.ResourceHeader{Name: q.Name, Type: dnsmessage.TypeA, Class: dnsmessage.ClassINET, TTL: 60}
		if err := b.AResource(rh, dnsmessage.AResource{A: [4]byte{127, 0, 0, 1}}); err != nil {
			return nil, err
		}
	}
	return b.Finish()
}
