package gateway

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"strings"
	"testing"
)

func TestMultipartRequestKeepsFieldsAndFileBytes(t *testing.T) {
	doc := []byte("%PDF-1.4\r\n\x00\xff\r\r\n--boundary-like--\n")
	req, err := MultipartRequest("POST", "https://relay.example/fax",
		[]FormField{{"to", "+12025550142"}, {"key", "k 1/ü"}},
		FormFile{Field: "file", Filename: "fax.pdf", ContentType: "application/pdf", Data: doc})
	if err != nil {
		t.Fatal(err)
	}
	mt, params, err := mime.ParseMediaType(req.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		t.Fatalf("Content-Type %q (%v), want multipart/form-data", req.Header.Get("Content-Type"), err)
	}
	r := multipart.NewReader(req.Body, params["boundary"])
	var got []string
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p)
		if p.FileName() != "" {
			if p.FileName() != "fax.pdf" || p.Header.Get("Content-Type") != "application/pdf" || !bytes.Equal(b, doc) {
				t.Errorf("file part %s %q %q: %d bytes, want fax.pdf application/pdf with the document", p.FormName(), p.FileName(), p.Header.Get("Content-Type"), len(b))
			}
		}
		got = append(got, p.FormName()+"="+map[bool]string{true: string(b), false: "<file>"}[p.FileName() == ""])
	}
	if want := "to=+12025550142 key=k 1/ü file=<file>"; strings.Join(got, " ") != want {
		t.Errorf("parts %q, want %q", strings.Join(got, " "), want)
	}
	if req.GetBody == nil {
		t.Errorf("request body cannot be replayed (GetBody nil)")
	}
}

func TestMultipartRequestErrorHidesTheURL(t *testing.T) {
	_, err := MultipartRequest("POST", "https://h/x?token=s3cret\x7f", nil)
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("error %v: want one that does not quote the URL", err)
	}
}
