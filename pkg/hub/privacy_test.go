package hub_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/dispatch/linesim"
	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/gateway/all"
	"github.com/faxjam/faxjam/pkg/hub"
	"github.com/faxjam/faxjam/pkg/letter"
	"github.com/faxjam/faxjam/pkg/pack"
	"github.com/faxjam/faxjam/pkg/pack/packtest"
	"github.com/faxjam/faxjam/pkg/petition/server"
)

// rawTraces names the hub's data files (journal, signatures, their logs,
// free pages and all: read whole) that hold s.
func rawTraces(t *testing.T, th *testHub, s string) []string {
	t.Helper()
	var found []string
	for _, db := range []string{th.j.Path(), filepath.Join(filepath.Dir(th.j.Path()), "petition.db")} {
		for _, suffix := range []string{"", "-wal", "-journal"} {
			b, err := os.ReadFile(db + suffix)
			if err != nil {
				continue
			}
			if bytes.Contains(b, []byte(s)) {
				found = append(found, filepath.Base(db+suffix))
			}
		}
	}
	return found
}

// actWith sends an action with an e-mail and a note, waits until it is
// delivered and returns its id.
func (th *testHub) actWith(t *testing.T, key, name, email, note string) string {
	t.Helper()
	b, _ := json.Marshal(map[string]string{"key": testKey(key), "name": name, "city": "Xela", "country": "Guatemala", "email": email, "note": note})
	a := do(t, "POST", th.url+"/v1/campaigns/"+th.c.ID+"/actions", string(b), "Content-Type", "application/json")
	if a.status != http.StatusAccepted {
		t.Fatalf("action: %d %s", a.status, a.body)
	}
	m := a.json(t)
	th.waitFinal(t, m["id"].(string), m["receipt"].(string))
	return m["id"].(string)
}

// signFallback stores the action's person as a petition signature, as the
// hub's fallback does when every line is down.
func (th *testHub) signFallback(t *testing.T, id, email, note string) {
	t.Helper()
	_, s, err := th.j.Action(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	rec := server.Record(th.c.ID, s.Key, letter.Signer{Name: s.Name, City: s.City, Country: s.Country, Email: email, Note: note})
	if _, _, err := th.st.Add(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
}

func TestHubForgetsAPerson(t *testing.T) {
	th := start(t, &linesim.Config{Duration: time.Millisecond}, nil)
	ana := th.actWith(t, "key-ana-0001", "Ana Olvidada", "ana.olvidada@example.org", "nota de Ana")
	th.signFallback(t, ana, "ana.olvidada@example.org", "nota de Ana")
	th.actWith(t, "key-bo-00001", "Bo Kept", "bo.kept@example.org", "note of Bo")
	for _, s := range []string{"Ana Olvidada", "ana.olvidada@example.org"} {
		if len(rawTraces(t, th, s)) == 0 {
			t.Fatalf("%q is nowhere before forget: the search is broken", s)
		}
	}
	if a := do(t, "DELETE", th.url+"/v1/actions/"+ana, ""); a.status != http.StatusUnauthorized {
		t.Errorf("forget without the admin token: %d", a.status)
	}
	if a := do(t, "DELETE", th.url+"/v1/actions/nope", "", "Authorization", "Bearer "+adminToken); a.status != http.StatusNotFound {
		t.Errorf("forget of an unknown action: %d", a.status)
	}
	a := do(t, "DELETE", th.url+"/v1/actions/"+ana, "", "Authorization", "Bearer "+adminToken)
	var got hub.Forgotten
	if err := json.Unmarshal(a.body, &got); a.status != 200 || err != nil || got != (hub.Forgotten{Actions: 1, Signatures: 1, Compacted: true}) {
		t.Fatalf("forget: %d %s", a.status, a.body)
	}
	for _, s := range []string{"Ana Olvidada", "ana.olvidada@example.org", "nota de Ana"} {
		if got := rawTraces(t, th, s); len(got) > 0 {
			t.Errorf("%q is still in %v after forget", s, got)
		}
	}
	if len(rawTraces(t, th, "bo.kept@example.org")) == 0 {
		t.Error("Bo, not forgotten, lost the e-mail")
	}
	// Neither export has her.
	for _, path := range []string{"/actions", "/signatures"} {
		for _, accept := range []string{"application/json", "text/csv"} {
			e := do(t, "GET", th.url+"/v1/campaigns/"+th.c.ID+path, "", "Authorization", "Bearer "+adminToken, "Accept", accept)
			if e.status != 200 || bytes.Contains(e.body, []byte("Olvidada")) || bytes.Contains(e.body, []byte("ana.olvidada")) {
				t.Errorf("export %s (%s) after forget: %d %s", path, accept, e.status, e.body)
			}
		}
	}
	// By e-mail.
	a = do(t, "DELETE", th.url+"/v1/campaigns/"+th.c.ID+"/actions?email=BO.kept@example.org", "", "Authorization", "Bearer "+adminToken)
	if err := json.Unmarshal(a.body, &got); a.status != 200 || err != nil || got.Actions != 1 {
		t.Fatalf("forget by e-mail: %d %s", a.status, a.body)
	}
	if got := rawTraces(t, th, "bo.kept@example.org"); len(got) > 0 {
		t.Errorf("Bo's e-mail is still in %v", got)
	}
	if a := do(t, "DELETE", th.url+"/v1/campaigns/"+th.c.ID+"/actions", "", "Authorization", "Bearer "+adminToken); a.status != http.StatusBadRequest {
		t.Errorf("forget by e-mail without one: %d", a.status)
	}
}

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestHubRetention(t *testing.T) {
	clock := &fakeClock{t: time.Now()}
	th := start(t, &linesim.Config{Duration: time.Millisecond}, func(c *hub.Config) {
		c.Retain, c.Now = 28*24*time.Hour, clock.Now
	})
	id := th.actWith(t, "key-cy-00001", "Cy Retained", "cy.retained@example.org", "note of Cy")
	th.signFallback(t, id, "cy.retained@example.org", "note of Cy")
	if len(rawTraces(t, th, "cy.retained@example.org")) == 0 {
		t.Fatal("the e-mail is nowhere before retention: the search is broken")
	}
	ctx := context.Background()
	if a, s, err := th.h.Retain(ctx); err != nil || a+s != 0 {
		t.Fatalf("Retain of fresh data: %d %d %v", a, s, err)
	}
	clock.Add(29 * 24 * time.Hour)
	a, s, err := th.h.Retain(ctx)
	if err != nil || a != 1 || s != 1 {
		t.Fatalf("Retain: %d actions, %d signatures, %v; want 1 and 1", a, s, err)
	}
	for _, v := range []string{"cy.retained@example.org", "note of Cy"} {
		if got := rawTraces(t, th, v); len(got) > 0 {
			t.Errorf("%q is still in %v after retention", v, got)
		}
	}
	// The name and city stay on the petition and in the export.
	e := do(t, "GET", th.url+"/v1/campaigns/"+th.c.ID+"/signatures", "", "Authorization", "Bearer "+adminToken)
	if !bytes.Contains(e.body, []byte("Cy Retained")) || !bytes.Contains(e.body, []byte("Xela")) {
		t.Errorf("signatures after retention: %s", e.body)
	}
}

func TestHubServesItsPack(t *testing.T) {
	_, priv, err := pack.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	files, _, err := pack.FromDir(packtest.CampaignDir(t, "hub-pack", nil))
	if err != nil {
		t.Fatal(err)
	}
	b, err := pack.Encode(priv, 4, files)
	if err != nil {
		t.Fatal(err)
	}
	th := start(t, nil, func(c *hub.Config) { c.Pack = b })
	a := do(t, "GET", th.url+"/v1/campaigns/"+th.c.ID+"/pack", "")
	if a.status != 200 || a.header.Get("Content-Type") != hub.PackType || !bytes.Equal(a.body, b) {
		t.Fatalf("pack: %d %s", a.status, a.header.Get("Content-Type"))
	}
	if p, err := pack.Open(a.body, priv.Public().(ed25519.PublicKey)); err != nil || p.Version != 4 {
		t.Fatalf("served pack: %v", err)
	}
	none := start(t, nil, nil)
	if a := do(t, "GET", none.url+"/v1/campaigns/"+none.c.ID+"/pack", ""); a.status != 404 || !strings.Contains(string(a.body), "--pack") {
		t.Errorf("a hub without a pack: %d %s", a.status, a.body)
	}
}

func TestHubRefusesClosedCampaign(t *testing.T) {
	th := start(t, &linesim.Config{Duration: time.Millisecond}, func(c *hub.Config) {
		closed := *c.Campaign
		closed.Closed = true
		c.Campaign = &closed
	})
	a := th.act(t, "key-closed-01", "Ana")
	if a.status != http.StatusGone || !strings.Contains(string(a.body), "closed") || !strings.Contains(string(a.body), th.c.Contact) {
		t.Fatalf("action for a closed campaign: %d %s", a.status, a.body)
	}
}

// TestHubForgetAndRetentionDeleteTheOutboxDocuments: a rehearsal hub
// writes each fax into its outbox, where the PDF carries the person's
// letter. Forgetting the person, and retention, delete those documents as
// `faxjam forget` and `retain` do (the manifest with the SHA-256 stays).
func TestHubForgetAndRetentionDeleteTheOutboxDocuments(t *testing.T) {
	clock := &fakeClock{t: time.Now()}
	dir := t.TempDir()
	th := start(t, nil, func(c *hub.Config) {
		gw, d, err := all.Registry().Open("outbox://"+dir, gateway.Env{})
		if err != nil {
			t.Fatal(err)
		}
		c.Gateway, c.Driver = gw, d
		c.Retain, c.Now = 28*24*time.Hour, clock.Now
	})
	docs := func() int {
		t.Helper()
		pdfs, err := filepath.Glob(filepath.Join(dir, "*.pdf"))
		if err != nil {
			t.Fatal(err)
		}
		return len(pdfs)
	}
	ana := th.actWith(t, "key-ana-outbox-0001", "Ana Borrada", "ana.borrada@example.org", "nota de Ana")
	th.actWith(t, "key-bo-outbox-00001", "Bo Retenido", "bo.retenido@example.org", "nota de Bo")
	if n := docs(); n != 2 {
		t.Fatalf("%d documents in the outbox after two actions, want 2", n)
	}
	a := do(t, "DELETE", th.url+"/v1/actions/"+ana, "", "Authorization", "Bearer "+adminToken)
	var got hub.Forgotten
	if err := json.Unmarshal(a.body, &got); a.status != 200 || err != nil || got.Actions != 1 || got.Documents != 1 {
		t.Fatalf("forget: %d %s, want 1 action and 1 document", a.status, a.body)
	}
	if n := docs(); n != 1 {
		t.Errorf("%d documents in the outbox after forgetting Ana, want Bo's only", n)
	}
	clock.Add(29 * 24 * time.Hour)
	if a, _, err := th.h.Retain(context.Background()); err != nil || a != 1 {
		t.Fatalf("Retain: %d actions, %v; want Bo's", a, err)
	}
	if n := docs(); n != 0 {
		t.Errorf("%d documents in the outbox after retention, want none", n)
	}
}

// DELETE …/actions?email=%20 once cancelled every action without an
// e-mail and deleted their signatures. A blank or non-address selector is
// a 400 naming email, and nobody is forgotten.
func TestHubForgetWithABlankEmailForgetsNobody(t *testing.T) {
	th := start(t, &linesim.Config{Duration: time.Hour}, nil) // faxes that take an hour: the actions wait
	for i := range 3 {
		if a := th.act(t, fmt.Sprintf("blank-key-%02d-0123456789", i), fmt.Sprintf("Sin Correo %d", i)); a.status != http.StatusAccepted {
			t.Fatalf("act: %d %s", a.status, a.body)
		}
	}
	for _, q := range []string{"%20", "%09", "", "%20%20", "nobody"} {
		a := do(t, "DELETE", th.url+"/v1/campaigns/"+th.c.ID+"/actions?email="+q, "", "Authorization", "Bearer "+adminToken)
		if a.status != http.StatusBadRequest || a.json(t)["field"] != "email" {
			t.Errorf("email=%q: %d %s, want 400 naming email", q, a.status, a.body)
		}
	}
	export := do(t, "GET", th.url+"/v1/campaigns/"+th.c.ID+"/actions", "", "Authorization", "Bearer "+adminToken)
	for i := range 3 {
		if !strings.Contains(string(export.body), fmt.Sprintf("Sin Correo %d", i)) {
			t.Errorf("Sin Correo %d was forgotten by a blank e-mail", i)
		}
	}
}
