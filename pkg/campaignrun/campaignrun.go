// Package campaignrun owns a campaign's run: what the CLI (send, status
// --follow, petition deliver, forget, retain) and the hub share, so that
// they cannot drift apart. It opens what a run is wired to (Rig: the
// gateway, the petition endpoint, the journal, acquired and opened), tells
// the dispatch engine what it must know of the driver (Engine: the one
// place an engine is built, with the driver's declaration and the request
// timeout the gateway was opened with), draws a letter as the documents
// that are faxed (Layout, Documents), draws a sent fax again and proves it
// is the one sent (Sent), and applies retention and forgetting to the
// journal and to the documents kept of the faxes (Scrub).
//
// It decides; it does not print. It must not import pkg/cli, pkg/hub or
// pkg/ui: they import it.
package campaignrun

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/faxjam/faxjam/pkg/campaign"
	"github.com/faxjam/faxjam/pkg/dispatch"
	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/journal"
	"github.com/faxjam/faxjam/pkg/letter"
	"github.com/faxjam/faxjam/pkg/render"
)

// Opened is an opened gateway as a run must know it.
type Opened struct {
	// Gateway is what the engine calls: the opened gateway, or a wrapper
	// of it that keeps its optional interfaces (Timeouter, Local, Looker).
	Gateway gateway.Gateway
	Driver  gateway.Driver // its declaration
	Env     gateway.Env    // what it was opened with
}

// RequestTimeout is the longest one request of g can take: its own
// timeout= option, else its HTTP client's.
func (g Opened) RequestTimeout() time.Duration { return gateway.RequestTimeout(g.Gateway, g.Env) }

// Folder is where g keeps the documents it is given (the outbox), or "".
func (g Opened) Folder() string { return Folder(g.Gateway) }

// Folder is where gw keeps the documents it is given (the outbox), or "".
func Folder(gw gateway.Gateway) string {
	if l, ok := gw.(gateway.Local); ok {
		return l.Folder()
	}
	return ""
}

// Engine builds the dispatch engine of a run through gw: the one place an
// engine is built. It tells the engine what it must know of gw so that an
// interrupted fax is never sent twice: the driver's declaration (dedupe by
// key, late margin) and how long one request may take (the timeout gw was
// opened with). cfg.Gateway, when set, is what the engine calls instead of
// gw.Gateway (a wrapper of it).
func Engine(cfg dispatch.Config, gw Opened) (*dispatch.Engine, error) {
	cfg.Declare(gw.Driver)
	cfg.RequestTimeout = gw.RequestTimeout()
	if cfg.Gateway == nil {
		cfg.Gateway = gw.Gateway
	}
	if cfg.Journal != nil && cfg.Campaign != nil { // the ledger's entries name each number's label
		labels := map[string]string{}
		for _, f := range cfg.Campaign.Target.Fax {
			labels[f.Number] = f.Label
		}
		cfg.Journal.Label(cfg.Campaign.ID, labels)
	}
	return dispatch.New(cfg)
}

// Layout composes s's letter for c, dated when, and lays it out: the one
// path `letter`, `send`, the hub and its previews take, so that a preview
// is what gets faxed. lang "" is the target's language.
func Layout(ctx context.Context, c *campaign.Campaign, r *render.Renderer, lang string, s letter.Signer, when time.Time) (letter.Letter, *render.Layout, error) {
	lt, err := letter.ComposeContext(ctx, c, lang, s, when)
	if err != nil {
		return letter.Letter{}, nil, err
	}
	lay, err := r.Letter(lt)
	if err != nil {
		return lt, nil, err
	}
	return lt, lay, nil
}

// Documents draws lay (the layout of lt) as the engine faxes it: the PDF
// with its SHA-256 (what the journal records, and Sent checks), and the
// TIFF when the driver takes fax images. With hdr (a gateway that prints
// no header), the document also carries its Stamp: the same pages with
// the header drawn, dated as each attempt starts.
func Documents(r *render.Renderer, lt letter.Letter, lay *render.Layout, tiff bool, hdr *Header) (dispatch.Document, error) {
	if hdr == nil {
		return draw(r, lay, tiff)
	}
	// What is faxed is the stamped document; the plain one (its PDF) is
	// what a dry run plans with, and needs no fax image.
	doc, err := draw(r, lay, false)
	if err != nil {
		return doc, err
	}
	doc.Stamp = func(at time.Time) (dispatch.Document, error) {
		st, err := hdr.Stamp(r, lay, lt.PageLabel, at)
		if err != nil {
			return dispatch.Document{}, err
		}
		return draw(r, st, tiff)
	}
	return doc, nil
}

func draw(r *render.Renderer, lay *render.Layout, tiff bool) (dispatch.Document, error) {
	var pdf bytes.Buffer
	if err := r.PDF(lay, &pdf); err != nil {
		return dispatch.Document{}, err
	}
	doc := dispatch.Document{PDF: pdf.Bytes(), Pages: lay.Pages(), SHA256: Sum(pdf.Bytes())}
	if tiff {
		var b bytes.Buffer
		if err := r.TIFF(lay, &b, render.TIFFOptions{TwoD: true}); err != nil {
			return dispatch.Document{}, err
		}
		doc.TIFF = b.Bytes()
	}
	return doc, nil
}

// Sum is a document's SHA-256 as the journal records it.
func Sum(pdf []byte) string {
	s := sha256.Sum256(pdf)
	return hex.EncodeToString(s[:])
}

// Signer is the person of a submission, as its letter names them.
func Signer(sub journal.Submission) letter.Signer {
	return letter.Signer{Name: sub.Name, City: sub.City, Country: sub.Country, Email: sub.Email, Note: sub.Note, Lang: sub.Lang}
}

// ErrNotSent says a submission has no fax to draw again: nothing was
// composed for it yet.
var ErrNotSent = errors.New("not composed yet: nothing was faxed")

// ErrChanged says the letter made again is not the fax that was sent (the
// campaign was edited since, another paper or font, a petition delivery).
var ErrChanged = errors.New("the letter made again does not match the fax sent")

// Sent lays out sub's fax again, as it was sent: the same signer and
// campaign through the same composer (Layout), on the day it was composed
// (an attempt's start, latest first, else when it was last updated or
// queued), and with hdr (the header faxjam drew, nil when the gateway
// printed its own) dated as each attempt started. The renderer is
// deterministic, so the PDF made again must have the SHA-256 recorded
// when it went: one that does not is ErrChanged, never shown as the fax.
func Sent(ctx context.Context, c *campaign.Campaign, r *render.Renderer, hdr *Header, sub journal.Submission, atts []journal.Attempt) (*render.Layout, error) {
	if sub.DocSHA256 == "" {
		return nil, ErrNotSent
	}
	var when, stamped []time.Time
	for _, a := range slices.Backward(atts) {
		when = append(when, a.Started)
		if hdr != nil && !a.Started.IsZero() {
			stamped = append(stamped, a.Started)
		}
	}
	when = append(when, sub.Updated, sub.Created)
	tried := map[int64]bool{}
	s := Signer(sub)
	same := func(lay *render.Layout) (bool, error) {
		var pdf bytes.Buffer
		if err := r.PDF(lay, &pdf); err != nil {
			return false, err
		}
		return Sum(pdf.Bytes()) == sub.DocSHA256, nil
	}
	for _, t := range when {
		// A letter is dated by its day: a second try on the same second
		// would draw the same bytes.
		if t.IsZero() || tried[t.Unix()] {
			continue
		}
		tried[t.Unix()] = true
		lt, lay, err := Layout(ctx, c, r, "", s, t)
		if err != nil {
			return nil, err
		}
		if ok, err := same(lay); ok || err != nil {
			return lay, err
		}
		for _, at := range stamped {
			st, err := hdr.Stamp(r, lay, lt.PageLabel, at)
			if err != nil {
				return nil, err
			}
			if ok, err := same(st); ok || err != nil {
				return st, err
			}
		}
	}
	return nil, fmt.Errorf("%w (sha256 %.12s…)", ErrChanged, sub.DocSHA256)
}
