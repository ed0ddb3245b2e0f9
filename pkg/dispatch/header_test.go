package dispatch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/dispatch/linesim"
	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/journal"
	"github.com/faxjam/faxjam/pkg/letter"
)

// recorder keeps the faxes a gateway was given.
type recorder struct {
	*linesim.Sim
	mu    sync.Mutex
	faxes []gateway.Fax
}

func (r *recorder) Send(ctx context.Context, fax gateway.Fax) (gateway.Receipt, error) {
	r.mu.Lock()
	r.faxes = append(r.faxes, fax)
	r.mu.Unlock()
	return r.Sim.Send(ctx, fax)
}

// TestHeaderIsDatedWhenTheFaxIsSent: a letter made before quiet hours and
// sent after them carries the header of the time it was sent (the
// attempt's start), not of the time it was made; the journal records the
// stamped document's SHA-256, and the gateway gets the campaign's sender
// and time zone for a header of its own.
func TestHeaderIsDatedWhenTheFaxIsSent(t *testing.T) {
	gt, err := time.LoadLocation("America/Guatemala")
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, linesim.Config{Duration: time.Millisecond}, numA)
	h.c.Limits.QuietHours = "20:00-08:00"
	h.c.Organizer, h.c.SenderID = "Tester", "Amnesty International USA"
	rec := &recorder{Sim: h.sim}
	made := time.Date(2026, 11, 27, 22, 0, 0, 0, gt)
	sent := time.Date(2026, 11, 28, 8, 1, 0, 0, gt)
	clk := &clock{t: made}
	h.onEv = func(ev Event) {
		if ev.Type == EventWaiting && strings.Contains(ev.Message, "quiet hours") {
			clk.Set(sent)
		}
	}
	cfg := h.config()
	cfg.Now, cfg.Gateway = clk.Now, rec
	var madeAt []time.Time
	var mu sync.Mutex
	cfg.Compose = func(ctx context.Context, s letter.Signer) (Document, error) {
		doc, err := cheapCompose(ctx, s)
		mu.Lock()
		madeAt = append(madeAt, clk.Now())
		mu.Unlock()
		doc.Stamp = func(at time.Time) (Document, error) {
			pdf := append([]byte(at.In(gt).Format("2006-01-02 15:04 · ")), doc.PDF...)
			sum := sha256.Sum256(pdf)
			return Document{PDF: pdf, Pages: doc.Pages, SHA256: hex.EncodeToString(sum[:])}, nil
		}
		return doc, err
	}
	ss := signerList(1)
	sum, err := h.run(t.Context(), cfg, ss)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Run[journal.Delivered] != 1 || len(rec.faxes) != 1 {
		t.Fatalf("run %v, %d faxes sent; want 1 delivered", sum.Run, len(rec.faxes))
	}
	if len(madeAt) != 1 || !madeAt[0].Equal(made) {
		t.Fatalf("letter made at %v, want before quiet hours (%v)", madeAt, made)
	}
	fax := rec.faxes[0]
	if got := string(fax.PDF); !strings.HasPrefix(got, "2026-11-28 08:01 · ") {
		t.Errorf("the fax sent says %q; want the header of 08:01, when it was sent", got)
	}
	if fax.SenderID != "Amnesty International USA" || fax.TimeZone != "America/Guatemala" {
		t.Errorf("fax SenderID %q TimeZone %q, want the campaign's sender_id and the target's zone", fax.SenderID, fax.TimeZone)
	}
	sub, err := h.j.Submission(t.Context(), h.c.ID, letter.SignerKey(h.c.ID, ss[0]))
	if err != nil {
		t.Fatal(err)
	}
	want := sha256.Sum256(fax.PDF)
	if sub.DocSHA256 != hex.EncodeToString(want[:]) {
		t.Errorf("journal records sha256 %.12s, want the stamped fax's %.12s", sub.DocSHA256, hex.EncodeToString(want[:]))
	}
	atts, err := h.j.Attempts(t.Context(), sub.ID)
	if err != nil || len(atts) != 1 || !atts[0].Started.Equal(sent) {
		t.Errorf("attempts %+v (%v), want one started at %v: the time the header shows", atts, err, sent)
	}
}
