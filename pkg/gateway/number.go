package gateway

import (
	"fmt"

	"github.com/faxjam/faxjam/pkg/e164"
)

// Prepare checks a fax before any request is made: a number in E.164, a
// document, and no fictitious number for a driver that dials for real. It
// returns the normalized number.
func Prepare(d Driver, fax Fax) (string, error) {
	to, err := e164.Normalize(fax.To)
	if err != nil {
		return "", &Error{Driver: d.Scheme, Op: "send", Reason: ReasonInvalidNumber, Message: err.Error()}
	}
	if fax.Fictitious && d.RealNetwork {
		return "", &Error{Driver: d.Scheme, Op: "send", Reason: ReasonFictitious,
			Message: fmt.Sprintf("%s is marked fictitious in the campaign; %s dials real lines, so it is not sent (use outbox:// to rehearse, or --redirect to a test number)", to, d.Scheme)}
	}
	if len(fax.PDF) == 0 && len(fax.TIFF) == 0 {
		return "", &Error{Driver: d.Scheme, Op: "send", Reason: ReasonDocument, Message: "no document to send"}
	}
	if n := int64(max(len(fax.PDF), len(fax.TIFF))); d.MaxDocument > 0 && n > d.MaxDocument {
		return "", &Error{Driver: d.Scheme, Op: "send", Reason: ReasonDocument,
			Message: fmt.Sprintf("document is %d bytes; %s takes at most %d", n, d.Scheme, d.MaxDocument)}
	}
	return to, nil
}

// PreparePDF is Prepare for drivers that upload only PDF: a fax that comes
// with a TIFF alone is refused as a document problem.
func PreparePDF(d Driver, fax Fax) (string, error) {
	to, err := Prepare(d, fax)
	if err != nil {
		return "", err
	}
	if len(fax.PDF) == 0 {
		return "", &Error{Driver: d.Scheme, Op: "send", Reason: ReasonDocument, Message: d.Scheme + " sends PDF documents; this fax has none"}
	}
	return to, nil
}

// NoStatus is the error for a vendor's fax object that came without its
// status: the answer is malformed, so the vendor is at fault.
func NoStatus(driver, id string) *Error {
	return &Error{Driver: driver, Op: "status", Reason: ReasonGatewayError,
		Message: fmt.Sprintf("malformed answer: fax %s has no status", id)}
}
