package web

import (
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/faxjam/faxjam/pkg/campaign"
	"github.com/faxjam/faxjam/pkg/letter"
)

//go:embed templates/*.html static/*
var assets embed.FS

// Handler serves the pages. Build it with New.
type Handler struct {
	cfg    Config
	mux    *http.ServeMux
	pages  map[string]*template.Template
	csp    string
	static http.Handler
	served http.Handler // mux behind CrossOriginProtection
	log    *log.Logger
}

// New checks cfg and builds the handler.
func New(cfg Config) (*Handler, error) {
	if cfg.Campaign == nil || cfg.Backend == nil {
		return nil, errors.New("web: a campaign and a backend are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.RefreshSeconds <= 0 {
		cfg.RefreshSeconds = 5
	}
	ancestors := "'none'"
	if len(cfg.EmbedOrigins) > 0 {
		for _, o := range cfg.EmbedOrigins {
			if err := CheckOrigin(o); err != nil {
				return nil, fmt.Errorf("web: embed origin %q: %w", o, err)
			}
		}
		ancestors = strings.Join(cfg.EmbedOrigins, " ")
	}
	h := &Handler{
		cfg: cfg,
		mux: http.NewServeMux(),
		// No script at all; styles and images from this origin only (the
		// preview is a data: image); forms post here only.
		csp: "default-src 'none'; script-src 'none'; style-src 'self'; img-src 'self' data:; " +
			"form-action 'self'; base-uri 'none'; frame-ancestors " + ancestors,
		log: log.New(log.Writer(), "web: ", log.LstdFlags),
	}
	if err := h.parse(); err != nil {
		return nil, err
	}
	static, _ := fs.Sub(assets, "static")
	h.static = http.StripPrefix("/static/", http.FileServerFS(static))

	h.mux.HandleFunc("GET /{$}", h.home)
	h.mux.HandleFunc("POST /preview", h.preview)
	h.mux.HandleFunc("POST /act", h.act)
	h.mux.HandleFunc("GET /r/{id}", h.receipt)
	h.mux.HandleFunc("GET /r/{id}/fax.png", h.faxPNG)
	h.mux.HandleFunc("GET /static/", h.serveStatic)
	h.mux.HandleFunc("GET /admin", h.admin)
	h.mux.HandleFunc("POST /admin/login", h.adminLogin)
	h.mux.HandleFunc("POST /admin/logout", h.adminLogout)
	h.mux.HandleFunc("POST /admin/pause", h.adminPause(true))
	h.mux.HandleFunc("POST /admin/resume", h.adminPause(false))
	h.mux.HandleFunc("GET /admin/people", h.people)
	h.mux.HandleFunc("GET /admin/people/{id}", h.person)
	h.mux.HandleFunc("POST /admin/people/{id}/forget", h.forget)
	h.mux.HandleFunc("GET /admin/{format}", h.export)
	h.mux.HandleFunc("POST /admin/release", h.release)
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(h.crossOrigin))
	h.served = cop.Handler(h.mux)
	return h, nil
}

// Patterns are the paths the handler serves, for a server that mounts it
// beside an API of its own (the hub) and keeps its own answer elsewhere.
func (h *Handler) Patterns() []string {
	return []string{"/{$}", "/preview", "/act", "/r/{id}", "/r/{id}/fax.png", "/static/", "/admin", "/admin/{op}", "/admin/people/{id}", "/admin/people/{id}/{op}"}
}

// CheckOrigin accepts a scheme://host[:port] origin and nothing more (a
// path or wildcard in frame-ancestors would widen it past one site).
func CheckOrigin(o string) error {
	u, err := url.Parse(o)
	if err != nil {
		return err
	}
	if u.Scheme != "https" && u.Scheme != "http" || u.Host == "" || u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil || strings.ContainsAny(u.Host, "*; '") {
		return errors.New("want an origin such as https://partner.example")
	}
	return nil
}

// ServeHTTP sets the security headers, refuses cross-origin POSTs and
// routes.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", h.csp)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	if len(h.cfg.EmbedOrigins) == 0 {
		hd.Set("X-Frame-Options", "DENY")
	}
	h.served.ServeHTTP(w, r)
}

func (h *Handler) serveStatic(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "public, max-age=3600")
	h.static.ServeHTTP(w, r)
}

// view is what every template gets.
type view struct {
	Lang       string // the page's language
	Title      string
	Page       string // template name
	LangLinks  []langLink
	C          contentView
	Lines      *linesView
	Form       form
	Errors     []fieldError
	FormError  string // an error that belongs to no field
	Letters    []langLink
	TargetLang string // the name of the language the letter is faxed in
	Closed     bool   // the campaign takes no more actions: no form
	Rehearsal  bool   // Config.Rehearsal
	// EmailRequired: the hub confirms each action by e-mail.
	EmailRequired bool
	// LetterLang and LetterText are the letter in the page's language, when
	// the campaign has one and faxes another: what the person signs.
	LetterLang string
	LetterText []string
	// SampleLang and SampleText are the letter as the form page shows it
	// before anything is typed.
	SampleLang string
	SampleText []string
	Preview    template.URL
	PreviewAlt string
	PreviewW   int
	PreviewH   int
	Receipt    *receiptView
	Admin      *adminView
	People     *peopleView // people.go
	Status     int
	h          *Handler
}

type langLink struct {
	Code, Name string
	Current    bool
}

// contentView is the campaign's text in the page's language where the
// campaign has it (campaign.Text): Lang is the main text's language (the
// target's name and office), and each part carries its own.
type contentView struct {
	campaign.Text
	Lang   string
	Target string
}

type linesView struct {
	Lines
	Total   int
	AllDown bool
	// Quiet: no line takes calls because of the target's quiet hours (or
	// the hourly cap), not because they are down; QuietIn is how long
	// until dialling starts again, in the visitor's terms (a duration: the
	// page knows nothing of the visitor's time zone), QuietUntil when.
	Quiet      bool
	QuietIn    string
	QuietUntil time.Time
}

// T translates key into the page's language.
func (v *view) T(key string, args ...any) string { return tr(v.Lang, key, args...) }

// Err is the message for field, or "".
func (v *view) Err(field string) string {
	for _, e := range v.Errors {
		if e.Field == field {
			return e.Message
		}
	}
	return ""
}

// Describe is a field's aria-describedby: its hint and its error.
func (v *view) Describe(field string, hint bool) string {
	var ids []string
	if hint {
		ids = append(ids, "h-"+field)
	}
	if v.Err(field) != "" {
		ids = append(ids, "e-"+field)
	}
	return strings.Join(ids, " ")
}

func (h *Handler) newView(r *http.Request, explicit, page string) *view {
	lang := pageLang(r, explicit)
	c := h.cfg.Campaign
	text := c.Text(lang)
	v := &view{Lang: lang, Page: page, h: h, Title: text.Title, Status: http.StatusOK, Rehearsal: h.cfg.Rehearsal,
		C: contentView{Text: text, Lang: c.MainLanguage(),
			Target: strings.TrimSpace(c.Target.Name + ", " + c.Target.Organization)},
	}
	for _, l := range pageLangs {
		v.LangLinks = append(v.LangLinks, langLink{Code: l, Name: langName(l), Current: l == lang})
	}
	return v
}

func (h *Handler) lines(r *http.Request) *linesView {
	l, err := h.cfg.Backend.Lines(r.Context())
	if err != nil {
		h.log.Printf("lines: %v", err)
		return nil
	}
	v := &linesView{Lines: l, Total: len(l.Lines)}
	if len(l.Lines) == 0 || l.Answering() > 0 {
		return v
	}
	// No line answers: quiet hours, said as such, when any line is only
	// waiting for them to end; down (the petition) when none is.
	for _, x := range l.Lines {
		if x.State == "quiet" && (v.QuietUntil.IsZero() || x.Until.Before(v.QuietUntil)) {
			v.Quiet, v.QuietUntil = true, x.Until
		}
	}
	v.AllDown = !v.Quiet
	if v.Quiet && !v.QuietUntil.IsZero() {
		v.QuietIn = roughly(v.QuietUntil.Sub(h.cfg.Now()))
	}
	return v
}

// roughly is d for a reader, to the minute: "4 h 05 min", "35 min" (the
// same in the page's five languages).
func roughly(d time.Duration) string {
	m := max(1, int((d+time.Minute-1)/time.Minute))
	if m < 60 {
		return fmt.Sprintf("%d min", m)
	}
	return fmt.Sprintf("%d h %02d min", m/60, m%60)
}

func (h *Handler) formView(r *http.Request, f form, page string) *view {
	v := h.newView(r, f.UI, page)
	if f.Lang == "" {
		f.Lang = v.Lang
	}
	if f.Key == "" || !validKey(f.Key) {
		f.Key = newKey()
	}
	f.UI = v.Lang
	v.Form = f
	for _, code := range h.langs() {
		v.Letters = append(v.Letters, langLink{Code: code, Name: langName(code), Current: code == f.Lang})
	}
	v.TargetLang = langName(h.cfg.Campaign.TargetLanguage())
	v.Closed = h.cfg.Campaign.ClosedWhy(h.cfg.Now()) != ""
	v.EmailRequired = h.cfg.EmailRequired
	v.Lines = h.lines(r)
	return v
}

func (h *Handler) home(w http.ResponseWriter, r *http.Request) {
	v := h.formView(r, form{UI: r.URL.Query().Get("lang")}, "home")
	v.SampleLang, v.SampleText = h.sample(v.Lang)
	h.render(w, v)
}

// sample is the campaign's letter for everyone to read before signing:
// in the page's language when the campaign has that letter, else in the
// language it is faxed in, signed with the form's own field names.
func (h *Handler) sample(lang string) (string, []string) {
	c := h.cfg.Campaign
	if !slices.Contains(c.Languages.Codes(), lang) {
		lang = c.TargetLanguage()
	}
	s := letter.Signer{Name: tr(lang, "name"), City: tr(lang, "city"), Country: tr(lang, "country")}
	if !slices.Contains(pageLangs, lang) {
		s = letter.Signer{Name: "…", City: "…", Country: "…"}
	}
	lt, err := letter.Compose(c, lang, s, h.cfg.Now())
	if err != nil {
		return "", nil // the preview still shows the real letter
	}
	return lang, strings.Split(lt.Body, "\n\n")
}

// post reads a form POST, or answers the error itself.
func (h *Handler) post(w http.ResponseWriter, r *http.Request) (form, bool) {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		v := h.formView(r, form{}, "home")
		v.FormError = v.T("err_too_big")
		v.Status = http.StatusRequestEntityTooLarge
		h.render(w, v)
		return form{}, false
	}
	f := readForm(r)
	if f.Honeypot != "" {
		// A bot, most likely: a clear error, nothing kept, nothing sent.
		v := h.formView(r, f, "home")
		v.Form.Honeypot = ""
		v.FormError = v.T("err_honeypot")
		v.Status = http.StatusBadRequest
		h.render(w, v)
		return form{}, false
	}
	if errs := h.check(pageLang(r, f.UI), f); len(errs) > 0 {
		v := h.formView(r, f, "home")
		v.Errors = errs
		v.Status = http.StatusBadRequest
		h.render(w, v)
		return form{}, false
	}
	return f, true
}

func (h *Handler) preview(w http.ResponseWriter, r *http.Request) {
	f, ok := h.post(w, r)
	if !ok {
		return
	}
	png, err := h.cfg.Backend.Preview(r.Context(), f.signer())
	if h.backendError(w, r, f, err) {
		return
	}
	v := h.formView(r, f, "home")
	v.Preview = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))
	v.PreviewAlt = v.T("preview_alt", letter.Normalize(f.signer()).Name)
	v.PreviewW, v.PreviewH = pngSize(png)
	v.LetterLang, v.LetterText = h.translation(v.Lang, f)
	h.render(w, v)
}

// translation is the letter's text in the page's language, as paragraphs,
// when the campaign has a letter in it other than the one it faxes.
func (h *Handler) translation(lang string, f form) (string, []string) {
	c := h.cfg.Campaign
	if lang == c.TargetLanguage() || !slices.Contains(c.Languages.Codes(), lang) {
		return "", nil
	}
	lt, err := letter.Compose(c, lang, f.signer(), h.cfg.Now())
	if err != nil {
		return "", nil // the fax page above is what counts; this is a courtesy
	}
	return lang, strings.Split(lt.Body, "\n\n")
}

// receiptCookie keeps this browser's receipt, so that acting again from
// it shows the first receipt: the hub gives a receipt only to the request
// with the same form key, never to someone who merely knows a name.
const receiptCookie = "faxjam_receipt"

func (h *Handler) act(w http.ResponseWriter, r *http.Request) {
	f, ok := h.post(w, r)
	if !ok {
		return
	}
	if !validKey(f.Key) {
		// The page mints each form's key; a post without a good one (a
		// script, a tampered form) gets a fresh one here, never the empty
		// key every keyless post would share, and with it another
		// person's receipt.
		f.Key = newKey()
	}
	rc, err := h.cfg.Backend.Act(r.Context(), f.Key, f.signer())
	if errors.Is(err, ErrKeyUsed) {
		v := h.formView(r, form{Name: f.Name, City: f.City, Country: f.Country, Email: f.Email, Note: f.Note, Lang: f.Lang, UI: f.UI}, "home")
		v.FormError = v.T("err_key_used")
		v.Status = http.StatusConflict
		h.render(w, v)
		return
	}
	if h.backendError(w, r, f, err) {
		return
	}
	if rc.Token == "" {
		if c, err := r.Cookie(receiptCookie); err == nil {
			if id, tok, ok := strings.Cut(c.Value, "."); ok && id == rc.ID {
				rc.Token = tok
			}
		}
	}
	if rc.Token == "" {
		// The same person, from another browser or a new form: the first
		// action stands, and its receipt stays with whoever holds it.
		v := h.newView(r, f.UI, "already")
		v.Receipt = &receiptView{Action: Action{ID: rc.ID, State: rc.State}}
		h.render(w, v)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: receiptCookie, Value: rc.ID + "." + rc.Token, Path: "/", MaxAge: 180 * 24 * 3600,
		HttpOnly: true, Secure: h.cfg.Secure, SameSite: http.SameSiteLaxMode})
	q := url.Values{"t": {rc.Token}, "lang": {pageLang(r, f.UI)}}
	if rc.Duplicate {
		q.Set("first", "1")
	}
	http.Redirect(w, r, "/r/"+url.PathEscape(rc.ID)+"?"+q.Encode(), http.StatusSeeOther)
}

// backendError answers a failed Preview or Act: field errors on the form,
// anything else a 503 with the form kept. It reports whether it answered.
func (h *Handler) backendError(w http.ResponseWriter, r *http.Request, f form, err error) bool {
	if err == nil {
		return false
	}
	v := h.formView(r, f, "home")
	var fe *letter.FieldErrors
	if errors.As(err, &fe) {
		reasons := map[string]string{}
		for _, x := range fe.Fields {
			reasons[x.Field] = x.Reason
		}
		v.Errors = h.fieldErrors(v.Lang, reasons)
		v.Status = http.StatusBadRequest
	} else if errors.Is(err, ErrClosed) {
		v.FormError = v.T("closed")
		v.Status = http.StatusGone
	} else {
		h.log.Printf("backend: %v", err) // the backend's errors carry no personal data
		v.FormError = v.T("err_backend")
		v.Status = http.StatusServiceUnavailable
	}
	h.render(w, v)
	return true
}

func (h *Handler) crossOrigin(w http.ResponseWriter, r *http.Request) {
	v := h.newView(r, r.URL.Query().Get("lang"), "refused")
	v.Status = http.StatusForbidden
	h.render(w, v)
}

type receiptView struct {
	Action
	URL, StillURL string // this receipt, and this receipt without refreshing
	Delivered     string
	Refresh       bool
	Duplicate     bool
	FaxURL        string
	rehearsal     bool // a rehearsal's fax is written, never delivered
}

func (h *Handler) receipt(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v := h.newView(r, q.Get("lang"), "receipt")
	id, token := r.PathValue("id"), q.Get("t")
	a, err := h.cfg.Backend.Action(r.Context(), id, token)
	if errors.Is(err, ErrNotFound) {
		v.Page, v.Status = "notfound", http.StatusNotFound
		h.render(w, v)
		return
	}
	if err != nil {
		h.log.Printf("receipt: %v", err)
		v.Page, v.Status = "unavailable", http.StatusServiceUnavailable
		w.Header().Set("Retry-After", strconv.Itoa(h.cfg.RefreshSeconds))
		h.render(w, v)
		return
	}
	path := "/r/" + url.PathEscape(id)
	tq := "t=" + url.QueryEscape(token)
	rv := &receiptView{Action: a, rehearsal: h.cfg.Rehearsal, URL: path + "?" + tq + "&lang=" + v.Lang, StillURL: path + "?" + tq + "&still=1&lang=" + v.Lang, Duplicate: q.Get("first") == "1"}
	if !a.DeliveredAt.IsZero() {
		rv.Delivered = a.DeliveredAt.UTC().Format("2006-01-02 15:04 UTC")
	}
	if a.Faxed() {
		rv.FaxURL = path + "/fax.png?" + tq
	}
	rv.Refresh = !a.Final() && q.Get("still") == ""
	if rv.Refresh {
		// The Refresh header reloads the page without script. It is a
		// header rather than <meta http-equiv=refresh> so the page offers a
		// way to stop it (WCAG 2.2.1) and axe's meta-refresh rule, which
		// cannot see such a stop link, stays meaningful elsewhere.
		w.Header().Set("Refresh", strconv.Itoa(h.cfg.RefreshSeconds))
	}
	v.Receipt = rv
	v.Lines = h.lines(r)
	h.render(w, v)
}

func (h *Handler) faxPNG(w http.ResponseWriter, r *http.Request) {
	png, err := h.cfg.Backend.FaxPNG(r.Context(), r.PathValue("id"), r.URL.Query().Get("t"))
	w.Header().Set("Cache-Control", "no-store")
	if errors.Is(err, ErrNotFound) {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	if err != nil {
		h.log.Printf("fax.png: %v", err)
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Content-Length", strconv.Itoa(len(png)))
	_, _ = w.Write(png)
}

// render writes a page. Every page can hold personal data (a kept form, a
// receipt) or live state, so none is cached anywhere.
func (h *Handler) render(w http.ResponseWriter, v *view) {
	t, ok := h.pages[v.Page]
	if !ok {
		http.Error(w, "no page "+v.Page, http.StatusInternalServerError)
		return
	}
	var b strings.Builder
	if err := t.ExecuteTemplate(&b, "base", v); err != nil {
		h.log.Printf("template %s: %v", v.Page, err)
		http.Error(w, "page error", http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", "no-store")
	hd.Set("Content-Language", v.Lang)
	hd.Set("Vary", "Accept-Language, Cookie")
	w.WriteHeader(v.Status)
	_, _ = w.Write([]byte(b.String()))
}

func (h *Handler) parse() error {
	h.pages = map[string]*template.Template{}
	base, err := template.New("").Funcs(template.FuncMap{"args": args, "clock": clock, "when": when}).ParseFS(assets, "templates/base.html")
	if err != nil {
		return fmt.Errorf("web: %w", err)
	}
	for _, p := range []string{"home", "receipt", "already", "notfound", "unavailable", "refused", "admin", "login", "people"} {
		t, err := template.Must(base.Clone()).ParseFS(assets, "templates/"+p+".html")
		if err != nil {
			return fmt.Errorf("web: %w", err)
		}
		h.pages[p] = t
	}
	return nil
}
