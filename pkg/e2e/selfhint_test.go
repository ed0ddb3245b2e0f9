package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestHintsNameTheCommandThatRanFaxjam: after `go run ./cmd/faxjam send`
// the hints name `go run ./cmd/faxjam status ...`, which works from the
// checkout, where they named `faxjam`, which is not installed there. The
// binary is run from where `go run` puts it (a folder named exe in the
// go-build cache); run by its own path, the hints name that path.
func TestHintsNameTheCommandThatRanFaxjam(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	goRunExe := filepath.Join(t.TempDir(), "go-build3141592", "b001", "exe", "faxjam")
	if err := os.MkdirAll(filepath.Dir(goRunExe), 0o755); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(binary)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(goRunExe, data, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		exe, want string
	}{
		{goRunExe, "Preview it as the fax machine prints it: go run ./cmd/faxjam status "},
		{binary, "Preview it as the fax machine prints it: " + binary + " status "},
	} {
		w := newWorkspace(t)
		cmd := exec.CommandContext(ctx, tt.exe, "send", "--name", "Ana Gómez", "--city", "Lima", "--country", "Perú", "--yes")
		cmd.Dir, cmd.Env = w.dir, w.env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s send: %v\n%s", tt.exe, err, out)
		}
		if !strings.Contains(string(out), tt.want) {
			t.Errorf("%s send: no %q in\n%s", tt.exe, tt.want, out)
		}
	}
}
