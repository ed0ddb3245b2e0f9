package campaignrun_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/campaign"
	"github.com/faxjam/faxjam/pkg/campaignrun"
	"github.com/faxjam/faxjam/pkg/journal"
	"github.com/faxjam/faxjam/pkg/letter"
	"github.com/faxjam/faxjam/pkg/render"
)

func setup(t *testing.T) (*campaign.Campaign, *render.Renderer) {
	t.Helper()
	all, err := campaign.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	r, err := render.New(render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return all[0], r
}

// TestSentDrawsTheFaxAgainOnlyWhenItIsTheOneSent: the letter composed on an
// attempt's day is found again by its SHA-256, from any of the times the
// journal kept; a campaign edited since is ErrChanged, never shown as the
// fax; nothing composed is ErrNotSent.
func TestSentDrawsTheFaxAgainOnlyWhenItIsTheOneSent(t *testing.T) {
	c, r := setup(t)
	ctx := context.Background()
	s := letter.Signer{Name: "Ana Pérez", City: "Lima", Country: "Perú", Note: "Libérenlos."}
	sent := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	lt, lay, err := campaignrun.Layout(ctx, c, r, "", s, sent)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := campaignrun.Documents(r, lt, lay, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	if doc.SHA256 != campaignrun.Sum(doc.PDF) || len(doc.TIFF) == 0 || doc.Pages != lay.Pages() {
		t.Fatalf("documents: sha %s pages %d tiff %d bytes", doc.SHA256, doc.Pages, len(doc.TIFF))
	}
	sub := journal.Submission{ID: 7, Name: s.Name, City: s.City, Country: s.Country, Note: s.Note,
		DocSHA256: doc.SHA256, Created: sent.AddDate(0, 0, -3), Updated: sent.AddDate(0, 0, 1)}
	atts := []journal.Attempt{{N: 1, Started: sent}, {N: 2, Started: sent.AddDate(0, 0, 2)}}
	if _, err := campaignrun.Sent(ctx, c, r, nil, sub, atts); err != nil {
		t.Errorf("the fax of an attempt before the latest: %v", err)
	}
	if _, err := campaignrun.Sent(ctx, c, r, nil, sub, nil); !errors.Is(err, campaignrun.ErrChanged) {
		t.Errorf("without the attempt's day: %v, want ErrChanged", err)
	}
	edited := *c
	edited.Target.Organization += " (new)"
	if _, err := campaignrun.Sent(ctx, &edited, r, nil, sub, atts); !errors.Is(err, campaignrun.ErrChanged) {
		t.Errorf("campaign edited since: %v, want ErrChanged", err)
	}
	sub.DocSHA256 = ""
	if _, err := campaignrun.Sent(ctx, c, r, nil, sub, atts); !errors.Is(err, campaignrun.ErrNotSent) {
		t.Errorf("nothing composed: %v, want ErrNotSent", err)
	}
}
