package gateway

import "strings"

// CallErrorReason maps the numeric call-error codes that Sinch Fax v3
// (errorType CALL_ERROR, errorCode) and its predecessor Phaxio v2.1
// (error_type lineError, error_id) share: one platform, one table
// (developers.sinch.com/docs/fax/api-reference/fax/tag/Error-Messages,
// phaxio.com/docs/errorMessages). ok is false for codes it does not know.
func CallErrorReason(code int) (r Reason, ok bool) {
	switch code {
	case 17: // busy
		return ReasonBusy, true
	case 16, 112: // ring timeout, no answer
		return ReasonNoAnswer, true
	case 30, 87, 32: // no answer from a fax machine (a person or nobody picked up, no fax tone), incompatible destination
		return ReasonNotAFax, true
	case 34, 49, 52, 73, 115: // number not operational / not active, no route, number changed
		return ReasonInvalidNumber, true
	case 50: // call rejected by the receiver
		return ReasonRejected, true
	case 11, 15, 19, 43, 88, 100, 110: // dropped, congestion, immediate hangup, connection, network, remote carrier
		return ReasonLineError, true
	}
	return ReasonNone, false
}

// ReasonFromText guesses a reason from a vendor's failure text, for vendors
// whose codes are coarse (a generic "lineError", a free-text message). It
// knows the wording fax platforms use; ok is false when nothing matched, and
// callers then fall back to the reason their code implies. Order matters:
// "no answer from the fax machine" means a voice line, not an unanswered one.
func ReasonFromText(text string) (r Reason, ok bool) {
	s := strings.ToLower(text)
	has := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(s, w) {
				return true
			}
		}
		return false
	}
	switch {
	case s == "":
		return ReasonNone, false
	case has("busy"):
		return ReasonBusy, true
	case has("fax tone", "not a fax", "no answer from the fax", "no answer from a fax", "incompatible", "voice"):
		return ReasonNotAFax, true
	case has("no answer", "ring timeout", "not answer"):
		return ReasonNoAnswer, true
	case has("not operational", "not active", "unallocated", "invalid number", "invalid phone", "not a valid phone", "number changed", "has been changed", "no route", "not in service"):
		return ReasonInvalidNumber, true
	case has("insufficient", "funds", "balance", "cancel", "rejected", "declined", "not permitted", "blocked", "blacklist"):
		return ReasonRejected, true
	case has("convert", "mimetype", "document", "file"):
		return ReasonDocument, true
	case has("dropped", "congestion", "hangup", "hung up", "connection", "network", "carrier", "communicat", "telephony"):
		return ReasonLineError, true
	}
	return ReasonNone, false
}
