package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// faxjam serve runs from its config file alone, as a systemd unit starts
// it: the serve: section holds every flag (serve.addr, serve.db, ...), the
// admin token and the gateway come from files (systemd credentials), and
// `config show` never shows the gateway's credentials.
func TestServeRunsFromTheConfigFileWithSecretsInFiles(t *testing.T) {
	w := newWorkspace(t)
	camp, _ := w.writeCampaign(map[string]any{"quiet_hours": nil})
	addr := freeAddr(t)
	token := "cfg-admin-token-0123456789abcdef"
	for name, content := range map[string]string{"token": token + "\n", "gateway": "outbox:" + w.path("ob") + "\n", "empty": "\n"} {
		if err := os.WriteFile(w.path(name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg := w.path("config.yaml")
	write := func(extra string) {
		body := fmt.Sprintf("campaign: %s\nserve:\n  addr: %s\n  db: %s\n  token_file: %s\n  gateway_file: %s\n  poll: 10ms\n%s",
			camp, addr, w.path("hub.db"), w.path("token"), w.path("gateway"), extra)
		if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	// Bad input: named, exit 2, nothing opened.
	write("  rate: lots\n")
	if res := w.run(time.Minute, "--config", cfg, "serve"); res.code != 2 || !strings.Contains(res.stderr, "serve.rate") {
		t.Fatalf("a bad serve.rate: %v", res)
	}
	write("  token: also-a-token-0123456789\n")
	if res := w.run(time.Minute, "--config", cfg, "serve"); res.code != 2 || !strings.Contains(res.stderr, "--token and --token-file") {
		t.Fatalf("token and token_file both: %v", res)
	}
	if res := w.run(time.Minute, "--config", cfg, "serve", "--token-file", w.path("empty"), "--token", ""); res.code != 2 || !strings.Contains(res.stderr, "empty") {
		t.Fatalf("an empty token file: %v", res)
	}
	if _, err := os.Stat(w.path("hub.db")); err == nil {
		t.Fatal("a refused start made the journal")
	}

	maddr := freeAddr(t)
	write("  metrics_addr: " + maddr + "\n")
	cmd := w.command(t.Context(), "--config", cfg, "--json", "serve")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() })
	listening := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			var ev struct{ Type, URL string }
			if json.Unmarshal(sc.Bytes(), &ev) == nil && ev.Type == "listening" {
				listening <- ev.URL
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	var url string
	select {
	case url = <-listening:
	case <-time.After(20 * time.Second):
		t.Fatalf("serve from the config file did not listen\n%s", stderr.String())
	}
	if !strings.Contains(url, addr) {
		t.Errorf("listening on %s, want serve.addr %s", url, addr)
	}
	get := func(path, token string) int {
		req, _ := http.NewRequest("GET", url+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	lines := "/v1/campaigns/norma-cruz-2012/lines"
	export := "/v1/campaigns/norma-cruz-2012/actions"
	if get(lines, "") != 200 || get(export, token) != 200 || get(export, "wrong-token-0123456789") != 401 {
		t.Errorf("the hub from the config: lines %d, export with the file's token %d, with another %d",
			get(lines, ""), get(export, token), get(export, "wrong-token-0123456789"))
	}
	// Metrics on their own address, without the token; on the hub's, only with it.
	resp, err := http.Get("http://" + maddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `faxjam_leader{campaign="norma-cruz-2012"} 1`) {
		t.Errorf("--metrics-addr: %d\n%s", resp.StatusCode, body)
	}
	if get("/metrics", "") != 401 || get("/metrics", token) != 200 {
		t.Errorf("/metrics on the hub's address: %d without the token, %d with it", get("/metrics", ""), get("/metrics", token))
	}
	if strings.Contains(stderr.String(), token) {
		t.Error("serve printed the admin token")
	}
	show := w.run(time.Minute, "--config", cfg, "config", "show")
	if show.code != 0 || !strings.Contains(show.stdout, "serve.addr") || !strings.Contains(show.stdout, "serve.token_file") {
		t.Errorf("config show does not list the serve section: %v\n%s", show, show.stdout)
	}
}
