package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/testtool"
)

// The systemd unit the deb and rpm install passes systemd-analyze verify
// with nothing to say (a misspelt setting is only a warning to systemd, so
// any output fails the test), run against the built binary.
func TestSystemdUnitVerifies(t *testing.T) {
	analyze := testtool.Need(t, "systemd-analyze", "systemd")
	unit, err := os.ReadFile("../../packaging/faxjam.service")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(unit), "ExecStart=/usr/bin/faxjam ") {
		t.Fatal("the unit does not start /usr/bin/faxjam, where the packages put it")
	}
	for _, want := range []string{"DynamicUser=yes", "StateDirectory=faxjam", "NoNewPrivileges=yes", "ProtectSystem=strict", "PrivateTmp=yes", "LoadCredential=token:"} {
		if !strings.Contains(string(unit), want+"\n") && !strings.Contains(string(unit), want) {
			t.Errorf("the unit lacks %s", want)
		}
	}
	path := filepath.Join(t.TempDir(), "faxjam.service")
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(string(unit), "/usr/bin/faxjam", binary)), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(analyze, "verify", "--man=no", path).CombinedOutput()
	if err != nil || len(strings.TrimSpace(string(out))) > 0 {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
}

// Every key of the example config the packages install is one faxjam
// knows, and the config is valid as shipped.
func TestExampleConfigHasOnlyKnownKeys(t *testing.T) {
	w := newWorkspace(t)
	res := w.run(time.Minute, "--config", "../../packaging/config.example.yaml", "config", "show")
	if res.code != 0 || strings.Contains(res.stdout, "unknown key") || !strings.Contains(res.stdout, "serve.token_file") {
		t.Fatalf("%v\n%s", res, res.stdout)
	}
}
