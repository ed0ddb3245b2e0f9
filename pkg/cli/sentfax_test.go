package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/faxjam/faxjam/pkg/journal"
	"github.com/faxjam/faxjam/pkg/letter"
)

// sentOne sends one letter into the outbox and returns the options (on
// streams that are terminals or not) to look at it with status.
func sentOne(t *testing.T, tty bool, env map[string]string) (*StatusOptions, *bytes.Buffer) {
	t.Helper()
	opts, f := sendOpts(t, tty, &fakePrompter{})
	// The journal keeps the times of the system clock; so does a real run.
	f.Now = time.Now
	f.sendOptions(opts)
	opts.Signer, opts.Yes = letter.Signer{Name: "Ana Gómez", City: "Lima", Country: "Perú", Note: "Con Norma."}, true
	if err := sendRun(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	f.IO.Getenv = func(k string) string { return env[k] }
	so := &StatusOptions{Ref: "1"}
	f.sendOptions(&so.Send)
	so.Send.Paper = "a4"
	out := f.IO.Out.(*bytes.Buffer)
	out.Reset()
	return so, out
}

// TestSentFaxIsTheDocumentFaxed: the fax made again from the journal is
// byte for byte the PDF the outbox wrote when it was sent.
func TestSentFaxIsTheDocumentFaxed(t *testing.T) {
	so, _ := sentOne(t, false, nil)
	pdfs, _ := filepath.Glob(filepath.Join(so.Send.DataDir, "outbox", "*.pdf"))
	if len(pdfs) != 1 {
		t.Fatalf("outbox PDFs: %v", pdfs)
	}
	sent, err := os.ReadFile(pdfs[0])
	if err != nil {
		t.Fatal(err)
	}
	j, err := journal.Open(journalPath("", so.Send.DataDir, false))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	c, _ := so.Send.Campaign(context.Background())
	sub, err := j.Submission(context.Background(), c.ID, "1")
	if err != nil {
		t.Fatal(err)
	}
	atts, _ := j.Attempts(context.Background(), sub.ID)
	r, lay, err := sentFax(context.Background(), &so.Send, c, sub, atts)
	if err != nil {
		t.Fatal(err)
	}
	again, err := document(r, lay, "pdf")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, sent) {
		sum := sha256.Sum256(sent)
		t.Errorf("made again: %d bytes; the outbox's: %d bytes (sha256 %s, journal %s)", len(again), len(sent), hex.EncodeToString(sum[:]), sub.DocSHA256)
	}
	// Another paper is another document: refused, not shown as the fax.
	so.Send.Paper = "letter"
	if _, _, err := sentFax(context.Background(), &so.Send, c, sub, atts); ExitCode(err) != ExitUsage || !strings.Contains(err.Error(), "does not match the fax sent") {
		t.Errorf("on letter paper: %v, want refused", err)
	}
}

// TestStatusShowsTheFax: on a terminal that draws images the receipt ends
// with the fax's picture (here kitty's protocol, decoded back to a PNG a
// quarter of the fax's width); on one that does not, with the command that
// writes it; into a pipe, with neither.
func TestStatusShowsTheFax(t *testing.T) {
	t.Run("kitty", func(t *testing.T) {
		so, out := sentOne(t, true, map[string]string{"TERM": "xterm-kitty"})
		if err := statusRun(context.Background(), so); err != nil {
			t.Fatal(err)
		}
		var payload strings.Builder
		for _, m := range regexp.MustCompile("\x1b_G[^;\x1b]*;([A-Za-z0-9+/=]*)\x1b\\\\").FindAllStringSubmatch(out.String(), -1) {
			payload.WriteString(m[1])
		}
		data, err := base64.StdEncoding.DecodeString(payload.String())
		if err != nil || payload.Len() == 0 {
			t.Fatalf("no kitty image in the output (%v):\n%q", err, ansi.Strip(out.String()))
		}
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if img.Bounds().Dx() != thumbPixels || img.Bounds().Dy() < thumbPixels {
			t.Errorf("picture %v, want %d pixels wide, a page tall", img.Bounds(), thumbPixels)
		}
		if !strings.Contains(out.String(), "Ana Gómez") {
			t.Errorf("the receipt is not above the picture")
		}
	})
	t.Run("no images", func(t *testing.T) {
		so, out := sentOne(t, true, map[string]string{"TERM": "xterm-256color"})
		if err := statusRun(context.Background(), so); err != nil {
			t.Fatal(err)
		}
		want := "The fax as it was sent: faxjam --campaign " + shellQuote(so.Send.CampaignRef) + " status 1 --preview -o fax-1.png"
		if got := ansi.Strip(out.String()); !strings.Contains(got, want) || strings.Contains(got, "\x1b_G") {
			t.Errorf("want %q and no image:\n%s", want, got)
		}
		// The command it prints works: it writes the fax's PNG.
		so.Preview, so.Output = true, filepath.Join(t.TempDir(), "fax-1.png")
		if err := statusRun(context.Background(), so); err != nil {
			t.Fatalf("the printed command: %v", err)
		}
		if data, err := os.ReadFile(so.Output); err != nil || !bytes.HasPrefix(data, []byte("\x89PNG")) {
			t.Errorf("the printed command wrote no PNG: %v", err)
		}
	})
	t.Run("piped", func(t *testing.T) {
		so, out := sentOne(t, false, map[string]string{"TERM": "xterm-kitty"})
		if err := statusRun(context.Background(), so); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(out.String(), "\x1b") || strings.Contains(out.String(), "The fax as it was sent") {
			t.Errorf("piped output has a picture or its command:\n%q", out.String())
		}
	})
}
