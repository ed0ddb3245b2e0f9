package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"
)

const (
	adminCookie  = "faxjam_admin"
	adminSession = 12 * time.Hour
)

type adminView struct {
	AdminView
	Lines *Lines
	Chart template.HTML
	Hours []hourRow
}

// session is the admin cookie's value: an expiry, a random session id and
// their HMAC under the admin token, so the cookie never holds the token,
// every hub behind a load balancer accepts it, and changing the token
// signs everyone out. Signing out revokes the id in the journal
// (Backend.RevokeSession), so a copy of the cookie is refused from then
// on, by every hub, after a restart too.
func (h *Handler) session(expiry time.Time, id string) string {
	exp := strconv.FormatInt(expiry.Unix(), 10)
	m := hmac.New(sha256.New, []byte(h.cfg.AdminToken))
	m.Write([]byte("faxjam-admin-session|" + exp + "|" + id))
	return exp + "." + id + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// sessionID reads a well-signed, unexpired admin cookie: its id.
func (h *Handler) sessionID(r *http.Request) (string, bool) {
	c, err := r.Cookie(adminCookie)
	if err != nil || h.cfg.AdminToken == "" {
		return "", false
	}
	parts := strings.Split(c.Value, ".")
	if len(parts) != 3 {
		return "", false
	}
	n, err := strconv.ParseInt(parts[0], 10, 64)
	if err != nil || time.Unix(n, 0).Before(h.cfg.Now()) {
		return "", false
	}
	if !hmac.Equal([]byte(c.Value), []byte(h.session(time.Unix(n, 0), parts[1]))) {
		return "", false
	}
	return parts[1], true
}

func (h *Handler) signedIn(r *http.Request) bool {
	id, ok := h.sessionID(r)
	if !ok {
		return false
	}
	revoked, err := h.cfg.Backend.Revoked(r.Context(), id)
	if err != nil {
		h.log.Printf("admin session: %v", err)
		return false // not known to be valid: signed out
	}
	return !revoked
}

func (h *Handler) setSession(w http.ResponseWriter, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: adminCookie, Value: value, Path: "/admin", MaxAge: maxAge,
		HttpOnly: true, Secure: h.cfg.Secure, SameSite: http.SameSiteStrictMode})
}

func (h *Handler) admin(w http.ResponseWriter, r *http.Request) {
	if h.cfg.AdminToken == "" {
		http.NotFound(w, r)
		return
	}
	v := h.newView(r, r.URL.Query().Get("lang"), "login")
	if !h.signedIn(r) {
		h.render(w, v)
		return
	}
	ctx := r.Context()
	a, err := h.cfg.Backend.Admin(ctx)
	if err != nil {
		h.log.Printf("admin: %v", err)
		v.Page, v.Status = "unavailable", http.StatusServiceUnavailable
		h.render(w, v)
		return
	}
	av := &adminView{AdminView: a}
	if l, err := h.cfg.Backend.Lines(ctx); err == nil {
		av.Lines = &l // its paused flag may be a second old; AdminView's is not
	} else {
		h.log.Printf("admin lines: %v", err)
	}
	av.Chart, av.Hours = chart(a.PerHour, a.Start, tr(v.Lang, "chart_desc", sum(a.PerHour), maxOf(a.PerHour)))
	v.Page, v.Admin = "admin", av
	h.render(w, v)
}

func (h *Handler) adminLogin(w http.ResponseWriter, r *http.Request) {
	if h.cfg.AdminToken == "" {
		http.NotFound(w, r)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	_ = r.ParseForm() // a body too large leaves the token empty: refused below
	ui := r.PostFormValue("ui")
	if subtle.ConstantTimeCompare([]byte(r.PostFormValue("token")), []byte(h.cfg.AdminToken)) != 1 {
		v := h.newView(r, ui, "login")
		v.Errors = []fieldError{{Field: "token", Label: v.T("token"), Message: v.T("err_token")}}
		v.Status = http.StatusUnauthorized
		h.render(w, v)
		return
	}
	var id [16]byte
	rand.Read(id[:])
	h.setSession(w, h.session(h.cfg.Now().Add(adminSession), base64.RawURLEncoding.EncodeToString(id[:])), int(adminSession/time.Second))
	http.Redirect(w, r, "/admin?lang="+pageLang(r, ui), http.StatusSeeOther)
}

func (h *Handler) adminLogout(w http.ResponseWriter, r *http.Request) {
	if id, ok := h.sessionID(r); ok {
		if err := h.cfg.Backend.RevokeSession(r.Context(), id); err != nil {
			h.log.Printf("sign out: %v", err)
			v := h.newView(r, r.PostFormValue("ui"), "unavailable")
			v.Status = http.StatusServiceUnavailable
			h.render(w, v)
			return
		}
	}
	h.setSession(w, "", -1)
	http.Redirect(w, r, "/admin?lang="+pageLang(r, r.PostFormValue("ui")), http.StatusSeeOther)
}

func (h *Handler) adminPause(paused bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !h.signedIn(r) {
			if h.cfg.AdminToken == "" {
				http.NotFound(w, r)
				return
			}
			v := h.newView(r, r.PostFormValue("ui"), "login")
			v.Status = http.StatusUnauthorized
			h.render(w, v)
			return
		}
		if err := h.cfg.Backend.Pause(r.Context(), paused); err != nil {
			h.log.Printf("pause(%v): %v", paused, err)
			v := h.newView(r, r.PostFormValue("ui"), "unavailable")
			v.Status = http.StatusServiceUnavailable
			h.render(w, v)
			return
		}
		http.Redirect(w, r, "/admin?lang="+pageLang(r, r.PostFormValue("ui")), http.StatusSeeOther)
	}
}

func sum(xs []int) int {
	n := 0
	for _, x := range xs {
		n += x
	}
	return n
}

func maxOf(xs []int) int {
	m := 0
	for _, x := range xs {
		m = max(m, x)
	}
	return m
}
