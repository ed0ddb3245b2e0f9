package journal

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestAcquireIsExclusiveUntilReleased(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal.db")
	l, err := Acquire(path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Acquire(path) // a second open of the lock file: flock refuses it too
	var le *LockedError
	if !errors.As(err, &le) || le.PID != os.Getpid() || le.Path != path {
		t.Fatalf("second Acquire = %v, want a LockedError naming pid %d", err, os.Getpid())
	}
	if want := "journal " + path + " is in use by faxjam pid "; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error %q, want it to start %q", err, want)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	l2, err := Acquire(path)
	if err != nil {
		t.Fatalf("Acquire after Release: %v", err)
	}
	l2.Release()
	if fi, err := os.Stat(LockPath(path)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("lock file: %v, %v; want it kept, mode 0600", fi, err)
	}
}

func TestAcquireTakesOverAStaleLockFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal.db")
	// A crashed run leaves its pid behind, but not its lock.
	if err := os.WriteFile(LockPath(path), []byte("999999999\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := Acquire(path)
	if err != nil {
		t.Fatalf("Acquire over a stale lock file: %v", err)
	}
	defer l.Release()
	if pid := readPID(LockPath(path)); pid != os.Getpid() {
		t.Errorf("lock file names pid %d, want ours %d", pid, os.Getpid())
	}
}

// TestAcquireAgainstAnotherProcess holds the lock in a child process (this
// test binary, re-run as TestHelperHoldLock), then kills it: its lock dies
// with it and is taken over.
func TestAcquireAgainstAnotherProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperHoldLock$")
	cmd.Env = append(os.Environ(), "FAXJAM_TEST_HOLD_LOCK="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { stdin.Close(); cmd.Process.Kill(); cmd.Wait() }()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "locked" {
		t.Fatalf("helper said %q, %v; want locked", line, err)
	}
	_, err = Acquire(path)
	var le *LockedError
	if !errors.As(err, &le) || le.PID != cmd.Process.Pid {
		t.Fatalf("Acquire while pid %d holds it = %v, want a LockedError naming it", cmd.Process.Pid, err)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	l, err := Acquire(path)
	if err != nil {
		t.Fatalf("Acquire after the holder died: %v", err)
	}
	l.Release()
}

// TestHelperHoldLock is the child of TestAcquireAgainstAnotherProcess: it
// holds the lock until its stdin closes.
func TestHelperHoldLock(t *testing.T) {
	path := os.Getenv("FAXJAM_TEST_HOLD_LOCK")
	if path == "" {
		t.Skip("run by TestAcquireAgainstAnotherProcess")
	}
	l, err := Acquire(path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	os.Stdout.WriteString("locked\n")
	bufio.NewReader(os.Stdin).ReadString('\n')
}
