package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/faxjam/faxjam/letters"
	"github.com/faxjam/faxjam/pkg/campaign"
	"github.com/faxjam/faxjam/pkg/dispatch"
	"github.com/faxjam/faxjam/pkg/dispatch/linesim"
	"github.com/faxjam/faxjam/pkg/journal"
	"github.com/faxjam/faxjam/pkg/letter"
	"github.com/faxjam/faxjam/pkg/petition/server"
	"github.com/faxjam/faxjam/pkg/petition/store"
)

// binary is the faxjam TestMain built for this run of the test binary; it
// is set once, before any test runs, and only read after.
var binary string

func TestMain(m *testing.M) {
	if out := os.Getenv(measureEnv); out != "" {
		os.Exit(measureChild(out))
	}
	os.Exit(buildAndRun(m))
}

func buildAndRun(m *testing.M) int {
	dir, err := os.MkdirTemp("", "faxjam-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	binary = filepath.Join(dir, "faxjam")
	// Read here, not only passed on with the environment, so that go test's
	// cache tells a run at 03:00 from one at 15:00.
	if now := os.Getenv("FAXJAM_TEST_NOW"); now != "" {
		fmt.Fprintln(os.Stderr, "e2e: faxjam runs on the clock FAXJAM_TEST_NOW =", now)
		// Every faxjam of the run on one clock, moving forward.
		os.Setenv("FAXJAM_TEST_ORIGIN", strconv.FormatInt(time.Now().UnixNano(), 10))
	}
	// `go test` puts its own go first on PATH.
	// -tags faxjamtest: the binary runs on the suite's clock
	// (FAXJAM_TEST_NOW), as CI sets it to 03:00 and to 15:00 UTC.
	build := exec.Command("go", "build", "-tags", "faxjamtest", "-o", binary, "github.com/faxjam/faxjam/cmd/faxjam")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: go build ./cmd/faxjam: %v\n", err)
		return 1
	}
	return m.Run()
}

// seed is the test's random seed: FAXJAM_E2E_SEED, or a new one each run,
// logged, and named again if the test fails so the run can be replayed.
func seed(t *testing.T) uint64 {
	t.Helper()
	s := uint64(time.Now().UnixNano())
	if v := os.Getenv("FAXJAM_E2E_SEED"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("FAXJAM_E2E_SEED=%q: %v", v, err)
		}
		s = n
	}
	t.Logf("seed %d", s)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("failed with seed %d: replay with FAXJAM_E2E_SEED=%d go test -run '^%s$' ./pkg/e2e/", s, s, t.Name())
		}
	})
	return s
}

// workspace is one test's world: a work directory (faxjam runs in it) and
// its own HOME and XDG directories.
type workspace struct {
	t   testing.TB
	dir string
	env []string
}

func newWorkspace(t testing.TB) *workspace {
	t.Helper()
	// Read in the test (not only copied with os.Environ), so that go test's
	// cache runs the suite again at another FAXJAM_TEST_NOW (CI: 03:00, 15:00).
	_ = os.Getenv("FAXJAM_TEST_NOW")
	dir := t.TempDir()
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if k == "HOME" || strings.HasPrefix(k, "XDG_") || strings.HasPrefix(k, "FAXJAM_") && k != "FAXJAM_TEST_NOW" && k != "FAXJAM_TEST_ORIGIN" || k == "NO_COLOR" || k == "CLICOLOR_FORCE" {
			continue
		}
		env = append(env, kv)
	}
	for _, v := range [][2]string{{"HOME", "home"}, {"XDG_CONFIG_HOME", "config"}, {"XDG_DATA_HOME", "data"},
		{"XDG_CACHE_HOME", "cache"}, {"XDG_STATE_HOME", "state"}, {"XDG_RUNTIME_DIR", "runtime"}} {
		p := filepath.Join(dir, v[1])
		if err := os.MkdirAll(p, 0o700); err != nil {
			t.Fatal(err)
		}
		env = append(env, v[0]+"="+p)
	}
	env = append(env, "NO_COLOR=1", "TERM=dumb")
	return &workspace{t: t, dir: dir, env: env}
}

func (w *workspace) path(name string) string { return filepath.Join(w.dir, name) }

// command is faxjam with args, run in the workspace.
func (w *workspace) command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Dir, cmd.Env = w.dir, w.env
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// result is what a faxjam process did.
type result struct {
	args           []string
	stdout, stderr string
	code           int  // exit code; -1 when killed
	killed         bool // by the test
	took           time.Duration
}

func (r result) String() string {
	return fmt.Sprintf("faxjam %s: exit %d after %s\nstderr (end):\n%s", strings.Join(r.args, " "), r.code, r.took.Round(time.Millisecond), tail(r.stderr, 20))
}

// run runs faxjam to its end, failing the test if it takes longer than limit.
func (w *workspace) run(limit time.Duration, args ...string) result {
	w.t.Helper()
	res := w.runKilled(limit, kill{}, args...)
	if res.killed {
		w.t.Fatalf("%v\nstill running after %s", res, limit)
	}
	return res
}

// kill says when the test sends faxjam SIGKILL.
type kill struct {
	after time.Duration          // this long after the start (0: not by time)
	on    func(line string) bool // when a line of stdout satisfies on (nil: not by output)
}

// runKilled runs faxjam and sends it SIGKILL as k says or, as a safety net,
// after limit. It reports whether the kill landed.
func (w *workspace) runKilled(limit time.Duration, k kill, args ...string) result {
	w.t.Helper()
	cmd := w.command(w.t.Context(), args...)
	out := &lineWatcher{on: k.on, fire: make(chan struct{}, 1)}
	var errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = out, &errb
	start := time.Now()
	if err := cmd.Start(); err != nil {
		w.t.Fatalf("start faxjam: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	res := result{args: args}
	var byTime <-chan time.Time
	if k.after > 0 {
		byTime = time.After(k.after)
	}
	var err error
	select {
	case err = <-done:
	case <-byTime:
		res.killed = true
	case <-out.fire:
		res.killed = true
	case <-time.After(limit):
		res.killed = true
	}
	if res.killed {
		if kerr := cmd.Process.Signal(syscall.SIGKILL); kerr != nil && !errors.Is(kerr, os.ErrProcessDone) {
			w.t.Fatalf("kill faxjam: %v", kerr)
		}
		err = <-done
	}
	res.took = time.Since(start)
	res.stdout, res.stderr = out.buf.String(), errb.String()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		res.code = ee.ExitCode()
		if res.code == -1 && !res.killed {
			w.t.Fatalf("%v\nkilled by a signal the test did not send: %v", res, err)
		}
	default:
		w.t.Fatalf("%v\nwait: %v", res, err)
	}
	if res.killed && res.code != -1 {
		res.killed = false // it had exited on its own just before
	}
	return res
}

// lineWatcher keeps what faxjam writes and signals fire at the first
// complete line on accepts. exec's copying goroutine is its only writer;
// buf is read after Wait.
type lineWatcher struct {
	buf   bytes.Buffer
	from  int // start of the line not yet seen
	on    func(string) bool
	fired bool
	fire  chan struct{}
}

func (lw *lineWatcher) Write(p []byte) (int, error) {
	lw.buf.Write(p)
	if lw.on == nil || lw.fired {
		return len(p), nil
	}
	for {
		rest := lw.buf.Bytes()[lw.from:]
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			break
		}
		line := string(rest[:i])
		lw.from += i + 1
		if lw.on(line) {
			lw.fired = true
			lw.fire <- struct{}{}
			break
		}
	}
	return len(p), nil
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// writeCampaign copies the bundled campaign into the workspace with its
// limits edited (a nil value removes the limit), and returns the file's
// path and the campaign as faxjam loads it.
func (w *workspace) writeCampaign(edits map[string]any) (string, *campaign.Campaign) {
	t := w.t
	t.Helper()
	const id = "norma-cruz-2012"
	fsys := letters.FS()
	dir := w.path("campaign")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	files, err := fs.Glob(fsys, id+"/*")
	if err != nil || len(files) == 0 {
		t.Fatalf("bundled campaign %s: %v (%d files)", id, err, len(files))
	}
	for _, f := range files {
		data, err := fs.ReadFile(fsys, f)
		if err != nil {
			t.Fatal(err)
		}
		if path.Base(f) == campaign.FileName {
			data = editLimits(t, data, edits)
		}
		if err := os.WriteFile(filepath.Join(dir, path.Base(f)), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	file := filepath.Join(dir, campaign.FileName)
	c, err := campaign.Load(t.Context(), file)
	if err != nil {
		t.Fatalf("the edited campaign does not load: %v", err)
	}
	return file, c
}

// editLimits rewrites the limits mapping of a campaign file.
func editLimits(t testing.TB, src []byte, edits map[string]any) []byte {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		t.Fatal(err)
	}
	root := doc.Content[0]
	found := false
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value != "limits" {
			continue
		}
		found = true
		m := root.Content[i+1]
		var kept []*yaml.Node
		done := map[string]bool{}
		for j := 0; j+1 < len(m.Content); j += 2 {
			k := m.Content[j].Value
			v, edited := edits[k]
			switch {
			case !edited:
				kept = append(kept, m.Content[j], m.Content[j+1])
			case v != nil:
				kept = append(kept, m.Content[j], node(t, v))
			}
			done[k] = true
		}
		keys := make([]string, 0, len(edits))
		for k := range edits {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if !done[k] && edits[k] != nil {
				kept = append(kept, node(t, k), node(t, edits[k]))
			}
		}
		m.Content = kept
	}
	if !found {
		t.Fatal("the bundled campaign has no limits mapping")
	}
	out, err := yaml.Marshal(&doc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func node(t testing.TB, v any) *yaml.Node {
	var n yaml.Node
	if err := n.Encode(v); err != nil {
		t.Fatal(err)
	}
	return &n
}

// people are n distinct signers (unique up to 40×40×64 = 102,400): names
// and places with accents, a personal note on every third.
func people(n int) []letter.Signer {
	first := []string{"Ana", "José", "María", "Luis", "Sofía", "Jürgen", "Chloé", "Kwame", "Aiko", "Olu",
		"Marta", "Pedro", "Inés", "Tomás", "Lucía", "Mateo", "Élodie", "Björn", "Zeynep", "Ravi",
		"Nadia", "Omar", "Eva", "Hugo", "Irene", "Jonas", "Karin", "Leo", "Mia", "Noé",
		"Olga", "Pablo", "Rosa", "Sven", "Teresa", "Ugo", "Vera", "Wim", "Ximena", "Yusuf"}
	last := []string{"Gómez", "Pérez", "Müller", "Dubois", "Mensah", "Tanaka", "Okafor", "Ruiz", "Díaz", "Silva",
		"Núñez", "Castro", "Ortega", "Lindqvist", "Yılmaz", "Sharma", "Haddad", "Novak", "Costa", "Rossi",
		"Schmidt", "Martin", "Bernard", "Kowalski", "Nagy", "Popescu", "Ivanova", "Jensen", "Murphy", "Walsh",
		"García", "López", "Sánchez", "Romero", "Torres", "Flores", "Vargas", "Rojas", "Morales", "Herrera"}
	places := [][2]string{{"Berlín", "Alemania"}, {"Lima", "Perú"}, {"Quito", "Ecuador"}, {"Madrid", "España"},
		{"Accra", "Ghana"}, {"Lyon", "Francia"}, {"Osaka", "Japón"}, {"Lagos", "Nigeria"}}
	out := make([]letter.Signer, n)
	for i := range n {
		p := places[(i/1600)%len(places)]
		city := p[0]
		if k := i / (1600 * len(places)); k > 0 {
			city += " " + strconv.Itoa(k) // districts, so the combinations do not repeat
		}
		s := letter.Signer{Name: first[i%40] + " " + last[(i/40)%40], City: city, Country: p[1]}
		if i%3 == 0 {
			s.Note = "Con Norma Cruz y Fundación Sobrevivientes, desde " + city + "."
		}
		out[i] = s
	}
	return out
}

// writeSigners writes list as the CSV `faxjam send --signers` reads.
func (w *workspace) writeSigners(name string, list []letter.Signer) string {
	w.t.Helper()
	f, err := os.Create(w.path(name))
	if err != nil {
		w.t.Fatal(err)
	}
	bw := bufio.NewWriterSize(f, 1<<16)
	cw := csv.NewWriter(bw)
	cw.Write([]string{"name", "city", "country", "note"})
	for _, s := range list {
		cw.Write([]string{s.Name, s.City, s.Country, s.Note})
	}
	cw.Flush()
	if err := errors.Join(cw.Error(), bw.Flush(), f.Close()); err != nil {
		w.t.Fatal(err)
	}
	return w.path(name)
}

// keys maps each signer's key (as faxjam computes it) to the signer.
func keys(campaignID string, list []letter.Signer) map[string]letter.Signer {
	out := make(map[string]letter.Signer, len(list))
	for _, s := range list {
		out[letter.SignerKey(campaignID, s)] = s
	}
	return out
}

// event is one line of `faxjam send --json`.
type event struct {
	Type     string    `json:"type"`
	Key      string    `json:"key"`
	Name     string    `json:"name"`
	Number   string    `json:"number"`
	VendorID string    `json:"vendor_id"`
	Reason   string    `json:"reason"`
	Message  string    `json:"message"`
	Until    time.Time `json:"until"`
	Time     time.Time `json:"time"`
	Summary  *struct {
		Counts map[string]int `json:"counts"`
		Run    map[string]int `json:"run"`
		Faxes  int            `json:"faxes"`
	} `json:"summary"`
}

// events decodes JSON lines; a killed process may leave its last line cut.
func events(t *testing.T, stdout string, complete bool) []event {
	t.Helper()
	var out []event
	lines := strings.Split(stdout, "\n")
	for i, l := range lines {
		if l == "" {
			continue
		}
		var ev event
		if err := json.Unmarshal([]byte(l), &ev); err != nil {
			if !complete && i == len(lines)-1 {
				break
			}
			t.Fatalf("stdout line %d is not a JSON object: %v\n%s", i+1, err, l)
		}
		if ev.Type == "" {
			t.Errorf("stdout line %d has no type: %s", i+1, l)
		}
		out = append(out, ev)
	}
	return out
}

// relay is a simulated fax network behind the webhook relay protocol, on
// loopback; latency slows each POST (see linesim.Relay.Latency).
type relay struct {
	sim *linesim.Sim
	h   *linesim.Relay
	url string // the --gateway URL
	// resends says faxjam may post a key again that the relay has (it
	// resends an interrupted attempt to a relay that dedupes by key).
	resends bool
}

func startRelay(t *testing.T, cfg linesim.Config, latency time.Duration) *relay {
	t.Helper()
	sim := linesim.New(cfg)
	h := linesim.Handler(sim)
	h.Latency = latency
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &relay{sim: sim, h: h, url: "webhook+" + srv.URL + "/fax"}
}

// faxesBySigner counts the faxes the lines received per signer key.
func (r *relay) faxesBySigner() map[string]int {
	out := map[string]int{}
	for k, n := range r.sim.Received() {
		out[dispatch.SignerOf(k)] += n
	}
	return out
}

// signToken is the sign token of the petition servers the tests start.
const signToken = "e2e-sign-token-0123456789"

// petitionServer is faxjam's petition server in the test process, with
// every POST counted by key.
type petitionServer struct {
	url   string
	st    store.Store
	mu    sync.Mutex
	posts map[string]int
}

func startPetition(t *testing.T, c *campaign.Campaign, db string) *petitionServer {
	t.Helper()
	st, err := store.Open(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	// The dispatcher signs with the server's sign token, as an organizer's
	// does (petition URL http://TOKEN@host): every signer comes from this
	// one address, and the token exempts it from the per-client limit.
	s, err := server.New(server.Config{Campaigns: []*campaign.Campaign{c}, Store: st, SignToken: signToken})
	if err != nil {
		t.Fatal(err)
	}
	p := &petitionServer{st: st, posts: map[string]int{}}
	inner := s.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			body, err := io.ReadAll(io.LimitReader(r.Body, server.MaxBody+1))
			if err == nil {
				var sig struct {
					Key string `json:"key"`
				}
				if json.Unmarshal(body, &sig) == nil {
					p.mu.Lock()
					p.posts[sig.Key]++
					p.mu.Unlock()
				}
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		inner.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	p.url = strings.Replace(srv.URL, "://", "://"+signToken+"@", 1)
	return p
}

// postsByKey returns how many times each key was posted.
func (p *petitionServer) postsByKey() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[string]int, len(p.posts))
	for k, n := range p.posts {
		out[k] = n
	}
	return out
}

// signatures returns the stored signatures by key.
func (p *petitionServer) signatures(t *testing.T, campaignID string) map[string]store.Signature {
	t.Helper()
	out := map[string]store.Signature{}
	err := p.st.Each(t.Context(), campaignID, func(s store.Signature) error {
		if _, dup := out[s.Key]; dup {
			t.Errorf("petition stores key %s twice", s.Key)
		}
		out[s.Key] = s
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// journalStates opens the journal a finished faxjam left and returns each
// submission's state and its attempts by signer key.
func journalStates(t *testing.T, path, campaignID string) (map[string]journal.State, map[string][]journal.Attempt) {
	t.Helper()
	j, err := journal.Open(path)
	if err != nil {
		t.Fatalf("open the journal faxjam left: %v", err)
	}
	defer j.Close()
	states := map[string]journal.State{}
	attempts := map[string][]journal.Attempt{}
	for s, err := range j.Submissions(t.Context(), journal.Filter{Campaign: campaignID}) {
		if err != nil {
			t.Fatal(err)
		}
		states[s.Key] = s.State
		if s.Attempts > 0 {
			as, err := j.Attempts(t.Context(), s.ID)
			if err != nil {
				t.Fatal(err)
			}
			attempts[s.Key] = as
		}
	}
	return states, attempts
}

// statusCounts is `faxjam status --json`'s counts and petitioned.
func (w *workspace) statusCounts(campaignFile, journalPath string) (map[string]int, int) {
	w.t.Helper()
	res := w.run(30*time.Second, "--campaign", campaignFile, "status", "--json", "--journal", journalPath)
	if res.code != 0 {
		w.t.Fatalf("%v", res)
	}
	var st struct {
		Type       string         `json:"type"`
		Counts     map[string]int `json:"counts"`
		Petitioned int            `json:"petitioned"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &st); err != nil || st.Type != "status" {
		w.t.Fatalf("status --json: %v, type %q:\n%s", err, st.Type, res.stdout)
	}
	return st.Counts, st.Petitioned
}

// checkOnce asserts the campaign's end state: every signer of want reached
// exactly once, by fax or on the petition; nothing else arrived; the
// journal (read directly and through `faxjam status --json`) says the same.
func checkOnce(t *testing.T, w *workspace, campaignFile string, c *campaign.Campaign, want map[string]letter.Signer,
	r *relay, p *petitionServer, journalPath string) (faxed, petitioned int) {
	t.Helper()
	faxes := r.faxesBySigner()
	sigs := p.signatures(t, c.ID)
	if rep := r.h.Repeats(); len(rep) > 0 && !r.resends {
		t.Errorf("faxjam posted %d attempt key(s) again that the relay already had (it relied on the relay's idempotency): %v", len(rep), firstN(rep, 5))
	}
	states, attempts := journalStates(t, journalPath, c.ID)
	var lost, twice []string
	for k, s := range want {
		n := faxes[k]
		_, signed := sigs[k]
		if signed {
			n++
		}
		switch {
		case n == 0:
			lost = append(lost, s.Name)
		case n > 1:
			twice = append(twice, fmt.Sprintf("%s (%d faxes, petition %v)", s.Name, faxes[k], signed))
		}
		switch st := states[k]; {
		case faxes[k] == 1 && st != journal.Delivered:
			t.Errorf("%s: faxed once, journal says %q", s.Name, st)
		case signed && faxes[k] == 0 && st != journal.Petitioned:
			t.Errorf("%s: on the petition, journal says %q", s.Name, st)
		}
		delivered := 0
		for _, a := range attempts[k] {
			if a.State == journal.AttemptDelivered {
				delivered++
			}
			if !a.State.Done() || a.State == journal.AttemptUnknown {
				t.Errorf("%s: attempt %d left %q", s.Name, a.N, a.State)
			}
		}
		if delivered != faxes[k] {
			t.Errorf("%s: journal has %d delivered attempt(s), the lines received %d", s.Name, delivered, faxes[k])
		}
		if faxes[k] == 1 {
			faxed++
		}
		if signed && faxes[k] == 0 {
			petitioned++
		}
	}
	slices.Sort(lost)
	slices.Sort(twice)
	if len(lost) > 0 {
		t.Errorf("%d signer(s) lost (neither faxed nor on the petition), e.g. %v", len(lost), lost[:min(5, len(lost))])
	}
	if len(twice) > 0 {
		t.Errorf("%d signer(s) reached more than once, e.g. %v", len(twice), twice[:min(5, len(twice))])
	}
	for k, n := range faxes {
		if _, ok := want[k]; !ok {
			t.Errorf("the lines received %d fax(es) for a signer key not in the list: %s", n, k)
		}
	}
	for k, s := range sigs {
		if _, ok := want[k]; !ok {
			t.Errorf("the petition has a signature not in the list: %s (%s)", s.Name, k)
		}
	}
	if len(states) != len(want) {
		t.Errorf("journal has %d submissions, want %d", len(states), len(want))
	}
	counts, pets := w.statusCounts(campaignFile, journalPath)
	wantCounts := map[string]int{}
	if faxed > 0 {
		wantCounts[string(journal.Delivered)] = faxed
	}
	if petitioned > 0 {
		wantCounts[string(journal.Petitioned)] = petitioned
	}
	if !mapsEqual(counts, wantCounts) || pets != petitioned {
		t.Errorf("faxjam status --json: counts %v, petitioned %d; want %v, %d", counts, pets, wantCounts, petitioned)
	}
	return faxed, petitioned
}

func mapsEqual(a, b map[string]int) bool {
	for k, v := range a {
		if v != 0 && b[k] != v {
			return false
		}
	}
	for k, v := range b {
		if a[k] != v {
			return false
		}
	}
	return true
}

func firstN(m map[string]int, n int) []string {
	var out []string
	for k, v := range m {
		out = append(out, fmt.Sprintf("%s×%d", k, v))
	}
	slices.Sort(out)
	return out[:min(n, len(out))]
}

// uniform is a duration in [lo, hi) from rng.
func uniform(rng *rand.Rand, lo, hi time.Duration) time.Duration {
	return lo + time.Duration(rng.Int64N(int64(hi-lo)))
}
