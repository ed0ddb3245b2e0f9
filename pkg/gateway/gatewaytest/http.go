package gatewaytest

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"
)

// The wire work every HTTP contract fake repeats. What differs between
// vendors (paths, field names, error shapes) stays in each fake.

// StartHTTP starts a loopback server for handler, closed when the test ends.
func StartHTTP(t *testing.T, handler http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	return srv
}

// CheckBasic reports whether r carries HTTP Basic auth as user:pass, and
// fails the test when it does not.
func CheckBasic(t *testing.T, r *http.Request, user, pass string) bool {
	t.Helper()
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
	if got := r.Header.Get("Authorization"); got != want {
		t.Errorf("%s %s: Authorization %q, want Basic auth as %s and its password", r.Method, r.URL.Path, got, user)
		return false
	}
	return true
}

// CheckBearer reports whether r carries token as a Bearer token, and fails
// the test when it does not.
func CheckBearer(t *testing.T, r *http.Request, token string) bool {
	t.Helper()
	if got := r.Header.Get("Authorization"); got != "Bearer "+token {
		t.Errorf("%s %s: Authorization %q, want the Bearer token", r.Method, r.URL.Path, got)
		return false
	}
	return true
}

// Part is one file part of a multipart/form-data request.
type Part struct {
	Filename    string
	ContentType string // the part's own Content-Type header
	Data        []byte
}

// ReadMultipart reads r as multipart/form-data: each text field's first
// value, and each file field's parts, bytes read. A Content-Type other than
// multipart/form-data fails the test; a body that does not parse fails it
// and returns ok false, for the fake to answer in the vendor's error shape.
func ReadMultipart(t *testing.T, r *http.Request) (fields map[string]string, files map[string][]Part, ok bool) {
	t.Helper()
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "multipart/form-data" {
		t.Errorf("%s %s: Content-Type %q, want multipart/form-data", r.Method, r.URL.Path, r.Header.Get("Content-Type"))
	}
	if err := r.ParseMultipartForm(32 << 20); err != nil {
		t.Errorf("%s %s: multipart body: %v", r.Method, r.URL.Path, err)
		return nil, nil, false
	}
	fields = map[string]string{}
	for k, v := range r.MultipartForm.Value {
		fields[k] = v[0]
	}
	files = map[string][]Part{}
	for k, fhs := range r.MultipartForm.File {
		for _, fh := range fhs {
			f, err := fh.Open()
			if err != nil {
				t.Errorf("multipart file %s: %v", k, err)
				return nil, nil, false
			}
			b, err := io.ReadAll(f)
			f.Close()
			if err != nil {
				t.Errorf("multipart file %s: %v", k, err)
				return nil, nil, false
			}
			files[k] = append(files[k], Part{Filename: fh.Filename, ContentType: fh.Header.Get("Content-Type"), Data: b})
		}
	}
	return fields, files, true
}

// OneFile returns the bytes of the one part of files[field], failing the
// test unless there is exactly one, with a filename and (when contentType
// is set) that Content-Type.
func OneFile(t *testing.T, files map[string][]Part, field, contentType string) ([]byte, bool) {
	t.Helper()
	ps := files[field]
	if len(ps) != 1 || ps[0].Filename == "" || (contentType != "" && ps[0].ContentType != contentType) {
		want := "with a filename"
		if contentType != "" {
			want += " and Content-Type " + contentType
		}
		t.Errorf("want one %q file part %s; got %q", field, want, partNames(ps))
		return nil, false
	}
	return ps[0].Data, true
}

func partNames(ps []Part) []string {
	var s []string
	for _, p := range ps {
		s = append(s, p.Filename+" "+p.ContentType)
	}
	return s
}

// Paging reads a list request's page size and page number (1-based) from
// the vendor's parameters, failing the test when either is out of range;
// ok false tells the fake to answer with the vendor's error.
func Paging(t *testing.T, q url.Values, sizeParam, pageParam string, defaultSize, maxSize int) (size, page int, ok bool) {
	t.Helper()
	size, page = defaultSize, 1
	if s := q.Get(sizeParam); s != "" {
		size, _ = strconv.Atoi(s)
	}
	if s := q.Get(pageParam); s != "" {
		page, _ = strconv.Atoi(s)
	}
	if size < 1 || size > maxSize || page < 1 {
		t.Errorf("%s=%q %s=%q out of range", sizeParam, q.Get(sizeParam), pageParam, q.Get(pageParam))
		return 0, 0, false
	}
	return size, page, true
}

// WriteJSON answers status with v as JSON.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// Phase picks the vendor's word for a job at this poll: sending on the
// first poll, then failed or delivered as scripted.
func Phase[T any](j Job, sending, failed, delivered T) T {
	switch {
	case !j.Done():
		return sending
	case j.Outcome.Kind == Fail:
		return failed
	}
	return delivered
}
