package phaxio

import (
	"bytes"
	"mime/multipart"
	"net/url"
	"testing"
)

// form is values as Phaxio posts them, parsed as the hub parses them.
func form(t *testing.T, values url.Values) *multipart.Form {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, vs := range values {
		for _, v := range vs {
			w.WriteField(k, v)
		}
	}
	w.Close()
	f, err := multipart.NewReader(&b, w.Boundary()).ReadForm(1 << 20)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestCallbackSignatures: a callback signed as Phaxio documents (HMAC-SHA1
// of the URL and the sorted parameters) is read; another token, another
// URL and an altered parameter are refused.
func TestCallbackSignatures(t *testing.T) {
	const token, cb = "webhook-token-0123", "https://fax.example.org/v1/push/phaxio"
	v := url.Values{"fax": {`{"id":1234,"status":"success","num_pages":1}`}, "event_type": {"fax_completed"}, "success": {"true"}, "is_test": {"false"}, "direction": {"sent"}}
	sig := SignCallback(token, cb, v)
	c, err := VerifyCallback(token, cb, sig, form(t, v))
	if err != nil || c.FaxID != "1234" || c.EventType != "fax_completed" {
		t.Fatalf("a signed callback: %+v, %v", c, err)
	}
	altered := url.Values{}
	for k, vs := range v {
		altered[k] = vs
	}
	altered["fax"] = []string{`{"id":1235,"status":"success","num_pages":1}`}
	for name, c := range map[string]struct {
		token, url, sig string
		v               url.Values
	}{
		"another token":     {"other-token", cb, sig, v},
		"another URL":       {token, "https://evil.example/v1/push/phaxio", sig, v},
		"altered parameter": {token, cb, sig, altered},
		"no signature":      {token, cb, "", v},
	} {
		if _, err := VerifyCallback(c.token, c.url, c.sig, form(t, c.v)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
