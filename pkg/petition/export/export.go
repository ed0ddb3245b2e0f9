// Package export turns the signatures a petition server collected into what
// an organizer delivers and keeps: a petition document (PDF through
// pkg/render: the campaign's appeal to the target in the target's language
// first, then the names in a paged, numbered table with the total) and CSV or
// JSON lists. Signatures come from a server's export API (URL and token) or
// from a store opened directly.
//
// The PDF carries names, cities and countries only, never emails or notes:
// it is faxed to the target. It imports campaign, letter, render,
// petition/store and httpclient; it must not import gateway, dispatch or cli
// (`faxjam petition deliver` hands the PDF to the gateway layer).
package export

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/faxjam/faxjam/pkg/campaign"
	"github.com/faxjam/faxjam/pkg/csvsafe"
	"github.com/faxjam/faxjam/pkg/httpclient"
	"github.com/faxjam/faxjam/pkg/letter"
	"github.com/faxjam/faxjam/pkg/petition"
	"github.com/faxjam/faxjam/pkg/petition/store"
	"github.com/faxjam/faxjam/pkg/render"
)

// Row is one signature as exported.
type Row struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	City    string    `json:"city"`
	Country string    `json:"country"`
	Email   string    `json:"email,omitempty"`
	Note    string    `json:"note,omitempty"`
	Created time.Time `json:"created"`
}

// FromStore reads a campaign's signatures, in the order they were given,
// from a store opened directly (faxjam petition export --db).
func FromStore(ctx context.Context, st store.Store, campaignID string) ([]Row, error) {
	var rows []Row
	err := st.Each(ctx, campaignID, func(s store.Signature) error {
		rows = append(rows, Row{ID: s.ID, Name: s.Name, City: s.City, Country: s.Country, Email: s.Email, Note: s.Note, Created: s.Created})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	return rows, nil
}

// FromServer reads a campaign's signatures from a faxjam petition server's
// export API: GET {base}/v1/campaigns/{id}/signatures with "Authorization:
// Bearer token". base is the server's URL (https://host[/prefix]); a token
// in its user information is used when token is "". hc may be nil. Failures
// are *petition.Error (a wrong token is Auth). The list is streamed, so its
// size is not bounded by httpclient.MaxBody.
func FromServer(ctx context.Context, base, token, campaignID string, hc *httpclient.Client) ([]Row, error) {
	if hc == nil {
		hc = httpclient.New(nil, "")
	}
	u, err := url.Parse(strings.TrimSpace(base))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("export: server URL: want https://host[/prefix]")
	}
	if token == "" {
		token = u.User.Username()
	}
	u.User = nil
	u.RawQuery = ""
	where := strings.TrimRight(u.String(), "/") + "/v1/campaigns/" + url.PathEscape(campaignID) + "/signatures"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, where, nil)
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	req.Header.Set("User-Agent", hc.UserAgent)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := hc.HTTP.Do(req)
	if err != nil {
		// Wrap as httpclient does, so the classification is the shared one.
		he := &httpclient.Error{Method: "GET", URL: where, Err: err}
		var ne interface{ Timeout() bool }
		he.Timeout = errors.As(err, &ne) && ne.Timeout()
		return nil, petition.FromHTTP("faxjam", "export", he)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		return nil, petition.FromHTTP("faxjam", "export", &httpclient.Error{
			Method: "GET", URL: where, StatusCode: resp.StatusCode, Body: body,
			Message:    httpclient.Message(body),
			RetryAfter: httpclient.RetryAfter(resp.Header.Get("Retry-After"), time.Now()),
		})
	}
	var rows []Row
	if err := json.NewDecoder(resp.Body).Decode(&rows); err != nil {
		return nil, &petition.Error{Driver: "faxjam", Op: "export", Retryable: true, Message: "malformed or cut-off list of signatures: " + err.Error(), Err: err}
	}
	return rows, nil
}

// WriteCSV writes rows as CSV with a header. Emails and notes are included
// only when private is true (a list for the organizer, not for the target).
// Values are spreadsheet-safe (csvsafe) unless raw.
func WriteCSV(w io.Writer, rows []Row, private, raw bool) error {
	cw := csvsafe.NewWriter(w, raw)
	header := []string{"n", "name", "city", "country"}
	if private {
		header = append(header, "email", "note", "id", "created")
	}
	cw.Write(header)
	for i, r := range rows {
		rec := []string{strconv.Itoa(i + 1), r.Name, r.City, r.Country}
		if private {
			rec = append(rec, r.Email, r.Note, r.ID, r.Created.UTC().Format(time.RFC3339))
		}
		cw.Write(rec)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("export: csv: %w", err)
	}
	return nil
}

// WriteJSON writes rows as one JSON array; emails and notes only when
// private is true.
func WriteJSON(w io.Writer, rows []Row, private bool) error {
	out := rows
	if !private {
		out = make([]Row, len(rows))
		for i, r := range rows {
			out[i] = Row{ID: r.ID, Name: r.Name, City: r.City, Country: r.Country, Created: r.Created}
		}
	}
	if out == nil {
		out = []Row{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("export: json: %w", err)
	}
	return nil
}

// Options shape the petition document.
type Options struct {
	// Lang is the document's language; "" means the campaign's target
	// language (its first).
	Lang string
	// Date printed under the addressee, in Lang; zero prints none (and keeps
	// the document byte-identical for the same signatures).
	Date time.Time
	// Paper is "a4" (default) or "letter"; ExtraFont is a .ttf for the
	// characters the Go fonts lack (names in scripts they do not cover).
	Paper     string
	ExtraFont []byte
	// Appeal replaces the campaign's title and asks (by default its text
	// in Lang: campaign.Text).
	Appeal *Appeal
	// TIFF also renders the pages as TIFF class F (G3, 2-D), for gateways
	// that transmit fax images (HylaFAX).
	TIFF bool
}

// Appeal is what the petition asks of the target.
type Appeal struct {
	Title string
	Asks  []string
}

// Document is a rendered petition.
type Document struct {
	PDF        []byte
	TIFF       []byte // only with Options.TIFF
	Pages      int
	Signatures int
	Lang       string
	// Untranslated names the parts of the campaign's text (title, asks)
	// that the campaign has no translation into Lang for, so the document
	// carries them in its main language; the caller warns.
	Untranslated []string
}

// PDF lays out the petition, every word in one language (the target's
// unless Options.Lang): the appeal to the target (title, addressee, a
// paragraph, the asks, from campaign.Text), then the
// signatures in a table (number, name, city, country) repeated across pages
// with its header, the total, and "page x of y" on every page. A character
// the fonts cannot draw is an error naming it and the row it is in.
func PDF(c *campaign.Campaign, rows []Row, opts Options) (Document, error) {
	if c == nil {
		return Document{}, errors.New("export: no campaign")
	}
	lang := opts.Lang
	if lang == "" {
		lang = c.TargetLanguage()
	}
	w, err := wordsFor(lang)
	if err != nil {
		return Document{}, err
	}
	text := c.Text(lang)
	appeal := Appeal{Title: text.Title, Asks: text.Asks}
	var mixed []string
	if opts.Appeal != nil {
		appeal = *opts.Appeal
	} else {
		mixed = c.Untranslated(lang, "title", "asks")
	}
	countries := map[string]bool{}
	for _, r := range rows {
		countries[strings.ToLower(strings.Join(strings.Fields(r.Country), " "))] = true
	}
	var blocks []render.Block
	blocks = append(blocks, render.Heading{Text: appeal.Title, Size: 16})
	if to := addressee(c.Target); to != "" {
		blocks = append(blocks, render.Paragraph{Text: w.to + " " + to})
	}
	if !opts.Date.IsZero() {
		blocks = append(blocks, render.Paragraph{Text: letter.FormatDate(lang, opts.Date)})
	}
	blocks = append(blocks, render.Paragraph{Text: w.intro(len(rows), len(countries), appeal.Title, c.Organizer, len(appeal.Asks) > 0)})
	for _, a := range appeal.Asks {
		blocks = append(blocks, render.Paragraph{Text: "• " + a})
	}
	blocks = append(blocks, render.Spacer{Height: 8}, render.Heading{Text: w.p.Sprintf(w.signatures, len(rows)), Size: 13})
	table := render.Table{Header: []string{w.number, w.name, w.city, w.cntr}, Widths: []float64{0.09, 0.41, 0.27, 0.23}}
	for i, r := range rows {
		table.Rows = append(table.Rows, []string{strconv.Itoa(i + 1), r.Name, r.City, r.Country})
	}
	if len(rows) > 0 {
		blocks = append(blocks, table)
	}
	blocks = append(blocks, render.Paragraph{Text: w.total(len(rows), len(countries)), Bold: true})
	footer := c.ID + " · " + w.footer
	if c.Contact != "" {
		footer += " · " + c.Contact
	}
	r, err := render.New(render.Options{Paper: opts.Paper, ExtraFont: opts.ExtraFont})
	if err != nil {
		return Document{}, fmt.Errorf("export: %w", err)
	}
	lay, err := r.Document(render.Doc{Blocks: blocks, Footer: footer, PageLabel: w.page, Lang: lang})
	if err != nil {
		var ge *render.GlyphError
		if errors.As(err, &ge) {
			return Document{}, glyphError(ge, rows)
		}
		return Document{}, fmt.Errorf("export: lay out the petition: %w", err)
	}
	var buf bytes.Buffer
	if err := r.PDF(lay, &buf); err != nil {
		return Document{}, fmt.Errorf("export: write the PDF: %w", err)
	}
	doc := Document{PDF: buf.Bytes(), Pages: lay.Pages(), Signatures: len(rows), Lang: lang, Untranslated: mixed}
	if opts.TIFF {
		var tb bytes.Buffer
		if err := r.TIFF(lay, &tb, render.TIFFOptions{TwoD: true}); err != nil {
			return Document{}, fmt.Errorf("export: write the TIFF: %w", err)
		}
		doc.TIFF = tb.Bytes()
	}
	return doc, nil
}

// glyphError says which signature holds the character the fonts lack (or
// cannot shape); the render error says what and how to fix it.
func glyphError(ge *render.GlyphError, rows []Row) error {
	for i, r := range rows {
		for _, f := range [...]struct{ field, v string }{{"name", r.Name}, {"city", r.City}, {"country", r.Country}} {
			if strings.ContainsRune(f.v, ge.Rune) {
				return fmt.Errorf("export: signature %d: the %s: %w", i+1, f.field, ge)
			}
		}
	}
	return fmt.Errorf("export: %w", ge)
}

// addressee is the target as the bundled letters address them: name and
// organization. The target's title is left out: campaigns write it in their
// main language (the bundled one in English), not necessarily the target's.
func addressee(t campaign.Target) string {
	var parts []string
	for _, s := range []string{t.Name, t.Organization} {
		if s = strings.TrimSpace(s); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ", ")
}
