package cli

import (
	"fmt"

	"github.com/faxjam/faxjam/pkg/dispatch"
	"github.com/faxjam/faxjam/pkg/gateway"
)

// eventGatewayDown is the warning that the gateway itself does not answer
// (connection refused, timeouts, 5xx), as opposed to the target's lines.
const eventGatewayDown dispatch.EventType = "gateway-down"

// gatewayDownAfter is how many retries in a row, with no answer from the
// gateway between them, make the warning.
const gatewayDownAfter = 3

// gatewayWatch tells a gateway that is down from lines that are down: the
// engine retries gateway errors quietly, and after a few in a row with no
// sign of life from the gateway the person running the send is told, once
// per outage, which gateway it is and what to do.
type gatewayWatch struct {
	gateway string // as shown (redacted)
	retries int    // gateway errors in a row
	warned  bool
}

// observe takes every event and returns the warning when one is due.
func (w *gatewayWatch) observe(ev dispatch.Event) (dispatch.Event, bool) {
	switch ev.Type {
	case dispatch.EventRetry:
		if ev.Reason != gateway.ReasonGatewayError {
			return dispatch.Event{}, false // 429s are the gateway pacing us, not down
		}
		w.retries++
		if w.retries < gatewayDownAfter || w.warned {
			return dispatch.Event{}, false
		}
		w.warned = true
		return dispatch.Event{Type: eventGatewayDown, Time: ev.Time, Until: ev.Until,
			Message: fmt.Sprintf("the gateway %s is not answering (%d tries in a row: %s). This is the gateway, not the target's fax lines: check that it runs and that the URL is right (faxjam gateway check --gateway URL). Nothing is lost: the faxes stay queued; Ctrl-C and run the same command again, or wait: it keeps trying until --gateway-timeout, then the names go to the petition (or, without one, it stops)",
				w.gateway, w.retries, ev.Message)}, true
	case dispatch.EventSubmitted, dispatch.EventDelivered, dispatch.EventFailed:
		w.retries, w.warned = 0, false // the gateway answered
	}
	return dispatch.Event{}, false
}
