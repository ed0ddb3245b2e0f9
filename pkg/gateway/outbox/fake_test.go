package outbox

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/faxjam/faxjam/pkg/gateway/gatewaytest"
)

// folderFake is the outbox's contract "fake": the file system itself. It
// reads the folder back and checks what the driver promises about it.
type folderFake struct {
	t   *testing.T
	dir string
}

func startFolder(t *testing.T) (string, gatewaytest.Fake) {
	dir := filepath.Join(t.TempDir(), "out")
	return "outbox://" + filepath.ToSlash(dir), &folderFake{t: t, dir: dir}
}

// Next: the outbox has no remote to script; it only ever delivers.
func (f *folderFake) Next(o gatewaytest.Outcome) {
	if o.Kind != gatewaytest.Deliver {
		f.t.Errorf("outbox cannot express outcome %s", o.Kind)
	}
}

func (f *folderFake) Received() []gatewaytest.Received {
	f.t.Helper()
	names, err := filepath.Glob(filepath.Join(f.dir, "*.json"))
	if err != nil {
		f.t.Fatal(err)
	}
	var ms []Manifest
	for _, name := range names {
		b, err := os.ReadFile(name)
		if err != nil {
			f.t.Fatal(err)
		}
		var m Manifest
		if err := json.Unmarshal(b, &m); err != nil {
			f.t.Errorf("manifest %s does not decode: %v", name, err)
			continue
		}
		ms = append(ms, m)
	}
	sort.SliceStable(ms, func(i, j int) bool { return ms[i].Submitted.Before(ms[j].Submitted) })
	var out []gatewaytest.Received
	for _, m := range ms {
		pdf, err := os.ReadFile(filepath.Join(f.dir, m.PDF))
		if err != nil {
			f.t.Errorf("manifest %s names a PDF that is not there: %v", m.ID, err)
		}
		out = append(out, gatewaytest.Received{To: m.To, PDF: pdf, Key: m.Key})
	}
	f.checkModes()
	return out
}

// checkModes: documents carry signers' names; nobody else on the machine
// reads them, and no temp file is left behind.
func (f *folderFake) checkModes() {
	f.t.Helper()
	if fi, err := os.Stat(f.dir); err == nil && fi.Mode().Perm() != 0o700 {
		f.t.Errorf("outbox folder mode %v, want 0700", fi.Mode().Perm())
	}
	entries, _ := os.ReadDir(f.dir)
	for _, e := range entries {
		fi, err := e.Info()
		if err != nil {
			f.t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			f.t.Errorf("%s mode %v, want 0600", e.Name(), fi.Mode().Perm())
		}
		if e.Name()[0] == '.' {
			f.t.Errorf("temp file %s left behind", e.Name())
		}
	}
}
