package outbox

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/gateway/gatewaytest"
)

func TestConformance(t *testing.T) {
	gatewaytest.Run(t, gatewaytest.Harness{
		Driver:     Driver(),
		Start:      startFolder,
		Kinds:      []gatewaytest.Kind{}, // no remote: no protocol failures
		Keyed:      true,
		FinalState: gateway.Delivered,
	})
}

func openURL(t *testing.T, raw string, env gateway.Env) (*Gateway, error) {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	g, err := Driver().Open(u, env)
	if err != nil {
		return nil, err
	}
	return g.(*Gateway), nil
}

func TestOpenFolder(t *testing.T) {
	data := filepath.FromSlash("/data/faxjam")
	tests := []struct {
		name, url, dataDir, want, wantErr string
	}{
		{"absolute path", "outbox:///srv/fax/out", data, filepath.FromSlash("/srv/fax/out"), ""},
		{"relative opaque path", "outbox:fax/out", data, filepath.FromSlash("fax/out"), ""},
		{"no path defaults to the data dir", "outbox://", data, filepath.Join(data, "outbox"), ""},
		{"no path and no data dir", "outbox://", "", "", "no folder"},
		{"two slashes make a host", "outbox://srv/fax", data, "", "three slashes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := openURL(t, tt.url, gateway.Env{DataDir: tt.dataDir})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Open(%s) error %v, want one saying %q", tt.url, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Open(%s): %v", tt.url, err)
			}
			if g.Dir != tt.want {
				t.Errorf("Open(%s) writes to %q, want %q", tt.url, g.Dir, tt.want)
			}
		})
	}
}

func TestOpenDoesNotTouchTheDisk(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "never")
	if _, err := openURL(t, "outbox://"+filepath.ToSlash(dir), gateway.Env{}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("Open created %s (stat: %v); only Send and Check may", dir, err)
	}
}

func TestSendWritesManifestAndDocuments(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	g, err := openURL(t, "outbox://"+filepath.ToSlash(dir), gateway.Env{})
	if err != nil {
		t.Fatal(err)
	}
	pdf, tiff := []byte("%PDF-1.4 one page"), []byte("II*\x00 a tiff")
	fax := gateway.Fax{To: "+502 2411 9191", From: "+15550001111", PDF: pdf, TIFF: tiff, Pages: 1,
		Key: "norma-cruz/ana/+50224119191", Campaign: "norma-cruz", Fictitious: true}
	rc, err := g.Send(context.Background(), fax)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, rc.ID+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(pdf)
	want := Manifest{ID: rc.ID, To: "+50224119191", From: fax.From, Key: fax.Key, Campaign: "norma-cruz", Pages: 1,
		SHA256: hex.EncodeToString(sum[:]), PDF: rc.ID + ".pdf", TIFF: rc.ID + ".tif", Fictitious: true,
		Submitted: m.Submitted, State: gateway.Delivered}
	if m != want {
		t.Errorf("manifest\n got %+v\nwant %+v", m, want)
	}
	if m.Submitted.IsZero() || !m.Submitted.Equal(rc.Submitted) {
		t.Errorf("manifest submitted %v, receipt %v", m.Submitted, rc.Submitted)
	}
	for name, doc := range map[string][]byte{m.PDF: pdf, m.TIFF: tiff} {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || !bytes.Equal(got, doc) {
			t.Errorf("%s = %q, %v; want %q", name, got, err, doc)
		}
	}
}

func TestSameKeyIsTheSameFax(t *testing.T) {
	dir := t.TempDir()
	g, err := openURL(t, "outbox://"+filepath.ToSlash(dir), gateway.Env{})
	if err != nil {
		t.Fatal(err)
	}
	fax := gateway.Fax{To: gatewaytest.Number, PDF: []byte("%PDF first"), Pages: 1, Key: "k1"}
	first, err := g.Send(context.Background(), fax)
	if err != nil {
		t.Fatal(err)
	}
	fax.PDF = []byte("%PDF second")
	again, err := g.Send(context.Background(), fax)
	if err != nil {
		t.Fatal(err)
	}
	if again != first {
		t.Errorf("second send of key k1 = %+v, want the first receipt %+v", again, first)
	}
	got, _ := os.ReadFile(filepath.Join(dir, first.ID+".pdf"))
	if string(got) != "%PDF first" {
		t.Errorf("second send of the same key overwrote the document: %q", got)
	}
	other, err := g.Send(context.Background(), gateway.Fax{To: gatewaytest.Number, PDF: []byte("%PDF"), Key: "k2"})
	if err != nil {
		t.Fatal(err)
	}
	if other.ID == first.ID {
		t.Errorf("keys k1 and k2 share id %s", other.ID)
	}
}

func TestStatusRefusesIdsThatNameOtherFiles(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "secret.json"), []byte(`{"id":"secret"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	g, err := openURL(t, "outbox://"+filepath.ToSlash(dir)+"/sub", gateway.Env{})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"../secret", "secret", "", strings.Repeat("A", idLen), strings.Repeat("0", idLen-1) + "/"} {
		_, err := g.Status(context.Background(), id)
		ge, ok := gateway.AsError(err)
		if !ok || ge.Reason != gateway.ReasonRejected {
			t.Errorf("Status(%q) = %v, want a rejected *gateway.Error", id, err)
		}
	}
}

func TestCheckCreatesTheFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	g, err := openURL(t, "outbox://"+filepath.ToSlash(dir), gateway.Env{})
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Check(context.Background()); err != nil {
		t.Fatalf("Check: %v", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 0 {
		t.Errorf("after Check the folder holds %v (%v), want it empty", entries, err)
	}
}

func TestUnwritableFolderIsAGatewayError(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	g, err := openURL(t, "outbox://"+filepath.ToSlash(file)+"/out", gateway.Env{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = g.Send(context.Background(), gateway.Fax{To: gatewaytest.Number, PDF: []byte("%PDF"), Key: "k"})
	ge, ok := gateway.AsError(err)
	if !ok || ge.Reason != gateway.ReasonGatewayError || !strings.Contains(err.Error(), file) {
		t.Errorf("Send into a folder below a file = %v, want a gateway-error naming the folder", err)
	}
}

func BenchmarkSend(b *testing.B) {
	dir := b.TempDir()
	g := &Gateway{Dir: dir, now: time.Now}
	pdf := bytes.Repeat([]byte("x"), 40<<10)
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := g.Send(ctx, gateway.Fax{To: gatewaytest.Number, PDF: pdf, Pages: 1, Key: "k" + strconv.Itoa(i)}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestDeclaredOffline: the outbox dials nothing, so the dispatcher spares
// it the campaign's courtesy to the target's lines (quiet hours, caps).
func TestDeclaredOffline(t *testing.T) {
	d := Driver()
	if !d.Offline || d.RealNetwork {
		t.Errorf("outbox declares Offline=%v RealNetwork=%v, want an offline driver that dials nothing", d.Offline, d.RealNetwork)
	}
}

// TestAsksForTheFaxImage: the outbox keeps what a fax machine would be
// sent, so the sender renders the TIFF for it (issue 13 §11).
func TestAsksForTheFaxImage(t *testing.T) {
	if !Driver().WantsTIFF {
		t.Error("outbox does not declare WantsTIFF: it would write no fax image")
	}
}
