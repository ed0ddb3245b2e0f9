package telnyx

import (
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"
)

// TestWebhookSignatures: a webhook signed as Telnyx documents is read; an
// altered body, another key, a missing header and a stale timestamp (a
// replay) are each refused.
func TestWebhookSignatures(t *testing.T) {
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	body := []byte(`{"data":{"event_type":"fax.delivered","id":"ev-1","occurred_at":"2026-03-01T12:00:00Z","record_type":"event","payload":{"fax_id":"fax-42","status":"delivered","page_count":1}},"meta":{"attempt":1}}`)
	h := SignWebhook(priv, now.Add(-time.Minute), body)
	p, err := VerifyWebhook(pub, now, h, body)
	if err != nil || p.FaxID != "fax-42" || p.EventID != "ev-1" || p.Type != "fax.delivered" {
		t.Fatalf("a signed webhook: %+v, %v", p, err)
	}
	otherPub, _, _ := ed25519.GenerateKey(nil)
	altered := []byte(strings.Replace(string(body), "fax-42", "fax-43", 1))
	for name, c := range map[string]struct {
		key  ed25519.PublicKey
		at   time.Time
		body []byte
		drop string
	}{
		"altered body":     {pub, now, altered, ""},
		"another key":      {otherPub, now, body, ""},
		"no signature":     {pub, now, body, "telnyx-signature-ed25519"},
		"no timestamp":     {pub, now, body, "telnyx-timestamp"},
		"six minutes late": {pub, now.Add(6 * time.Minute), body, ""},
	} {
		h := SignWebhook(priv, now, body)
		if c.drop != "" {
			h.Del(c.drop)
		}
		if _, err := VerifyWebhook(c.key, c.at, h, c.body); err == nil {
			t.Errorf("%s: accepted", name)
		} else if name == "six minutes late" && !errors.Is(err, ErrStale) {
			t.Errorf("%s: %v, want ErrStale", name, err)
		}
	}
	if _, err := ParsePublicKey(base64.StdEncoding.EncodeToString(pub)); err != nil {
		t.Errorf("ParsePublicKey of a key: %v", err)
	}
	if _, err := ParsePublicKey("not-a-key"); err == nil {
		t.Error("ParsePublicKey of garbage accepted")
	}
}
