package gateway

import (
	"errors"
	"net/http"

	"github.com/faxjam/faxjam/pkg/httpclient"
)

// FromHTTP turns an httpclient failure into an *Error with the common
// reason: 401/403 auth, 429 rate-limited (with Retry-After), 5xx, timeouts,
// resets and malformed bodies gateway-error, other 4xx rejected. Drivers that
// know better (a vendor's 422 code that means invalid-number) adjust the
// Reason afterwards.
func FromHTTP(driver, op string, err error) *Error {
	if err == nil {
		return nil
	}
	if ge, ok := AsError(err); ok {
		return ge
	}
	e := &Error{Driver: driver, Op: op, Reason: ReasonGatewayError, Err: err}
	var he *httpclient.Error
	var me *httpclient.Malformed
	switch {
	case errors.As(err, &he):
		e.HTTPStatus = he.StatusCode
		e.Message = he.Message
		e.RetryAfter = he.RetryAfter
		e.Accepted = he.Sent
		switch {
		case he.StatusCode == http.StatusUnauthorized || he.StatusCode == http.StatusForbidden:
			e.Reason = ReasonAuth
		case he.StatusCode == http.StatusTooManyRequests:
			e.Reason = ReasonRateLimited
		case he.StatusCode == http.StatusRequestEntityTooLarge:
			e.Reason = ReasonDocument
		case he.StatusCode >= 500 || he.StatusCode == 0:
			e.Reason = ReasonGatewayError
		default:
			e.Reason = ReasonRejected
		}
		if e.Message == "" {
			e.Message = he.Error()
		}
	case errors.As(err, &me):
		e.Message = me.Error()
	default:
		e.Message = err.Error()
	}
	return e
}
