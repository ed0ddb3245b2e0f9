// Package petition owns the petition side of a campaign: the Petition
// interface every petition endpoint driver implements (actionnetwork, http
// for faxjam's own server, webhook), signatures, and the registry of drivers.
// Drivers live in sub-packages; the self-hosted endpoint is petition/server.
// It must not import gateway, dispatch or cli.
package petition

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Signature is one person's name on the petition.
type Signature struct {
	Campaign string `json:"campaign"`
	Name     string `json:"name"`
	City     string `json:"city"`
	Country  string `json:"country"`
	Email    string `json:"email,omitempty"`
	Note     string `json:"note,omitempty"`
	Key      string `json:"key"` // idempotency key: the same key twice is one signature
}

// Receipt is what an endpoint answered.
type Receipt struct {
	ID        string `json:"id"`
	Duplicate bool   `json:"duplicate,omitempty"` // the endpoint already had this signature
}

// Petition signs people onto a campaign's petition.
type Petition interface {
	Sign(ctx context.Context, s Signature) (Receipt, error)
}

// Error is a failed call to a petition endpoint.
type Error struct {
	Driver     string
	Op         string
	Auth       bool          // credentials wrong: stop, do not retry
	Retryable  bool          // 429, 5xx, timeouts, resets
	RetryAfter time.Duration //
	HTTPStatus int
	Message    string
	Err        error
}

func (e *Error) Error() string {
	s := fmt.Sprintf("%s: %s", e.Driver, e.Op)
	if e.HTTPStatus != 0 {
		s += fmt.Sprintf(" (HTTP %d)", e.HTTPStatus)
	}
	if e.Message != "" {
		s += ": " + e.Message
	} else if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	if e.Auth {
		// Neutral about where the token came from: the petition URL,
		// --token or FAXJAM_PETITION_TOKEN all reach the driver the same.
		s += " — check the petition token"
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// AsError returns err as *Error when it is one.
func AsError(err error) (*Error, bool) {
	var pe *Error
	ok := errors.As(err, &pe)
	return pe, ok
}
