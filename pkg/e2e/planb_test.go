package e2e

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/dispatch/linesim"
	"github.com/faxjam/faxjam/pkg/gateway/outbox"
	"github.com/faxjam/faxjam/pkg/testtool"
)

// serveProcess is `faxjam petition serve` running as its own process.
type serveProcess struct {
	cmd  *exec.Cmd
	url  string
	out  *lineWatcher
	errb *bytes.Buffer
	done chan error
}

// startServe starts `faxjam petition serve` on a port the kernel picks and
// waits until it answers /healthz.
func (w *workspace) startServe(args ...string) *serveProcess {
	t := w.t
	t.Helper()
	urls := make(chan string, 1)
	sp := &serveProcess{out: &lineWatcher{fire: make(chan struct{}, 1), on: func(line string) bool {
		var l struct {
			Type string `json:"type"`
			URL  string `json:"url"`
		}
		if json.Unmarshal([]byte(line), &l) == nil && l.Type == "listening" {
			urls <- l.URL
			return true
		}
		return false
	}}, errb: &bytes.Buffer{}, done: make(chan error, 1)}
	sp.cmd = w.command(t.Context(), append(args, "--addr", "127.0.0.1:0", "--json")...)
	sp.cmd.Stdout, sp.cmd.Stderr = sp.out, sp.errb
	if err := sp.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { sp.done <- sp.cmd.Wait() }()
	t.Cleanup(func() {
		if sp.cmd.ProcessState == nil {
			sp.cmd.Process.Kill()
			<-sp.done
		}
	})
	select {
	case sp.url = <-urls:
	case err := <-sp.done:
		t.Fatalf("petition serve exited before listening: %v\n%s", err, sp.errb.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("petition serve did not say where it listens within 30s\n%s", sp.errb.String())
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(sp.url + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return sp
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s/healthz: not 200 within 30s (%v)", sp.url, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop sends SIGTERM and returns the exit code.
func (sp *serveProcess) stop(t *testing.T) int {
	t.Helper()
	if err := sp.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM: %v", err)
	}
	select {
	case err := <-sp.done:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatalf("petition serve: %v", err)
		}
		return 0
	case <-time.After(30 * time.Second):
		t.Fatalf("petition serve still running 30s after SIGTERM")
	}
	return -1
}

// The seed's plan B, closed end to end with the binary: every fax line is
// dead, so `faxjam send` puts all 200 signers on faxjam's own petition
// server (a process); `petition export` gives exactly those names, as CSV
// and as a PDF; `petition deliver` faxes that PDF through the outbox and
// the journal shows it; the server stops cleanly on SIGTERM.
func TestPlanBPetitionServedExportedAndDelivered(t *testing.T) {
	t.Parallel()
	const signers = 200
	const token = "e2e-export-token-0123456789"
	sd := seed(t)
	w := newWorkspace(t)
	camp, c := w.writeCampaign(map[string]any{"quiet_hours": nil, "per_number_per_hour": 100000})
	list := people(signers)
	w.writeSigners("signers.csv", list)

	srv := w.startServe("--campaign", camp, "petition", "serve", "--db", w.path("p.db"), "--token", token)

	r := startRelay(t, linesim.Config{Duration: 40 * time.Millisecond, Seed: sd}, 0)
	for i, f := range c.Target.Fax {
		mode := linesim.NoAnswer
		if i%2 == 1 {
			mode = linesim.NotAFax
		}
		r.sim.SetLine(f.Number, mode)
	}

	start := time.Now()
	send := w.run(3*time.Minute, "--campaign", camp, "send", "--signers", "signers.csv",
		"--gateway", r.url, "--petition", srv.url, "--journal", "journal.db", "--yes", "--json", "--poll", "20ms")
	if send.code != 0 {
		t.Fatalf("send with every line dead: %v", send)
	}
	tookSend := time.Since(start)
	evs := events(t, send.stdout, true)
	petitioned, down, retries, most := 0, 0, 0, 0
	perKey := map[string]int{}
	for _, ev := range evs {
		switch ev.Type {
		case "petitioned":
			petitioned++
		case "number-down", "number-held": // a line with no fax there is held (issue 20)
			down++
		case "retry":
			retries++
			perKey[ev.Key]++
			most = max(most, perKey[ev.Key])
		}
	}
	if petitioned != signers {
		t.Errorf("send: %d petitioned events, want %d", petitioned, signers)
	}
	if down != len(c.Target.Fax) {
		t.Errorf("send: %d number-down or number-held events, want one per number (%d)", down, len(c.Target.Fax))
	}
	if n := len(r.sim.Received()); n != 0 {
		t.Errorf("dead lines received %d faxes", n)
	}
	// The dispatcher posts without the sign token here, so the server's
	// per-client limit for anonymous clients (20/s, burst 60) applies: the
	// engine caps its petition calls and paces them after the first 429s
	// instead of having every signer hammer the server on its own.
	t.Logf("send: %d signers to the petition in %s; %d retries, at most %d for one signer",
		petitioned, tookSend.Round(time.Millisecond), retries, most)
	// 200 names at 20/s past a burst of 60 take ~7 s; a 429 holds every
	// call and sets the pace, so only a handful are answered 429.
	if retries > 20 {
		t.Errorf("send: %d petition calls retried (429s), want at most 20: the calls are not paced", retries)
	}

	// CSV export: exactly the 200.
	exp := w.run(time.Minute, "--campaign", camp, "petition", "export", "--server", srv.url, "--token", token, "--format", "csv", "-o", "out.csv")
	if exp.code != 0 {
		t.Fatalf("export csv: %v", exp)
	}
	f, err := os.Open(w.path("out.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatalf("out.csv: %v", err)
	}
	if len(rows) == 0 || !slices.Equal(rows[0], []string{"n", "name", "city", "country"}) {
		t.Fatalf("out.csv header %v, want n,name,city,country", rows[:min(1, len(rows))])
	}
	var got, want []string
	for _, row := range rows[1:] {
		got = append(got, strings.Join(row[1:], "|"))
	}
	for _, s := range list {
		want = append(want, s.Name+"|"+s.City+"|"+s.Country)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("export csv: %d names, want the %d signers; first differences: %v", len(got), len(want), diff(got, want, 5))
	}

	// PDF export: the names in a document a fax machine can take.
	exp = w.run(time.Minute, "--campaign", camp, "petition", "export", "--server", srv.url, "--token", token, "--format", "pdf", "-o", "out.pdf")
	if exp.code != 0 {
		t.Fatalf("export pdf: %v", exp)
	}
	t.Run("export pdf holds every name", func(t *testing.T) {
		pages := pdfPages(t, w.path("out.pdf"))
		text := pdfText(t, w.path("out.pdf"))
		missing := 0
		for _, s := range list {
			if !strings.Contains(text, s.Name) {
				if missing++; missing <= 3 {
					t.Errorf("the petition PDF lacks %q", s.Name)
				}
			}
		}
		t.Logf("petition PDF: %d pages, %d of %d names found by pdftotext", pages, signers-missing, signers)
	})

	// Deliver: the petition PDF through the outbox, recorded in the same
	// journal. To the target's first number it waits: that journal's circuit
	// breaker holds every target number down after the send (10 minutes),
	// and a petition has no petition to fall back on; exit 3, still queued.
	out := w.path("out")
	deliver := func(to string) result {
		return w.run(time.Minute, "--campaign", camp, "petition", "deliver", "--server", srv.url, "--token", token,
			"--gateway", "outbox://"+out, "--to", to, "--journal", "journal.db", "--json", "--poll", "20ms")
	}
	held := c.Target.Fax[0].Number
	del := deliver(held)
	var waiting []event
	for _, e := range events(t, del.stdout, true) {
		if e.Type == "waiting" {
			waiting = append(waiting, e)
		}
	}
	if del.code != 3 || len(waiting) != 1 {
		t.Errorf("deliver to a number the breaker holds down: exit %d, %d waiting events; want 3 with one waiting event\n%s", del.code, len(waiting), del.stdout)
	} else if e := waiting[0]; e.Number != held || !strings.Contains(e.Message, held+": down until") ||
		e.Until.Before(e.Time.Add(5*time.Minute)) || !strings.Contains(e.Message, e.Until.Format(time.RFC3339)) {
		t.Errorf("deliver's waiting event %+v: want it to name %s, down until the breaker's cool-down ends (Until, ~10 min)", e, held)
	} else if strings.Contains(e.Message, "petition endpoint") {
		t.Errorf("deliver's waiting event suggests a petition endpoint, but the petition has nothing to fall back to: %q", e.Message)
	}
	if !strings.Contains(del.stdout, `"type":"error"`) || !strings.Contains(del.stdout, "petition deliver` again") {
		t.Errorf("deliver's exit 3 should end its --json output with an error saying to run petition deliver again; stdout:\n%s", del.stdout)
	}
	// To another number (a rehearsal fax of the organizer's) it goes.
	const rehearsal = "+12025550150"
	del = deliver(rehearsal)
	if del.code != 0 {
		t.Fatalf("deliver: %v\nstdout:\n%s", del, del.stdout)
	}
	manifests, _ := filepath.Glob(filepath.Join(out, "*.json"))
	if len(manifests) != 1 {
		t.Fatalf("outbox holds %d manifests, want 1: %v", len(manifests), manifests)
	}
	var m outbox.Manifest
	data, err := os.ReadFile(manifests[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("manifest: %v", err)
	}
	pdf, err := os.ReadFile(filepath.Join(out, m.PDF))
	if err != nil {
		t.Fatalf("the manifest's PDF: %v", err)
	}
	sum := sha256.Sum256(pdf)
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) || hex.EncodeToString(sum[:]) != m.SHA256 || m.To != rehearsal || m.Pages < 1 {
		t.Errorf("outbox: manifest %+v; PDF %d bytes starting %q, sha256 %x", m, len(pdf), pdf[:min(8, len(pdf))], sum)
	}
	t.Run("delivered pdf is valid", func(t *testing.T) {
		if pages := pdfPages(t, filepath.Join(out, m.PDF)); pages != m.Pages {
			t.Errorf("pdfinfo: %d pages, the manifest says %d", pages, m.Pages)
		}
		qpdf := testtool.Need(t, "qpdf", "qpdf")
		if b, err := exec.Command(qpdf, "--check", filepath.Join(out, m.PDF)).CombinedOutput(); err != nil {
			t.Errorf("qpdf --check: %v\n%s", err, b)
		}
	})

	// The journal shows it: the 200 on the petition, the petition delivered.
	counts, pets := w.statusCounts(camp, w.path("journal.db"))
	if counts["petitioned"] != signers || counts["delivered"] != 1 || pets != signers {
		t.Errorf("status --json: counts %v, petitioned %d; want %d petitioned and 1 delivered (the petition)", counts, pets, signers)
	}
	rec := w.run(time.Minute, "--campaign", camp, "status", "--export", "json", "--journal", "journal.db")
	if rec.code != 0 {
		t.Fatalf("status --export json: %v", rec)
	}
	found := false
	sc := bufio.NewScanner(strings.NewReader(rec.stdout))
	for sc.Scan() {
		var r struct {
			Name      string `json:"name"`
			Number    string `json:"number"`
			Driver    string `json:"driver"`
			VendorID  string `json:"vendor_id"`
			DocSHA256 string `json:"doc_sha256"`
			State     string `json:"state"`
		}
		if json.Unmarshal(sc.Bytes(), &r) != nil || !strings.HasPrefix(r.Name, "Petition with") {
			continue
		}
		found = true
		if r.Name != "Petition with "+strconv.Itoa(signers)+" signatures" || r.Driver != "outbox" || r.VendorID != m.ID ||
			r.DocSHA256 != m.SHA256 || r.State != "delivered" || r.Number != m.To {
			t.Errorf("status --export json: the petition's receipt %+v does not match the outbox manifest %+v", r, m)
		}
	}
	if !found {
		t.Errorf("status --export json has no receipt for the petition:\n%s", tail(rec.stdout, 5))
	}

	if code := srv.stop(t); code != 0 {
		t.Errorf("petition serve exited %d after SIGTERM, want 0\n%s", code, tail(srv.errb.String(), 5))
	}
	if strings.Contains(srv.errb.String()+srv.out.buf.String(), token) {
		t.Errorf("petition serve printed its token")
	}
}

func pdfPages(t *testing.T, file string) int {
	t.Helper()
	pdfinfo := testtool.Need(t, "pdfinfo", "poppler-utils")
	b, err := exec.Command(pdfinfo, file).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo %s: %v\n%s", file, err, b)
	}
	m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)$`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("pdfinfo %s: no page count\n%s", file, b)
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

func pdfText(t *testing.T, file string) string {
	t.Helper()
	pdftotext := testtool.Need(t, "pdftotext", "poppler-utils")
	b, err := exec.Command(pdftotext, "-layout", file, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext %s: %v", file, err)
	}
	return string(b)
}

// diff lists up to n entries in one sorted list and not the other.
func diff(got, want []string, n int) []string {
	var out []string
	for _, g := range got {
		if _, ok := slices.BinarySearch(want, g); !ok && len(out) < n {
			out = append(out, "+"+g)
		}
	}
	for _, x := range want {
		if _, ok := slices.BinarySearch(got, x); !ok && len(out) < 2*n {
			out = append(out, "-"+x)
		}
	}
	return out
}
