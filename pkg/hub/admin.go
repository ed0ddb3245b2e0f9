package hub

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/faxjam/faxjam/pkg/csvsafe"
	"github.com/faxjam/faxjam/pkg/journal"
	"github.com/faxjam/faxjam/pkg/petition/server"
)

// admin answers 401 unless the request carries the admin token.
func (h *Hub) admin(w http.ResponseWriter, r *http.Request) bool {
	if server.Authorized(r, h.cfg.Token) {
		return true
	}
	w.Header().Set("WWW-Authenticate", `Bearer realm="faxjam hub"`)
	msg := "this needs the hub's admin token: Authorization: Bearer TOKEN"
	if h.cfg.Token == "" {
		msg = "this hub was started without an admin token, so its admin API is closed"
	}
	writeError(w, http.StatusUnauthorized, "", msg)
	return false
}

func (h *Hub) pause(paused bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			methodNotAllowed(w, r, http.MethodPost)
			return
		}
		if !h.ours(w, r) || !h.admin(w, r) {
			return
		}
		if err := h.SetPaused(r.Context(), paused); err != nil {
			writeError(w, http.StatusServiceUnavailable, "", "could not record the pause now; try again")
			return
		}
		h.lines.mu.Lock()
		h.lines.at = time.Time{}
		h.lines.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"campaign": h.c.ID, "paused": paused})
	}
}

// ExportRow is one action as the admin export gives it.
type ExportRow struct {
	ID          string        `json:"id"`
	State       journal.State `json:"state"`
	Name        string        `json:"name"`
	City        string        `json:"city"`
	Country     string        `json:"country"`
	Email       string        `json:"email,omitempty"`
	Note        string        `json:"note,omitempty"`
	Lang        string        `json:"lang,omitempty"`
	NumberLabel string        `json:"number_label,omitempty"`
	Attempts    int           `json:"attempts"`
	Reason      string        `json:"reason,omitempty"`
	Accepted    time.Time     `json:"accepted"`
	Updated     time.Time     `json:"updated"`
}

func (h *Hub) export(w http.ResponseWriter, r *http.Request) {
	if !h.ours(w, r) || !h.admin(w, r) {
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	csv := strings.Contains(r.Header.Get("Accept"), "text/csv")
	if csv {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", h.c.ID+"-actions.csv"))
	} else {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
	}
	if err := h.Export(r.Context(), w, csv, r.URL.Query().Get("raw") == "1"); err != nil {
		panic(http.ErrAbortHandler) // never a short list that looks whole
	}
}

// Export writes every action of the campaign as CSV (every field quoted;
// raw leaves formulas as they are) or as a JSON array: the API's export
// and the admin page's.
func (h *Hub) Export(ctx context.Context, w io.Writer, csv, raw bool) error {
	rows := h.j.Actions(ctx, h.c.ID)
	if csv {
		cw := csvsafe.NewWriter(w, raw)
		cw.Write([]string{"id", "state", "name", "city", "country", "email", "note", "lang", "number_label", "attempts", "reason", "accepted", "updated"})
		for row, err := range rows {
			if err != nil {
				return err
			}
			e := h.exportRow(row)
			rec := []string{e.ID, string(e.State), e.Name, e.City, e.Country, e.Email, e.Note, e.Lang, e.NumberLabel,
				strconv.Itoa(e.Attempts), e.Reason, e.Accepted.Format(time.RFC3339), e.Updated.Format(time.RFC3339)}
			cw.Write(rec)
		}
		cw.Flush()
		return cw.Error()
	}
	enc := json.NewEncoder(w)
	sep := "["
	for row, err := range rows {
		if err != nil {
			return err
		}
		if _, err := io.WriteString(w, sep); err != nil {
			return err
		}
		sep = ","
		if err := enc.Encode(h.exportRow(row)); err != nil {
			return err
		}
	}
	if sep == "[" {
		_, err := io.WriteString(w, "[]\n")
		return err
	}
	_, err := io.WriteString(w, "]\n")
	return err
}

func (h *Hub) exportRow(row journal.ActionRow) ExportRow {
	s := row.Submission
	return ExportRow{ID: row.Action.ID, State: s.State, Name: s.Name, City: s.City, Country: s.Country, Email: s.Email,
		Note: s.Note, Lang: s.Lang, NumberLabel: h.label(s.Number), Attempts: s.Attempts, Reason: s.Reason,
		Accepted: row.Action.Created, Updated: s.Updated}
}

// Summary is GET /v1/campaigns/{id}: what a signing page shows, and the
// petition API's {id, title, signatures}.
type Summary struct {
	ID         string   `json:"id"`
	Title      string   `json:"title"`
	Summary    string   `json:"summary,omitempty"`
	Facts      []string `json:"facts,omitempty"`
	Asks       []string `json:"asks,omitempty"`
	Target     string   `json:"target,omitempty"`
	Languages  []string `json:"languages,omitempty"`
	Signatures int      `json:"signatures"`
	Actions    bool     `json:"actions"` // the hub faxes actions (it has a gateway)
	Ends       string   `json:"ends,omitempty"`
}

// Listing is the answer of GET /v1/campaigns: the campaigns the hub
// serves, so a client that knows only the hub's address can find them.
type Listing struct {
	Campaigns []Listed `json:"campaigns"`
}

// Listed is one campaign of a Listing.
type Listed struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

func (h *Hub) campaigns(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, Listing{Campaigns: []Listed{{ID: h.c.ID, Title: h.c.Title}}})
}

func (h *Hub) campaignSummary(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		methodNotAllowed(w, r, http.MethodGet)
		return
	}
	if !h.ours(w, r) {
		return
	}
	n, err := h.ps.Signatures(r.Context(), h.c.ID)
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, "", "cannot count the signatures now; try again")
		return
	}
	c := h.c
	target := strings.TrimSpace(strings.Join([]string{c.Target.Name, c.Target.Title}, ", "))
	writeJSON(w, http.StatusOK, Summary{ID: c.ID, Title: c.Title, Summary: c.Summary, Facts: c.Facts, Asks: c.Asks,
		Target: strings.Trim(target, ", "), Languages: c.Languages.Codes(), Signatures: n, Actions: h.cfg.Gateway != nil, Ends: c.Ends})
}
