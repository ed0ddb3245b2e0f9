package web

import (
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/campaign"
	"github.com/faxjam/faxjam/pkg/lines"
)

type site struct {
	t   *testing.T
	b   *memBackend
	srv *httptest.Server
	c   *http.Client
}

func newSite(t *testing.T, mod ...func(*Config)) *site {
	t.Helper()
	b := newMemBackend(t)
	cfg := Config{Campaign: b.c, Backend: b, AdminToken: "admin-token-0123456789"}
	for _, m := range mod {
		m(&cfg)
	}
	h, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c := srv.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &site{t: t, b: b, srv: srv, c: c}
}

type page struct {
	status int
	header http.Header
	body   string
}

func (s *site) do(req *http.Request) page {
	s.t.Helper()
	res, err := s.c.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return page{res.StatusCode, res.Header, string(body)}
}

func (s *site) get(path string, hdr ...string) page {
	s.t.Helper()
	req, _ := http.NewRequest("GET", s.srv.URL+path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return s.do(req)
}

// post sends a form as a browser on this site does (Sec-Fetch-Site:
// same-origin); hdr overrides headers.
func (s *site) post(path string, form url.Values, hdr ...string) page {
	s.t.Helper()
	req, _ := http.NewRequest("POST", s.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Origin", s.srv.URL)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return s.do(req)
}

func goodForm() url.Values {
	return url.Values{"name": {"Ana López"}, "city": {"Quetzaltenango"}, "country": {"Guatemala"},
		"email": {"ana@example.org"}, "note": {"Estamos con Norma."}, "lang": {"es"}, "key": {"k0123456789abcdefghij"}, "ui": {"es"}}
}

func with(v url.Values, kv ...string) url.Values {
	out := url.Values{}
	for k, x := range v {
		out[k] = append([]string(nil), x...)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out.Set(kv[i], kv[i+1])
	}
	return out
}

func TestHomeShowsTheCampaignTheLinesAndTheForm(t *testing.T) {
	s := newSite(t)
	p := s.get("/", "Accept-Language", "en")
	if p.status != 200 {
		t.Fatalf("GET / = %d", p.status)
	}
	for _, want := range []string{
		`<html lang="en">`,
		html.EscapeString(s.b.c.Title), html.EscapeString(s.b.c.Facts[0]), html.EscapeString(s.b.c.Asks[0]),
		"2 of 3 fax lines answer right now.", "Letters delivered today: 7.",
		`<label for="f-name">`, `<label for="f-city">`, `<label for="f-country">`, `<label for="f-email">`, `<label for="f-note">`, `<label for="f-lang">`,
		`name="website"`, `<option value="es" lang="es">Español</option>`, `<option value="en" lang="en" selected>English</option>`, `<option value="pt" lang="pt">Português</option>`,
		`formaction="/preview#preview-h"`,
		`<details class="translation" id="sample">`, `<div lang="en"><p>City, `, "Dear Attorney General,",
	} {
		if !strings.Contains(p.body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(p.body, "<script") {
		t.Error("the page has a script; it must work without one")
	}
}

// TestCampaignTextInThePagesLanguage: title, summary, facts and asks come
// in the page's language when the campaign file translates them, each
// marked with the language it is in, and in the main text otherwise.
func TestCampaignTextInThePagesLanguage(t *testing.T) {
	s := newSite(t)
	c := s.b.c
	es, en := c.Text("es"), c.Text("en")
	if es.TitleLang != "es" || en.TitleLang != "en" || es.Title == en.Title {
		t.Fatalf("the bundled campaign should have English and Spanish text: %+v / %+v", es, en)
	}
	for _, tt := range []struct {
		lang string
		text campaign.Text
		not  campaign.Text
	}{{"es", es, en}, {"en", en, es}, {"de", en, es}} {
		p := s.get("/?lang=" + tt.lang)
		for _, want := range []string{
			`<article class="campaign" lang="en">`, // the target's name and office: the main text
			`<h1 lang="` + tt.text.TitleLang + `">` + html.EscapeString(tt.text.Title) + `</h1>`,
			`<p class="summary" lang="` + tt.text.SummaryLang + `">` + html.EscapeString(tt.text.Summary) + `</p>`,
			`<ul class="facts" lang="` + tt.text.FactsLang + `"><li>` + html.EscapeString(tt.text.Facts[0]) + `</li>`,
			`<ol class="asks" lang="` + tt.text.AsksLang + `"><li>` + html.EscapeString(tt.text.Asks[0]) + `</li>`,
			`<h2 lang="` + tt.lang + `">`,
			`<title>` + html.EscapeString(tt.text.Title) + `</title>`,
		} {
			if !strings.Contains(p.body, want) {
				t.Errorf("the %s page lacks %q", tt.lang, want)
			}
		}
		for _, bad := range []string{html.EscapeString(tt.not.Title), html.EscapeString(tt.not.Asks[0])} {
			if strings.Contains(p.body, bad) {
				t.Errorf("the %s page shows the other language's %q", tt.lang, bad)
			}
		}
	}
}

func TestPageLanguageFromSwitchThenAcceptLanguage(t *testing.T) {
	s := newSite(t)
	for _, c := range []struct{ query, accept, want, word string }{
		{"", "de-CH,de;q=0.9,en;q=0.5", "de", "Ihr Name"},
		{"", "pt-BR", "pt", "O seu nome"},
		{"", "fr-CA, en;q=0.3", "fr", "Votre nom"},
		{"", "ja", "en", "Your name"},
		{"", "", "en", "Your name"},
		{"?lang=es", "de", "es", "Su nombre"},
		{"?lang=xx", "pt", "pt", "O seu nome"},
	} {
		p := s.get("/"+c.query, "Accept-Language", c.accept)
		if !strings.Contains(p.body, `<html lang="`+c.want+`">`) || !strings.Contains(p.body, c.word) {
			t.Errorf("%q with Accept-Language %q: want the page in %s (%q)", c.query, c.accept, c.want, c.word)
		}
		if got := p.header.Get("Content-Language"); got != c.want {
			t.Errorf("%q %q: Content-Language %q, want %q", c.query, c.accept, got, c.want)
		}
	}
	// The letter to read: in the page's language where the campaign has
	// it, else in the one it is faxed in, marked with its language.
	for q, want := range map[string]string{"es": `<div lang="es"><p>Ciudad, `, "en": `<div lang="en"><p>City, `, "de": `<div lang="es"><p>Ciudad, `} {
		if p := s.get("/?lang=" + q); !strings.Contains(p.body, want) {
			t.Errorf("the %s page's letter lacks %q", q, want)
		}
	}
	// "Your language" follows the page, and offers the campaign's too.
	if p := s.get("/?lang=de"); !strings.Contains(p.body, `<option value="de" lang="de" selected>`) {
		t.Error("a German page should say the person's language is German")
	}
}

var reSummaryLink = regexp.MustCompile(`<a href="#f-(\w+)">`)

func TestBadInputIsAnErrorNextToItsFieldAndNothingIsStored(t *testing.T) {
	long := strings.Repeat("palabra ", 375)[:2999] + "." // 3,000 characters
	for _, c := range []struct {
		name   string
		form   url.Values
		hdr    []string
		status int
		field  string // "" for an error of the whole form
		msg    string // in the page's language (es)
		kept   string // what was typed, as the page must show it
	}{
		{"control character", with(goodForm(), "name", "Ana\x07 López"), nil, 400, "name", "carácter de control invisible (U&#43;0007)", ""},
		{"markup", with(goodForm(), "city", `<script>alert(1)</script>`), nil, 400, "city", "no se admite código", `&lt;script&gt;alert(1)&lt;/script&gt;`},
		{"3000-character note", with(goodForm(), "note", long), nil, 400, "note", "Demasiado largo: 3000 caracteres, como máximo 600.", long[:200]},
		{"missing field", with(goodForm(), "country", ""), nil, 400, "country", "Rellene este campo.", ""},
		{"bad email", with(goodForm(), "email", "ana@"), nil, 400, "email", "nombre@ejemplo.org", "ana@"},
		{"a language neither page nor campaign has", with(goodForm(), "lang", "ja"), nil, 400, "lang", "Elija uno de los idiomas", ""},
		{"honeypot filled in", with(goodForm(), "website", "http://spam.example"), nil, 400, "", "Deje este campo vacío", ""},
		{"wrong origin", goodForm(), []string{"Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example"}, 403, "", "se envió desde otro sitio", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := newSite(t)
			for _, path := range []string{"/act", "/preview"} {
				p := s.post(path+"?lang=es", c.form, c.hdr...)
				if p.status != c.status {
					t.Fatalf("POST %s = %d, want %d", path, p.status, c.status)
				}
				if !strings.Contains(p.body, c.msg) {
					t.Errorf("POST %s: no error %q in the page", path, c.msg)
				}
				if c.field != "" {
					// Tied to its field, and linked from the summary at the top.
					input := regexp.MustCompile(`<(input|textarea|select) id="f-` + c.field + `"[^>]*>`).FindString(p.body)
					if !strings.Contains(input, `aria-describedby="`) || !strings.Contains(input, "e-"+c.field) || !strings.Contains(input, `aria-invalid="true"`) {
						t.Errorf("field %s is not tied to its error: %s", c.field, input)
					}
					if !strings.Contains(p.body, `id="e-`+c.field+`"`) {
						t.Errorf("no error element e-%s", c.field)
					}
					links := reSummaryLink.FindAllStringSubmatch(p.body, -1)
					if len(links) == 0 || links[0][1] != c.field {
						t.Errorf("the summary does not link to %s first: %v", c.field, links)
					}
					if strings.Index(p.body, `class="error-summary"`) > strings.Index(p.body, `<form`) {
						t.Error("the error summary must come before the form")
					}
				}
				if c.kept != "" && !strings.Contains(p.body, c.kept) {
					t.Errorf("what was typed is not kept (want %q)", c.kept)
				}
				if strings.Contains(p.body, "<script>alert") {
					t.Error("markup was not escaped")
				}
				if p.header.Get("Cache-Control") != "no-store" {
					t.Errorf("Cache-Control %q on a page holding what was typed", p.header.Get("Cache-Control"))
				}
			}
			if n := s.b.count(); n != 0 {
				t.Errorf("%d actions stored from bad input", n)
			}
			if s.b.calls["Preview"] != 0 {
				t.Error("bad input reached the backend's preview")
			}
		})
	}
}

func TestPreviewShowsTheFaxPageInlineAndKeepsTheForm(t *testing.T) {
	s := newSite(t)
	p := s.post("/preview", goodForm())
	if p.status != 200 {
		t.Fatalf("POST /preview = %d: %s", p.status, p.body)
	}
	m := regexp.MustCompile(`<img id="preview-img" src="data:image/png;base64,([^"]+)" alt="([^"]+)" width="(\d+)"`).FindStringSubmatch(p.body)
	if m == nil {
		t.Fatal("no inline preview image")
	}
	if m[3] != "1728" {
		t.Errorf("preview is %s px wide, want the fax's 1728", m[3])
	}
	if !strings.Contains(m[2], "Ana López") {
		t.Errorf("alt text %q does not name the signer", m[2])
	}
	for _, want := range []string{`value="Ana López"`, `value="Quetzaltenango"`, `>Estamos con Norma.</textarea>`, `value="k0123456789abcdefghij"`} {
		if !strings.Contains(p.body, want) {
			t.Errorf("preview page lost %s", want)
		}
	}
	if s.b.count() != 0 {
		t.Error("a preview must not take the action")
	}
}

func TestActLandsOnTheReceiptAndActingAgainShowsTheFirst(t *testing.T) {
	s := newSite(t)
	p := s.post("/act", goodForm())
	if p.status != http.StatusSeeOther {
		t.Fatalf("POST /act = %d: %s", p.status, p.body)
	}
	loc := p.header.Get("Location")
	if !regexp.MustCompile(`^/r/[\w-]+\?lang=es&t=[\w-]{22}$`).MatchString(loc) {
		t.Fatalf("receipt URL %q", loc)
	}
	if strings.Contains(loc, "Ana") || strings.Contains(loc, "Quetzaltenango") {
		t.Error("personal data in the receipt URL")
	}
	r := s.get(loc)
	if r.status != 200 || !strings.Contains(r.body, `data-state="queued"`) || !strings.Contains(r.body, "En cola") {
		t.Fatalf("receipt: %d %s", r.status, r.body)
	}
	if r.header.Get("Refresh") != "5" {
		t.Errorf("an unfinished receipt must refresh itself: Refresh %q", r.header.Get("Refresh"))
	}
	if r.header.Get("Cache-Control") != "no-store" {
		t.Error("receipt must not be cached")
	}
	if strings.Contains(r.body, "Ana López") {
		t.Error("the receipt page shows personal data")
	}
	if p := s.get(loc + "&still=1"); p.header.Get("Refresh") != "" {
		t.Error("stop updating must stop the refresh")
	}

	// The same form sent twice (a double click): the same receipt.
	if again := s.post("/act", goodForm()); !sameReceipt(again.header.Get("Location"), loc) {
		t.Errorf("the same form again went to %q, want %q", again.header.Get("Location"), loc)
	}
	// The same person with a new form, from this browser: the first receipt.
	cookie := strings.Split(p.header.Get("Set-Cookie"), ";")[0]
	if !strings.HasPrefix(cookie, receiptCookie+"=") || !strings.Contains(p.header.Get("Set-Cookie"), "HttpOnly") {
		t.Fatalf("receipt cookie %q", p.header.Get("Set-Cookie"))
	}
	again := s.post("/act", with(goodForm(), "key", "another-key-0123456789", "note", "otra vez"), "Cookie", cookie)
	if again.status != http.StatusSeeOther || !sameReceipt(again.header.Get("Location"), loc) {
		t.Fatalf("second action: %d to %q, want the first receipt %q", again.status, again.header.Get("Location"), loc)
	}
	if d := s.get(again.header.Get("Location")); !strings.Contains(d.body, "este es su primer recibo") {
		t.Error("the first receipt does not say it is the first")
	}
	// From another browser: told so, and no receipt (it is the holder's).
	other := s.post("/act", with(goodForm(), "key", "third-key-0123456789ab"))
	if other.status != 200 || !strings.Contains(other.body, "Ya ha participado") || strings.Contains(other.body, "/r/") {
		t.Fatalf("the same person from another browser: %d %s", other.status, other.body)
	}
	if s.b.count() != 1 {
		t.Errorf("%d actions for one person", s.b.count())
	}

	// Delivered: final, no refresh, the faxed page.
	s.b.deliver()
	d := s.get(loc)
	if d.header.Get("Refresh") != "" || !strings.Contains(d.body, `data-state="delivered"`) || !strings.Contains(d.body, "Su carta se entregó a Despacho") {
		t.Fatalf("delivered receipt: refresh %q, %s", d.header.Get("Refresh"), d.body)
	}
	img := regexp.MustCompile(`<img id="fax-img" src="([^"]+)"`).FindStringSubmatch(d.body)
	if img == nil {
		t.Fatal("no fax image on the delivered receipt")
	}
	png := s.get(img[1])
	if png.status != 200 || png.header.Get("Content-Type") != "image/png" || png.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("fax.png: %d %v", png.status, png.header)
	}
	if w, _ := pngSize([]byte(png.body)); w != 1728 {
		t.Errorf("fax.png is %d px wide", w)
	}
}

// sameReceipt reports whether two receipt addresses are the same action
// with the same token.
func sameReceipt(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	return err1 == nil && err2 == nil && ua.Path == ub.Path && ua.Query().Get("t") != "" && ua.Query().Get("t") == ub.Query().Get("t")
}

// Every state the hub reports reads as itself on the receipt, final
// states stop the refresh, and a faxed one shows the page.
func TestReceiptStates(t *testing.T) {
	for _, c := range []struct {
		state, text string
		final, fax  bool
	}{
		{"queued", "Queued", false, false},
		{"sending", "Sending", false, false},
		{"submitted", "With the fax service", true, true},
		{"delivered", "Delivered", true, true},
		{"petitioned", "your name went on the petition", true, false},
		{"failed", "could not be delivered", true, false},
		{"gave-up", "could not be delivered", true, false},
		{"unknown", "checks it by hand", true, false},
		{"unconfirmed", "Confirm your email", false, false},
	} {
		s := newSite(t)
		loc := s.post("/act", with(goodForm(), "ui", "en")).header.Get("Location")
		s.b.setState(c.state)
		p := s.get(loc)
		if p.status != 200 || !strings.Contains(p.body, c.text) || !strings.Contains(p.body, `data-state="`+c.state+`"`) {
			t.Errorf("%s: the receipt lacks %q", c.state, c.text)
		}
		if refresh := p.header.Get("Refresh") != ""; refresh == c.final {
			t.Errorf("%s: refreshing %v, want %v", c.state, refresh, !c.final)
		}
		if fax := strings.Contains(p.body, `id="fax-img"`); fax != c.fax {
			t.Errorf("%s: fax image shown %v, want %v", c.state, fax, c.fax)
		}
	}
}

// A closed campaign shows no form, and a form sent anyway is refused in
// the page's language with nothing stored.
func TestClosedCampaignTakesNoAction(t *testing.T) {
	s := newSite(t, func(cfg *Config) {
		c := *cfg.Campaign
		c.Closed = true
		cfg.Campaign, cfg.Backend.(*memBackend).c = &c, &c
	})
	if p := s.get("/?lang=en"); !strings.Contains(p.body, `id="closed"`) || strings.Contains(p.body, `action="/act"`) {
		t.Error("a closed campaign still shows the form")
	}
	p := s.post("/act", goodForm())
	if p.status != http.StatusGone || !strings.Contains(p.body, "Esta campaña está cerrada") || s.b.count() != 0 {
		t.Errorf("acting on a closed campaign: %d, %d stored", p.status, s.b.count())
	}
}

// With e-mail confirmation on, the form asks for the address and says why.
func TestEmailRequiredWhenTheHubConfirms(t *testing.T) {
	s := newSite(t, func(c *Config) { c.EmailRequired = true })
	p := s.get("/?lang=en")
	if !strings.Contains(p.body, `<label for="f-email">Email <span class="req">(required)</span>`) || !strings.Contains(p.body, "We send you a link to confirm") {
		t.Error("the e-mail field is not marked required with its reason")
	}
}

func TestReceiptWithAWrongTokenIsNotFound(t *testing.T) {
	s := newSite(t)
	u, _ := url.Parse(s.post("/act", goodForm()).header.Get("Location"))
	tok := u.Query().Get("t")
	for _, path := range []string{u.Path + "?t=AAAAAAAAAAAAAAAAAAAAAA", u.Path, "/r/nope?t=" + tok, u.Path + "/fax.png?t=x", u.Path + "/fax.png"} {
		if p := s.get(path); p.status != 404 {
			t.Errorf("GET %s = %d, want 404", path, p.status)
		}
	}
}

func TestEveryLineDownSaysTheNameGoesOnThePetition(t *testing.T) {
	s := newSite(t)
	for i := range s.b.lines.Lines {
		s.b.lines.Lines[i].State = "down"
	}
	if p := s.get("/?lang=en"); !strings.Contains(p.body, "your name goes on the petition") {
		t.Error("the form page does not say the name goes on the petition")
	}
	loc := s.post("/act", with(goodForm(), "ui", "en")).header.Get("Location")
	if p := s.get(loc); !strings.Contains(p.body, "your name goes on the petition") {
		t.Error("the receipt does not say the name goes on the petition")
	}
}

// Quiet hours are said as quiet hours, with when dialling starts again,
// never as lines that are down and a name that goes on the petition.
func TestQuietHoursAreSaidAsQuietHoursNotAsLinesDown(t *testing.T) {
	now := time.Date(2026, 1, 15, 9, 30, 0, 0, time.UTC)
	s := newSite(t, func(c *Config) { c.Now = func() time.Time { return now } })
	for i := range s.b.lines.Lines {
		s.b.lines.Lines[i].State = "quiet"
		s.b.lines.Lines[i].Until = time.Date(2026, 1, 15, 14, 0, 0, 0, time.UTC)
	}
	s.b.lines.Lines[0].State = "down" // one down as well: the others only wait
	p := s.get("/?lang=en")
	if strings.Contains(p.body, "petition that is delivered instead") || strings.Contains(p.body, `id="all-down"`) {
		t.Error("quiet hours are said as every line down")
	}
	for _, want := range []string{"quiet hours", "dialling starts again in 4 h 30 min", `datetime="2026-01-15T14:00:00Z"`, "(14:00 UTC)"} {
		if !strings.Contains(p.body, want) {
			t.Errorf("the page does not say %q", want)
		}
	}
	if p := s.get("/?lang=es"); !strings.Contains(p.body, "las llamadas se reanudan dentro de 4 h 30 min") {
		t.Error("the Spanish page does not say when dialling starts again")
	}
}

func TestRoughlyIsToTheMinute(t *testing.T) {
	for d, want := range map[time.Duration]string{
		10 * time.Second: "1 min", 35 * time.Minute: "35 min", 59*time.Minute + 30*time.Second: "1 h 00 min",
		time.Hour: "1 h 00 min", 4*time.Hour + 5*time.Minute: "4 h 05 min", -time.Minute: "1 min",
	} {
		if got := roughly(d); got != want {
			t.Errorf("roughly(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestSecurityHeaders(t *testing.T) {
	p := newSite(t).get("/")
	csp := p.header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'none'", "frame-ancestors 'none'", "form-action 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if p.header.Get("X-Frame-Options") != "DENY" || p.header.Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("headers %v", p.header)
	}
	e := newSite(t, func(c *Config) { c.EmbedOrigins = []string{"https://partner.example"} }).get("/")
	if csp := e.header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors https://partner.example") || e.header.Get("X-Frame-Options") != "" {
		t.Errorf("with an embed origin: CSP %q, X-Frame-Options %q", csp, e.header.Get("X-Frame-Options"))
	}
	for _, bad := range []string{"https://partner.example/path", "*", "https://*.example", "partner.example", "https://a.example; script-src *"} {
		b := newMemBackend(t)
		if _, err := New(Config{Campaign: b.c, Backend: b, EmbedOrigins: []string{bad}}); err == nil {
			t.Errorf("embed origin %q accepted", bad)
		}
	}
}

func TestAdminSignInPauseResumeAndSignOut(t *testing.T) {
	s := newSite(t)
	if p := s.get("/admin"); p.status != 200 || !strings.Contains(p.body, `type="password"`) || strings.Contains(p.body, "Despacho") {
		t.Fatalf("signed out, /admin must be the sign-in form: %d", p.status)
	}
	if p := s.post("/admin/pause", url.Values{}); p.status != 401 || s.b.paused {
		t.Fatalf("pause without signing in: %d, paused %v", p.status, s.b.paused)
	}
	if p := s.post("/admin/login", url.Values{"token": {"wrong"}}); p.status != 401 || !strings.Contains(p.body, `aria-describedby="e-token"`) {
		t.Fatalf("a wrong token: %d", p.status)
	}
	p := s.post("/admin/login", url.Values{"token": {"admin-token-0123456789"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("sign in: %d", p.status)
	}
	ck := p.header.Get("Set-Cookie")
	if !strings.Contains(ck, "HttpOnly") || !strings.Contains(ck, "SameSite=Strict") || strings.Contains(ck, "admin-token-0123456789") {
		t.Fatalf("session cookie %q", ck)
	}
	if strings.Contains(p.header.Get("Location"), "token") {
		t.Error("the token in a URL")
	}
	cookie := strings.Split(ck, ";")[0]
	a := s.get("/admin", "Cookie", cookie)
	for _, want := range []string{`<svg class="chart"`, `<rect class="bar"`, `id="pause"`, `&#43;12025550142`, `id="t-petitioned">3<`, "Sending is running."} {
		if !strings.Contains(a.body, want) {
			t.Errorf("admin page lacks %q", want)
		}
	}
	if p := s.post("/admin/pause", url.Values{}, "Cookie", cookie); p.status != http.StatusSeeOther || !s.b.paused {
		t.Fatalf("pause: %d, paused %v", p.status, s.b.paused)
	}
	if a := s.get("/admin", "Cookie", cookie); !strings.Contains(a.body, `id="resume"`) {
		t.Error("paused, the admin page must offer resume")
	}
	if p := s.post("/admin/resume", url.Values{}, "Cookie", cookie, "Sec-Fetch-Site", "cross-site"); p.status != 403 || !s.b.paused {
		t.Error("a cross-site resume must be refused")
	}
	if p := s.post("/admin/resume", url.Values{}, "Cookie", cookie); p.status != http.StatusSeeOther || s.b.paused {
		t.Fatal("resume failed")
	}
	// A forged or expired session is signed out.
	for _, c := range []string{adminCookie + "=99999999999.AAAA", adminCookie + "=99999999999.AAAA.BBBB", adminCookie + "=1." + strings.SplitN(strings.TrimPrefix(cookie, adminCookie+"="), ".", 2)[1]} {
		if a := s.get("/admin", "Cookie", c); strings.Contains(a.body, `id="pause"`) {
			t.Errorf("session %q accepted", c)
		}
	}
	// Signing out revokes the session on the server: a copy of the cookie
	// kept from before is refused (it was accepted for 12 h before).
	if p := s.post("/admin/logout", url.Values{}, "Cookie", cookie); p.status != http.StatusSeeOther {
		t.Fatalf("sign out: %d", p.status)
	}
	if a := s.get("/admin", "Cookie", cookie); strings.Contains(a.body, `id="pause"`) || !strings.Contains(a.body, `type="password"`) {
		t.Error("the session cookie still opens /admin after signing out")
	}
	if p := s.post("/admin/pause", url.Values{}, "Cookie", cookie); p.status != 401 || s.b.paused {
		t.Errorf("pause with a signed-out cookie: %d, paused %v", p.status, s.b.paused)
	}
	// A new sign-in works again.
	p = s.post("/admin/login", url.Values{"token": {"admin-token-0123456789"}})
	if a := s.get("/admin", "Cookie", strings.Split(p.header.Get("Set-Cookie"), ";")[0]); !strings.Contains(a.body, `id="pause"`) {
		t.Error("signing in again after signing out does not work")
	}
}

func TestNoAdminTokenMeansNoAdminPage(t *testing.T) {
	s := newSite(t, func(c *Config) { c.AdminToken = "" })
	if p := s.get("/admin"); p.status != 404 {
		t.Errorf("/admin without a token configured = %d", p.status)
	}
	if p := s.post("/admin/login", url.Values{"token": {""}}); p.status != 404 {
		t.Errorf("login without a token configured = %d", p.status)
	}
}

func TestChartScalesToRoundNumbers(t *testing.T) {
	svg, rows := chart([]int{0, 7, 3}, time.Date(2026, 12, 2, 14, 0, 0, 0, time.UTC), `a <b> "c"`)
	if len(rows) != 3 || rows[1].Label != "2026-12-02 15:00" || rows[1].Count != 7 {
		t.Fatalf("rows %v", rows)
	}
	if !strings.Contains(string(svg), `>10</text>`) || !strings.Contains(string(svg), `>5</text>`) || strings.Count(string(svg), "<rect") != 3 || !strings.Contains(string(svg), "a &lt;b&gt; &#34;c&#34;") {
		t.Errorf("svg %s", svg)
	}
	for m, want := range map[int]int{0: 1, 1: 1, 3: 5, 7: 10, 10: 10, 11: 20, 40: 50, 101: 200} {
		if got := niceCeil(m); got != want {
			t.Errorf("niceCeil(%d) = %d, want %d", m, got, want)
		}
	}
}

// TestEveryKeyInEveryLanguage: every key a template uses exists, and no
// language has an empty entry.
func TestEveryKeyInEveryLanguage(t *testing.T) {
	for key, m := range messages {
		for i, s := range m {
			if strings.TrimSpace(s) == "" {
				t.Errorf("%s has no %s text", key, pageLangs[i])
			}
		}
	}
	used := regexp.MustCompile(`\.T "(\w+)"`)
	entries, _ := assets.ReadDir("templates")
	for _, e := range entries {
		b, _ := assets.ReadFile("templates/" + e.Name())
		for _, m := range used.FindAllStringSubmatch(string(b), -1) {
			if _, ok := messages[m[1]]; !ok {
				t.Errorf("%s uses key %q, which has no text", e.Name(), m[1])
			}
		}
	}
	src, _ := os.ReadFile("handler.go")
	for _, m := range regexp.MustCompile(`T\("(\w+)"`).FindAllStringSubmatch(string(src), -1) {
		if _, ok := messages[m[1]]; !ok {
			t.Errorf("handler.go uses key %q, which has no text", m[1])
		}
	}
	for _, st := range []string{"queued", "sending", "submitted", "delivered", "petitioned", "failed", "unknown", "unconfirmed", "expired"} {
		for _, p := range []string{"st_", "sd_"} {
			if _, ok := messages[p+st]; !ok {
				t.Errorf("no text for state %s (%s)", st, p)
			}
		}
	}
	for _, st := range []lines.State{lines.Up, lines.Sending, lines.Busy, lines.Down, lines.Quiet} {
		if _, ok := messages["line_"+string(st)]; !ok {
			t.Errorf("no text for line state %s", st)
		}
	}
}
