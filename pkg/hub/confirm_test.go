package hub_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"

	"github.com/faxjam/faxjam/pkg/dispatch/linesim"
	"github.com/faxjam/faxjam/pkg/gateway/smtp"
	"github.com/faxjam/faxjam/pkg/hub"
	"github.com/faxjam/faxjam/pkg/journal"
)

// inbox is a real SMTP server (go-smtp) on loopback that keeps every
// message it is given.
type inbox struct {
	mu   sync.Mutex
	msgs []received
}

type received struct {
	to      string
	subject string
	body    string
}

type inboxSession struct {
	in *inbox
	to string
}

func (s *inboxSession) Mail(string, *gosmtp.MailOptions) error { return nil }
func (s *inboxSession) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	s.to = to
	return nil
}
func (s *inboxSession) Data(r io.Reader) error {
	m, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	var body io.Reader = m.Body
	if strings.EqualFold(m.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		body = quotedprintable.NewReader(m.Body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	subject, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	s.in.mu.Lock()
	s.in.msgs = append(s.in.msgs, received{s.to, subject, string(b)})
	s.in.mu.Unlock()
	return nil
}
func (s *inboxSession) Reset()        {}
func (s *inboxSession) Logout() error { return nil }

func startInbox(t *testing.T) (*inbox, string) {
	t.Helper()
	in := &inbox{}
	srv := gosmtp.NewServer(gosmtp.BackendFunc(func(*gosmtp.Conn) (gosmtp.Session, error) { return &inboxSession{in: in}, nil }))
	srv.Domain = "mx.example.org"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return in, "smtp://" + l.Addr().String() + "?from=hub@example.org&timeout=5s"
}

func (in *inbox) all() []received {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([]received{}, in.msgs...)
}

var linkPattern = regexp.MustCompile(`https?://\S+/v1/confirm/\S+`)

const notice = "We keep your e-mail for 28 days. Ask privacy@example.org to delete it."

func startConfirming(t *testing.T, clock *fakeClock) (*testHub, *inbox) {
	t.Helper()
	in, smtpURL := startInbox(t)
	m, err := smtp.NewMailer(smtpURL)
	if err != nil {
		t.Fatal(err)
	}
	th := start(t, &linesim.Config{Duration: time.Millisecond}, func(c *hub.Config) {
		c.Confirm, c.PrivacyNotice = m, notice
		if clock != nil {
			c.Now = clock.Now
		}
	})
	th.h.SetPublicURL(th.url)
	return th, in
}

func (th *testHub) actMail(t *testing.T, key, name, email string) map[string]any {
	t.Helper()
	b, _ := json.Marshal(map[string]string{"key": testKey(key), "name": name, "city": "Xela", "country": "Guatemala", "email": email})
	a := do(t, "POST", th.url+"/v1/campaigns/"+th.c.ID+"/actions", string(b), "Content-Type", "application/json")
	if a.status != http.StatusAccepted {
		t.Fatalf("action: %d %s", a.status, a.body)
	}
	return a.json(t)
}

func (th *testHub) state(t *testing.T, m map[string]any) string {
	t.Helper()
	a := do(t, "GET", th.url+"/v1/actions/"+m["id"].(string), "", "Authorization", "Bearer "+m["receipt"].(string))
	return a.json(t)["state"].(string)
}

func confirmLink(t *testing.T, in *inbox, to string) string {
	t.Helper()
	for _, m := range in.all() {
		if m.to == to {
			if l := linkPattern.FindString(m.body); l != "" {
				return l
			}
		}
	}
	t.Fatalf("no confirmation link mailed to %s: %+v", to, in.all())
	return ""
}

func postConfirm(t *testing.T, link string) answer {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	tok := u.Query().Get("t")
	u.RawQuery = ""
	return do(t, "POST", u.String(), "t="+url.QueryEscape(tok), "Content-Type", "application/x-www-form-urlencoded")
}

func TestConfirmByMail(t *testing.T) {
	th, in := startConfirming(t, nil)
	// Without an e-mail there is nothing to confirm with.
	if a := th.act(t, "key-noemail-1", "Ana"); a.status != http.StatusBadRequest || a.json(t)["field"] != "email" {
		t.Fatalf("action without e-mail: %d %s", a.status, a.body)
	}
	ana := th.actMail(t, "key-ana-00001", "Ana Confirma", "ana@example.org")
	if ana["state"] != "unconfirmed" {
		t.Fatalf("a new action is %v, want unconfirmed", ana["state"])
	}
	link := confirmLink(t, in, "ana@example.org")
	msgs := in.all()
	if len(msgs) != 1 || !strings.Contains(msgs[0].body, notice) || !strings.Contains(msgs[0].body, "Ana Confirma") || !strings.Contains(msgs[0].subject, th.c.Title[:20]) {
		t.Errorf("the mail: %+v", msgs)
	}
	// The signing page shows the notice too.
	if page := do(t, "GET", th.url+"/", ""); page.status != 200 || !strings.Contains(string(page.body), "We keep your e-mail for 28 days") {
		t.Errorf("the signing page lacks the privacy notice: %d", page.status)
	}
	// A mail scanner GETs the link, twice: nothing is confirmed, nothing sent.
	for range 2 {
		g := do(t, "GET", link, "")
		if g.status != 200 || !strings.Contains(string(g.body), `<form method="post"`) || !strings.Contains(string(g.body), "We keep your e-mail for 28 days") {
			t.Fatalf("GET on the link: %d %s", g.status, g.body)
		}
	}
	time.Sleep(50 * time.Millisecond) // the dispatcher would have had time
	if st := th.state(t, ana); st != "unconfirmed" {
		t.Fatalf("after GETs the action is %s", st)
	}
	if n := len(th.sim.Received()); n != 0 {
		t.Fatalf("%d faxes sent before the confirmation", n)
	}
	// A wrong token confirms nothing.
	if a := postConfirm(t, link[:len(link)-2]+"xx"); a.status != http.StatusNotFound {
		t.Errorf("POST with a wrong token: %d", a.status)
	}
	// The button: confirmed, faxed once. The token still works after the GETs.
	if a := postConfirm(t, link); a.status != 200 || !strings.Contains(string(a.body), "confirmed") {
		t.Fatalf("POST confirm: %d %s", a.status, a.body)
	}
	m := th.waitFinal(t, ana["id"].(string), ana["receipt"].(string))
	if m["state"] != "delivered" || len(th.sim.Received()) != 1 {
		t.Fatalf("after confirming: %v, %d faxes", m["state"], len(th.sim.Received()))
	}
	// Pressing again changes nothing.
	if a := postConfirm(t, link); a.status != 200 || len(th.sim.Received()) != 1 {
		t.Errorf("second POST: %d, %d faxes", a.status, len(th.sim.Received()))
	}
	// One address confirms one action.
	bo := th.actMail(t, "key-bo-000001", "Bo Other", "ANA@example.org")
	if a := postConfirm(t, confirmLink(t, in, "ANA@example.org")); a.status != http.StatusConflict {
		t.Errorf("a second action confirmed by the same address: %d %s", a.status, a.body)
	}
	if st := th.state(t, bo); st != "unconfirmed" {
		t.Errorf("the refused second action is %s", st)
	}
}

func TestUnconfirmedExpires(t *testing.T) {
	clock := &fakeClock{t: time.Now()}
	th, in := startConfirming(t, clock)
	cy := th.actMail(t, "key-cy-000001", "Cy Late", "cy@example.org")
	dee := th.actMail(t, "key-dee-00001", "Dee Never", "dee@example.org")
	clock.Add(47 * time.Hour)
	if n, err := th.h.Expire(context.Background()); err != nil || n != 0 {
		t.Fatalf("Expire at 47 h: %d %v", n, err)
	}
	clock.Add(2 * time.Hour)
	// Confirming at 49 h is too late.
	if a := postConfirm(t, confirmLink(t, in, "cy@example.org")); a.status != http.StatusGone {
		t.Errorf("POST at 49 h: %d %s", a.status, a.body)
	}
	if n, err := th.h.Expire(context.Background()); err != nil || n != 1 {
		t.Fatalf("Expire at 49 h: %d %v; want Dee's", n, err)
	}
	for _, m := range []map[string]any{cy, dee} {
		if st := th.state(t, m); st != string(journal.Expired) {
			t.Errorf("action %s is %s, want expired", m["id"], st)
		}
	}
	for _, s := range []string{"Cy Late", "cy@example.org", "Dee Never", "dee@example.org"} {
		if got := rawTraces(t, th, s); len(got) > 0 {
			t.Errorf("%q of an expired action is still in %v", s, got)
		}
	}
	if n := len(th.sim.Received()); n != 0 {
		t.Errorf("%d faxes sent for unconfirmed actions", n)
	}
	// Cy may act again, under the same key: a fresh action and a new mail,
	// and this time the confirmation sends it.
	// (The journal stamps a new action with the real clock: bring the
	// hub's back to it.)
	clock.mu.Lock()
	clock.t = time.Now()
	clock.mu.Unlock()
	before := len(in.all())
	again := th.actMail(t, "key-cy-000001", "Cy Late", "cy@example.org")
	if again["id"] == cy["id"] || again["state"] != "unconfirmed" || len(in.all()) != before+1 {
		t.Fatalf("Cy again: %v, %d mails (had %d)", again, len(in.all()), before)
	}
	if a := postConfirm(t, linkPattern.FindString(in.all()[before].body)); a.status != 200 {
		t.Fatalf("confirming the fresh action: %d %s", a.status, a.body)
	}
	if m := th.waitFinal(t, again["id"].(string), again["receipt"].(string)); m["state"] != "delivered" {
		t.Errorf("the fresh action: %v", m["state"])
	}
}

// Under --confirm every way in waits for confirmation: the petition API
// took 3 of 3 unconfirmed signatures (issue 16); now an anonymous
// signature is refused (403) and nothing is stored, while the organizer's
// token still signs.
func TestConfirmCannotBeBypassedThroughThePetitionAPI(t *testing.T) {
	th, _ := startConfirming(t, nil)
	sigs := th.url + "/v1/campaigns/" + th.c.ID + "/signatures"
	for i := range 3 {
		body := fmt.Sprintf(`{"name":"Sin Confirmar %d","city":"Xela","country":"Guatemala","key":"bypass-%d"}`, i, i)
		if a := do(t, "POST", sigs, body, "Content-Type", "application/json"); a.status != http.StatusForbidden || !strings.Contains(string(a.body), "confirms each person") {
			t.Errorf("signature %d: %d %s, want 403", i, a.status, a.body)
		}
	}
	if n, err := th.st.Count(t.Context(), th.c.ID); err != nil || n != 0 {
		t.Errorf("the store holds %d signatures (%v), want 0", n, err)
	}
	if a := do(t, "POST", sigs, `{"name":"Organizer Tool","city":"Xela","country":"Guatemala","key":"org-1"}`, "Content-Type", "application/json", "Authorization", "Bearer "+adminToken); a.status != 201 {
		t.Errorf("the organizer's token: %d %s, want 201", a.status, a.body)
	}
}
