package cli

import (
	"bytes"
	"path/filepath"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/ui"
)

// testFactory is a Factory over fake streams, all of them terminals or all
// of them pipes, with config and data in a temp dir and a fixed clock.
func testFactory(t *testing.T, tty bool) (f *Factory, out, errOut *bytes.Buffer) {
	t.Helper()
	ios, _, out, errOut := ui.Test()
	ios.SetStdinTTY(tty)
	ios.SetStdoutTTY(tty)
	ios.SetStderrTTY(tty)
	dir := t.TempDir()
	env := map[string]string{}
	ios.Getenv = func(k string) string { return env[k] }
	f = &Factory{
		IO:         ios,
		Build:      BuildInfo{Version: "1.2.3", Commit: "abc", Date: "2026-01-02"},
		Getenv:     func(k string) string { return env[k] },
		ConfigHome: func() string { return filepath.Join(dir, "config", "faxjam") },
		DataHome:   func() string { return filepath.Join(dir, "data", "faxjam") },
		Now:        func() time.Time { return time.Date(2026, 3, 8, 12, 0, 0, 0, time.UTC) },
		Gateways:   gatewayRegistry,
		Petitions:  petitionRegistry,
	}
	return f, out, errOut
}

// forBoth runs fn once with terminal streams and once with pipes.
func forBoth(t *testing.T, fn func(t *testing.T, tty bool)) {
	t.Helper()
	t.Run("tty", func(t *testing.T) { fn(t, true) })
	t.Run("piped", func(t *testing.T) { fn(t, false) })
}
