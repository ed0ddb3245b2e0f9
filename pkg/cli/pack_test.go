package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/campaign"
	"github.com/faxjam/faxjam/pkg/hub"
	"github.com/faxjam/faxjam/pkg/journal"
	"github.com/faxjam/faxjam/pkg/pack/packtest"
	"github.com/faxjam/faxjam/pkg/petition/server"
	"github.com/faxjam/faxjam/pkg/petition/store"
	"github.com/faxjam/faxjam/pkg/render"
	"github.com/faxjam/faxjam/pkg/ui"
)

// cliHome runs faxjam commands against one config and data folder.
type cliHome struct {
	t   *testing.T
	dir string
	now time.Time // the clock of the runs; zero: the fixed test date
}

func (h cliHome) run(args ...string) (code int, stdout, stderr string) {
	h.t.Helper()
	ios, _, out, errOut := ui.Test()
	f := &Factory{
		IO: ios, Build: BuildInfo{Version: "1.2.3"},
		Getenv:     func(string) string { return "" },
		ConfigHome: func() string { return filepath.Join(h.dir, "config") },
		DataHome:   func() string { return filepath.Join(h.dir, "data") },
		Now: func() time.Time {
			if !h.now.IsZero() {
				return h.now
			}
			return time.Date(2026, 3, 8, 12, 0, 0, 0, time.UTC)
		},
		Gateways:  gatewayRegistry,
		Petitions: petitionRegistry,
	}
	ios.Getenv = f.Getenv
	code = run(context.Background(), f, args)
	return code, out.String(), errOut.String()
}

func (h cliHome) ok(args ...string) string {
	h.t.Helper()
	code, out, errOut := h.run(args...)
	if code != 0 {
		h.t.Fatalf("faxjam %s: exit %d\n%s", strings.Join(args, " "), code, errOut)
	}
	return out
}

func packCampaign(t *testing.T, edit func(yml string) string) string {
	return packtest.CampaignDir(t, "rk-pack", edit)
}

// stored is the added campaign as --campaign rk-pack loads it.
func (h cliHome) stored() (*campaign.Campaign, packTrust) {
	h.t.Helper()
	dir := filepath.Join(h.dir, "data", "campaigns", "rk-pack")
	c, err := campaign.Load(context.Background(), filepath.Join(dir, campaign.FileName))
	if err != nil {
		h.t.Fatal(err)
	}
	tr, ok, err := readTrust(dir)
	if err != nil || !ok {
		h.t.Fatalf("trust record: %v %v", ok, err)
	}
	return c, tr
}

func TestCampaignPackAddUpdate(t *testing.T) {
	h := cliHome{t: t, dir: t.TempDir()}
	key := filepath.Join(h.dir, "org.key")
	pub := strings.TrimSpace(h.ok("campaign", "keygen", "-o", key))
	if fi, err := os.Stat(key); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("private key file: %v, mode %v; want 0600", err, fi.Mode().Perm())
	}
	if !strings.HasPrefix(pub, "ed25519:") {
		t.Fatalf("keygen printed %q", pub)
	}
	if code, _, errOut := h.run("campaign", "keygen", "-o", key); code != ExitUsage || !strings.Contains(errOut, "exists") {
		t.Errorf("keygen over an existing key: exit %d %s", code, errOut)
	}

	// The organizer publishes packs in www/.
	www := t.TempDir()
	srv := httptest.NewServer(http.FileServer(http.Dir(www)))
	defer srv.Close()
	publish := func(name string) {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(h.dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(www, "rk.pack"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sign := func(out string, edit func(string) string, extra ...string) {
		t.Helper()
		h.ok(append([]string{"campaign", "sign", packCampaign(t, edit), "-o", filepath.Join(h.dir, out), "--key", key}, extra...)...)
	}
	sign("v1.pack", nil, "--version", "1")
	publish("v1.pack")
	pin := strings.TrimPrefix(pub, "ed25519:")
	h.ok("campaign", "add", srv.URL+"/rk.pack#ed25519="+pin)
	v1, tr := h.stored()
	if tr.Version != 1 || tr.Key != pub || tr.Source != srv.URL+"/rk.pack" {
		t.Fatalf("trust record %+v", tr)
	}
	var shown struct {
		Pack packTrust `json:"pack"`
	}
	if err := json.Unmarshal([]byte(h.ok("campaign", "show", "rk-pack", "--json")), &shown); err != nil {
		t.Fatal(err)
	}
	if shown.Pack.Version != 1 || !strings.HasPrefix(shown.Pack.Fingerprint, "SHA256:") {
		t.Errorf("show --json pack: %+v", shown.Pack)
	}
	if out := h.ok("campaign", "show", "rk-pack"); !strings.Contains(out, "version 1, key "+tr.Fingerprint) {
		t.Errorf("show does not name version and fingerprint:\n%s", out)
	}

	hijack := func(s string) string { return strings.Replace(s, "+12025550142", "+12025550199", 1) }
	// The organizer's own next version, with a changed number.
	sign("v2.pack", hijack, "--version", "2")
	v2, err := os.ReadFile(filepath.Join(h.dir, "v2.pack"))
	if err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(h.dir, "other.key")
	h.ok("campaign", "keygen", "-o", other)
	h.ok("campaign", "sign", packCampaign(t, hijack), "-o", filepath.Join(h.dir, "other.pack"), "--key", other, "--version", "9")

	refused := func(name string, b []byte, want ...string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(www, "rk.pack"), b, 0o644); err != nil {
			t.Fatal(err)
		}
		code, _, errOut := h.run("campaign", "update", "rk-pack")
		if code == 0 {
			t.Fatalf("%s: update accepted", name)
		}
		for _, w := range append(want, "refused", "kept version 1") {
			if !strings.Contains(errOut, w) {
				t.Errorf("%s: stderr lacks %q:\n%s", name, w, errOut)
			}
		}
		c, tr := h.stored()
		if tr.Version != 1 || c.Digest() != v1.Digest() {
			t.Errorf("%s: the stored campaign changed: version %d", name, tr.Version)
		}
	}
	readFile := func(n string) []byte {
		b, err := os.ReadFile(filepath.Join(h.dir, n))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	// A changed number in a signed pack: the number named first.
	tampered := bytes.Replace(readFile("v1.pack"), []byte("+12025550142"), []byte("+12025550199"), 1)
	refused("changed number", tampered, "signature does not match", "would change: fax number +12025550199 (Despacho) added; fax number +12025550142 (Despacho) removed")
	refused("changed template", bytes.Replace(readFile("v1.pack"), []byte("Dear"), []byte("Deer"), 1), "signature does not match", "letter en changed")
	refused("other key", readFile("other.pack"), "not by the pinned key", "fax number +12025550199")
	refused("same version, other content", bytes.Replace(v2, []byte("version 2\n"), []byte("version 1\n"), 1), "signature does not match")

	// The organizer's v2 is accepted.
	publish("v2.pack")
	if out := h.ok("campaign", "update", "rk-pack", "--json"); !strings.Contains(out, `"version":2`) || !strings.Contains(out, "+12025550199") {
		t.Errorf("update --json: %s", out)
	}
	c, tr := h.stored()
	if tr.Version != 2 || c.Target.Fax[0].Number != "+12025550199" {
		t.Fatalf("after the update: version %d, first number %s", tr.Version, c.Target.Fax[0].Number)
	}
	// Fetching v2 again changes nothing.
	h.ok("campaign", "update", "rk-pack")

	// v1 replayed is refused, and v2 kept.
	publish("v1.pack")
	code, _, errOut := h.run("campaign", "update", "rk-pack")
	if code == 0 || !strings.Contains(errOut, "older than your version 2") || !strings.Contains(errOut, "kept version 2") ||
		!strings.Contains(errOut, "fax number +12025550142 (Despacho) added") {
		t.Errorf("replay: exit %d\n%s", code, errOut)
	}
	if c, tr := h.stored(); tr.Version != 2 || c.Digest() == v1.Digest() {
		t.Errorf("replay changed the stored campaign: version %d", tr.Version)
	}
}

func TestCampaignPackTOFUAndPins(t *testing.T) {
	h := cliHome{t: t, dir: t.TempDir()}
	key := filepath.Join(h.dir, "k")
	h.ok("campaign", "keygen", "-o", key)
	other := strings.TrimSpace(h.ok("campaign", "keygen", "-o", filepath.Join(h.dir, "k2")))
	p := filepath.Join(h.dir, "rk.pack")
	h.ok("campaign", "sign", packCampaign(t, nil), "-o", p, "--key", key)
	// Signing again over the published pack makes the next version.
	h.ok("campaign", "sign", packCampaign(t, nil), "-o", p, "--key", key)

	// A pin of another key is refused, and nothing is added.
	code, _, errOut := h.run("campaign", "add", p+"#ed25519="+strings.TrimPrefix(other, "ed25519:"))
	if code == 0 || !strings.Contains(errOut, "not by the pinned key") {
		t.Fatalf("add with another pin: exit %d %s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(h.dir, "data", "campaigns", "rk-pack")); !os.IsNotExist(err) {
		t.Fatalf("a refused pack was stored: %v", err)
	}
	// Without a pin, the first pack's key is pinned.
	h.ok("campaign", "add", p)
	_, tr := h.stored()
	if tr.Version != 2 || tr.Source != p {
		t.Errorf("trust record %+v", tr)
	}
	if out := h.ok("--campaign", "rk-pack", "about"); out == "" {
		t.Error("the added pack does not load by id")
	}
	if code, _, errOut := h.run("campaign", "add", p); code != ExitUsage || !strings.Contains(errOut, "campaign update rk-pack") {
		t.Errorf("second add: exit %d %s", code, errOut)
	}
	// A campaign added from a plain file has nothing to update from.
	if code, _, errOut := h.run("campaign", "update", "norma-cruz-2012"); code != ExitUsage || !strings.Contains(errOut, "not added from a signed pack") {
		t.Errorf("update of a plain campaign: exit %d %s", code, errOut)
	}
}

func TestHubPackMustBeTheCampaign(t *testing.T) {
	h := cliHome{t: t, dir: t.TempDir()}
	key := filepath.Join(h.dir, "k")
	h.ok("campaign", "keygen", "-o", key)
	dir := packCampaign(t, nil)
	p := filepath.Join(h.dir, "rk.pack")
	h.ok("campaign", "sign", dir, "-o", p, "--key", key)
	c, err := campaign.Load(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := hubPack(p, c); err != nil || len(b) == 0 {
		t.Fatalf("hubPack of the same campaign: %v", err)
	}
	other, err := campaign.Load(context.Background(), packCampaign(t, func(s string) string { return strings.Replace(s, "+12025550142", "+12025550177", 1) }))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hubPack(p, other); err == nil || !strings.Contains(err.Error(), "fax number +12025550142 (Despacho) added") {
		t.Errorf("hubPack of another campaign: %v", err)
	}
	// A campaign added from a pack serves that pack without --pack.
	h.ok("campaign", "add", p)
	added, _ := h.stored()
	if b, err := hubPack("", added); err != nil || len(b) == 0 {
		t.Errorf("hubPack of an added pack: %d bytes, %v", len(b), err)
	}
	if b, err := hubPack("", c); err != nil || b != nil {
		t.Errorf("hubPack of a plain campaign: %d bytes, %v", len(b), err)
	}
}

// The hub serves its campaign's pack: activists add it from the hub and
// update from there.
func TestCampaignUpdateFromHub(t *testing.T) {
	h := cliHome{t: t, dir: t.TempDir()}
	key := filepath.Join(h.dir, "k")
	pub := strings.TrimSpace(h.ok("campaign", "keygen", "-o", key))
	hubFor := func(name, version string, edit func(string) string) http.Handler {
		t.Helper()
		dir := packCampaign(t, edit)
		p := filepath.Join(h.dir, name)
		h.ok("campaign", "sign", dir, "-o", p, "--key", key, "--version", version)
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		c, err := campaign.Load(context.Background(), dir)
		if err != nil {
			t.Fatal(err)
		}
		j, err := journal.Open(filepath.Join(t.TempDir(), "hub.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { j.Close() })
		st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "petition.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		r, err := render.New(render.Options{})
		if err != nil {
			t.Fatal(err)
		}
		hb, err := hub.New(context.Background(), hub.Config{Campaign: c, Journal: j, Store: st, Renderer: r, Pack: b,
			HTTP: server.Config{Rate: 1e6, Burst: 1e6}})
		if err != nil {
			t.Fatal(err)
		}
		return hb.Handler()
	}
	v1 := hubFor("v1.pack", "1", nil)
	v2 := hubFor("v2.pack", "2", func(s string) string { return strings.Replace(s, "+12025550142", "+12025550177", 1) })
	var mu sync.Mutex
	current := v1
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hh := current
		mu.Unlock()
		hh.ServeHTTP(w, r)
	}))
	defer srv.Close()
	h.ok("campaign", "add", srv.URL+"/v1/campaigns/rk-pack/pack#ed25519="+strings.TrimPrefix(pub, "ed25519:"))
	if _, tr := h.stored(); tr.Version != 1 {
		t.Fatalf("added version %d", tr.Version)
	}
	mu.Lock()
	current = v2
	mu.Unlock()
	out := h.ok("campaign", "update", "rk-pack", "--json")
	if !strings.Contains(out, `"version":2`) || !strings.Contains(out, "fax number +12025550177 (Despacho) added") {
		t.Errorf("update from the hub: %s", out)
	}
	if c, tr := h.stored(); tr.Version != 2 || c.Target.Fax[0].Number != "+12025550177" {
		t.Errorf("after the update: version %d, %s", tr.Version, c.Target.Fax[0].Number)
	}
}
