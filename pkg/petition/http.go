package petition

import (
	"context"
	"errors"
	"net/http"

	"github.com/faxjam/faxjam/pkg/httpclient"
)

// FromHTTP turns an httpclient failure into an *Error: 401/403 Auth; 429
// Retryable with RetryAfter; 5xx, timeouts, resets and malformed answers
// Retryable (a signature carries its key, so sending it again is harmless);
// other 4xx (400, 422: the endpoint refused the signature) not retryable,
// with the endpoint's own message.
func FromHTTP(driver, op string, err error) *Error {
	if err == nil {
		return nil
	}
	if pe, ok := AsError(err); ok {
		return pe
	}
	e := &Error{Driver: driver, Op: op, Err: err}
	var he *httpclient.Error
	var me *httpclient.Malformed
	switch {
	case errors.As(err, &he):
		e.HTTPStatus = he.StatusCode
		e.Message = he.Message
		e.RetryAfter = he.RetryAfter
		switch {
		case he.StatusCode == http.StatusUnauthorized || he.StatusCode == http.StatusForbidden:
			e.Auth = true
		case he.StatusCode == http.StatusTooManyRequests, he.StatusCode == 0, he.StatusCode >= 500:
			e.Retryable = true
		}
		if e.Message == "" {
			e.Message = he.Error()
		}
	case errors.As(err, &me):
		e.Retryable = true
		e.Message = me.Error()
	default:
		e.Message = err.Error()
	}
	return e
}

// PostJSON sends one signature as JSON to where (with "Authorization: Bearer
// token" when token is set) and reads the answer {id, duplicate?} that
// faxjam's own server and the generic webhook share. A 2xx answer without an
// id is malformed.
func PostJSON(ctx context.Context, hc *httpclient.Client, driver, where, token string, s Signature) (Receipt, error) {
	req, err := httpclient.JSON(http.MethodPost, where, s)
	if err != nil {
		return Receipt{}, &Error{Driver: driver, Op: "sign", Err: err}
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	var rc Receipt
	if _, _, err := hc.Do(ctx, req, &rc); err != nil {
		return Receipt{}, FromHTTP(driver, "sign", err)
	}
	if rc.ID == "" {
		return Receipt{}, &Error{Driver: driver, Op: "sign", Retryable: true, Message: "malformed answer: no signature id"}
	}
	return rc, nil
}
