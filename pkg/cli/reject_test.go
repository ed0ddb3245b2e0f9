package cli

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faxjam/faxjam/pkg/letter"
	"github.com/faxjam/faxjam/pkg/testtool"
)

// TestUnprintableSignerIsRejectedOnceAndSentAfterTheFix is issue 13 §1: a
// signer whose letter the fonts cannot draw is one rejected row, with its
// line, in --rejects and the --json event (not also a failed fax); the same
// list again with --font sends that signer and nobody else, no --force.
func TestUnprintableSignerIsRejectedOnceAndSentAfterTheFix(t *testing.T) {
	font := "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
	testtool.File(t, font, "fonts-dejavu-core")
	opts, f := sendOpts(t, false, &fakePrompter{})
	dir := t.TempDir()
	list := filepath.Join(dir, "people.csv")
	if err := os.WriteFile(list, []byte("name,city,country\nAna Gómez,Lima,Perú\nნინო ბერიძე,Tbilisi,Georgia\nLuis Pérez,Quito,Ecuador\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	rejects := filepath.Join(dir, "rejected.csv")
	opts.SignersFile, opts.Rejects, opts.JSON = list, rejects, true
	out := f.IO.Out.(interface {
		String() string
		Reset()
	})

	err := sendRun(context.Background(), opts)
	var pe *PartialError
	if !errors.As(err, &pe) || pe.Rejected != 1 || pe.Failed != 0 {
		t.Fatalf("first run: %v (%+v), want 1 rejected and none failed", err, pe)
	}
	rows := readCSV(t, rejects)
	if len(rows) != 2 || rows[1][0] != "3" || rows[1][2] != "ნინო ბერიძე" || !strings.Contains(rows[1][1], "--font") {
		t.Errorf("--rejects = %q, want the header and line 3 with the reason", rows)
	}
	var rejected []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var ev map[string]any
		if err := json.Unmarshal([]byte(l), &ev); err != nil {
			t.Fatalf("%q: %v", l, err)
		}
		if ev["type"] == "rejected" {
			rejected = append(rejected, ev)
		}
	}
	if len(rejected) != 1 || rejected[0]["line"] != 3.0 || !strings.Contains(rejected[0]["reason"].(string), "not in the fax font") {
		t.Errorf("rejected events = %v, want one for line 3 with its reason", rejected)
	}
	if n := faxesIn(t, opts.DataDir); n != 2 {
		t.Fatalf("outbox holds %d faxes after the first run, want 2", n)
	}

	out.Reset()
	opts.Font = font
	if err := sendRun(context.Background(), opts); err != nil {
		t.Fatalf("re-run with --font: %v, want done", err)
	}
	if n := faxesIn(t, opts.DataDir); n != 3 {
		t.Errorf("outbox holds %d faxes after the fix, want 3 (one more)", n)
	}
	if got := out.String(); strings.Count(got, `"type":"already"`) != 2 || strings.Count(got, `"type":"delivered"`) != 1 {
		t.Errorf("re-run events: want 2 already, 1 delivered:\n%s", got)
	}
	if rows := readCSV(t, rejects); len(rows) != 1 {
		t.Errorf("--rejects after the fix = %q, want the header only", rows)
	}
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// faxesIn counts the faxes the outbox wrote (one manifest each).
func faxesIn(t *testing.T, dataDir string) int {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dataDir, "outbox", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	return len(m)
}

// TestOutboxWritesPDFTIFFAndManifest is issue 13 §11: a send through the
// default outbox writes the PDF, the fax image (TIFF class F) and the
// manifest naming both, as the README says; a dry run renders no TIFF.
func TestOutboxWritesPDFTIFFAndManifest(t *testing.T) {
	opts, _ := sendOpts(t, false, &fakePrompter{})
	opts.Signer, opts.Yes = letter.Signer{Name: "Ana", City: "Lima", Country: "Perú"}, true
	if err := sendRun(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	manifests, _ := filepath.Glob(filepath.Join(opts.DataDir, "outbox", "*.json"))
	if len(manifests) != 1 {
		t.Fatalf("%d manifests, want 1", len(manifests))
	}
	b, err := os.ReadFile(manifests[0])
	if err != nil {
		t.Fatal(err)
	}
	var m struct{ PDF, TIFF string }
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(manifests[0])
	pdf, err1 := os.ReadFile(filepath.Join(dir, m.PDF))
	tif, err2 := os.ReadFile(filepath.Join(dir, m.TIFF))
	if m.PDF == "" || m.TIFF == "" || err1 != nil || err2 != nil {
		t.Fatalf("manifest %s: pdf %q (%v), tiff %q (%v)", b, m.PDF, err1, m.TIFF, err2)
	}
	if !strings.HasPrefix(string(pdf), "%PDF-") || !strings.HasPrefix(string(tif), "II*\x00") {
		t.Errorf("the PDF starts %q and the TIFF %q", pdf[:min(8, len(pdf))], tif[:min(4, len(tif))])
	}
}
