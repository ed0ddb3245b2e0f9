package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/faxjam/faxjam/pkg/campaign"
	"github.com/faxjam/faxjam/pkg/dispatch"
	"github.com/faxjam/faxjam/pkg/dispatch/linesim"
	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/hub"
	"github.com/faxjam/faxjam/pkg/hub/hubtest"
	"github.com/faxjam/faxjam/pkg/journal"
	"github.com/faxjam/faxjam/pkg/petition/server"
	"github.com/faxjam/faxjam/pkg/ui/live"
)

const hubAdmin = "hub-admin-token-0123456789"

// startHub runs a real hub (pkg/hub) over HTTP on loopback, faxing the
// bundled campaign (no quiet hours, no caps) through the line simulator.
func startHub(t *testing.T) (url string, c *campaign.Campaign) {
	t.Helper()
	c = hubtest.Campaign(t)
	h := hubtest.Start(t, hub.Config{Campaign: c, Token: hubAdmin, HTTP: server.Config{},
		Gateway:  linesim.New(linesim.Config{Duration: 20 * time.Millisecond}),
		Driver:   gateway.Driver{Scheme: linesim.Driver},
		Dispatch: dispatch.Config{Poll: 2 * time.Millisecond},
	})
	return h.URL, c
}

func hubPost(t *testing.T, url, body, token string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		t.Fatalf("POST %s: HTTP %d", url, resp.StatusCode)
	}
}

// hubRun runs `faxjam status --hub URL [--token T] [--json]` on streams
// that are terminals (with colour) or pipes, and returns stdout.
func hubRun(t *testing.T, hubURL string, c *campaign.Campaign, tty bool, token string, asJSON bool, edit func(*StatusOptions)) (string, error) {
	t.Helper()
	f, out, _ := testFactory(t, tty)
	f.CampaignRef, f.JSON = c.ID, asJSON
	f.Now = time.Now
	so := &StatusOptions{HubToken: token}
	f.sendOptions(&so.Send)
	so.Send.Hub, so.Send.Typed = hubURL, []string{"hub"}
	if edit != nil {
		edit(so)
	}
	err := statusRun(context.Background(), so)
	return out.String(), err
}

// TestStatusShowsAHubsLines: against a real hub over HTTP, status --hub
// shows its lines: with the admin token the queue of a paused hub, name
// by name; once resumed and done, what each line delivered, without the
// queue when there is no token; --json gives the hub's own JSON; a wrong
// token is exit 2 naming --token, and the token never appears.
func TestStatusShowsAHubsLines(t *testing.T) {
	url, c := startHub(t)
	base := url + "/v1/campaigns/" + c.ID
	hubPost(t, base+"/pause", "", hubAdmin)
	for i := range 5 {
		hubPost(t, base+"/actions", fmt.Sprintf(`{"key":"key-%d-abcdefghijklmnop","name":"Persona %d","city":"Xela","country":"Guatemala"}`, i, i), "")
	}

	got, err := hubRun(t, url, c, false, hubAdmin, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{c.ID + " · lines · counts of the last hour", "dialling paused", "Despacho", "Total 5: 0 delivered · 5 queued",
		"Queue: 5 waiting", "Persona 0", "Persona 4"} {
		if !strings.Contains(got, want) {
			t.Errorf("paused, with the token: no %q in\n%s", want, got)
		}
	}
	if strings.Contains(got, "\x1b") || strings.Contains(got, hubAdmin) {
		t.Errorf("piped output has escapes or the token:\n%q", got)
	}

	hubPost(t, base+"/resume", "", hubAdmin)
	deadline := time.Now().Add(20 * time.Second)
	var lines hub.Lines
	for {
		out, err := hubRun(t, url, c, false, "", true, nil)
		if err != nil {
			t.Fatal(err)
		}
		var v struct {
			Type string `json:"type"`
			hubLinesJSON
		}
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			t.Fatalf("--json: %v\n%s", err, out)
		}
		if v.Type != "lines" || v.Hub != url || v.Queue != nil {
			t.Fatalf("--json without the token: %+v", v)
		}
		if lines = v.Lines; lines.Delivered == 5 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the hub did not deliver the 5 actions: %+v", lines)
		}
		time.Sleep(50 * time.Millisecond)
	}
	got, err = hubRun(t, url, c, false, "", false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got, "Total 5: 5 delivered · 0 queued") || strings.Contains(got, "Queue:") || strings.Contains(got, "paused") {
		t.Errorf("done, no token:\n%s", got)
	}
	// The rows carry what the hub counted per line.
	sum := 0
	for _, l := range strings.Split(got, "\n") {
		for _, hl := range lines.Lines {
			if f := strings.Fields(l); strings.HasPrefix(l, hl.Label[:6]) && len(f) >= 3 {
				var n int
				fmt.Sscan(f[len(f)-4], &n) // DELIV FAIL 7D HOUR
				sum += n
			}
		}
	}
	if sum != 5 {
		t.Errorf("the rows' delivered add up to %d, want 5:\n%s", sum, got)
	}

	_, err = hubRun(t, url, c, false, "not-the-token", false, nil)
	if ExitCode(err) != ExitUsage || !strings.Contains(err.Error()+errHint(err), "--token") || strings.Contains(err.Error(), "not-the-token") {
		t.Errorf("a wrong token: %v (exit %d), want exit 2 naming --token", err, ExitCode(err))
	}
}

func errHint(err error) string {
	if ue, ok := err.(*UsageError); ok {
		return ue.Hint
	}
	return ""
}

// TestStatusFollowsAHub: --follow on a terminal with colour redraws the
// hub's lines in place every --poll (synchronized updates, the cursor
// moved back), until --wait.
func TestStatusFollowsAHub(t *testing.T) {
	url, c := startHub(t)
	got, err := hubRun(t, url, c, true, "", false, func(so *StatusOptions) {
		so.Follow, so.Send.Poll, so.Send.Wait = true, time.Second, 2500*time.Millisecond
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(got, "\x1b[?2026h"); n < 2 || !strings.Contains(got, "\x1b[") || !strings.Contains(ansi.Strip(got), "Despacho") {
		t.Errorf("%d synchronized redraws, want ≥ 2 of the lines:\n%q", n, got)
	}
	if !regexp.MustCompile("\r\x1b\\[[0-9]+A").MatchString(got) {
		t.Errorf("the frame was not redrawn in place (no cursor-up to its first line):\n%q", got)
	}
}

// TestHubViewGolden: the lines JSON of HUB_API (testdata/live/hub-lines.json)
// and an admin queue, drawn at 60, 80 and 120 columns.
func TestHubViewGolden(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "live", "hub-lines.json"))
	if err != nil {
		t.Fatal(err)
	}
	var l hub.Lines
	if err := json.Unmarshal(data, &l); err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v }
	queue := []hub.ExportRow{
		{ID: "Phxws6udK7So8Stp", State: journal.Queued, Name: "Persona 2", Updated: at("2026-12-02T16:40:00Z")},
		{ID: "8wVi5YRA1KNTw4-b", State: journal.Sending, Name: "Persona 1", NumberLabel: "Despacho", Attempts: 1, Updated: at("2026-12-02T16:49:18Z")},
		{ID: "BMf-zKmviVGI09BI", State: journal.Delivered, Name: "Persona 0", Updated: at("2026-12-02T16:30:00Z")},
	}
	now := at("2026-12-02T16:50:00Z")
	for _, w := range []int{60, 80, 120} {
		got := live.Render(hubState(l, queue, true), live.Options{Width: w, Now: now, Loc: time.UTC})
		golden(t, fmt.Sprintf("hub-%d.golden", w), got)
	}
	st := hubState(l, nil, false)
	if st.Queue != nil || st.Tally.Queued != 13 || st.Tally.Done != 340 || func() bool { s, _ := st.Lines[0].StateAt(now); return s != live.Sending }() || len(st.Lines[0].InFlight) != 1 {
		t.Errorf("hub state without the token: %+v", st)
	}
}
