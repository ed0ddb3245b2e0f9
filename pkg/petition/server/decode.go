package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/faxjam/faxjam/pkg/letter"
)

// MaxKey bounds a signature's idempotency key.
const MaxKey = 200

// request is the body of POST /v1/campaigns/{id}/signatures. Campaign is
// optional (petition.Signature carries it); when present it must match the
// path.
type request struct {
	Campaign string `json:"campaign"`
	Name     string `json:"name"`
	City     string `json:"city"`
	Country  string `json:"country"`
	Email    string `json:"email"`
	Note     string `json:"note"`
	Key      string `json:"key"`
}

// decodeRequest reads exactly one JSON object with the known fields and
// checks the key. Errors name the field or say what is wrong with the JSON;
// they quote no more than the field's name. The signer's fields are checked
// later by letter.ValidateSigner.
func decodeRequest(r io.Reader) (request, error) {
	var req request
	body, err := io.ReadAll(r)
	if err != nil {
		return request{}, jsonError(err)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return request{}, jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return request{}, errors.New("body: want one JSON object and nothing after it")
	}
	if field := letter.JSONLoneSurrogate(body); field != "" {
		return request{}, fmt.Errorf("%s: %s", field, letter.LoneSurrogateReason)
	}
	if err := checkKey(req.Key); err != nil {
		return request{}, err
	}
	return req, nil
}

func jsonError(err error) error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return err // the handler answers 413
	case errors.As(err, &te):
		if te.Field == "" {
			return errors.New("body: want a JSON object")
		}
		return fmt.Errorf("%s: want a string", te.Field)
	case errors.As(err, &se), errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("body: not valid JSON")
	case errors.Is(err, io.EOF):
		return errors.New("body: empty; want a JSON signature")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.TrimPrefix(err.Error(), "json: unknown field ")
		if len(name) > 40 {
			name = name[:40] + `…"`
		}
		return fmt.Errorf("%s: unknown field (known: name, city, country, email, note, key, campaign)", name)
	}
	return errors.New("body: not valid JSON")
}

// CheckKey applies the rules of an idempotency key: required, at most
// MaxKey bytes of printable UTF-8 without spaces. Its errors start with
// "key: ".
func CheckKey(k string) error { return checkKey(k) }

func checkKey(k string) error {
	switch {
	case k == "":
		return errors.New("key: required (an idempotency key: the same key again is the same signature)")
	case len(k) > MaxKey:
		return fmt.Errorf("key: %d bytes, at most %d", len(k), MaxKey)
	case !utf8.ValidString(k):
		return errors.New("key: not valid UTF-8")
	}
	for _, r := range k {
		if !unicode.IsGraphic(r) || unicode.IsSpace(r) {
			return fmt.Errorf("key: must not contain %U", r)
		}
	}
	return nil
}
