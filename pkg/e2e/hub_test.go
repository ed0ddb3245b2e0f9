package e2e

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image/png"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/dispatch/linesim"
	"github.com/faxjam/faxjam/pkg/letter"
	"github.com/faxjam/faxjam/pkg/render"
)

const hubToken = "e2e-hub-admin-token-0123456789"

// hubProc is a `faxjam serve` process.
type hubProc struct {
	url    string
	cmd    *exec.Cmd
	stderr *syncBuffer
	done   chan error
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

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// freeAddr is a loopback address nothing listens on, for a hub that must
// come back on the same address after a kill.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startHub runs `faxjam serve` with args and waits until it listens.
func (w *workspace) startHub(addr string, args ...string) *hubProc {
	t := w.t
	t.Helper()
	all := append([]string{"serve", "--addr", addr, "--json", "--token", hubToken, "--rate", "0", "--poll", "5ms", "--max-conns-per-addr", "-1"}, args...)
	cmd := w.command(context.Background(), all...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	h := &hubProc{cmd: cmd, stderr: &syncBuffer{}, done: make(chan error, 1)}
	cmd.Stderr = h.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			var ev struct{ Type, URL string }
			if json.Unmarshal(sc.Bytes(), &ev) == nil && ev.Type == "listening" {
				urls <- ev.URL
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	go func() { h.done <- cmd.Wait() }()
	t.Cleanup(func() { h.stop(t) })
	select {
	case h.url = <-urls:
	case err := <-h.done:
		h.done <- err
		t.Fatalf("faxjam serve ended before listening: %v\n%s", err, h.stderr.String())
	case <-time.After(20 * time.Second):
		t.Fatalf("faxjam serve is not listening after 20 s\n%s", h.stderr.String())
	}
	return h
}

// stop ends the hub with SIGINT (as Ctrl-C) and waits for it.
func (h *hubProc) stop(t testing.TB) {
	if h.cmd.ProcessState != nil {
		return
	}
	h.cmd.Process.Signal(os.Interrupt)
	select {
	case <-h.done:
	case <-time.After(20 * time.Second):
		h.cmd.Process.Kill()
		<-h.done
		t.Errorf("faxjam serve did not stop on SIGINT within 20 s")
	}
}

// kill9 sends the hub SIGKILL and waits for it to die.
func (h *hubProc) kill9() {
	h.cmd.Process.Signal(syscall.SIGKILL)
	<-h.done
}

// acted is one action as its client saw it.
type acted struct {
	key     string // the signer's letter.SignerKey
	id      string
	receipt string
}

// postAction posts one action, retrying with the same key until the hub
// answers (it may be down: killed and restarting).
func postAction(ctx context.Context, base, campaignID, key string, s letter.Signer) (acted, int, error) {
	if len(key) < 16 { // a test's short key as a client's random one: the same for the same key
		sum := sha256.Sum256([]byte(key))
		key = "e2e" + hex.EncodeToString(sum[:12])
	}
	body, _ := json.Marshal(map[string]string{"key": key, "name": s.Name, "city": s.City, "country": s.Country})
	for {
		req, _ := http.NewRequestWithContext(ctx, "POST", base+"/v1/campaigns/"+campaignID+"/actions", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			var a struct{ ID, Receipt string }
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 202 || resp.StatusCode == 200 {
				if err := json.Unmarshal(b, &a); err != nil {
					return acted{}, resp.StatusCode, err
				}
				return acted{key: letter.SignerKey(campaignID, s), id: a.ID, receipt: a.Receipt}, resp.StatusCode, nil
			}
			if resp.StatusCode < 500 {
				return acted{}, resp.StatusCode, fmt.Errorf("HTTP %d: %s", resp.StatusCode, b)
			}
		}
		select {
		case <-ctx.Done():
			return acted{}, 0, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// actionState asks the hub for an action's state; "" while it does not
// answer.
func actionState(base string, a acted) (string, error) {
	req, _ := http.NewRequest("GET", base+"/v1/actions/"+a.id, nil)
	req.Header.Set("Authorization", "Bearer "+a.receipt)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", nil
	}
	defer resp.Body.Close()
	var st struct{ State string }
	if resp.StatusCode != 200 {
		return "", fmt.Errorf("status of %s: HTTP %d", a.id, resp.StatusCode)
	}
	err = json.NewDecoder(resp.Body).Decode(&st)
	return st.State, err
}

// waitFinal waits until every action is final and returns their states.
func waitFinal(t *testing.T, base string, as []acted, limit time.Duration) map[string]string {
	t.Helper()
	deadline := time.Now().Add(limit)
	states := map[string]string{}
	for {
		pending := 0
		for _, a := range as {
			st, err := actionState(base, a)
			if err != nil {
				t.Fatal(err)
			}
			states[a.key] = st
			if st == "" || st == "queued" || st == "sending" {
				pending++
			}
		}
		if pending == 0 {
			return states
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d actions not final after %s", pending, len(as), limit)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestHub200ActivistsAtOnce: 200 people act at once, 20 through `faxjam
// send --hub` and 180 by POST; the hub faxes each exactly once, never two
// calls at once on a line, the lines busy within 1.1× of the ideal, and the
// receipts say delivered with the faxed page 1728 px wide.
func TestHub200ActivistsAtOnce(t *testing.T) {
	// A fax holds its line d here (a real one a minute or more): the hub's
	// own time per fax — the status poll that sees it delivered, the
	// journal's synced outcome and next intent, the next call's upload —
	// is a few tens of milliseconds on a loaded machine (40 ms with the whole
	// suite under -race beside it), within the 10%.
	const n, viaCLI, d = 200, 20, 600 * time.Millisecond
	w := newWorkspace(t)
	camp, c := w.writeCampaign(map[string]any{"quiet_hours": nil, "per_number_per_hour": nil})
	r := startRelay(t, linesim.Config{Duration: d}, 0)
	h := w.startHub("127.0.0.1:0", "--campaign", camp, "--gateway", r.url, "--db", w.path("hub.db"))
	list := people(n)
	res := make([]acted, n)
	homes := make([]*workspace, viaCLI) // each activist on their own machine
	for i := range homes {
		homes[i] = newWorkspace(t)
	}
	var wg sync.WaitGroup
	for i, s := range list {
		wg.Go(func() {
			if i < viaCLI {
				aw := homes[i]
				out := aw.run(60*time.Second, "--campaign", camp, "send", "--hub", h.url, "--yes", "--json",
					"--name", s.Name, "--city", s.City, "--country", s.Country)
				var a struct{ Type, ID, Receipt, State string }
				if out.code != 0 || json.Unmarshal([]byte(strings.TrimSpace(out.stdout)), &a) != nil || a.Type != "accepted" || a.Receipt == "" {
					t.Errorf("faxjam send --hub: %v\nstdout %s", out, out.stdout)
					return
				}
				res[i] = acted{key: letter.SignerKey(c.ID, s), id: a.ID, receipt: a.Receipt}
				return
			}
			a, code, err := postAction(t.Context(), h.url, c.ID, fmt.Sprintf("k-%d", i), s)
			if err != nil || code != 202 {
				t.Errorf("POST %d: %d %v", i, code, err)
			}
			res[i] = a
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	states := waitFinal(t, h.url, res, 2*time.Minute)
	for k, st := range states {
		if st != "delivered" {
			t.Errorf("%s: %s, want delivered", k, st)
		}
	}
	faxes := r.faxesBySigner()
	for _, a := range res {
		if faxes[a.key] != 1 {
			t.Errorf("signer %s faxed %d times", a.key, faxes[a.key])
		}
	}
	if len(faxes) != n {
		t.Errorf("%d signers faxed, want %d", len(faxes), n)
	}
	// The page of a CLI activist and of a POST, as the receipt holder sees it.
	for _, a := range []acted{res[0], res[n-1]} {
		req, _ := http.NewRequest("GET", h.url+"/v1/actions/"+a.id+"/fax.png", nil)
		req.Header.Set("Authorization", "Bearer "+a.receipt)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(resp.Body)
		resp.Body.Close()
		if err != nil || img.Bounds().Dx() != render.FaxWidth {
			t.Errorf("fax.png of %s: %v, %v", a.id, err, img)
		}
	}
	// The CLI activist's status says what the hub says; acting again is
	// the same action.
	out := homes[0].run(30*time.Second, "--campaign", camp, "send", "--hub", h.url, "--yes", "--json",
		"--name", list[0].Name, "--city", list[0].City, "--country", list[0].Country)
	if !strings.Contains(out.stdout, `"duplicate":true`) || !strings.Contains(out.stdout, res[0].id) {
		t.Errorf("the same person again: %s", out.stdout)
	}
	st := homes[0].run(30*time.Second, "--campaign", camp, "status", "--hub", h.url, "--follow", "--json")
	if st.code != 0 || !strings.Contains(st.stdout, `"state":"delivered"`) || !strings.Contains(st.stdout, res[0].id) {
		t.Errorf("status --hub --follow: %v\n%s", st, st.stdout)
	}
	// Another activist acting as the same person is answered as a fresh
	// action (nothing tells them the person had acted), gets nothing of
	// the first, and nothing is faxed again (counted below).
	other := newWorkspace(t).run(30*time.Second, "--campaign", camp, "send", "--hub", h.url, "--yes", "--json",
		"--name", list[1].Name, "--city", list[1].City, "--country", list[1].Country)
	if !strings.Contains(other.stdout, `"duplicate":false`) || strings.Contains(other.stdout, res[1].id) || strings.Contains(other.stdout, res[1].receipt) {
		t.Errorf("the same person from elsewhere: %s", other.stdout)
	}
	h.stop(t)

	// The journal: no call ever met a busy line (the relay refuses a second
	// call on a line as busy), and the lines were busy within 1.1× of ideal.
	_, attempts := journalStates(t, w.path("hub.db"), c.ID)
	var first, last time.Time
	for k, as := range attempts {
		for _, a := range as {
			if a.Reason == "busy" {
				t.Errorf("signer %s met a busy line: two calls at once on %s", k, a.Number)
			}
			if first.IsZero() || a.Started.Before(first) {
				first = a.Started
			}
			if a.Finished.After(last) {
				last = a.Finished
			}
		}
	}
	ideal := time.Duration((n+len(c.Target.Fax)-1)/len(c.Target.Fax)) * d
	ratio := float64(last.Sub(first)) / float64(ideal)
	t.Logf("%d faxes over %d lines in %s; ideal %s; %.3f× ideal", n, len(c.Target.Fax), last.Sub(first).Round(time.Millisecond), ideal, ratio)
	if ratio > 1.1 {
		t.Errorf("the lines took %.2f× the ideal time, want at most 1.1×", ratio)
	}
	if strings.Contains(h.stderr.String(), list[5].Name) {
		t.Errorf("the hub's log has a name:\n%s", h.stderr.String())
	}
}

// TestHubKilledUnderLoadLosesNoActionAndFaxesNoneTwice: the hub is killed
// with SIGKILL while actions pour in and faxes are in flight, and started
// again at once, three times: every action that got its answer is faxed,
// and none twice (the relay's own record is the truth).
func TestHubKilledUnderLoadLosesNoActionAndFaxesNoneTwice(t *testing.T) {
	const n, kills = 150, 3
	w := newWorkspace(t)
	camp, c := w.writeCampaign(map[string]any{"quiet_hours": nil, "per_number_per_hour": nil})
	// 5 ms before and after the relay takes each fax: kills land inside sends.
	r := startRelay(t, linesim.Config{Duration: 20 * time.Millisecond}, 10*time.Millisecond)
	addr := freeAddr(t)
	args := []string{"--campaign", camp, "--gateway", r.url, "--db", w.path("hub.db")}
	h := w.startHub(addr, args...)
	base := h.url
	list := people(n)
	res := make([]acted, n)
	var answered atomic.Int32
	var wg sync.WaitGroup
	for i, s := range list {
		wg.Go(func() {
			time.Sleep(time.Duration(i) * 3 * time.Millisecond) // they keep coming through the kills
			a, _, err := postAction(t.Context(), base, c.ID, fmt.Sprintf("k-%d", i), s)
			if err != nil {
				t.Errorf("POST %d: %v", i, err)
			}
			res[i] = a
			answered.Add(1)
		})
	}
	for k := range kills {
		target := int32(n * (k + 1) / (kills + 1))
		for answered.Load() < target {
			time.Sleep(time.Millisecond)
		}
		h.kill9()
		t.Logf("kill %d after %d answers, %d faxes", k+1, answered.Load(), len(r.sim.Received()))
		h = w.startHub(addr, args...)
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	states := waitFinal(t, base, res, 2*time.Minute)
	faxes := r.faxesBySigner()
	for _, a := range res {
		if states[a.key] != "delivered" || faxes[a.key] != 1 {
			t.Errorf("signer %s: %s, faxed %d times; want delivered once", a.key, states[a.key], faxes[a.key])
		}
	}
	if len(faxes) != n {
		t.Errorf("%d signers faxed, want %d", len(faxes), n)
	}
}

// TestHubAllLinesDownMakesPetitionSignaturesOncePerPerson: with every line
// down each action becomes a signature in the hub's petition store, and
// `faxjam petition export` holds each person once.
func TestHubAllLinesDownMakesPetitionSignaturesOncePerPerson(t *testing.T) {
	const n = 30
	w := newWorkspace(t)
	camp, c := w.writeCampaign(map[string]any{"quiet_hours": nil, "per_number_per_hour": nil})
	r := startRelay(t, linesim.Config{Duration: 5 * time.Millisecond, Ring: time.Millisecond}, 0)
	for _, f := range c.Target.Fax {
		r.sim.SetLine(f.Number, linesim.NotAFax)
	}
	h := w.startHub("127.0.0.1:0", "--campaign", camp, "--gateway", r.url, "--db", w.path("hub.db"))
	list := people(n)
	var res []acted
	for i, s := range list {
		a, code, err := postAction(t.Context(), h.url, c.ID, fmt.Sprintf("k-%d", i), s)
		if err != nil || code != 202 {
			t.Fatalf("POST %d: %d %v", i, code, err)
		}
		res = append(res, a)
		// The same person again under another key: one action, one
		// signature, answered as a fresh accept (it tells nobody whether
		// this person had acted).
		if _, code, err := postAction(t.Context(), h.url, c.ID, fmt.Sprintf("again-%d", i), s); err != nil || code != 202 {
			t.Fatalf("POST %d again: %d %v", i, code, err)
		}
	}
	for k, st := range waitFinal(t, h.url, res, time.Minute) {
		if st != "petitioned" {
			t.Errorf("%s: %s, want petitioned", k, st)
		}
	}
	if got := len(r.sim.Received()); got != 0 {
		t.Errorf("%d faxes arrived on lines that are down", got)
	}
	h.stop(t)
	out := w.run(30*time.Second, "--campaign", camp, "petition", "export", "--db", w.path("hub-petition.db"), "--format", "json", "--private")
	if out.code != 0 {
		t.Fatalf("%v", out)
	}
	var rows []struct{ Name, City, Country string }
	if err := json.Unmarshal([]byte(out.stdout), &rows); err != nil {
		t.Fatalf("petition export: %v\n%s", err, out.stdout)
	}
	seen := map[string]int{}
	for _, r := range rows {
		seen[letter.SignerKey(c.ID, letter.Signer{Name: r.Name, City: r.City, Country: r.Country})]++
	}
	for _, s := range list {
		if k := letter.SignerKey(c.ID, s); seen[k] != 1 {
			t.Errorf("%s is on the petition %d times", s.Name, seen[k])
		}
	}
	if len(rows) != n {
		t.Errorf("petition export has %d rows, want %d", len(rows), n)
	}
}
