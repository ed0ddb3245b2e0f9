package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/faxjam/faxjam/pkg/campaign"
	"github.com/faxjam/faxjam/pkg/csvsafe"
	"github.com/faxjam/faxjam/pkg/letter"
	"github.com/faxjam/faxjam/pkg/petition/store"
)

// Handler returns the server's routes wrapped in request logging.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	s.Routes(mux)
	mux.HandleFunc("/v1/campaigns/{id}", s.limited(s.campaign))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "not found: the API is under /v1/campaigns/{id}")
	})
	return s.logged(APIGuard(mux))
}

// Routes registers the signature API and /healthz on mux, for a server
// that serves more (the campaign hub): it registers its own
// /v1/campaigns/{id} (a superset of this one's), its own "/", and wraps the
// mux in Logged.
func (s *Server) Routes(mux *http.ServeMux) {
	mux.HandleFunc("/v1/campaigns/{id}/signatures", s.limited(s.signatures))
	mux.HandleFunc("/healthz", s.healthz)
}

// Limited applies the server's per-client rate limit to h, as to the
// signature API: requests with the export or sign token are not limited.
func (s *Server) Limited(h http.HandlerFunc) http.HandlerFunc { return s.limited(h) }

// Logged wraps h in the server's request log: one line per request, no
// personal data.
func (s *Server) Logged(h http.Handler) http.Handler { return s.logged(h) }

// Signatures counts a campaign's signatures, as GET /v1/campaigns/{id}
// gives them.
func (s *Server) Signatures(ctx context.Context, campaignID string) (int, error) {
	return s.cfg.Store.Count(ctx, campaignID)
}

// apiError is every error answer.
type apiError struct {
	Error  string              `json:"error"`
	Fields []letter.FieldError `json:"fields,omitempty"`
}

// WriteJSON answers v as JSON with status, as every answer of the API is
// written.
func WriteJSON(w http.ResponseWriter, status int, v any) { writeJSON(w, status, v) }

// MethodNotAllowed answers 405 naming the methods allowed.
func MethodNotAllowed(w http.ResponseWriter, r *http.Request, allow ...string) {
	methodNotAllowed(w, r, allow...)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, apiError{Error: msg})
}

func methodNotAllowed(w http.ResponseWriter, r *http.Request, allow ...string) {
	w.Header().Set("Allow", strings.Join(allow, ", "))
	writeError(w, http.StatusMethodNotAllowed, fmt.Sprintf("method %s not allowed here; use %s", r.Method, strings.Join(allow, " or ")))
}

// limited applies the per-client rate limit to anonymous requests. A
// request with the sign or export token comes from the organizer's own
// tools — a dispatcher that posts thousands of names from one address when
// every fax number is down, an export — which a per-address limit would
// only slow down. A wrong token is anonymous, so guessing stays limited.
func (s *Server) limited(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if authorized(r, s.cfg.SignToken) || authorized(r, s.cfg.Token) {
			h(w, r)
			return
		}
		ok, wait := s.limits.allow(clientAddr(r, s.cfg.TrustProxy), s.cfg.Now())
		if !ok {
			w.Header().Set("Retry-After", retryAfter(wait))
			writeError(w, http.StatusTooManyRequests, "too many requests from your address; retry after "+retryAfter(wait)+" s")
			return
		}
		h(w, r)
	}
}

func (s *Server) lookup(w http.ResponseWriter, r *http.Request) (*campaign.Campaign, bool) {
	id := r.PathValue("id")
	c, ok := s.campaigns[id]
	if !ok {
		writeError(w, http.StatusNotFound, fmt.Sprintf("unknown campaign %q", truncate(id, 64)))
	}
	return c, ok
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func (s *Server) campaign(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		methodNotAllowed(w, r, http.MethodGet)
		return
	}
	c, ok := s.lookup(w, r)
	if !ok {
		return
	}
	n, err := s.cfg.Store.Count(r.Context(), c.ID)
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, "cannot count the signatures now; try again")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": c.ID, "title": c.Title, "signatures": n})
}

func (s *Server) signatures(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodPost:
		s.sign(w, r)
	case http.MethodGet:
		s.export(w, r)
	default:
		methodNotAllowed(w, r, http.MethodGet, http.MethodPost)
	}
}

// receipt is the answer to a signature.
type receipt struct {
	ID        string `json:"id"`
	Duplicate bool   `json:"duplicate,omitempty"`
}

func (s *Server) sign(w http.ResponseWriter, r *http.Request) {
	c, ok := s.lookup(w, r)
	if !ok {
		return
	}
	if s.cfg.SignToken != "" && !authorized(r, s.cfg.SignToken) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="faxjam petition"`)
		writeError(w, http.StatusUnauthorized, "signing on this server needs its token: Authorization: Bearer TOKEN")
		return
	}
	if s.cfg.ConfirmedOnly != "" && !authorized(r, s.cfg.SignToken) && !authorized(r, s.cfg.Token) {
		// Double opt-in: a signature taken here would skip the
		// confirmation every action waits for.
		writeError(w, http.StatusForbidden, s.cfg.ConfirmedOnly)
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			writeError(w, http.StatusBadRequest, "Content-Type: want application/json")
			return
		}
	}
	req, err := decodeRequest(http.MaxBytesReader(w, r.Body, MaxBody))
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("body: larger than %d bytes", MaxBody))
		return
	case err != nil:
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if req.Campaign != "" && req.Campaign != c.ID {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("campaign: %q does not match the URL's campaign %q", truncate(req.Campaign, 64), c.ID))
		return
	}
	signer := letter.Signer{Name: req.Name, City: req.City, Country: req.Country, Email: req.Email, Note: req.Note}
	if err := letter.ValidateSigner(signer, c.RequireNote); err != nil {
		e := apiError{Error: err.Error()}
		var fe *letter.FieldErrors
		if errors.As(err, &fe) {
			e.Fields = fe.Fields
		}
		writeJSON(w, http.StatusBadRequest, e)
		return
	}
	rec := Record(c.ID, req.Key, signer)
	// The signature is stored even if the client hangs up meanwhile: it
	// may retry with the same key and must then find it.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 30*time.Second)
	defer cancel()
	got, dup, err := s.cfg.Store.Add(ctx, rec)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "could not store the signature; try again with the same key")
		return
	}
	if dup {
		writeJSON(w, http.StatusOK, receipt{ID: got.ID, Duplicate: true})
		return
	}
	writeJSON(w, http.StatusCreated, receipt{ID: got.ID})
}

// Record is the stored form of a signature: normalized (letter.Normalize),
// with the person (letter.SignerKey of name, city and country) and the email
// the store keeps one signature for. Every signature goes through it: the
// API's, and the campaign hub's fallback when every line is down.
func Record(campaignID, key string, signer letter.Signer) store.Signature {
	n := letter.Normalize(signer)
	return store.Signature{
		Campaign: campaignID, Key: key,
		Name: n.Name, City: n.City, Country: n.Country, Email: n.Email, Note: n.Note,
		Person:   letter.SignerKey(campaignID, letter.Signer{Name: n.Name, City: n.City, Country: n.Country}),
		EmailKey: strings.ToLower(n.Email),
	}
}

// exportRow is one signature as the export gives it to the organizer.
type exportRow struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	City    string    `json:"city"`
	Country string    `json:"country"`
	Email   string    `json:"email,omitempty"`
	Note    string    `json:"note,omitempty"`
	Created time.Time `json:"created"`
}

func (s *Server) export(w http.ResponseWriter, r *http.Request) {
	c, ok := s.lookup(w, r)
	if !ok {
		return
	}
	if !authorized(r, s.cfg.Token) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="faxjam petition"`)
		msg := "the export needs the server's token: Authorization: Bearer TOKEN"
		if s.cfg.Token == "" {
			msg = "this server was started without a token, so its export is closed; read the database directly (faxjam petition export --db)"
		}
		writeError(w, http.StatusUnauthorized, msg)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	wantCSV := strings.Contains(r.Header.Get("Accept"), "text/csv")
	var write func(store.Signature) error
	var finish func() error
	if wantCSV {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", c.ID+"-signatures.csv"))
		// Spreadsheet-safe unless ?raw=1 (csvsafe).
		cw := csvsafe.NewWriter(w, r.URL.Query().Get("raw") == "1")
		cw.Write([]string{"id", "name", "city", "country", "email", "note", "created"})
		write = func(sg store.Signature) error {
			return cw.Write([]string{sg.ID, sg.Name, sg.City, sg.Country, sg.Email, sg.Note, sg.Created.Format(time.RFC3339)})
		}
		finish = func() error { cw.Flush(); return cw.Error() }
	} else {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		enc := json.NewEncoder(w)
		sep := "["
		write = func(sg store.Signature) error {
			if _, err := w.Write([]byte(sep)); err != nil {
				return err
			}
			sep = ","
			return enc.Encode(exportRow{ID: sg.ID, Name: sg.Name, City: sg.City, Country: sg.Country, Email: sg.Email, Note: sg.Note, Created: sg.Created})
		}
		finish = func() error {
			if sep == "[" {
				_, err := w.Write([]byte("[]\n"))
				return err
			}
			_, err := w.Write([]byte("]\n"))
			return err
		}
	}
	if err := s.cfg.Store.Each(r.Context(), c.ID, write); err != nil {
		// The status is sent already: break the connection so that the
		// client sees a failed download, never a short list that looks whole.
		panic(http.ErrAbortHandler)
	}
	if err := finish(); err != nil {
		panic(http.ErrAbortHandler)
	}
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		methodNotAllowed(w, r, http.MethodGet)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.cfg.Store.Ping(ctx); err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "store unavailable"})
		return
	}
	if s.cfg.Healthy != nil {
		if err := s.cfg.Healthy(ctx); err != nil {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": err.Error()})
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// statusWriter remembers the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logged writes one line per request: time, method, path, status, duration.
// The path is the escaped form (no spaces or newlines to forge lines with);
// the query and the body, where personal data would be, are never logged.
func (s *Server) logged(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := s.cfg.Now()
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			status := sw.status
			if v := recover(); v != nil {
				status = 0 // aborted mid-response
				defer panic(v)
			}
			// The route's pattern, not the path: ids and tokens stay out.
			path := r.Pattern
			if i := strings.IndexByte(path, ' '); i >= 0 {
				path = path[i+1:] // "POST /v1/…": the method is its own field
			}
			if path == "" {
				path = "(no route)"
			}
			s.log.Info("request", "method", r.Method, "path", path, "status", status,
				"duration", s.cfg.Now().Sub(start).Round(time.Microsecond))
		}()
		h.ServeHTTP(sw, r)
	})
}

// APIGuard keeps a page on another site from using the JSON API through a
// visitor's browser. A request that changes something (POST, PUT, PATCH,
// DELETE) sent cross-origin by a browser (Sec-Fetch-Site, else Origin
// against Host: net/http's CrossOriginProtection) is 403; a POST whose body
// is not application/json is 415 naming Content-Type, since a form or a
// text/plain fetch crosses origins without a CORS preflight and JSON does
// not. Clients that are not browsers send neither header and are not
// affected. exempt names path prefixes that take a same-origin form
// (the hub's confirmation page): only the cross-origin check holds there.
func APIGuard(next http.Handler, exempt ...string) http.Handler {
	cop := http.NewCrossOriginProtection()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			next.ServeHTTP(w, r)
			return
		}
		if err := cop.Check(r); err != nil {
			writeError(w, http.StatusForbidden, "cross-origin request refused (Origin, Sec-Fetch-Site): the API takes requests from scripts and from this site's own pages")
			return
		}
		for _, p := range exempt {
			if strings.HasPrefix(r.URL.Path, p) {
				next.ServeHTTP(w, r)
				return
			}
		}
		if r.Method == http.MethodPost && (r.ContentLength != 0 || r.Header.Get("Content-Type") != "") {
			mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
			if err != nil || mt != "application/json" {
				writeError(w, http.StatusUnsupportedMediaType, "Content-Type: want application/json")
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}
