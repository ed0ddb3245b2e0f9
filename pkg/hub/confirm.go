package hub

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/faxjam/faxjam/pkg/journal"
)

// E-mail confirmation (double opt-in), when Config.Confirm is set:
//
//   - An action must carry an e-mail. It is stored Unconfirmed: nothing is
//     faxed or petitioned for it. The hub mails the address a link,
//     PublicURL/v1/confirm/{id}?t=TOKEN (TOKEN: 128 bits of HMAC under the
//     hub's secret, so nothing per token is stored).
//   - GET on the link only shows a page with a button; the button POSTs the
//     token back, and only the POST confirms. Mail scanners that follow
//     links therefore neither confirm the action nor use up its token.
//   - An action not confirmed within ConfirmWithin (default 48 h) expires:
//     its personal data is deleted, only the count remains.
//   - One address confirms one action per campaign: a second one is
//     refused (409).
//   - The organizer's privacy notice (Config.PrivacyNotice) is in the mail
//     and on the confirmation page.

// Mailer sends one plain-text mail (pkg/gateway/smtp.Mailer).
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// DefaultConfirmWithin is how long an action may wait for its confirmation.
const DefaultConfirmWithin = 48 * time.Hour

func (h *Hub) confirmWithin() time.Duration {
	if h.cfg.ConfirmWithin > 0 {
		return h.cfg.ConfirmWithin
	}
	return DefaultConfirmWithin
}

// confirmToken is the confirmation token of action id.
func (h *Hub) confirmToken(id string) string {
	m := hmac.New(sha256.New, h.secret)
	io.WriteString(m, "faxjam confirm\x00"+id)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}

// SetPublicURL sets the base of the confirmation links (the URL the hub
// is reached at) when Config.PublicURL was not given.
func (h *Hub) SetPublicURL(u string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.cfg.PublicURL == "" {
		h.cfg.PublicURL = u
	}
}

func (h *Hub) confirmLink(id string) string {
	h.mu.Lock()
	base := strings.TrimSuffix(h.cfg.PublicURL, "/")
	h.mu.Unlock()
	return base + "/v1/confirm/" + url.PathEscape(id) + "?t=" + h.confirmToken(id)
}

// mailConfirmation mails the link for an unconfirmed action.
func (h *Hub) mailConfirmation(ctx context.Context, a journal.Action, s journal.Submission) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Hello %s,\n\n", s.Name)
	fmt.Fprintf(&b, "someone (we hope you) asked to send a letter for the campaign\n\"%s\" with this address.\n\n", h.c.Title)
	fmt.Fprintf(&b, "Nothing is faxed until you confirm. Open this link and press the button:\n\n%s\n\n", h.confirmLink(a.ID))
	fmt.Fprintf(&b, "If it was not you, do nothing: the action expires in %s and what was given is deleted.\n",
		strings.TrimSuffix(h.confirmWithin().Round(time.Hour).String(), "0m0s"))
	if h.cfg.PrivacyNotice != "" {
		fmt.Fprintf(&b, "\n-- \n%s\n", strings.TrimSpace(h.cfg.PrivacyNotice))
	}
	if h.c.Contact != "" {
		fmt.Fprintf(&b, "\nQuestions: %s\n", h.c.Contact)
	}
	subject := "Please confirm your letter: " + h.c.Title
	if len([]rune(subject)) > 78 {
		subject = string([]rune(subject)[:77]) + "…"
	}
	return h.cfg.Confirm.Send(ctx, s.Email, subject, b.String())
}

var confirmPage = template.Must(template.New("confirm").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>{{.Heading}}</title></head>
<body><main>
<h1>{{.Heading}}</h1>
<p>{{.Text}}</p>
{{if .Token}}<form method="post" action="{{.Action}}">
<input type="hidden" name="t" value="{{.Token}}">
<button type="submit">Confirm my letter</button>
</form>{{end}}
{{if .Notice}}<section aria-label="Privacy notice"><h2>Privacy</h2><p style="white-space: pre-line">{{.Notice}}</p></section>{{end}}
</main></body></html>
`))

type confirmView struct {
	Heading, Text, Action, Token, Notice string
}

func (h *Hub) writeConfirmPage(w http.ResponseWriter, status int, v confirmView) {
	v.Notice = h.cfg.PrivacyNotice
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
	w.WriteHeader(status)
	confirmPage.Execute(w, v)
}

// confirm is GET (the page with the button: changes nothing) and POST (the
// button: confirms) of /v1/confirm/{id}.
func (h *Hub) confirm(w http.ResponseWriter, r *http.Request) {
	if h.cfg.Confirm == nil {
		writeError(w, http.StatusNotFound, "", "this hub does not confirm actions by e-mail")
		return
	}
	id := r.PathValue("id")
	var token string
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		token = r.URL.Query().Get("t")
	case http.MethodPost:
		r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
		if err := r.ParseForm(); err != nil {
			h.writeConfirmPage(w, http.StatusBadRequest, confirmView{Heading: "Not confirmed", Text: "The form could not be read; open the link in the mail again."})
			return
		}
		token = r.PostForm.Get("t")
	default:
		methodNotAllowed(w, r, http.MethodGet, http.MethodPost)
		return
	}
	if subtle.ConstantTimeCompare([]byte(token), []byte(h.confirmToken(id))) != 1 {
		h.writeConfirmPage(w, http.StatusNotFound, confirmView{Heading: "Link not valid", Text: "This confirmation link is not valid. Open the link exactly as it is in the mail."})
		return
	}
	a, s, err := h.j.Action(r.Context(), id)
	if errors.Is(err, journal.ErrNotFound) || err == nil && a.Campaign != h.c.ID {
		h.writeConfirmPage(w, http.StatusNotFound, confirmView{Heading: "Link not valid", Text: "There is no such action (it may have been deleted)."})
		return
	}
	if err != nil {
		h.writeConfirmPage(w, http.StatusServiceUnavailable, confirmView{Heading: "Try again", Text: "The action cannot be read now; open the link again in a moment."})
		return
	}
	if r.Method != http.MethodPost {
		v := confirmView{Heading: "Confirm your letter", Action: "/v1/confirm/" + url.PathEscape(id), Token: token,
			Text: fmt.Sprintf("Press the button to send your letter for \"%s\". Nothing is sent before you do.", h.c.Title)}
		if s.State != journal.Unconfirmed {
			v = confirmView{Heading: "Nothing to confirm", Text: fmt.Sprintf("This action is %s.", s.State)}
		}
		h.writeConfirmPage(w, http.StatusOK, v)
		return
	}
	st, err := h.j.Confirm(r.Context(), s.ID, h.cfg.Now().Add(-h.confirmWithin()))
	switch {
	case errors.Is(err, journal.ErrExpired):
		h.writeConfirmPage(w, http.StatusGone, confirmView{Heading: "Too late", Text: "This action was not confirmed in time and its details have been deleted. You can take it again on the campaign's page."})
	case errors.Is(err, journal.ErrAddressUsed):
		h.writeConfirmPage(w, http.StatusConflict, confirmView{Heading: "Already confirmed", Text: "This e-mail address has already confirmed a letter for this campaign: one address confirms one letter."})
	case err != nil:
		h.writeConfirmPage(w, http.StatusServiceUnavailable, confirmView{Heading: "Try again", Text: "The confirmation could not be stored now; press the button again in a moment."})
	default:
		if st == journal.Queued {
			h.poke()
		}
		h.writeConfirmPage(w, http.StatusOK, confirmView{Heading: "Thank you", Text: "Your letter is confirmed and on its way."})
	}
}

// Expire makes the actions not confirmed within ConfirmWithin expired,
// deleting their personal data, and compacts the files when it expired
// any. It returns how many.
func (h *Hub) Expire(ctx context.Context) (int, error) {
	if h.cfg.Confirm == nil {
		return 0, nil
	}
	n, err := h.j.Expire(ctx, h.cfg.Now().Add(-h.confirmWithin()))
	if err != nil || n == 0 {
		return n, err
	}
	return n, h.compact(ctx)
}
