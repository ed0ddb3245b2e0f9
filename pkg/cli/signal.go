package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// StopGrace is how long a command has, after SIGINT or SIGTERM cancelled
// its context, to return on its own before faxjam exits anyway: every
// command stops within a second of a signal. The journal is a database
// that survives a process ending at any instant (it survives a SIGKILL,
// which the e2e tests deliver), and files are written whole or not at all,
// so the forced exit loses nothing that re-running the command does not
// carry on.
const StopGrace = 750 * time.Millisecond

// stopOnSignal cancels the returned context at the first SIGINT or SIGTERM
// and, when the command has not returned StopGrace later (or at a second
// signal), writes why to errOut and calls exit with 128+signal, as a shell
// reports a process a signal ended. The returned stop ends the watch; call
// it when the command has returned.
func stopOnSignal(parent context.Context, errOut io.Writer, exit func(int)) (context.Context, func()) {
	ctx, cancel := context.WithCancel(parent)
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		watchSignals(sigs, cancel, done, StopGrace, errOut, exit)
	}()
	return ctx, func() {
		signal.Stop(sigs)
		close(done)
		<-finished
		cancel()
	}
}

func watchSignals(sigs <-chan os.Signal, cancel func(), done <-chan struct{}, grace time.Duration, errOut io.Writer, exit func(int)) {
	var sig os.Signal
	select {
	case <-done:
		return
	case sig = <-sigs:
	}
	cancel()
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-done:
		return
	case <-t.C:
	case <-sigs:
	}
	fmt.Fprintln(errOut, "faxjam: stopped by", sig, "before the command finished; nothing is lost: re-run the same command to carry on")
	code := 130
	if s, ok := sig.(syscall.Signal); ok {
		code = 128 + int(s)
	}
	exit(code)
}
