package hylafax

import (
	"strconv"
	"strings"

	"github.com/faxjam/faxjam/pkg/gateway"
)

// stateOf maps hfaxd's JPARM STATE (Jobs.c++ stateVals) onto gateway.State.
// ok is false for UNDEFINED and anything unknown.
func stateOf(s string) (gateway.State, bool) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "SUSPENDED", "PENDING", "SLEEPING", "BLOCKED", "READY":
		return gateway.Queued, true
	case "ACTIVE":
		return gateway.Sending, true
	case "DONE":
		return gateway.Delivered, true
	case "FAILED":
		return gateway.Failed, true
	}
	return "", false
}

// stateOfSymbol maps the one-character %a of a JOBFMT listing
// ("?TPSBWRDF"[state] in hfaxd's Jobs.c++).
func stateOfSymbol(s string) (gateway.State, bool) {
	switch s {
	case "T", "P", "S", "B", "W":
		return gateway.Queued, true
	case "R":
		return gateway.Sending, true
	case "D":
		return gateway.Delivered, true
	case "F":
		return gateway.Failed, true
	}
	return "", false
}

// reasonOf maps a failed job's STATUS text and STATUSCODE onto a reason.
// The text decides first, clause by clause: when a job runs out of dials
// HylaFAX appends "; too many attempts to dial" to the cause (and may set
// the code of that last clause), so the first clause names what happened on
// the line. The code (HylaFAX 6 status codes, E000–E5xx) decides when the
// text says nothing known; a failure nobody explains is the server's.
func reasonOf(text, code string) gateway.Reason {
	for _, clause := range strings.Split(text, ";") {
		if r, ok := reasonOfText(clause); ok {
			return r
		}
	}
	if n, err := strconv.Atoi(strings.TrimPrefix(strings.TrimSpace(code), "E")); err == nil {
		if r, ok := reasonOfCode(n); ok {
			return r
		}
	}
	return gateway.ReasonGatewayError
}

// reasonOfText knows the wording of faxsend, faxq and the modem drivers
// (ClassModem::callStatus, Class1/Class2 T.30 errors, faxQueueApp).
// Order matters: "No answer (T.30 T1 timeout)" is a line that picked up and
// never spoke fax, not one that rang out.
func reasonOfText(text string) (gateway.Reason, bool) {
	s := strings.ToLower(strings.TrimSpace(text))
	if s == "" {
		return gateway.ReasonNone, false
	}
	table := []struct {
		r     gateway.Reason
		words []string
	}{
		{gateway.ReasonBusy, []string{"busy"}},
		{gateway.ReasonNotAFax, []string{"not a fax", "wanted fax", "data connection established", "without ced",
			"t.30 t1 timeout", "no receiver protocol", "handshake", "no t.4 receiver"}},
		{gateway.ReasonNoAnswer, []string{"no answer", "no carrier detected", "ringback"}},
		{gateway.ReasonInvalidNumber, []string{"dial string", "canonical format"}},
		{gateway.ReasonGatewayError, []string{"dialtone", "dial tone", "loop current", "invalid dialing command",
			"unknown problem", "check modem power", "configure modem", "not registered", "exempt", "kill time", "fork", "send program", "job description file", "glare"}},
		{gateway.ReasonRejected, []string{"aborted by request", "aborted by user", "interrupted by user",
			"blacklist", "cannot receive", "call rejected", "reject_notice"}},
		{gateway.ReasonDocument, []string{"document", "tiff", "image", "page width", "page length", "resolution",
			"too many pages", "conversion", "convert"}},
		{gateway.ReasonLineError, []string{"too many attempts", "phase", "t.30", "ecm", "dcn", "comrec", "rsprec",
			"protocol", "train", "disconnect", "no response to", "carrier", "transmit page", "timeout"}},
	}
	for _, row := range table {
		for _, w := range row.words {
			if strings.Contains(s, w) {
				return row.r, true
			}
		}
	}
	return gateway.ReasonNone, false
}

// reasonOfCode maps HylaFAX 6 status codes (util/Status, faxd/*: E001 busy,
// E002 no carrier, E003 no answer, ...).
func reasonOfCode(n int) (gateway.Reason, bool) {
	switch {
	case n == 1:
		return gateway.ReasonBusy, true
	case n == 2 || n == 3 || n == 215:
		return gateway.ReasonNoAnswer, true
	case n == 8 || n == 11 || n == 12 || n == 126 || n == 212 || n == 216 || n == 218:
		return gateway.ReasonNotAFax, true
	case n == 4 || n == 5 || n == 6 || n == 9 || n == 214:
		return gateway.ReasonGatewayError, true
	case n == 10 || n == 122 || n == 261 || n == 264 || n == 308 || n == 344 || n == 345:
		return gateway.ReasonRejected, true
	case n == 327:
		return gateway.ReasonInvalidNumber, true
	case n >= 229 && n <= 235, n >= 314 && n <= 323, n == 330, n == 335, n >= 400 && n < 500:
		return gateway.ReasonDocument, true
	case n >= 50 && n < 300, n == 333, n == 334:
		return gateway.ReasonLineError, true
	case n >= 300 && n < 400:
		return gateway.ReasonGatewayError, true
	}
	return gateway.ReasonNone, false
}
