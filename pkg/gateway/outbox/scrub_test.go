package outbox

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/gateway/gatewaytest"
)

func TestScrubDeletesDocumentsKeepsManifest(t *testing.T) {
	dir := t.TempDir()
	g, err := openURL(t, "outbox://"+filepath.ToSlash(dir), gateway.Env{})
	if err != nil {
		t.Fatal(err)
	}
	fax := gateway.Fax{To: gatewaytest.Number, PDF: []byte("%PDF Ana Secreta ana@example.org"), TIFF: []byte("II*\x00 Ana"), Pages: 1, Key: "k1"}
	rc, err := g.Send(context.Background(), fax)
	if err != nil {
		t.Fatal(err)
	}
	before, err := g.manifest(rc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := Scrub(dir, rc.ID); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte("Ana")) {
			t.Errorf("%s still holds the signer's name", e.Name())
		}
	}
	if len(entries) != 1 || entries[0].Name() != rc.ID+".json" {
		t.Errorf("outbox after scrub: %v, want the manifest only", entries)
	}
	m, err := g.manifest(rc.ID)
	if err != nil || !m.Scrubbed || m.PDF != "" || m.SHA256 != before.SHA256 || m.Pages != 1 {
		t.Errorf("manifest after scrub: %+v, %v", m, err)
	}
	// The key is still found: the fax is never written again.
	if _, ok, err := g.Lookup(context.Background(), "k1"); !ok || err != nil {
		t.Errorf("Lookup after scrub: %v %v", ok, err)
	}
	again, err := g.Send(context.Background(), fax)
	if err != nil || again.ID != rc.ID {
		t.Errorf("Send after scrub: %+v %v", again, err)
	}
	if _, err := os.Stat(filepath.Join(dir, rc.ID+".pdf")); !os.IsNotExist(err) {
		t.Errorf("Send after scrub wrote the document again: %v", err)
	}
	// Again, and a fax not there: nothing to do.
	if err := Scrub(dir, rc.ID); err != nil {
		t.Error(err)
	}
	if err := Scrub(dir, "00000000000000000000000000000000"); err != nil {
		t.Error(err)
	}
	if err := Scrub(dir, "../../etc/passwd"); err != nil {
		t.Errorf("an id naming another file: %v, want nothing done", err)
	}
}
