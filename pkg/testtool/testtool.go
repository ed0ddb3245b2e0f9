// Package testtool is for tests only: it finds the external tools and files
// a test needs (poppler, qpdf, libtiff, Ghostscript, HylaFAX, PostgreSQL,
// fonts, Go programs such as Pebble), and compares output with golden files (Golden). When one is missing the test fails under CI=true, where .ci/deps
// installs it, and elsewhere skips saying how to install it, so a skip is
// never counted as a pass in CI. Nothing in the product imports it; it
// imports nothing of faxjam's.
package testtool

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Missing stops the test for want of something: fatal on CI, a skip with
// msg elsewhere.
func Missing(t testing.TB, msg string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + " (required on CI: .ci/deps installs it)")
	}
	t.Skip(msg)
}

// Need returns the path of program name, looked up in PATH and then at the
// alternative paths given (sbin programs are not in every PATH). pkg is the
// Debian package that provides it.
func Need(t testing.TB, name, pkg string, alt ...string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, a := range alt {
		if _, err := os.Stat(a); err == nil {
			return a
		}
	}
	Missing(t, name+" is not installed: apt-get install "+pkg)
	return ""
}

// File reads a file a package provides (a font, say).
func File(t testing.TB, path, pkg string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		Missing(t, path+" is missing: apt-get install "+pkg)
	}
	return data
}

// Golden compares got with the golden file at path; with update (a test's
// -update flag) it writes got there instead. A missing file fails, naming
// the flag that records it.
func Golden(t testing.TB, path, got string, update bool) {
	t.Helper()
	if update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the test with -update to record it)", err)
	}
	if got != string(want) {
		t.Errorf("%s changed (-update records the new output):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// GoTool returns the path of program name, a Go program: in PATH, else
// in Go's bin folder, else installed by `go install module@version` into
// a folder of the test's (the Go module proxy); when that fails, Missing.
func GoTool(t testing.TB, name, module string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		p := filepath.Join(strings.TrimSpace(string(out)), "bin", name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0 {
			return p
		}
	}
	dir := t.TempDir()
	cmd := exec.Command("go", "install", module)
	cmd.Env = append(os.Environ(), "GOBIN="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		Missing(t, fmt.Sprintf("%s is not installed and go install failed (%v): go install %s\n%s", name, err, module, out))
	}
	return filepath.Join(dir, name)
}
