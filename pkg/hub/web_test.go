package hub_test

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/faxjam/faxjam/pkg/dispatch/linesim"
	"github.com/faxjam/faxjam/pkg/hub"
	"github.com/faxjam/faxjam/pkg/hub/hubtest"
	"github.com/faxjam/faxjam/pkg/hub/web/browsertest"
	"github.com/faxjam/faxjam/pkg/journal"
)

// The signing page on the real hub, in a real headless Chromium, with
// JavaScript on and off: the linesim delivers, the receipt reloads itself
// until it says delivered and shows the page that was faxed. The hub is
// paused until the receipt is on screen, so the receipt is seen queued
// first and turns delivered only by reloading itself.
func TestSigningPageInChromiumOnTheHub(t *testing.T) {
	for _, js := range []bool{true, false} {
		t.Run(map[bool]string{true: "js-on", false: "js-off"}[js], func(t *testing.T) {
			b := browsertest.New(t, js)
			var log syncBuffer // read while the hub may still write
			th := start(t, &linesim.Config{Duration: 50 * time.Millisecond}, func(c *hub.Config) { c.HTTP.Logger = hubtest.Log(&log, "text") })
			ctx := context.Background()
			if err := th.h.SetPaused(ctx, true); err != nil {
				t.Fatal(err)
			}
			shots := browsertest.ShotsDir(t)
			receipt := b.Flow(th.url, shots, func() {
				if st := b.Attr("#state", "data-state"); st != "queued" {
					t.Errorf("paused, the receipt says %q, want queued", st)
				}
				if err := th.h.SetPaused(ctx, false); err != nil {
					t.Error(err)
				}
			}, 60*time.Second)
			t.Logf("screenshots in %s", shots)
			if got := th.sim.Received(); len(got) != 1 {
				t.Errorf("the linesim received %v, want one fax", got)
			}
			// The image the page shows is the hub's own fax.png for it.
			u, _ := url.Parse(receipt)
			id := strings.TrimPrefix(u.Path, "/r/")
			a := do(t, "GET", th.url+"/v1/actions/"+id+"/fax.png", "", "Authorization", "Bearer "+u.Query().Get("t"))
			img, err := png.Decode(bytes.NewReader(a.body))
			if a.status != 200 || err != nil || img.Bounds().Dx() != 1728 {
				t.Fatalf("fax.png of the receipt: %d %v", a.status, err)
			}
			page := do(t, "GET", th.url+"/r/"+id+"/fax.png?t="+u.Query().Get("t"), "")
			if !bytes.Equal(page.body, a.body) {
				t.Error("the receipt's image is not the API's fax.png")
			}
			log.mu.Lock()
			logged := log.String()
			log.mu.Unlock()
			if !strings.Contains(logged, "path=/r/{id}") || strings.Contains(logged, id) || strings.Contains(logged, u.Query().Get("t")) || strings.Contains(logged, "López") {
				t.Errorf("the hub's log must show the receipt's route and never its id, its token or a name:\n%s", logged)
			}
		})
	}
}

// The admin page in Chromium: sign in with the token (a POST, never a
// URL), the SVG chart of deliveries per hour is drawn and not empty, and
// the pause button really stops dialling.
func TestAdminPageInChromium(t *testing.T) {
	b := browsertest.New(t, true)
	th := start(t, &linesim.Config{Duration: 5 * time.Millisecond}, nil)
	for i := range 4 {
		a := th.act(t, fmt.Sprintf("admin-k%d", i), fmt.Sprintf("Early Person %d", i))
		m := a.json(t)
		if got := th.waitFinal(t, m["id"].(string), m["receipt"].(string)); got["state"] != "delivered" {
			t.Fatalf("setup: %v", got)
		}
	}
	b.Do("sign in",
		chromedp.Navigate(th.url+"/admin?lang=en"),
		chromedp.SendKeys(chromedp.CSS("#f-token"), adminToken),
		chromedp.Click(chromedp.CSS("button.primary")),
		chromedp.WaitVisible(chromedp.CSS("#chart")))
	if strings.Contains(b.URL(), adminToken) {
		t.Fatal("the admin token is in the URL")
	}
	ctx, cancel := context.WithTimeout(b.Ctx, 20*time.Second)
	bars, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`[...document.querySelectorAll("#chart rect.bar")].map(r => r.getBBox().height)`))
	cancel()
	if err != nil {
		t.Fatal(err)
	}
	if len(bars) != 24 || slices.Max(bars) <= 0 {
		t.Errorf("the chart's bars are %v: want 24 with the last hours' deliveries drawn", bars)
	}
	if got := b.Text("#t-delivered"); got != "4" {
		t.Errorf("delivered total %q, want 4", got)
	}
	if n := b.Text("#lines tbody tr th"); n == "" {
		t.Error("no lines table")
	}
	b.Axe("admin page")
	b.Screenshots(browsertest.ShotsDir(t), "admin")

	b.Do("pause", chromedp.Click(chromedp.CSS("#pause")), chromedp.WaitVisible(chromedp.CSS("#resume")))
	sent, _ := th.sim.Sends()
	var ids []map[string]any
	for i := range 3 {
		a := th.act(t, fmt.Sprintf("admin-p%d", i), fmt.Sprintf("Paused Person %d", i))
		if a.status != 202 {
			t.Fatalf("acceptance must go on while paused: %d %s", a.status, a.body)
		}
		ids = append(ids, a.json(t))
	}
	time.Sleep(500 * time.Millisecond)
	if now, _ := th.sim.Sends(); now != sent {
		t.Fatalf("%d calls dialled after the pause button", now-sent)
	}
	// Three wait: the page forecasts when the last goes out (issue 20).
	b.Do("reload", chromedp.Navigate(th.url+"/admin?lang=en"), chromedp.WaitVisible(chromedp.CSS("#forecast")))
	if got := b.Text("#forecast"); !strings.Contains(got, "the last of the 3 waiting would be faxed about ") {
		t.Errorf("the forecast reads %q", got)
	}
	b.Axe("admin page with a forecast")
	b.Do("resume", chromedp.Click(chromedp.CSS("#resume")), chromedp.WaitVisible(chromedp.CSS("#pause")))
	for _, m := range ids {
		if got := th.waitFinal(t, m["id"].(string), m["receipt"].(string)); got["state"] != "delivered" {
			t.Errorf("after resume: %v", got)
		}
	}

	// People: search, one person's history, forget with a second step.
	b.Do("find a person", chromedp.Click(chromedp.CSS("#people-link")), chromedp.WaitVisible(chromedp.CSS("#f-q")),
		chromedp.SendKeys(chromedp.CSS("#f-q"), "early person 2"), chromedp.Click(chromedp.CSS("button.primary")),
		chromedp.WaitVisible(chromedp.CSS("#results")))
	b.Axe("people search")
	b.Screenshots(browsertest.ShotsDir(t), "people")
	b.Do("open the person", chromedp.Click(chromedp.CSS("#results tbody a")), chromedp.WaitVisible(chromedp.CSS("#attempts")))
	if got := b.Text("#p-name"); got != "Early Person 2" {
		t.Errorf("the history shows %q", got)
	}
	b.Axe("person")
	b.Do("ask to forget", chromedp.Click(chromedp.CSS("#forget")), chromedp.WaitVisible(chromedp.CSS("#forget-yes")))
	b.Axe("forget question")
	b.Do("forget", chromedp.Click(chromedp.CSS("#forget-yes")), chromedp.WaitVisible(chromedp.CSS("#done")))
	b.Axe("forgotten")
	n := 0
	for row, err := range th.j.Actions(t.Context(), th.c.ID) {
		if err != nil {
			t.Fatal(err)
		}
		if row.Submission.Name == "Early Person 2" {
			n++
		}
	}
	if n != 0 {
		t.Error("the person forgotten through the page is still in the journal")
	}
}

func formPost(t testing.TB, c *http.Client, u string, v url.Values, hdr ...string) *http.Response {
	t.Helper()
	req, err := http.NewRequest("POST", u, strings.NewReader(v.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res
}

func noRedirect() *http.Client {
	return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func personForm(name string) url.Values {
	return url.Values{"name": {name}, "city": {"Quetzaltenango"}, "country": {"Guatemala"}, "lang": {"es"},
		"key": {strings.Repeat("k", 8) + strings.ReplaceAll(name, " ", "-")}}
}

// Bad input through the form on the real hub: each a clear 4xx, and
// nothing in the hub's journal.
func TestBadFormInputStoresNothingInTheHub(t *testing.T) {
	th := start(t, &linesim.Config{Duration: 5 * time.Millisecond}, nil)
	c := noRedirect()
	good := personForm("Ana Lopez")
	set := func(k, v string) url.Values {
		out := url.Values{}
		for k, x := range good {
			out[k] = x
		}
		out.Set(k, v)
		return out
	}
	for _, tt := range []struct {
		name   string
		form   url.Values
		hdr    []string
		status int
	}{
		{"control character", set("name", "Ana\x00Lopez"), nil, 400},
		{"markup", set("city", "<img src=x onerror=alert(1)>"), nil, 400},
		{"3000-character note", set("note", strings.Repeat("n", 3000)), nil, 400},
		{"missing field", set("country", ""), nil, 400},
		{"honeypot", set("website", "x"), nil, 400},
		{"wrong origin", good, []string{"Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example"}, 403},
	} {
		for _, path := range []string{"/act", "/preview"} {
			if res := formPost(t, c, th.url+path, tt.form, tt.hdr...); res.StatusCode != tt.status {
				t.Errorf("%s to %s: %d, want %d", tt.name, path, res.StatusCode, tt.status)
			}
		}
	}
	counts, err := th.j.Counts(context.Background(), th.c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(counts) != 0 {
		t.Errorf("bad input stored actions: %v", counts)
	}
	// And the good form does store one, so the check above can fail.
	if res := formPost(t, c, th.url+"/act", good); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("a good form: %d", res.StatusCode)
	}
	if counts, _ := th.j.Counts(context.Background(), th.c.ID); len(counts) == 0 {
		t.Error("a good form stored nothing")
	}
}

// The page is under the hub's per-client rate limit.
func TestSigningPageIsRateLimited(t *testing.T) {
	th := start(t, nil, func(c *hub.Config) { c.HTTP.Rate, c.HTTP.Burst = 0.01, 2 })
	var codes []int
	for range 4 {
		codes = append(codes, do(t, "GET", th.url+"/", "").status)
	}
	if codes[0] != 200 || codes[3] != http.StatusTooManyRequests {
		t.Errorf("GET / four times at once: %v, want 200 first and 429 past the burst", codes)
	}
}

// formLoad sends one form POST per client, clients at a time, and returns
// each latency; any answer but a 303 to a receipt fails.
func formLoad(t testing.TB, th *testHub, clients int, tag string) []time.Duration {
	c := noRedirect()
	c.Transport = &http.Transport{MaxIdleConnsPerHost: clients}
	lat := make([]time.Duration, clients)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var bad []string
	for i := range clients {
		wg.Go(func() {
			f := personForm(fmt.Sprintf("Load %s Person %d", tag, i))
			req, _ := http.NewRequest("POST", th.url+"/act", strings.NewReader(f.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			t0 := time.Now()
			res, err := c.Do(req)
			lat[i] = time.Since(t0)
			if err != nil {
				mu.Lock()
				bad = append(bad, err.Error())
				mu.Unlock()
				return
			}
			res.Body.Close()
			if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/r/") {
				mu.Lock()
				bad = append(bad, fmt.Sprintf("client %d: %d", i, res.StatusCode))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(bad) > 0 {
		t.Fatalf("%d of %d form posts failed: %v", len(bad), clients, bad[:min(5, len(bad))])
	}
	return lat
}

func percentile(d []time.Duration, p float64) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, int(float64(len(s))*p))]
}

// 200 people send the form at once to the real hub: every one gets a
// receipt (no 5xx), and every one is in the journal (nothing lost).
func TestFormLoad200Clients(t *testing.T) {
	th := start(t, &linesim.Config{Duration: time.Millisecond}, nil)
	lat := formLoad(t, th, 200, "t")
	counts, err := th.j.Counts(context.Background(), th.c.ID)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, n := range counts {
		total += n
	}
	if total != 200 {
		t.Errorf("%d actions in the journal after 200 form posts: %v", total, counts)
	}
	t.Logf("200 form posts: p50 %v, p99 %v", percentile(lat, 0.5), percentile(lat, 0.99))
}

// BenchmarkFormPost200Clients: 200 clients post the form at once, per
// iteration; reports the p50 and p99 latency of a form post (to its 303).
func BenchmarkFormPost200Clients(b *testing.B) {
	th := start(b, &linesim.Config{Duration: time.Millisecond}, nil)
	var all []time.Duration
	for i := 0; b.Loop(); i++ {
		all = append(all, formLoad(b, th, 200, fmt.Sprint(i))...)
	}
	b.ReportMetric(float64(percentile(all, 0.5).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(percentile(all, 0.99).Microseconds())/1000, "p99-ms")
}

// Signing out of /admin revokes the session in the journal: a copy of the
// cookie is refused by this hub and by another on the same journal (as
// several hubs behind a load balancer, or this one after a restart).
func TestAdminSignOutIsRevokedForEveryHub(t *testing.T) {
	th := start(t, &linesim.Config{Duration: time.Millisecond}, nil)
	other := hubtest.Start(t, hub.Config{Campaign: th.c, Token: adminToken, Journal: th.j, Store: th.st, HTTP: hubHTTP(io.Discard)})
	form := func(base, path, cookie string, v url.Values) *http.Response {
		req, _ := http.NewRequest("POST", base+path, strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if cookie != "" {
			req.Header.Set("Cookie", cookie)
		}
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	login := form(th.url, "/admin/login", "", url.Values{"token": {adminToken}})
	cookie := strings.Split(login.Header.Get("Set-Cookie"), ";")[0]
	signedIn := func(base string) bool {
		a := do(t, "GET", base+"/admin", "", "Cookie", cookie)
		return strings.Contains(string(a.body), `id="pause"`)
	}
	if !signedIn(th.url) || !signedIn(other.URL) {
		t.Fatal("a fresh session is not accepted by both hubs")
	}
	if resp := form(th.url, "/admin/logout", cookie, url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out: %d", resp.StatusCode)
	}
	if signedIn(th.url) || signedIn(other.URL) {
		t.Error("a signed-out session is still accepted")
	}
}

// A form post without a key, or with a short one (a script, a tampered
// form), gets a fresh key from the hub: two keyless posts by two people
// are two actions, and the second never lands on the first's receipt
// (before, both shared the empty key and the attacker saw the victim's
// receipt and fax image; every later keyless post was dropped).
func TestKeylessFormPostsAreTwoActionsNotAnotherPersonsReceipt(t *testing.T) {
	th := start(t, nil, nil) // no gateway: the actions wait
	post := func(name, key string) string {
		v := url.Values{"name": {name}, "city": {"Porto"}, "country": {"Portugal"}, "key": {key}, "ui": {"en"}, "lang": {"es"}}
		req, _ := http.NewRequest("POST", th.url+"/act", strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			b, _ := io.ReadAll(resp.Body)
			t.Fatalf("post by %s: %d %s", name, resp.StatusCode, b)
		}
		return resp.Header.Get("Location")
	}
	for _, key := range []string{"", "short"} {
		victim := post("Victim "+key+"A", key)
		attacker := post("Attacker "+key+"B", key)
		if victim == attacker {
			t.Fatalf("key %q: both posts landed on %s", key, victim)
		}
		page := do(t, "GET", th.url+attacker, "")
		if bytes.Contains(page.body, []byte("Victim")) {
			t.Errorf("key %q: the attacker's receipt shows the victim", key)
		}
	}
	if n, _ := th.j.Counts(t.Context(), th.c.ID); n[journal.Queued] != 4 {
		t.Errorf("%d actions queued, want 4 (none dropped)", n[journal.Queued])
	}
}
