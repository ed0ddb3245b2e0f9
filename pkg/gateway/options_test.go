package gateway

import (
	"strings"
	"testing"
)

func TestEndpointTakesPlainHTTPBaseURLs(t *testing.T) {
	for _, c := range []struct{ raw, want string }{
		{"https://api.telnyx.com/v2", "https://api.telnyx.com/v2"},
		{"https://eu1.fax.api.sinch.com/v3/", "https://eu1.fax.api.sinch.com/v3"},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080"},
	} {
		got, err := Endpoint("x", c.raw)
		if err != nil || got != c.want {
			t.Errorf("Endpoint(%q) = %q, %v; want %q", c.raw, got, err, c.want)
		}
	}
}

func TestEndpointRefusesOtherURLsWithoutLeakingThem(t *testing.T) {
	for _, raw := range []string{"", "api.telnyx.com", "ftp://h/x", "https://user:hunter22@h/x", "https://h/x?token=hunter22", "https:///x"} {
		_, err := Endpoint("x", raw)
		if err == nil {
			t.Errorf("Endpoint(%q): no error", raw)
			continue
		}
		if strings.Contains(err.Error(), "hunter22") {
			t.Errorf("Endpoint(%q) error %q shows a secret", raw, err)
		}
	}
}

func TestCallerIDReadsThePlusBackFromAQuery(t *testing.T) {
	for _, c := range []struct{ raw, want string }{
		{"", ""},
		{"+12025550100", "+12025550100"},
		{" 12025550100", "+12025550100"}, // ?from=+1202... decoded
		{"+1 (202) 555-0100", "+12025550100"},
	} {
		got, err := CallerID("x", c.raw)
		if err != nil || got != c.want {
			t.Errorf("CallerID(%q) = %q, %v; want %q", c.raw, got, err, c.want)
		}
	}
	if _, err := CallerID("x", "12025550100"); err == nil {
		t.Errorf("CallerID without + or country code: no error")
	}
}

// TestCSID: a station id is at most 20 digits, spaces and "+"; an error
// names the option and what is wrong with it, never takes it half.
func TestCSID(t *testing.T) {
	tests := []struct{ raw, want, err string }{
		{raw: "", want: ""},
		{raw: "+1 202 555 0100", want: "+1 202 555 0100"},
		{raw: " 12025550100", want: "+12025550100"}, // a + typed into a query
		{raw: "+1 202 555 0100 00000", err: "csid is 21 characters; a station id has at most 20"},
		{raw: "AMNESTY", err: `csid has 'A': a station id is digits, spaces and + only`},
		{raw: "+1-202-555-0100", err: `csid has '-'`},
	}
	for _, tt := range tests {
		got, err := CSID("outbox", "csid", tt.raw)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.HasPrefix(err.Error(), "outbox: option csid") {
				t.Errorf("CSID(%q) = %q, %v; want an error %q", tt.raw, got, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("CSID(%q) = %q, %v; want %q", tt.raw, got, err, tt.want)
		}
	}
}
