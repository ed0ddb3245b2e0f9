package hub_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"image/png"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/campaign"
	"github.com/faxjam/faxjam/pkg/dispatch"
	"github.com/faxjam/faxjam/pkg/dispatch/linesim"
	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/hub"
	"github.com/faxjam/faxjam/pkg/hub/hubtest"
	"github.com/faxjam/faxjam/pkg/journal"
	"github.com/faxjam/faxjam/pkg/petition/server"
	"github.com/faxjam/faxjam/pkg/petition/store"
	"github.com/faxjam/faxjam/pkg/render"
)

const adminToken = "admin-token-0123456789"

// testCampaign is the bundled campaign without quiet hours or caps, so the
// tests do not depend on the time of day.
func testCampaign(t testing.TB) *campaign.Campaign { return hubtest.Campaign(t) }

type testHub struct {
	url string
	h   *hub.Hub
	sim *linesim.Sim
	j   *journal.Journal
	st  store.Store
	c   *campaign.Campaign
	log *bytes.Buffer
}

type syncBuffer struct {
	mu sync.Mutex
	bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.Buffer.Write(p)
}

// start runs a hub over real HTTP on loopback with the line simulator as
// its gateway (nil: the petition server only).
func start(t testing.TB, sc *linesim.Config, edit func(*hub.Config)) *testHub {
	t.Helper()
	th := &testHub{c: testCampaign(t)}
	var logw syncBuffer
	cfg := hub.Config{Campaign: th.c, Token: adminToken,
		HTTP:     hubHTTP(&logw),
		Dispatch: dispatch.Config{Poll: 2 * time.Millisecond, Backoff: dispatch.Backoff{Base: time.Millisecond, Max: 5 * time.Millisecond, Retries: 30}},
	}
	if sc != nil {
		th.sim = linesim.New(*sc)
		cfg.Gateway, cfg.Driver = th.sim, gateway.Driver{Scheme: linesim.Driver}
	}
	if edit != nil {
		edit(&cfg)
	}
	ht := hubtest.Start(t, cfg)
	th.h, th.j, th.st, th.url = ht.Hub, ht.Journal, ht.Store, ht.URL
	th.log = &logw.Buffer
	return th
}

func hubHTTP(log io.Writer) server.Config {
	return server.Config{Logger: hubtest.Log(log, "text"), Rate: 1e6, Burst: 1e6}
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a answer) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(a.body, &m); err != nil {
		t.Fatalf("answer %d %q: %v", a.status, a.body, err)
	}
	return m
}

func do(t testing.TB, method, url, body string, header ...string) answer {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{resp.StatusCode, resp.Header, b}
}

func actionJSON(key, name string) string {
	b, _ := json.Marshal(map[string]string{"key": key, "name": name, "city": "Quetzaltenango", "country": "Guatemala"})
	return string(b)
}

func (th *testHub) act(t testing.TB, key, name string) answer {
	return do(t, "POST", th.url+"/v1/campaigns/"+th.c.ID+"/actions", actionJSON(testKey(key), name), "Content-Type", "application/json")
}

// testKey makes a test's short key ("key-001") a valid action key, the
// same for the same key: a client's random key, as far as the hub can tell.
func testKey(k string) string {
	if hub.CheckActionKey(k) == nil {
		return k
	}
	sum := sha256.Sum256([]byte(k))
	return "t" + hex.EncodeToString(sum[:12])
}

// waitFinal polls an action until its state is final.
func (th *testHub) waitFinal(t testing.TB, id, receipt string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		a := do(t, "GET", th.url+"/v1/actions/"+id, "", "Authorization", "Bearer "+receipt)
		if a.status != 200 {
			t.Fatalf("status of %s: %d %s", id, a.status, a.body)
		}
		m := a.json(t)
		if hub.Final(journal.State(m["state"].(string))) {
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("action %s still %v", id, m["state"])
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestActionsAreFaxedOnceEachAndReceiptsTellIt(t *testing.T) {
	th := start(t, &linesim.Config{Duration: 5 * time.Millisecond}, nil)
	const n = 40
	type got struct{ id, receipt string }
	res := make([]got, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			a := th.act(t, fmt.Sprintf("key-%03d", i), fmt.Sprintf("Activist %d", i))
			if a.status != http.StatusAccepted {
				t.Errorf("action %d: %d %s", i, a.status, a.body)
				return
			}
			m := a.json(t)
			if m["state"] != "queued" || len(m["receipt"].(string)) != 22 {
				t.Errorf("action %d: %v", i, m)
			}
			res[i] = got{m["id"].(string), m["receipt"].(string)}
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	for i, g := range res {
		m := th.waitFinal(t, g.id, g.receipt)
		if m["state"] != "delivered" || m["delivered_at"] == nil || m["number_label"] == "" || m["attempts"].(float64) < 1 {
			t.Errorf("action %d: %v", i, m)
		}
	}
	for k, c := range th.sim.Received() {
		if c != 1 {
			t.Errorf("fax %s arrived %d times", k, c)
		}
	}
	if len(th.sim.Received()) != n {
		t.Errorf("%d faxes arrived, want %d", len(th.sim.Received()), n)
	}
	// The page that was faxed.
	a := do(t, "GET", th.url+"/v1/actions/"+res[0].id+"/fax.png", "", "Authorization", "Bearer "+res[0].receipt)
	if a.status != 200 || a.header.Get("Content-Type") != "image/png" {
		t.Fatalf("fax.png: %d %s", a.status, a.body)
	}
	img, err := png.Decode(bytes.NewReader(a.body))
	if err != nil {
		t.Fatal(err)
	}
	if w := img.Bounds().Dx(); w != render.FaxWidth {
		t.Errorf("fax.png is %d px wide, want %d", w, render.FaxWidth)
	}
	// Lines: every delivery counted, no personal data.
	lines := do(t, "GET", th.url+"/v1/campaigns/"+th.c.ID+"/lines", "")
	if lines.status != 200 {
		t.Fatalf("lines: %d %s", lines.status, lines.body)
	}
	var lv hub.Lines
	if err := json.Unmarshal(lines.body, &lv); err != nil {
		t.Fatal(err)
	}
	sum := 0
	for _, l := range lv.Lines {
		sum += l.DeliveredLastHour
		spark := 0
		for _, b := range l.Sparkline {
			spark += b
		}
		if spark != l.DeliveredLastHour {
			t.Errorf("line %s: sparkline %v sums to %d, delivered %d", l.Label, l.Sparkline, spark, l.DeliveredLastHour)
		}
	}
	if sum != n || lv.Delivered != n || len(lv.Lines) != 3 || lv.DeliveredToday != n {
		t.Errorf("lines view: %d delivered in lines, %+v", sum, lv)
	}
	if bytes.Contains(lines.body, []byte("Activist")) {
		t.Errorf("the public lines view has a name: %s", lines.body)
	}
	if strings.Contains(th.log.String(), "Activist") || strings.Contains(th.log.String(), "Quetzaltenango") {
		t.Errorf("the log has personal data:\n%s", th.log.String())
	}
}

func TestRepeatedKeyAndSamePersonAnswerTheFirstAction(t *testing.T) {
	th := start(t, nil, nil) // no gateway: actions wait; acceptance is what is tested
	first := th.act(t, "k1", "Ana Pérez")
	if first.status != 202 {
		t.Fatalf("first: %d %s", first.status, first.body)
	}
	f := first.json(t)
	again := th.act(t, "k1", "Ana Pérez")
	if again.status != 200 {
		t.Fatalf("same key: %d %s", again.status, again.body)
	}
	if m := again.json(t); m["id"] != f["id"] || m["receipt"] != f["receipt"] || m["duplicate"] != true {
		t.Errorf("same key: %v, want the first %v", m, f)
	}
	// The same key with another person's details (issue 16: it returned
	// the first person's receipt): 409, and nothing of the first.
	reused := th.act(t, "k1", "Attacker B")
	if reused.status != http.StatusConflict || reused.json(t)["field"] != "key" ||
		bytes.Contains(reused.body, []byte(f["id"].(string))) || bytes.Contains(reused.body, []byte("Ana")) {
		t.Errorf("a reused key: %d %s, want 409 naming key and nothing of the first", reused.status, reused.body)
	}
	// The same person (case and spaces aside) under another key: answered
	// as a fresh action (202, an id and a receipt of its own, queued), so
	// nobody learns from it whether Ana had acted; nothing is faxed again,
	// and its receipt shows nothing of the first action.
	other := th.act(t, "k2", "  ana   PÉREZ ")
	m := other.json(t)
	if other.status != 202 || m["id"] == f["id"] || m["receipt"] == nil || m["receipt"] == f["receipt"] || m["state"] != "queued" || m["duplicate"] != nil {
		t.Fatalf("same person: %d %v, want a fresh accept's answer", other.status, m)
	}
	fresh := th.act(t, "k9", "Brand New Person").json(t)
	if len(m["id"].(string)) != len(fresh["id"].(string)) || len(m["receipt"].(string)) != len(fresh["receipt"].(string)) {
		t.Errorf("the echo's id and receipt %v are not shaped as a fresh action's %v", m, fresh)
	}
	if again := th.act(t, "k2", "  ana   PÉREZ ").json(t); again["id"] != m["id"] || again["receipt"] != m["receipt"] {
		t.Errorf("the same key again gets %v, want %v", again, m)
	}
	st := do(t, "GET", th.url+"/v1/actions/"+m["id"].(string), "", "Authorization", "Bearer "+m["receipt"].(string))
	if st.status != 200 || st.json(t)["state"] != "queued" || bytes.Contains(st.body, []byte("number_label")) {
		t.Errorf("the echo's status: %d %s", st.status, st.body)
	}
	if a := do(t, "GET", th.url+"/v1/actions/"+m["id"].(string)+"/fax.png", "", "Authorization", "Bearer "+m["receipt"].(string)); a.status != 404 {
		t.Errorf("the echo's fax.png: %d, want 404", a.status)
	}
	if n, _ := th.j.Counts(t.Context(), th.c.ID); n[journal.Queued] != 2 {
		t.Errorf("queued %d, want 2 (Ana once, the new person)", n[journal.Queued])
	}
	// A wrong receipt, none, or another action's: 404 alike.
	second := th.act(t, "k3", "Someone Else").json(t)
	for name, hdr := range map[string][]string{
		"none":         nil,
		"wrong":        {"Authorization", "Bearer AAAAAAAAAAAAAAAAAAAAAA"},
		"another's":    {"Authorization", "Bearer " + second["receipt"].(string)},
		"not a bearer": {"Authorization", "Basic " + f["receipt"].(string)},
	} {
		a := do(t, "GET", th.url+"/v1/actions/"+f["id"].(string), "", hdr...)
		if a.status != 404 {
			t.Errorf("%s receipt: %d %s, want 404", name, a.status, a.body)
		}
		if a := do(t, "GET", th.url+"/v1/actions/"+f["id"].(string)+"/fax.png", "", hdr...); a.status != 404 {
			t.Errorf("%s receipt, fax.png: %d, want 404", name, a.status)
		}
	}
	if a := do(t, "GET", th.url+"/v1/actions/nosuchid", "", "Authorization", "Bearer "+f["receipt"].(string)); a.status != 404 {
		t.Errorf("unknown id: %d", a.status)
	}
	st = do(t, "GET", th.url+"/v1/actions/"+f["id"].(string), "", "Authorization", "Bearer "+f["receipt"].(string))
	if st.status != 200 || st.json(t)["state"] != "queued" {
		t.Errorf("status: %d %s", st.status, st.body)
	}
	// Not faxed yet: no page to show.
	if a := do(t, "GET", th.url+"/v1/actions/"+f["id"].(string)+"/fax.png", "", "Authorization", "Bearer "+f["receipt"].(string)); a.status != 409 {
		t.Errorf("fax.png before the fax: %d %s", a.status, a.body)
	}
}

func TestPauseStopsDiallingAndAcceptanceGoesOn(t *testing.T) {
	th := start(t, &linesim.Config{Duration: 5 * time.Millisecond}, nil)
	p := "/v1/campaigns/" + th.c.ID
	if a := do(t, "POST", th.url+p+"/pause", ""); a.status != 401 {
		t.Fatalf("pause without the token: %d", a.status)
	}
	if a := do(t, "POST", th.url+p+"/pause", "", "Authorization", "Bearer "+adminToken); a.status != 200 {
		t.Fatalf("pause: %d %s", a.status, a.body)
	}
	var ids []map[string]any
	for i := range 5 {
		a := th.act(t, fmt.Sprintf("p%d", i), fmt.Sprintf("Paused Person %d", i))
		if a.status != 202 {
			t.Fatalf("action while paused: %d %s", a.status, a.body)
		}
		ids = append(ids, a.json(t))
	}
	time.Sleep(300 * time.Millisecond)
	if n := len(th.sim.Received()); n != 0 {
		t.Fatalf("%d faxes sent while paused", n)
	}
	lv := do(t, "GET", th.url+p+"/lines", "").json(t)
	if lv["paused"] != true || lv["queue"].(float64) != 5 {
		t.Errorf("lines while paused: %v", lv)
	}
	if a := do(t, "POST", th.url+p+"/resume", "", "Authorization", "Bearer "+adminToken); a.status != 200 {
		t.Fatalf("resume: %d %s", a.status, a.body)
	}
	for _, m := range ids {
		if got := th.waitFinal(t, m["id"].(string), m["receipt"].(string)); got["state"] != "delivered" {
			t.Errorf("after resume: %v", got)
		}
	}
}

func TestAllLinesDownMakesOneSignatureEach(t *testing.T) {
	th := start(t, &linesim.Config{Duration: 2 * time.Millisecond}, func(c *hub.Config) {
		c.Dispatch.Breaker = dispatch.Breaker{Failures: 1, Cooldown: time.Hour}
	})
	for _, f := range th.c.Target.Fax {
		th.sim.SetLine(f.Number, linesim.NoAnswer)
	}
	var acts []map[string]any
	for i := range 6 {
		a := th.act(t, fmt.Sprintf("d%d", i), fmt.Sprintf("Down Person %d", i))
		if a.status != 202 {
			t.Fatalf("%d %s", a.status, a.body)
		}
		acts = append(acts, a.json(t))
	}
	// The same person again under another key is one signature.
	th.act(t, "d-again", "Down Person 0")
	for _, m := range acts {
		if got := th.waitFinal(t, m["id"].(string), m["receipt"].(string)); got["state"] != "petitioned" || got["petitioned_at"] == nil {
			t.Errorf("all lines down: %v", got)
		}
	}
	n, err := th.st.Count(context.Background(), th.c.ID)
	if err != nil || n != 6 {
		t.Errorf("petition store holds %d signatures (%v), want 6", n, err)
	}
	if s := do(t, "GET", th.url+"/v1/campaigns/"+th.c.ID, "").json(t); s["signatures"].(float64) != 6 {
		t.Errorf("campaign summary: %v", s)
	}
}

func TestAdminExport(t *testing.T) {
	th := start(t, nil, nil)
	// A note a spreadsheet would run as a formula.
	if a := do(t, "POST", th.url+"/v1/campaigns/"+th.c.ID+"/actions",
		`{"key":"e1-0123456789abcdef","name":"Formula Person","city":"Lyon","country":"France","note":"=cmd|calc"}`, "Content-Type", "application/json"); a.status != 202 {
		t.Fatalf("%d %s", a.status, a.body)
	}
	th.act(t, "e2", "Export Person")
	p := th.url + "/v1/campaigns/" + th.c.ID + "/actions"
	if a := do(t, "GET", p, ""); a.status != 401 {
		t.Errorf("export without token: %d", a.status)
	}
	if a := do(t, "GET", p, "", "Authorization", "Bearer wrong-token-0123456789"); a.status != 401 {
		t.Errorf("export with a wrong token: %d", a.status)
	}
	a := do(t, "GET", p, "", "Authorization", "Bearer "+adminToken)
	var rows []hub.ExportRow
	if err := json.Unmarshal(a.body, &rows); err != nil || len(rows) != 2 || rows[1].Name != "Export Person" || rows[0].State != "queued" {
		t.Fatalf("JSON export: %v %+v %s", err, rows, a.body)
	}
	c := do(t, "GET", p, "", "Authorization", "Bearer "+adminToken, "Accept", "text/csv")
	if c.status != 200 || !strings.HasPrefix(c.header.Get("Content-Type"), "text/csv") {
		t.Fatalf("CSV export: %d %s", c.status, c.header)
	}
	if !strings.Contains(string(c.body), "'=cmd|calc") || !strings.Contains(string(c.body), "Export Person") {
		t.Errorf("CSV export:\n%s", c.body)
	}
}

// TestAnonymousClientsAreRateLimitedAndTheAdminIsNot: the petition
// server's per-client limit covers the hub's API; the admin token is not
// limited.
func TestAnonymousClientsAreRateLimitedAndTheAdminIsNot(t *testing.T) {
	th := start(t, nil, func(c *hub.Config) { c.HTTP.Rate, c.HTTP.Burst = 0.001, 3 })
	codes := map[int]int{}
	for i := range 5 {
		a := th.act(t, fmt.Sprintf("r%d", i), fmt.Sprintf("Rate Person %d", i))
		codes[a.status]++
		if a.status == http.StatusTooManyRequests && a.header.Get("Retry-After") == "" {
			t.Errorf("a 429 without Retry-After")
		}
	}
	if codes[202] != 3 || codes[429] != 2 {
		t.Errorf("answers %v, want 3 × 202 then 2 × 429", codes)
	}
	if a := do(t, "GET", th.url+"/v1/campaigns/"+th.c.ID+"/lines", ""); a.status != 429 {
		t.Errorf("lines after the burst: %d, want 429", a.status)
	}
	for range 5 {
		if a := do(t, "GET", th.url+"/v1/campaigns/"+th.c.ID+"/actions", "", "Authorization", "Bearer "+adminToken); a.status != 200 {
			t.Fatalf("admin export: %d", a.status)
		}
	}
}

// TestFictitiousNumbersOnARealNetworkStopTheHub: the campaign's fictitious
// numbers given to a gateway that dials for real: nothing is dialled and
// the hub stops with the configuration error, rather than accept actions
// it will never fax.
func TestFictitiousNumbersOnARealNetworkStopTheHub(t *testing.T) {
	c := testCampaign(t)
	sim := linesim.New(linesim.Config{RealNetwork: true})
	cfg := hub.Config{Campaign: c, Gateway: sim, Driver: gateway.Driver{Scheme: linesim.Driver, RealNetwork: true},
		HTTP: server.Config{Rate: 1e6, Burst: 1e6}, Dispatch: dispatch.Config{Poll: time.Millisecond}}
	hubtest.Fill(t, &cfg)
	h, err := hub.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- h.Serve(context.Background(), ln) }()
	th := &testHub{url: "http://" + ln.Addr().String(), c: c}
	if a := th.act(t, "f1", "Real Network Person"); a.status != 202 {
		t.Fatalf("%d %s", a.status, a.body)
	}
	select {
	case err := <-done:
		if !errors.Is(err, dispatch.ErrConfig) || !strings.Contains(err.Error(), "fictitious") {
			t.Errorf("Serve: %v, want the fictitious-number configuration error", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the hub kept running with fictitious numbers on a real network")
	}
	if n := len(sim.Received()); n != 0 {
		t.Errorf("%d faxes to fictitious numbers", n)
	}
}
