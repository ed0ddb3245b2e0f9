package campaignrun_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/campaign"
	"github.com/faxjam/faxjam/pkg/campaignrun"
	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/journal"
	"github.com/faxjam/faxjam/pkg/letter"
)

// station is a gateway that knows the number it sends from.
type station struct{ gateway.Gateway }

func (station) Station() string { return "+12025550100" }

// TestHeaderFor: faxjam draws the header only for a gateway whose vendor
// prints none, with the campaign's sender, the gateway's number and the
// target's time zone.
func TestHeaderFor(t *testing.T) {
	c, _ := setup(t)
	if h, err := campaignrun.HeaderFor(c, campaignrun.Opened{Gateway: station{}, Driver: gateway.Driver{Header: true}}); h != nil || err != nil {
		t.Fatalf("vendor prints the header: HeaderFor = %+v, %v; want nil", h, err)
	}
	c2 := *c
	c2.SenderID = "Amnesty International USA"
	h, err := campaignrun.HeaderFor(&c2, campaignrun.Opened{Gateway: station{}})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 1, 15, 15, 4, 0, 0, time.UTC)
	got := h.Line(at, "Página %d/%d", 1, 2)
	want := "2026-01-15 09:04 CST · Amnesty International USA · +1 202 555 0100 · Página 1/2"
	if c.Target.Timezone != "America/Guatemala" {
		t.Fatalf("the bundled campaign's time zone is %s; this test expects America/Guatemala", c.Target.Timezone)
	}
	if got != want {
		t.Errorf("Line = %q\nwant   %q", got, want)
	}
	h, _ = campaignrun.HeaderFor(c, campaignrun.Opened{})
	if got := h.Line(at, "", 1, 1); got != "2026-01-15 09:04 CST · "+c.Organizer+" · 1/1" {
		t.Errorf("no sender_id, no station: Line = %q", got)
	}
}

// TestStampedFaxIsDatedAsTheAttemptStarts: with a header, the document
// carries a Stamp that draws the header with the attempt's time; the
// same time draws the same bytes, another minute others; Sent finds the
// stamped fax again from the attempt's start.
func TestStampedFaxIsDatedAsTheAttemptStarts(t *testing.T) {
	c, r := setup(t)
	ctx := context.Background()
	s := letter.Signer{Name: "Ana Pérez", City: "Lima", Country: "Perú"}
	composed := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	lt, lay, err := campaignrun.Layout(ctx, c, r, "", s, composed)
	if err != nil {
		t.Fatal(err)
	}
	hdr, err := campaignrun.HeaderFor(c, campaignrun.Opened{Gateway: station{}})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := campaignrun.Documents(r, lt, lay, true, hdr)
	if err != nil || doc.Stamp == nil {
		t.Fatalf("Documents = stamp %v, %v; want a Stamp", doc.Stamp != nil, err)
	}
	started := composed.Add(3 * time.Hour) // waited out quiet hours
	a, err := doc.Stamp(started)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := doc.Stamp(started)
	later, _ := doc.Stamp(started.Add(time.Minute))
	if a.SHA256 != b.SHA256 || a.SHA256 == later.SHA256 || a.SHA256 == doc.SHA256 || len(a.TIFF) == 0 {
		t.Fatalf("stamps: same time %v, other minute differs %v, differs from the unstamped %v, tiff %d bytes",
			a.SHA256 == b.SHA256, a.SHA256 != later.SHA256, a.SHA256 != doc.SHA256, len(a.TIFF))
	}
	sub := journal.Submission{ID: 7, Name: s.Name, City: s.City, Country: s.Country, DocSHA256: a.SHA256, Created: composed}
	atts := []journal.Attempt{{N: 1, Started: started}}
	if _, err := campaignrun.Sent(ctx, c, r, hdr, sub, atts); err != nil {
		t.Errorf("Sent with the header: %v", err)
	}
	if _, err := campaignrun.Sent(ctx, c, r, nil, sub, atts); !errors.Is(err, campaignrun.ErrChanged) {
		t.Errorf("Sent without the header: %v, want ErrChanged", err)
	}
}

// TestHeaderGaps: a campaign that faxes a real US number is told what its
// header lacks: sender_id, and the station a driver could send; a foreign
// or fictitious number, or a complete header, says nothing.
func TestHeaderGaps(t *testing.T) {
	c, _ := setup(t)
	us := func(senderID string, fictitious bool) *campaign.Campaign {
		c2 := *c
		c2.SenderID = senderID
		c2.Target.Fax = []campaign.FaxNumber{{Number: "+12025550142", Fictitious: fictitious}}
		return &c2
	}
	withStation := campaignrun.Opened{Gateway: station{}, Driver: gateway.Driver{Scheme: "x", StationOptions: []string{"csid"}}}
	without := campaignrun.Opened{Gateway: nil, Driver: gateway.Driver{Scheme: "x", StationOptions: []string{"csid", "from"}}}
	tests := []struct {
		name string
		c    *campaign.Campaign
		gw   campaignrun.Opened
		want []string
	}{
		{"complete", us("Amnesty International USA", false), withStation, nil},
		{"no sender_id", us("", false), withStation, []string{"without sender_id"}},
		{"no station", us("Amnesty International USA", false), without, []string{"sets no csid= or from="}},
		{"neither", us("", false), without, []string{"without sender_id", "sets no csid= or from="}},
		{"fictitious only", us("", true), without, nil},
		{"not in the US", c, without, nil},
		{"a driver with no station option", us("Amnesty International USA", false), campaignrun.Opened{Driver: gateway.Driver{Scheme: "phaxio"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := campaignrun.HeaderGaps(tt.c, tt.gw)
			if len(got) != len(tt.want) {
				t.Fatalf("HeaderGaps = %q, want %d saying %q", got, len(tt.want), tt.want)
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i], w) || !strings.Contains(got[i], "47 CFR 68.318(d)") {
					t.Errorf("gap %d = %q, want it to say %q and the rule", i, got[i], w)
				}
			}
		})
	}
}
