package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/dispatch/linesim"
)

// faxjam serve --log-format json: every line on stderr is one JSON object
// (log/slog: time, level, msg), with a line per request (method, the
// route's pattern, status, duration) and per line event (a line held);
// and no line carries what people gave or were given: their names,
// cities, e-mails and notes (posted through the API, the page's form, a
// preview and a forget by e-mail, some in the URL's query), their action
// ids or receipt tokens, nor the admin token.
func TestServeLogsJSONWithoutPersonalData(t *testing.T) {
	w := newWorkspace(t)
	camp, c := w.writeCampaign(map[string]any{"quiet_hours": nil, "per_number_per_hour": nil})
	r := startRelay(t, linesim.Config{Duration: 5 * time.Millisecond, Ring: time.Millisecond}, 0)
	r.sim.SetLine(c.Target.Fax[0].Number, linesim.NotAFax) // held after its calls find no fax
	h := w.startHub("127.0.0.1:0", "--campaign", camp, "--gateway", r.url, "--db", w.path("hub.db"), "--log-format", "json")

	private := []string{hubToken, "Chichicastenango"}
	var acts []acted
	for i := range 12 {
		name, email, note := fmt.Sprintf("Zacarías Secreto%d", i), fmt.Sprintf("zsecreto%d@example.org", i), fmt.Sprintf("nota-privada-%d", i)
		body, _ := json.Marshal(map[string]string{"key": fmt.Sprintf("log-test-key-%08d", i), "name": name, "city": "Chichicastenango",
			"country": "Guatemala", "email": email, "note": note})
		resp, err := http.Post(h.url+"/v1/campaigns/"+c.ID+"/actions", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		var a struct{ ID, Receipt string }
		json.NewDecoder(resp.Body).Decode(&a)
		resp.Body.Close()
		if resp.StatusCode != 202 || a.Receipt == "" {
			t.Fatalf("POST action %d: %d", i, resp.StatusCode)
		}
		acts = append(acts, acted{key: fmt.Sprint(i), id: a.ID, receipt: a.Receipt})
		private = append(private, name, email, note, a.ID, a.Receipt, "log-test-key-")
	}
	// The page: a preview and an action by the form, the person in the
	// body; a forget by e-mail, the address in the query.
	form := url.Values{"name": {"Wenceslao Oculto"}, "city": {"Chichicastenango"}, "country": {"Guatemala"}, "lang": {"es"},
		"email": {"woculto@example.org"}, "note": {"nota-del-formulario"}, "key": {"form-log-key-0123456789"}}
	private = append(private, "Wenceslao", "Oculto", "woculto", "nota-del-formulario", "form-log-key")
	nofollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, path := range []string{"/preview", "/act"} {
		resp, err := nofollow.PostForm(h.url+path, form)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 400 {
			t.Fatalf("POST %s: %d", path, resp.StatusCode)
		}
		if loc := resp.Header.Get("Location"); loc != "" {
			private = append(private, strings.TrimPrefix(loc, "/r/")) // the receipt page's id and token
			get(t, h.url+loc, "")
		}
	}
	if resp, err := http.Get(h.url + "/preview?name=Wenceslao+Oculto&city=Chichicastenango"); err == nil { // any answer: its line is the point
		resp.Body.Close()
	}
	get(t, h.url+"/v1/campaigns/"+c.ID+"/actions", hubToken)
	states := waitFinal(t, h.url, acts, time.Minute)
	for _, a := range acts {
		get(t, h.url+"/v1/actions/"+a.id, a.receipt)
		if states[a.key] == "delivered" {
			get(t, h.url+"/v1/actions/"+a.id+"/fax.png", a.receipt)
		}
	}
	req, _ := http.NewRequest("DELETE", h.url+"/v1/campaigns/"+c.ID+"/actions?email=zsecreto0%40example.org", nil)
	req.Header.Set("Authorization", "Bearer "+hubToken)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode >= 400 {
		t.Fatalf("forget by e-mail: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(h.stderr.String(), `"msg":"line held`) {
		if time.Now().After(deadline) {
			t.Fatalf("no line event for the held line:\n%s", h.stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	h.stop(t)

	log := h.stderr.String()
	requests, events := 0, 0
	for i, line := range strings.Split(strings.TrimSpace(log), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("stderr line %d is not JSON: %q", i+1, line)
		}
		if _, err := time.Parse(time.RFC3339Nano, fmt.Sprint(m["time"])); err != nil || m["level"] == nil || m["msg"] == nil {
			t.Errorf("line %d lacks an RFC 3339 time, a level or a msg: %q", i+1, line)
		}
		switch {
		case m["msg"] == "request":
			requests++
			path := fmt.Sprint(m["path"])
			if m["method"] == nil || m["status"] == nil || m["duration"] == nil || !strings.HasPrefix(path, "/") && path != "(no route)" {
				t.Errorf("request line %d lacks a field: %q", i+1, line)
			}
		case strings.HasPrefix(fmt.Sprint(m["msg"]), "line "):
			events++
			if m["line"] == nil {
				t.Errorf("line event %d does not name the line: %q", i+1, line)
			}
		}
	}
	want := 12 + 2 + 1 + 1 + 1 + 12 + 1 // actions, the form's posts, a receipt page, a preview, the export, the states, the forget
	if requests < want {
		t.Errorf("%d request lines, want one per request (at least %d)", requests, want)
	}
	if events == 0 {
		t.Error("no line event")
	}
	for _, p := range []string{`"path":"/v1/actions/{id}"`, `"path":"/v1/campaigns/{id}/actions"`, `"path":"/act"`} {
		if !strings.Contains(log, p) {
			t.Errorf("no request line names the pattern %s", p)
		}
	}
	for _, s := range private {
		if strings.Contains(log, s) {
			t.Errorf("the log contains %q", s)
		}
	}
	t.Logf("%d log lines: %d requests, %d line events", strings.Count(log, "\n"), requests, events)

	// Without --json, what serve says on starting is in the JSON log too.
	cmd := w.command(t.Context(), "serve", "--campaign", camp, "--gateway", r.url, "--db", w.path("hub2.db"), "--addr", "127.0.0.1:0",
		"--log-format", "json", "--metrics-addr", freeAddr(t))
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() }()
	sc := bufio.NewScanner(stderr)
	var said []string
	for len(said) < 2 && sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("serve --log-format json said a line that is not JSON: %q", sc.Text())
		}
		said = append(said, fmt.Sprint(m["msg"]))
		if m["msg"] == "listening" && !strings.HasPrefix(fmt.Sprint(m["url"]), "http://127.0.0.1:") {
			t.Errorf("the listening line has no URL: %q", sc.Text())
		}
	}
	if !slices.Contains(said, "listening") || !slices.Contains(said, "metrics") {
		t.Errorf("serve's first log lines are %q, want listening and metrics", said)
	}
}

// get GETs u (with a bearer token) and fails the test unless it is 2xx.
func get(t *testing.T, u, token string) {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("GET %s: %d", u, resp.StatusCode)
	}
}
