package cli

import (
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSignalWatchForcesExitAfterGrace: a command that ignores its cancelled
// context is ended StopGrace after the signal, with 128+signal.
func TestSignalWatchForcesExitAfterGrace(t *testing.T) {
	sigs := make(chan os.Signal, 1)
	cancelled := make(chan struct{})
	exited := make(chan int, 1)
	var errOut strings.Builder
	start := time.Now()
	sigs <- syscall.SIGTERM
	watchSignals(sigs, func() { close(cancelled) }, make(chan struct{}), 50*time.Millisecond, &errOut, func(code int) { exited <- code })
	select {
	case <-cancelled:
	default:
		t.Error("context not cancelled")
	}
	if code := <-exited; code != 143 {
		t.Errorf("exit %d, want 143", code)
	}
	if took := time.Since(start); took < 50*time.Millisecond {
		t.Errorf("exited after %s, before the grace", took)
	}
	if !strings.Contains(errOut.String(), "re-run the same command") {
		t.Errorf("said %q", errOut.String())
	}
}

// TestSignalWatchLetsACommandReturn: no forced exit when the command
// returns within the grace, nor without a signal.
func TestSignalWatchLetsACommandReturn(t *testing.T) {
	for _, signalled := range []bool{true, false} {
		sigs := make(chan os.Signal, 1)
		done := make(chan struct{})
		if signalled {
			sigs <- syscall.SIGINT
		}
		finished := make(chan struct{})
		go func() {
			defer close(finished)
			watchSignals(sigs, func() { close(done) }, done, time.Minute, &strings.Builder{}, func(code int) { t.Errorf("exit %d", code) })
		}()
		if !signalled {
			close(done)
		}
		select {
		case <-finished:
		case <-time.After(5 * time.Second):
			t.Fatal("watch did not end")
		}
	}
}
