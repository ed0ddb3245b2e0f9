package campaignrun

import (
	"fmt"
	"strings"
	"time"

	"github.com/faxjam/faxjam/pkg/campaign"
	"github.com/faxjam/faxjam/pkg/e164"
	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/render"
)

// Header is the line faxjam draws at the top of every page when the
// gateway prints none (US rules, 47 CFR 68.318(d), ask each page for the
// date and time sent, the sender and the sending number): one line in the
// top margin, never over the letter.
type Header struct {
	Sender  string         // the campaign's sender_id, else its organizer
	Station string         // the sending number or station id; "" when the gateway has none
	Zone    *time.Location // the target's: the time is the one the fax arrives at
}

// HeaderFor is the header faxjam draws on c's faxes through gw, or nil
// when gw's vendor prints one itself (Driver.Header). The station is what
// the driver sends from (gateway.Stationer: its from= or csid=).
func HeaderFor(c *campaign.Campaign, gw Opened) (*Header, error) {
	if gw.Driver.Header {
		return nil, nil
	}
	zone, err := time.LoadLocation(c.Target.Timezone)
	if err != nil {
		return nil, fmt.Errorf("campaign %s: target.timezone: %w", c.ID, err)
	}
	h := &Header{Sender: c.Sender(), Zone: zone}
	if s, ok := gw.Gateway.(gateway.Stationer); ok {
		h.Station = s.Station()
	}
	return h, nil
}

// Line is the header of page (from 1) of pages for a fax sent at at:
// "2026-01-15 09:04 CST · Sender · +1 202-555-0142 · Página 1/1". label
// is the letter's page label ("Página %d/%d"); "" is "%d/%d".
func (h *Header) Line(at time.Time, label string, page, pages int) string {
	if !strings.Contains(label, "%d") {
		label = strings.TrimSpace(label + " %d/%d")
	}
	parts := []string{at.In(h.Zone).Format("2006-01-02 15:04 MST"), h.Sender}
	if st := h.Station; st != "" {
		if n, err := e164.Normalize(st); err == nil && n == st {
			st = e164.Readable(st)
		}
		parts = append(parts, st)
	}
	return strings.Join(append(parts, fmt.Sprintf(label, page, pages)), " · ")
}

// Stamp is lay with h drawn on every page, dated at.
func (h *Header) Stamp(r *render.Renderer, lay *render.Layout, label string, at time.Time) (*render.Layout, error) {
	return r.Stamp(lay, func(p, n int) string { return h.Line(at, label, p, n) })
}

// HeaderGaps says what c's faxes through gw lack of the header US rules
// ask for (47 CFR 68.318(d): the sender and the sending number on each
// page), when c targets a US number (+1) that is not fictitious; nil when
// nothing is missing or no such number is in the campaign. The sender is missing without sender_id (the
// header then names the organizer); the number when the driver takes a
// from= or csid= and the URL gives none.
func HeaderGaps(c *campaign.Campaign, gw Opened) []string {
	us := ""
	for _, f := range c.Target.Fax {
		// A documented fictitious number is never dialled for real.
		if strings.HasPrefix(f.Number, "+1") && !f.Fictitious {
			us = f.Number
			break
		}
	}
	if us == "" {
		return nil
	}
	var gaps []string
	if c.SenderID == "" {
		gaps = append(gaps, fmt.Sprintf("campaign %s faxes a US number (%s) without sender_id: US rules (47 CFR 68.318(d)) want the sender named on every page; the header names the organizer %q until the campaign file sets sender_id",
			c.ID, e164.Readable(us), c.Organizer))
	}
	st, _ := gw.Gateway.(gateway.Stationer)
	if names := gw.Driver.StationOptions; len(names) > 0 && (st == nil || st.Station() == "") {
		gaps = append(gaps, fmt.Sprintf("the %s gateway URL sets no %s=: the fax header shows no sending number, which US rules (47 CFR 68.318(d)) want on every page",
			gw.Driver.Scheme, strings.Join(names, "= or ")))
	}
	return gaps
}
