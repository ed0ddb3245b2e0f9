package hylafax

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/letter"
	"github.com/faxjam/faxjam/pkg/render"
	"github.com/faxjam/faxjam/pkg/testtool"
)

// startHylaFAX runs faxq and hfaxd on loopback in a private copy of the
// Debian spool, on a free port, and stops both (by pid) when the test ends.
// hosts.hfaxd lets testUser in with testPass and any other local user
// without one (faxstat runs as root). It returns host:port and the spool.
func startHylaFAX(t *testing.T) (addr, spool string) {
	t.Helper()
	hfaxd := testtool.Need(t, "hfaxd", "hylafax-server", "/usr/sbin/hfaxd")
	faxq := testtool.Need(t, "faxq", "hylafax-server", "/usr/sbin/faxq")
	openssl := testtool.Need(t, "openssl", "openssl")
	if os.Geteuid() != 0 {
		testtool.Missing(t, "hfaxd chroots into its spool and needs root")
	}
	for _, dir := range []string{"/var/spool/hylafax/sendq", "/etc/hylafax"} {
		if _, err := os.Stat(dir); err != nil {
			t.Fatalf("hylafax-server is installed but %s is missing: %v", dir, err)
		}
	}

	// faxq runs as uucp: every directory above the spool must let it in.
	base, err := os.MkdirTemp("", "faxjam-hylafax-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	spool = filepath.Join(base, "spool")
	run := func(name string, args ...string) string {
		t.Helper()
		out, err := exec.Command(name, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}
	os.Chmod(base, 0o755)
	run("cp", "-a", "/var/spool/hylafax", spool)
	run("cp", "-a", "/etc/hylafax/.", filepath.Join(spool, "etc"))
	hash := run(openssl, "passwd", "-1", "-salt", "faxjamts", testPass)
	hosts := filepath.Join(spool, "etc", "hosts.hfaxd")
	rules := fmt.Sprintf("^%s@127\\.0\\.0\\.1$:60002:%s\n127.0.0.1\n", testUser, hash)
	if err := os.WriteFile(hosts, []byte(rules), 0o600); err != nil {
		t.Fatal(err)
	}
	run("chown", "uucp:uucp", hosts)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	addr = fmt.Sprintf("127.0.0.1:%d", port)

	start := func(name string, args ...string) *exec.Cmd {
		// One file per daemon: the files outlive the processes for the dump.
		out, err := os.Create(filepath.Join(base, filepath.Base(name)+".out"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { out.Close() })
		cmd := exec.Command(name, args...)
		cmd.Dir = spool
		cmd.Stdout, cmd.Stderr = out, out
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
		if err := cmd.Start(); err != nil {
			t.Fatalf("start %s: %v", name, err)
		}
		t.Cleanup(func() {
			cmd.Process.Signal(syscall.SIGTERM)
			done := make(chan struct{})
			go func() { cmd.Wait(); close(done) }()
			t0 := time.Now()
			defer func() { t.Logf("stopped %s in %v", filepath.Base(name), time.Since(t0)) }()
			select {
			case <-done:
			case <-time.After(3 * time.Second):
				cmd.Process.Kill()
				<-done
			}
		})
		return cmd
	}
	// Cleanups run last-in first-out: the log dump runs after the daemons
	// stopped, so it sees all they wrote.
	t.Cleanup(func() {
		if t.Failed() {
			for _, name := range []string{"faxq.out", "hfaxd.out"} {
				b, _ := os.ReadFile(filepath.Join(base, name))
				t.Logf("%s:\n%s", name, b)
			}
			for _, dir := range []string{"log", "sendq", "doneq"} {
				entries, _ := os.ReadDir(filepath.Join(spool, dir))
				for _, e := range entries {
					b, _ := os.ReadFile(filepath.Join(spool, dir, e.Name()))
					t.Logf("%s/%s:\n%s", dir, e.Name(), b)
				}
			}
		}
	})
	start(faxq, "-q", spool, "-D")
	start(hfaxd, "-d", "-q", spool, "-l", "127.0.0.1", "-i", fmt.Sprint(port))

	t0 := time.Now()
	defer func() { t.Logf("daemons up in %v", time.Since(t0)) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		_, fifo := os.Stat(filepath.Join(spool, "FIFO"))
		if err == nil {
			c.Close()
			if fifo == nil {
				return addr, spool
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("hfaxd on %s or faxq's FIFO not up after 10s (dial: %v, FIFO: %v)", addr, err, fifo)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func letterPDF(t *testing.T) []byte {
	t.Helper()
	r, err := render.New(render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	lay, err := r.Letter(letter.Letter{Campaign: "test", Lang: "en", Body: "faxjam HylaFAX loopback test", Footer: "test", PageLabel: "Page %d/%d"})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := r.PDF(lay, &b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// kill removes a job as its owner (faxrm as root is not the owner).
func kill(ctx context.Context, g *Gateway, id string) error {
	c, err := g.connect(ctx)
	if err != nil {
		return err
	}
	defer c.close()
	_, err = c.cmd("JKILL", 2, "JKILL "+id)
	return err
}

func TestRealHylaFAX(t *testing.T) {
	faxstat := testtool.Need(t, "faxstat", "hylafax-client", "/usr/bin/faxstat")
	addr, spool := startHylaFAX(t)
	g := openURL(t, fmt.Sprintf("hylafax://%s:%s@%s?timeout=10s&csid=%%2B1%%20202%%20555%%200100&from=%%2B12025550100", testUser, testPass, addr))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	if err := g.Check(ctx); err != nil {
		t.Fatalf("Check: %v", err)
	}

	const to = "+12025550142"
	key := "real-campaign/signer 1/" + to
	t0 := time.Now()
	rc, err := g.Send(ctx, gateway.Fax{To: to, PDF: letterPDF(t), Pages: 1, Key: key, Sender: "José Pérez", SenderID: "Amnesty International 100%"})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	t.Logf("Send took %v: job %s", time.Since(t0), rc.ID)
	if rc.ID == "" || rc.State != gateway.Queued {
		t.Fatalf("receipt %+v; want a job id, queued", rc)
	}

	t.Run("faxstat sees the job with its dial string", func(t *testing.T) {
		out, err := exec.CommandContext(ctx, faxstat, "-h", addr, "-s").CombinedOutput()
		if err != nil {
			t.Fatalf("faxstat: %v\n%s", err, out)
		}
		var line string
		for _, l := range strings.Split(string(out), "\n") {
			if f := strings.Fields(l); len(f) > 0 && f[0] == rc.ID {
				line = l
			}
		}
		if line == "" || !strings.Contains(line, to) {
			t.Fatalf("faxstat -s has no job %s to %s:\n%s", rc.ID, to, out)
		}
	})

	t.Run("the job carries the fax header: tag line, TSI, sender, number", func(t *testing.T) {
		q, err := os.ReadFile(filepath.Join(spool, "sendq", "q"+rc.ID))
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{
			"tsi:+1 202 555 0100\n",
			"faxnumber:+12025550100\n",
			"fromcompany:Amnesty International 100%\n",
			"tagline:%Y-%m-%d %H:%M %Z|Amnesty International 100%%|+1 202 555 0100|Page %%P of %%T\n",
			"desiredtl:1\n",
		} {
			if !strings.Contains(string(q), want) {
				t.Errorf("sendq/q%s has no %q:\n%s", rc.ID, want, q)
			}
		}
	})

	t.Run("status stays queued and honours its time limit", func(t *testing.T) {
		limit := 1500 * time.Millisecond
		sctx, scancel := context.WithTimeout(ctx, limit)
		defer scancel()
		start := time.Now()
		var last gateway.Status
		polls := 0
		for {
			st, err := g.Status(sctx, rc.ID)
			if err != nil {
				if sctx.Err() == nil {
					t.Fatalf("Status: %v", err)
				}
				break
			}
			polls++
			last = st
			if st.State != gateway.Queued {
				t.Fatalf("Status = %+v; with no modem the job can only wait (queued)", st)
			}
			select {
			case <-sctx.Done():
			case <-time.After(100 * time.Millisecond):
				continue
			}
			break
		}
		if polls == 0 {
			t.Fatalf("no Status answered within %v", limit)
		}
		if d := time.Since(start); d > limit+time.Second {
			t.Errorf("polling ran %v past its %v limit", d-limit, limit)
		}
		if _, err := g.Status(sctx, rc.ID); err == nil {
			t.Errorf("Status with an expired context returned no error")
		}
		t.Logf("%d polls, last %+v", polls, last)
	})

	t.Run("lookup finds the job by key", func(t *testing.T) {
		found, ok, err := g.Lookup(ctx, key)
		if err != nil || !ok || found.ID != rc.ID || found.To != to {
			t.Fatalf("Lookup(%q) = %+v, %v, %v; want job %s to %s", key, found, ok, err, rc.ID, to)
		}
		if _, ok, err := g.Lookup(ctx, "never-sent"); err != nil || ok {
			t.Fatalf("Lookup(never-sent) = %v, %v; want not found", ok, err)
		}
	})

	t.Run("a wrong password is an auth error without the password", func(t *testing.T) {
		const wrong = "wrong-Pa55word"
		bad := openURL(t, fmt.Sprintf("hylafax://%s:%s@%s?timeout=10s", testUser, wrong, addr))
		for _, err := range []error{bad.Check(ctx), func() error {
			_, err := bad.Send(ctx, gateway.Fax{To: to, PDF: letterPDF(t), Key: "k-wrong"})
			return err
		}()} {
			ge, ok := gateway.AsError(err)
			if !ok || ge.Reason != gateway.ReasonAuth || ge.Retryable() {
				t.Fatalf("error %v; want a non-retryable auth error", err)
			}
			if strings.Contains(err.Error(), wrong) || strings.Contains(err.Error(), testPass) {
				t.Errorf("error %q shows a password", err)
			}
		}
	})

	t.Run("a killed job reads back failed, rejected", func(t *testing.T) {
		if err := kill(ctx, g, rc.ID); err != nil {
			t.Fatalf("JKILL %s: %v", rc.ID, err)
		}
		var st gateway.Status
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			if st, err = g.Status(ctx, rc.ID); err != nil {
				t.Fatalf("Status after JKILL: %v", err)
			}
			if st.State.Terminal() {
				break
			}
		}
		if st.State != gateway.Failed || st.Reason != gateway.ReasonRejected || st.Message == "" {
			t.Fatalf("Status after JKILL = %+v; want failed, rejected, with the server's text", st)
		}
		found, ok, err := g.Lookup(ctx, key)
		if err != nil || !ok || found.ID != rc.ID || found.State != gateway.Failed {
			t.Fatalf("Lookup after JKILL = %+v, %v, %v; want job %s failed (in doneq)", found, ok, err, rc.ID)
		}
	})
}
