// Package gateway owns what every fax gateway driver shares: the Gateway
// interface, the Fax/Receipt/Status types, the one vocabulary of failure
// reasons, driver declarations (URL options from which help, validation and
// redaction follow) and the registry they are looked up in. Drivers live in
// sub-packages and import this package and nothing of each other; this package
// imports no driver (pkg/gateway/all wires them).
package gateway

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Fax is one document to one number.
type Fax struct {
	To       string // E.164, already normalized
	From     string // E.164 caller id, optional
	PDF      []byte // the document as gateways take it
	TIFF     []byte // optional: the same pages as TIFF class F (G3), for drivers that transmit fax images
	Pages    int
	Key      string // idempotency key: campaign, signer, number
	Campaign string // campaign id
	Sender   string // the signer's name, for vendors that show one
	// SenderID is the organization that sends (the campaign's sender_id),
	// for the header line a vendor prints on each page (Driver.Header).
	SenderID string
	// TimeZone is the target's (IANA), for vendors that date their header.
	TimeZone   string
	Fictitious bool // the number is a documented fictitious one: real-network drivers refuse it
}

// State is where a fax is in its life.
type State string

const (
	Queued    State = "queued"
	Sending   State = "sending"
	Delivered State = "delivered"
	Failed    State = "failed"
	// Submitted is terminal for drivers that cannot learn the outcome (email
	// to fax): the gateway took the fax and will report, if at all, by mail.
	Submitted State = "submitted"
)

// Terminal reports whether the state will not change any more.
func (s State) Terminal() bool { return s == Delivered || s == Failed || s == Submitted }

// Reason is the one failure vocabulary across drivers.
type Reason string

const (
	ReasonNone          Reason = ""
	ReasonBusy          Reason = "busy"           // the line was occupied
	ReasonNoAnswer      Reason = "no-answer"      // rang, nobody (no fax) picked up
	ReasonNotAFax       Reason = "not-a-fax"      // a voice line or no fax tone
	ReasonInvalidNumber Reason = "invalid-number" // not a number, not in service, unallocated
	ReasonRejected      Reason = "rejected"       // the receiver or the vendor refused it (policy, whitelist, funds, cancelled)
	ReasonLineError     Reason = "line-error"     // the call started and broke: dropped, signalling, ECM
	ReasonDocument      Reason = "document"       // the document could not be converted, too big, too many pages
	ReasonAuth          Reason = "auth"           // credentials wrong or not allowed
	ReasonRateLimited   Reason = "rate-limited"   // the vendor said slow down (HTTP 429)
	ReasonGatewayError  Reason = "gateway-error"  // the vendor's own failure: 5xx, timeouts, resets, malformed answers
	ReasonFictitious    Reason = "fictitious"     // a fictitious number given to a driver that dials for real
)

// Retryable reports whether a fax that failed for r may succeed if sent
// again later, to the same number.
func (r Reason) Retryable() bool {
	switch r {
	case ReasonBusy, ReasonNoAnswer, ReasonLineError, ReasonRateLimited, ReasonGatewayError:
		return true
	}
	return false
}

// Line reports whether r says something about the target's line (as opposed
// to our side: document, credentials, vendor). Line failures feed the
// dispatcher's circuit breaker.
func (r Reason) Line() bool {
	switch r {
	case ReasonBusy, ReasonNoAnswer, ReasonNotAFax, ReasonInvalidNumber, ReasonLineError:
		return true
	}
	return false
}

// Receipt is what a gateway says when it accepted a fax.
type Receipt struct {
	ID        string    `json:"id"`     // the vendor's job id
	Driver    string    `json:"driver"` // scheme of the driver
	To        string    `json:"to"`
	State     State     `json:"state"`
	Submitted time.Time `json:"submitted"`
}

// Status is what a gateway knows of a fax now.
type Status struct {
	ID        string    `json:"id"`
	State     State     `json:"state"`
	Reason    Reason    `json:"reason,omitempty"`
	Retryable bool      `json:"retryable,omitempty"`
	Code      string    `json:"code,omitempty"`    // the vendor's own code, e.g. "user_busy", "CALL_ERROR/17"
	Message   string    `json:"message,omitempty"` // the vendor's own text
	Pages     int       `json:"pages,omitempty"`   // pages transmitted
	Updated   time.Time `json:"updated,omitzero"`
}

// Gateway sends faxes and reports on them.
type Gateway interface {
	Send(ctx context.Context, fax Fax) (Receipt, error)
	Status(ctx context.Context, id string) (Status, error)
}

// Looker is implemented by drivers that can find a fax by its idempotency key
// (after a crash between the call and the journal's record of its result).
type Looker interface {
	Lookup(ctx context.Context, key string) (Receipt, bool, error)
}

// Checker is implemented by drivers that can check credentials and
// reachability without sending anything.
type Checker interface {
	Check(ctx context.Context) error
}

// Local is implemented by drivers that write faxes into a folder on this
// machine instead of dialling (outbox://): Folder is where, for a summary
// to point at.
type Local interface {
	Folder() string
}

// Stationer is implemented by drivers that know the number (caller id) or
// station id (CSID/TSI) they send from: the fax header shows it.
type Stationer interface {
	Station() string
}

// Closer is implemented by drivers that hold connections.
type Closer interface {
	Close() error
}

// Error is a failed gateway call. Drivers return *Error for every failure so
// the dispatcher can decide without knowing the vendor.
type Error struct {
	Driver     string        // scheme
	Op         string        // "send", "status", "check", "lookup"
	Reason     Reason        //
	RetryAfter time.Duration // from Retry-After, when the vendor said
	HTTPStatus int           // 0 when not HTTP
	Code       string        // the vendor's code
	Message    string        // the vendor's message (never a secret)
	Accepted   bool          // the vendor may have accepted the fax although the call failed (timeout after the body was sent): reconcile, do not resend blindly
	Err        error         // underlying error, if any
}

func (e *Error) Error() string {
	msg := e.Message
	if msg == "" && e.Err != nil {
		msg = e.Err.Error()
	}
	s := fmt.Sprintf("%s: %s: %s", e.Driver, e.Op, e.Reason)
	if e.HTTPStatus != 0 {
		s += fmt.Sprintf(" (HTTP %d)", e.HTTPStatus)
	}
	if msg != "" {
		s += ": " + msg
	}
	if e.Reason == ReasonAuth {
		s += " — check the credentials in the gateway URL"
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Retryable reports whether the same call may be made again later.
func (e *Error) Retryable() bool { return e.Reason.Retryable() }

// AsError returns err as *Error when it is one.
func AsError(err error) (*Error, bool) {
	var ge *Error
	ok := errors.As(err, &ge)
	return ge, ok
}
