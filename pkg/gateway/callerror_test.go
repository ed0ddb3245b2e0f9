package gateway

import "testing"

func TestCallErrorReasonSharedSinchPhaxioCodes(t *testing.T) {
	for _, c := range []struct {
		code int
		want Reason
		ok   bool
	}{
		{17, ReasonBusy, true},
		{16, ReasonNoAnswer, true},
		{112, ReasonNoAnswer, true},
		{30, ReasonNotAFax, true},
		{32, ReasonNotAFax, true},
		{34, ReasonInvalidNumber, true},
		{49, ReasonInvalidNumber, true},
		{50, ReasonRejected, true},
		{11, ReasonLineError, true},
		{43, ReasonLineError, true},
		{4711, ReasonNone, false},
	} {
		got, ok := CallErrorReason(c.code)
		if got != c.want || ok != c.ok {
			t.Errorf("CallErrorReason(%d) = %q, %v; want %q, %v", c.code, got, ok, c.want, c.ok)
		}
	}
}

func TestReasonFromTextReadsVendorWording(t *testing.T) {
	for _, c := range []struct {
		text string
		want Reason
		ok   bool
	}{
		{"Busy", ReasonBusy, true},
		{"No answer from the fax machine.", ReasonNotAFax, true},
		{"No fax tone detected", ReasonNotAFax, true},
		{"Ring Timeout", ReasonNoAnswer, true},
		{"No answer", ReasonNoAnswer, true},
		{"The Receiving Phone Number Is Not Operational", ReasonInvalidNumber, true},
		{"Insufficient funds", ReasonRejected, true},
		{"Mimetype not supported.", ReasonDocument, true},
		{"The call dropped prematurely", ReasonLineError, true},
		{"", ReasonNone, false},
		{"Something odd", ReasonNone, false},
	} {
		got, ok := ReasonFromText(c.text)
		if got != c.want || ok != c.ok {
			t.Errorf("ReasonFromText(%q) = %q, %v; want %q, %v", c.text, got, ok, c.want, c.ok)
		}
	}
}
