package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// Peak RSS of a faxjam process, measured truly.
//
// Linux's ru_maxrss for a child counts the memory of the process it was
// exec'ed from: os/exec starts children with vfork (CLONE_VM), and at exec
// the kernel keeps the larger of the old address space's high-water mark
// and the new one's. A faxjam started straight from this test process
// would be charged with the test process's own peak (about 200 MiB after
// the hub tests under -race), not its own. So faxjam is started through
// this test binary, freshly exec'ed as a small stand-in (measureEnv set):
// its own address space is new and small, and the rusage it reads of its
// faxjam child is faxjam's.

// measureEnv names the file the stand-in writes the child's peak RSS to.
const measureEnv = "FAXJAM_E2E_MEASURE_RSS"

// measureChild is TestMain's path when this binary runs as the stand-in:
// run os.Args[1:] with this process's stdio and environment, write its
// peak RSS (KiB) to the file named by measureEnv, exit with its code.
func measureChild(out string) int {
	cmd := exec.Command(os.Args[1], os.Args[2:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = os.Environ()
	err := cmd.Run()
	if cmd.ProcessState == nil {
		fmt.Fprintln(os.Stderr, "e2e: measure:", err)
		return 1
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		if err := os.WriteFile(out, []byte(strconv.FormatInt(ru.Maxrss, 10)), 0o600); err != nil {
			fmt.Fprintln(os.Stderr, "e2e: measure:", err)
			return 1
		}
	}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return cmd.ProcessState.ExitCode()
}

// measured is w.command through the stand-in; peak reads the child's peak
// RSS in MiB once the command has run.
func (w *workspace) measured(ctx context.Context, args ...string) (cmd *exec.Cmd, peak func(t *testing.T) float64) {
	out := filepath.Join(w.t.TempDir(), "rss")
	cmd = w.command(ctx, args...)
	self, err := os.Executable()
	if err != nil {
		w.t.Fatal(err)
	}
	cmd.Path, cmd.Args = self, append([]string{self, binary}, args...)
	cmd.Env = append(append([]string{}, cmd.Env...), measureEnv+"="+out)
	return cmd, func(t *testing.T) float64 {
		t.Helper()
		if runtime.GOOS != "linux" {
			t.Fatalf("no peak RSS on %s", runtime.GOOS)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatalf("peak RSS of faxjam %s: %v", strings.Join(args, " "), err)
		}
		kib, err := strconv.ParseInt(string(b), 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		return float64(kib) / 1024 // KiB on Linux
	}
}
