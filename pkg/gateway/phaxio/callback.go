package phaxio

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"mime/multipart"
	"net/url"
	"slices"
)

// Phaxio posts a fax's outcome (event_type fax_completed; also
// transmitting_page, retry_scheduled while in flight) to the send's
// callback_url as multipart/form-data: fax (the Fax object as JSON),
// event_type, success, is_test, direction. The header X-Phaxio-Signature
// is the hex HMAC-SHA1, by the account's webhook token (console → API
// Settings → Webhook token), of the callback's URL, then each parameter
// sorted by name as name+value, then each file sorted by field name as
// name + the hex SHA-1 of its content. Phaxio retries up to 16 times, so
// one outcome may arrive again.

// Callback is what a verified callback says.
type Callback struct {
	FaxID     string // fax.id: the id Send returned
	EventType string
	Signature string // the header: the same delivery again has the same one
}

// VerifyCallback checks a callback's signature: url is the callback URL
// exactly as given to Phaxio (callback_url), form its parsed
// multipart/form-data body. A forged or altered one is an error.
func VerifyCallback(token, url string, signature string, form *multipart.Form) (Callback, error) {
	want, err := hex.DecodeString(signature)
	if err != nil || len(want) != sha1.Size {
		return Callback{}, errors.New("phaxio callback: no valid X-Phaxio-Signature header")
	}
	got, err := callbackSignature(token, url, form)
	if err != nil {
		return Callback{}, err
	}
	if !hmac.Equal(got, want) {
		return Callback{}, errors.New("phaxio callback: the signature does not match")
	}
	var fax struct {
		ID json.Number `json:"id"`
	}
	if v := form.Value["fax"]; len(v) == 1 {
		if err := json.Unmarshal([]byte(v[0]), &fax); err != nil {
			return Callback{}, errors.New("phaxio callback: signed, but its fax is not a Fax object")
		}
	}
	if fax.ID == "" {
		return Callback{}, errors.New("phaxio callback: signed, but without fax.id")
	}
	et := ""
	if v := form.Value["event_type"]; len(v) > 0 {
		et = v[0]
	}
	return Callback{FaxID: fax.ID.String(), EventType: et, Signature: signature}, nil
}

// callbackSignature is the HMAC Phaxio sends for url and form.
func callbackSignature(token, url string, form *multipart.Form) ([]byte, error) {
	m := hmac.New(sha1.New, []byte(token))
	io.WriteString(m, url)
	names := make([]string, 0, len(form.Value))
	for k := range form.Value {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		for _, v := range form.Value[k] {
			io.WriteString(m, k+v)
		}
	}
	files := make([]string, 0, len(form.File))
	for k := range form.File {
		files = append(files, k)
	}
	slices.Sort(files)
	for _, k := range files {
		for _, fh := range form.File[k] {
			f, err := fh.Open()
			if err != nil {
				return nil, err
			}
			h := sha1.New()
			_, err = io.Copy(h, f)
			f.Close()
			if err != nil {
				return nil, err
			}
			io.WriteString(m, k+hex.EncodeToString(h.Sum(nil)))
		}
	}
	return m.Sum(nil), nil
}

// SignCallback is the signature Phaxio would send for url and the
// parameters values (no files): for tests and relays.
func SignCallback(token, callbackURL string, values url.Values) string {
	sig, _ := callbackSignature(token, callbackURL, &multipart.Form{Value: values})
	return hex.EncodeToString(sig)
}
