package hub

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
)

// faxPNG answers the page that was faxed for an action, drawn again from
// the journal: the renderer is deterministic, and the document's SHA-256
// recorded with the attempt proves it is the same page.
func (h *Hub) faxPNG(w http.ResponseWriter, r *http.Request) {
	_, s, ok := h.held(w, r)
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
	if s.DocSHA256 == "" {
		writeError(w, http.StatusConflict, "", "not faxed yet: the action is "+string(s.State))
		return
	}
	lay, err := h.layout(s)
	if err != nil {
		writeError(w, http.StatusConflict, "", "the letter cannot be drawn again: "+err.Error())
		return
	}
	var pdf bytes.Buffer
	if err := h.cfg.Renderer.PDF(lay, &pdf); err != nil {
		writeError(w, http.StatusConflict, "", "the letter cannot be drawn again")
		return
	}
	if sum := sha256.Sum256(pdf.Bytes()); hex.EncodeToString(sum[:]) != s.DocSHA256 {
		writeError(w, http.StatusConflict, "", "the campaign's letter changed since this fax was sent: the hub cannot show the exact page")
		return
	}
	if page > lay.Pages() {
		writeError(w, http.StatusBadRequest, "page", "page: the fax has "+strconv.Itoa(lay.Pages())+" page(s)")
		return
	}
	var png bytes.Buffer
	if err := h.cfg.Renderer.PNG(lay, page-1, &png); err != nil {
		writeError(w, http.StatusConflict, "", "the page cannot be drawn")
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "private, max-age=3600")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(png.Bytes())
}
