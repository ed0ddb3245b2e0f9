package telnyx

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Telnyx posts a fax's events (fax.queued, fax.media.processed,
// fax.sending.started, fax.delivered, fax.failed) to the request's
// webhook_url, signed: the header telnyx-signature-ed25519 is the base64
// Ed25519 signature, by the account's public key (Mission Control → Keys &
// Credentials → Public Key), of telnyx-timestamp + "|" + the body, the
// timestamp in Unix seconds. Delivery may repeat and arrive out of order.

// WebhookTolerance is how far a webhook's timestamp may be from now: older
// ones are refused as replays, as Telnyx's own libraries do.
const WebhookTolerance = 5 * time.Minute

// Push is what a verified webhook says.
type Push struct {
	EventID string // data.id: the same event delivered again has the same id
	Type    string // data.event_type
	FaxID   string // data.payload.fax_id: the id Send returned
	Time    time.Time
}

// ErrStale says a webhook's timestamp is outside WebhookTolerance: a
// replay of an old event, or a clock badly off.
var ErrStale = errors.New("telnyx webhook: timestamp outside the 5-minute tolerance")

// ParsePublicKey reads the account's public key as Mission Control shows
// it (base64 of the 32 bytes).
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("telnyx public key: want the base64 of %d bytes, as Mission Control shows it", ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(b), nil
}

// VerifyWebhook checks a webhook's signature against key and its timestamp
// against now, and reads the fax it is about. A forged or altered body is
// an error; so is a stale one (ErrStale).
func VerifyWebhook(key ed25519.PublicKey, now time.Time, h http.Header, body []byte) (Push, error) {
	sig, err := base64.StdEncoding.DecodeString(h.Get("telnyx-signature-ed25519"))
	if err != nil || len(sig) != ed25519.SignatureSize {
		return Push{}, errors.New("telnyx webhook: no valid telnyx-signature-ed25519 header")
	}
	ts := h.Get("telnyx-timestamp")
	secs, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return Push{}, errors.New("telnyx webhook: no valid telnyx-timestamp header")
	}
	msg := make([]byte, 0, len(ts)+1+len(body))
	msg = append(append(append(msg, ts...), '|'), body...)
	if !ed25519.Verify(key, msg, sig) {
		return Push{}, errors.New("telnyx webhook: the signature does not match")
	}
	at := time.Unix(secs, 0)
	if d := now.Sub(at); d > WebhookTolerance || d < -WebhookTolerance {
		return Push{}, ErrStale
	}
	var env struct {
		Data struct {
			ID        string `json:"id"`
			EventType string `json:"event_type"`
			Payload   struct {
				FaxID string `json:"fax_id"`
			} `json:"payload"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &env); err != nil || env.Data.ID == "" || env.Data.Payload.FaxID == "" {
		return Push{}, errors.New("telnyx webhook: signed, but not an event with data.id and data.payload.fax_id")
	}
	return Push{EventID: env.Data.ID, Type: env.Data.EventType, FaxID: env.Data.Payload.FaxID, Time: at}, nil
}

// SignWebhook signs body as Telnyx does, at t: for tests and for a relay
// that forwards Telnyx's events.
func SignWebhook(priv ed25519.PrivateKey, t time.Time, body []byte) http.Header {
	ts := strconv.FormatInt(t.Unix(), 10)
	h := http.Header{}
	h.Set("telnyx-timestamp", ts)
	h.Set("telnyx-signature-ed25519", base64.StdEncoding.EncodeToString(ed25519.Sign(priv, append([]byte(ts+"|"), body...))))
	return h
}
