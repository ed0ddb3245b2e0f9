package leader_test

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/faxjam/faxjam/pkg/leader"
	"github.com/faxjam/faxjam/pkg/testtool"
)

const interval = 100 * time.Millisecond

func open(t testing.TB, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestOneLeaderAtATimeAndHandOver(t *testing.T) {
	dsn := testtool.Postgres(t)
	a, b := open(t, dsn), open(t, dsn) // two processes' pools
	key := leader.Key("faxjam hub test")
	l1, err := leader.Acquire(t.Context(), a, key, interval)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*interval)
	if l, err := leader.Acquire(ctx, b, key, interval); err == nil {
		l.Release()
		t.Fatal("a second leader while the first holds the lock")
	}
	cancel()
	// Another key is another election.
	other, err := leader.Acquire(t.Context(), b, leader.Key("faxjam hub other"), interval)
	if err != nil {
		t.Fatal(err)
	}
	other.Release()
	got := make(chan *leader.Lease, 1)
	go func() {
		l, err := leader.Acquire(t.Context(), b, key, interval)
		if err != nil {
			t.Error(err)
		}
		got <- l
	}()
	time.Sleep(3 * interval)
	select {
	case <-got:
		t.Fatal("the standby led before the leader released")
	default:
	}
	l1.Release()
	l1.Release() // twice is fine
	select {
	case l2 := <-got:
		l2.Release()
	case <-time.After(20 * interval):
		t.Fatal("the standby did not take over after the release")
	}
}

func TestALostSessionIsToldAndTheLockPasses(t *testing.T) {
	dsn := testtool.Postgres(t)
	a, b := open(t, dsn), open(t, dsn)
	key := leader.Key("faxjam hub lost")
	l1, err := leader.Acquire(t.Context(), a, key, interval)
	if err != nil {
		t.Fatal(err)
	}
	defer l1.Release()
	// The database ends the leader's session (as on a restart or a cut).
	if _, err := b.ExecContext(t.Context(), `SELECT pg_terminate_backend(pid) FROM pg_locks
		WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()`); err != nil {
		t.Fatal(err)
	}
	select {
	case <-l1.Lost():
	case <-time.After(20 * interval):
		t.Fatal("the leader was not told its session ended")
	}
	l2, err := leader.Acquire(t.Context(), b, key, interval)
	if err != nil {
		t.Fatal(err)
	}
	l2.Release()
}

// TestAKilledLeadersLockPassesWithinSeconds: the leader is another process,
// killed with SIGKILL; the standby leads within a few intervals.
func TestAKilledLeadersLockPassesWithinSeconds(t *testing.T) {
	dsn := testtool.Postgres(t)
	key := leader.Key("faxjam hub killed")
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperLead$")
	cmd.Env = append(os.Environ(), "FAXJAM_TEST_LEAD="+dsn, fmt.Sprintf("FAXJAM_TEST_LEAD_KEY=%d", key))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "leading" {
		t.Fatalf("helper said %q, %v; want leading", line, err)
	}
	b := open(t, dsn)
	ctx, cancel := context.WithTimeout(t.Context(), 3*interval)
	if l, err := leader.Acquire(ctx, b, key, interval); err == nil {
		l.Release()
		t.Fatal("two leaders")
	}
	cancel()
	killed := time.Now()
	cmd.Process.Kill()
	cmd.Wait()
	l, err := leader.Acquire(t.Context(), b, key, interval)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	took := time.Since(killed)
	t.Logf("the standby led %s after the leader was killed", took.Round(time.Millisecond))
	if took > 10*interval {
		t.Errorf("the standby took %s to lead, want within a few intervals (%s)", took, interval)
	}
}

// TestHelperLead is the leader process of TestAKilledLeadersLockPasses.
func TestHelperLead(t *testing.T) {
	dsn := os.Getenv("FAXJAM_TEST_LEAD")
	if dsn == "" {
		t.Skip("run by TestAKilledLeadersLockPassesWithinSeconds")
	}
	var key int64
	fmt.Sscan(os.Getenv("FAXJAM_TEST_LEAD_KEY"), &key)
	l, err := leader.Acquire(context.Background(), open(t, dsn), key, interval)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("leading")
	<-l.Lost()
}
