package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/faxjam/faxjam/pkg/petition/store"
)

// The fault test runs the server as a child process: this test binary,
// re-executed with FAXJAM_PETITION_CHILD set to the database path.
const childEnv = "FAXJAM_PETITION_CHILD"

func TestMain(m *testing.M) {
	if db := os.Getenv(childEnv); db != "" {
		os.Exit(child(db, os.Getenv(childEnv+"_ADDR")))
	}
	os.Exit(m.Run())
}

// child serves the database at db until SIGTERM (graceful) or SIGKILL, and
// writes its address to addrFile once it listens.
func child(db, addrFile string) int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	st, err := store.OpenSQLite(ctx, db)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer st.Close()
	err = Run(ctx, Config{
		Addr: "127.0.0.1:0", Store: st, Campaigns: testCampaigns(), Token: testToken, Rate: rate.Inf,
		Listening: func(a net.Addr) {
			os.WriteFile(addrFile+".tmp", []byte(a.String()), 0o600)
			os.Rename(addrFile+".tmp", addrFile)
		},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

type childServer struct {
	cmd  *exec.Cmd
	addr string
}

func startChild(t *testing.T, db string) *childServer {
	t.Helper()
	addrFile := filepath.Join(t.TempDir(), "addr")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+db, childEnv+"_ADDR="+addrFile)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	deadline := time.Now().Add(20 * time.Second)
	for {
		if b, err := os.ReadFile(addrFile); err == nil {
			return &childServer{cmd: cmd, addr: string(b)}
		}
		if time.Now().After(deadline) {
			t.Fatal("the child server did not start listening")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestKilledServerLosesNoAnsweredSignature: a server killed with SIGKILL in
// the middle of a load keeps every signature it answered 201 (or 200) for,
// under the id it answered; after a restart those keys are duplicates with
// the same id.
func TestKilledServerLosesNoAnsweredSignature(t *testing.T) {
	if testing.Short() {
		t.Skip("fault test: run without -short")
	}
	db := filepath.Join(t.TempDir(), "petition.db")
	srv := startChild(t, db)
	url := "http://" + srv.addr + "/v1/campaigns/" + testCampaign + "/signatures"
	hc := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}

	var mu sync.Mutex
	answered := map[string]string{} // key -> id, for 2xx answers only
	var tried []string
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for c := 0; c < 32; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			for i := 0; ctx.Err() == nil; i++ {
				key := fmt.Sprintf("%d-%d", c, i)
				mu.Lock()
				tried = append(tried, key)
				mu.Unlock()
				id, status, err := post(hc, url, key)
				if err != nil {
					return // the server is gone
				}
				if status == 201 || status == 200 {
					mu.Lock()
					answered[key] = id
					mu.Unlock()
				}
			}
		}(c)
	}
	// Kill once a good number of signatures are in flight and answered.
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		mu.Lock()
		n := len(answered)
		mu.Unlock()
		if n >= 300 || time.Now().After(deadline) {
			break
		}
	}
	if err := srv.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	srv.cmd.Wait()
	cancel()
	wg.Wait()
	if len(answered) == 0 {
		t.Fatal("no signature was answered before the kill")
	}

	srv = startChild(t, db)
	url = "http://" + srv.addr + "/v1/campaigns/" + testCampaign + "/signatures"
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var rows []exportRow
	if err := json.NewDecoder(resp.Body).Decode(&rows); err != nil {
		t.Fatalf("export after restart: %v", err)
	}
	resp.Body.Close()
	ids := map[string]bool{}
	for _, r := range rows {
		ids[r.ID] = true
	}
	lost := 0
	for key, id := range answered {
		if !ids[id] {
			lost++
			t.Errorf("signature %s was answered with id %s before the kill and is gone", key, id)
		}
	}
	t.Logf("killed after %d answered signatures (%d tried); %d stored after restart, %d lost", len(answered), len(tried), len(rows), lost)
	// Retrying every key is harmless: answered ones are duplicates with the
	// same id, unanswered ones are stored now.
	for _, key := range tried {
		id, status, err := post(hc, url, key)
		if err != nil {
			t.Fatal(err)
		}
		if want, ok := answered[key]; ok && (status != 200 || id != want) {
			t.Errorf("retry of answered key %s: %d id %s, want 200 with id %s", key, status, id, want)
		}
		if status != 200 && status != 201 {
			t.Errorf("retry of key %s: %d", key, status)
		}
	}
	// SIGTERM is a graceful shutdown: exit status 0.
	srv.cmd.Process.Signal(syscall.SIGTERM)
	if err := srv.cmd.Wait(); err != nil {
		t.Errorf("server after SIGTERM: %v, want a clean exit", err)
	}
}

func post(hc *http.Client, url, key string) (id string, status int, err error) {
	name := "Persona " + strings.ReplaceAll(key, "-", " ")
	resp, err := hc.Post(url, "application/json", strings.NewReader(sigJSON(map[string]string{"name": name, "city": "Xela", "country": "Guatemala", "key": key})))
	if err != nil {
		return "", 0, err
	}
	defer resp.Body.Close()
	var a struct {
		ID string `json:"id"`
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", 0, err
	}
	json.Unmarshal(b, &a)
	return a.ID, resp.StatusCode, nil
}
