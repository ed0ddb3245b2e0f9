package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// The organizer's pages about people, behind the admin sign-in:
//
//	GET  /admin/people?q=TEXT          search actions by name or e-mail
//	GET  /admin/people/{id}            one person's action and its attempts
//	POST /admin/people/{id}/forget     forget them: first a question, then,
//	                                   with confirm=yes, done
//	GET  /admin/export.csv, .json      every action, for a spreadsheet
//
// No JavaScript; every form posts same-origin (CrossOriginProtection
// refuses the rest, as for pause), so they are CSRF-safe like the others.

// PersonRow is an action in the organizer's search.
type PersonRow struct {
	ID, Name, City, Country, Email, State string
	Accepted                              time.Time
}

// PersonHistory is one person's action as the organizer sees it.
type PersonHistory struct {
	PersonRow
	Note, Lang, NumberLabel, Reason string
	Attempts                        []AttemptRow
}

// AttemptRow is one try to fax a person's letter.
type AttemptRow struct {
	N                  int
	NumberLabel, State string
	Reason             string
	Started, Finished  time.Time
	FinishedKnown      bool
}

// searchLimit is the most rows a search shows.
const searchLimit = 50

type peopleView struct {
	Query   string
	Rows    []PersonRow
	More    bool // more matched than searchLimit
	Person  *PersonHistory
	Confirm bool // the question before forgetting
	Done    string
}

// signedInOr answers a request without a session as /admin does, and
// reports whether the caller may go on.
func (h *Handler) signedInOr(w http.ResponseWriter, r *http.Request) bool {
	if h.cfg.AdminToken == "" {
		http.NotFound(w, r)
		return false
	}
	if h.signedIn(r) {
		return true
	}
	v := h.newView(r, r.FormValue("ui"), "login")
	v.Status = http.StatusUnauthorized
	h.render(w, v)
	return false
}

func (h *Handler) unavailable(w http.ResponseWriter, r *http.Request, what string, err error) {
	h.log.Printf("%s: %v", what, err)
	v := h.newView(r, r.FormValue("lang"), "unavailable")
	v.Status = http.StatusServiceUnavailable
	h.render(w, v)
}

func (h *Handler) people(w http.ResponseWriter, r *http.Request) {
	if !h.signedInOr(w, r) {
		return
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	v := h.newView(r, r.URL.Query().Get("lang"), "people")
	pv := &peopleView{Query: q}
	if q != "" {
		rows, err := h.cfg.Backend.People(r.Context(), q, searchLimit+1)
		if err != nil {
			h.unavailable(w, r, "people", err)
			return
		}
		pv.More = len(rows) > searchLimit
		pv.Rows = rows[:min(len(rows), searchLimit)]
	}
	v.People = pv
	h.render(w, v)
}

func (h *Handler) person(w http.ResponseWriter, r *http.Request) {
	if !h.signedInOr(w, r) {
		return
	}
	p, err := h.cfg.Backend.Person(r.Context(), r.PathValue("id"))
	v := h.newView(r, r.URL.Query().Get("lang"), "people")
	switch {
	case errors.Is(err, ErrNotFound):
		v.Page, v.Status = "notfound", http.StatusNotFound
		h.render(w, v)
		return
	case err != nil:
		h.unavailable(w, r, "person", err)
		return
	}
	v.People = &peopleView{Person: &p}
	h.render(w, v)
}

// forget asks first (the organizer sees whom), and forgets on confirm=yes.
func (h *Handler) forget(w http.ResponseWriter, r *http.Request) {
	if !h.signedInOr(w, r) {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	_ = r.ParseForm()
	ctx, id := r.Context(), r.PathValue("id")
	p, err := h.cfg.Backend.Person(ctx, id)
	v := h.newView(r, r.PostFormValue("ui"), "people")
	switch {
	case errors.Is(err, ErrNotFound):
		v.Page, v.Status = "notfound", http.StatusNotFound
		h.render(w, v)
		return
	case err != nil:
		h.unavailable(w, r, "forget", err)
		return
	}
	if r.PostFormValue("confirm") != "yes" {
		v.People = &peopleView{Person: &p, Confirm: true}
		h.render(w, v)
		return
	}
	if err := h.cfg.Backend.Forget(ctx, id); err != nil {
		h.unavailable(w, r, "forget", err)
		return
	}
	v.People = &peopleView{Done: v.T("forgotten", p.Name)}
	h.render(w, v)
}

// release lets a held number be dialled again (the organizer looked).
func (h *Handler) release(w http.ResponseWriter, r *http.Request) {
	if !h.signedInOr(w, r) {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	_ = r.ParseForm()
	if err := h.cfg.Backend.Release(r.Context(), r.PostFormValue("number")); err != nil {
		h.unavailable(w, r, "release", err)
		return
	}
	http.Redirect(w, r, "/admin?lang="+pageLang(r, r.PostFormValue("ui")), http.StatusSeeOther)
}

func (h *Handler) export(w http.ResponseWriter, r *http.Request) {
	if !h.signedInOr(w, r) {
		return
	}
	csv := r.PathValue("format") == "export.csv"
	if !csv && r.PathValue("format") != "export.json" {
		http.NotFound(w, r)
		return
	}
	ext, ct := "json", "application/json; charset=utf-8"
	if csv {
		ext, ct = "csv", "text/csv; charset=utf-8"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", h.cfg.Campaign.ID+"-actions."+ext))
	if err := h.cfg.Backend.Export(r.Context(), w, csv); err != nil {
		h.log.Printf("export: %v", err)
		panic(http.ErrAbortHandler) // never a short file that looks whole
	}
}
