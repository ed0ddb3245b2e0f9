package e2e

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/testtool"
)

// Several hubs starting together on a new PostgreSQL database: 11 of 18
// starts once failed with `duplicate key … pg_type_typname_nsp_index` or
// `relation "signatures" already exists` (issue 16). Three `faxjam serve`
// start at once on a fresh database, five times: every one serves.
func TestHubsStartingTogetherOnANewPostgresDatabaseAllServe(t *testing.T) {
	dsn := testtool.Postgres(t)
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	w := newWorkspace(t)
	camp, _ := w.writeCampaign(map[string]any{"quiet_hours": nil})
	failed := 0
	for round := range 5 {
		name := fmt.Sprintf("together%d", round)
		if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(dsn)
		u.Path = "/" + name
		var wg sync.WaitGroup
		var mu sync.Mutex
		for i := range 3 {
			wg.Go(func() {
				ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
				defer cancel()
				cmd := w.command(ctx, "--json", "--campaign", camp, "serve", "--addr", "127.0.0.1:0", "--gateway", "outbox:"+w.path(fmt.Sprintf("ob%d-%d", round, i)), "--db", u.String(), "--rate", "0")
				stdout, _ := cmd.StdoutPipe()
				var stderr syncBuffer
				cmd.Stderr = &stderr
				if err := cmd.Start(); err != nil {
					t.Error(err)
					return
				}
				listening := false
				sc := bufio.NewScanner(stdout)
				for sc.Scan() {
					var ev struct{ Type string }
					if json.Unmarshal(sc.Bytes(), &ev) == nil && ev.Type == "listening" {
						listening = true
						break
					}
				}
				cmd.Process.Signal(os.Interrupt)
				go io.Copy(io.Discard, stdout)
				cmd.Wait()
				if !listening {
					mu.Lock()
					failed++
					mu.Unlock()
					t.Errorf("round %d, hub %d did not start: %s", round, i, strings.TrimSpace(stderr.String()))
				}
			})
		}
		wg.Wait()
	}
	if failed > 0 {
		t.Errorf("%d of 15 hubs failed to start together", failed)
	}
}
