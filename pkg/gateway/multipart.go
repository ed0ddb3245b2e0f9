package gateway

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/textproto"
)

// FormField is one text field of a multipart/form-data body.
type FormField struct {
	Name, Value string
}

// FormFile is one file part of a multipart/form-data body.
type FormFile struct {
	Field       string // form field name, e.g. "file"
	Filename    string // e.g. "fax.pdf"
	ContentType string // e.g. "application/pdf"
	Data        []byte
}

// MultipartRequest builds a multipart/form-data request: the fields in the
// order given, then the files, each with its own Content-Type (the standard
// library's CreateFormFile always says application/octet-stream, which some
// fax APIs refuse). The body is in memory so the request can be replayed.
func MultipartRequest(method, url string, fields []FormField, files ...FormFile) (*http.Request, error) {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for _, f := range fields {
		if err := w.WriteField(f.Name, f.Value); err != nil {
			return nil, fmt.Errorf("multipart field %s: %w", f.Name, err)
		}
	}
	for _, f := range files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", multipart.FileContentDisposition(f.Field, f.Filename))
		h.Set("Content-Type", f.ContentType)
		p, err := w.CreatePart(h)
		if err != nil {
			return nil, fmt.Errorf("multipart file %s: %w", f.Field, err)
		}
		if _, err := p.Write(f.Data); err != nil {
			return nil, fmt.Errorf("multipart file %s: %w", f.Field, err)
		}
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("multipart body: %w", err)
	}
	req, err := http.NewRequest(method, url, bytes.NewReader(body.Bytes()))
	if err != nil {
		// Not err itself: it quotes the URL, whose query may hold a token.
		return nil, fmt.Errorf("multipart request: the URL does not parse")
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	return req, nil
}
