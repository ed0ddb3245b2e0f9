package leader_test

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/leader"
)

func TestOneFileLeaderAtATimeAndHandOver(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal.db")
	l1, err := leader.AcquireFile(t.Context(), path, interval)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*interval)
	if l, err := leader.AcquireFile(ctx, path, interval); err == nil {
		l.Release()
		t.Fatal("a second leader while the first holds the journal's lock")
	}
	cancel()
	got := make(chan *leader.Lease, 1)
	go func() {
		l, err := leader.AcquireFile(t.Context(), path, interval)
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
	select {
	case <-l1.Lost():
		t.Fatal("a file lease was lost while held")
	default:
	}
	l1.Release()
	<-l1.Lost()
	select {
	case l2 := <-got:
		l2.Release()
	case <-time.After(20 * interval):
		t.Fatal("the standby did not take over after the release")
	}
}

// TestAKilledFileLeadersLockPasses: the leader is another process holding
// the journal's lock, killed with SIGKILL; the standby leads within a few
// intervals.
func TestAKilledFileLeadersLockPasses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperLeadFile$")
	cmd.Env = append(os.Environ(), "FAXJAM_TEST_LEAD_FILE="+path)
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
	ctx, cancel := context.WithTimeout(t.Context(), 3*interval)
	if l, err := leader.AcquireFile(ctx, path, interval); err == nil {
		l.Release()
		t.Fatal("two leaders")
	}
	cancel()
	killed := time.Now()
	cmd.Process.Kill()
	cmd.Wait()
	l, err := leader.AcquireFile(t.Context(), path, interval)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	took := time.Since(killed)
	t.Logf("the standby led %s after the leader was killed", took.Round(time.Millisecond))
	if took > 5*interval {
		t.Errorf("the standby took %s to lead, want within a few intervals (%s)", took, interval)
	}
}

// TestHelperLeadFile is the leader process of TestAKilledFileLeadersLockPasses.
func TestHelperLeadFile(t *testing.T) {
	path := os.Getenv("FAXJAM_TEST_LEAD_FILE")
	if path == "" {
		t.Skip("run by TestAKilledFileLeadersLockPasses")
	}
	l, err := leader.AcquireFile(context.Background(), path, interval)
	if err != nil {
		t.Fatal(err)
	}
	os.Stdout.WriteString("leading\n")
	<-l.Lost()
}
