package hub

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/faxjam/faxjam/pkg/campaignrun"
	"github.com/faxjam/faxjam/pkg/letter"
	"github.com/faxjam/faxjam/pkg/render"
)

// ErrNoFax says an action has no faxed page to show (Reason says why).
type ErrNoFax struct{ Reason string }

func (e *ErrNoFax) Error() string { return e.Reason }

// FaxPNG is page (1-based) of the fax sent for an action, for the holder
// of its receipt, drawn again from the journal: the renderer is
// deterministic, and the document's SHA-256 recorded with the attempt
// proves it is the page that was faxed. ErrNotFound for a wrong receipt;
// *ErrNoFax when nothing was faxed yet or the campaign's letter changed.
func (h *Hub) FaxPNG(ctx context.Context, id, receipt string, page int) ([]byte, error) {
	_, s, err := h.held(ctx, id, receipt)
	if err != nil {
		return nil, err
	}
	if s.DocSHA256 == "" {
		return nil, &ErrNoFax{"not faxed yet: the action is " + string(s.State)}
	}
	atts, err := h.j.Attempts(ctx, s.ID)
	if err != nil {
		return nil, err
	}
	lay, err := campaignrun.Sent(ctx, h.c, h.cfg.Renderer, h.header, s, atts)
	switch {
	case errors.Is(err, campaignrun.ErrChanged):
		return nil, &ErrNoFax{"the campaign's letter changed since this fax was sent: the hub cannot show the exact page"}
	case err != nil:
		return nil, &ErrNoFax{"the letter cannot be drawn: " + err.Error()}
	}
	return h.pagePNG(lay, page)
}

// Preview is the first page the hub would fax for s now: the same
// composer and renderer as the fax. Bad input is a *letter.FieldErrors.
func (h *Hub) Preview(ctx context.Context, s letter.Signer) ([]byte, error) {
	s = letter.Normalize(s)
	if err := letter.ValidateSigner(s, h.c.RequireNote); err != nil {
		return nil, err
	}
	_, lay, err := campaignrun.Layout(ctx, h.c, h.cfg.Renderer, "", s, h.cfg.Now())
	if err != nil {
		return nil, &ErrNoFax{"the letter cannot be drawn: " + err.Error()}
	}
	return h.pagePNG(lay, 1)
}

// pagePNG draws page n (1-based) of a laid-out letter as PNG.
func (h *Hub) pagePNG(lay *render.Layout, n int) ([]byte, error) {
	if n < 1 || n > lay.Pages() {
		return nil, &PageError{Pages: lay.Pages()}
	}
	var png bytes.Buffer
	if err := h.cfg.Renderer.PNG(lay, n-1, &png); err != nil {
		return nil, err
	}
	return png.Bytes(), nil
}

// PageError is a page number the fax does not have.
type PageError struct{ Pages int }

func (e *PageError) Error() string { return fmt.Sprintf("page: the fax has %d page(s)", e.Pages) }

func (h *Hub) faxPNG(w http.ResponseWriter, r *http.Request) {
	id, receipt, ok := heldRequest(w, r)
	if !ok {
		return
	}
	page := 1
	if v := r.URL.Query().Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			writeError(w, http.StatusBadRequest, "page", "page: want a page number, 1 or more")
			return
		}
		page = n
	}
	b, err := h.FaxPNG(r.Context(), id, receipt, page)
	var nf *ErrNoFax
	var pe *PageError
	switch {
	case errors.As(err, &nf):
		writeError(w, http.StatusConflict, "", nf.Reason)
		return
	case errors.As(err, &pe):
		writeError(w, http.StatusBadRequest, "page", pe.Error())
		return
	case err != nil:
		heldError(w, err)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "private, max-age=3600")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(b)
}
