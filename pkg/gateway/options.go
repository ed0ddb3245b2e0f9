package gateway

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/faxjam/faxjam/pkg/e164"
)

// Endpoint checks a driver's endpoint option (its API base URL, overridable
// for regional hosts and tests) and returns it without a trailing slash, so
// drivers can append "/faxes". Only absolute http(s) URLs pass: anything
// else would send credentials somewhere unintended.
func Endpoint(driver, raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", fmt.Errorf("%s: endpoint %q is not an http(s) URL (e.g. endpoint=https://api.example.com/v2)", driver, Redact(raw))
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%s: endpoint %q must be a plain base URL: no credentials, query or fragment", driver, Redact(raw))
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// CallerID reads a caller-id option (from=+E164) and returns it in E.164.
// A '+' typed into a URL query arrives as a space (form encoding), so a
// leading space is read back as the '+' the user meant; %2B works too.
func CallerID(driver, raw string) (string, error) {
	if raw == "" {
		return "", nil
	}
	s := raw
	if strings.HasPrefix(s, " ") {
		s = "+" + strings.TrimLeft(s, " ")
	}
	n, err := e164.Normalize(s)
	if err != nil {
		return "", fmt.Errorf("%s: option from: %v", driver, err)
	}
	return n, nil
}

// NoHost refuses a host in the URL of a driver whose credentials are all
// before the @ (phaxio://KEY:SECRET@): a host there is a mistake, most
// likely the vendor's API host typed where the endpoint option goes.
func NoHost(d Driver, u *url.URL) error {
	if u.Host != "" {
		return fmt.Errorf("%s: nothing goes after the @ (got %q); syntax: %s", d.Scheme, u.Host, d.Syntax)
	}
	return nil
}

// CSIDMax is the longest station id (CSID, TSI) a fax carries: T.30 sends
// 20 characters.
const CSIDMax = 20

// CSIDOption declares the station id option (csid=) of a driver whose
// vendor sends one, or whose header faxjam draws.
func CSIDOption(help string) Option {
	return Option{Name: "csid", Place: InQuery, Help: help + "; at most 20 digits, spaces and +"}
}

// CSID checks a station id (the CSID or TSI a fax machine sends and the
// receiving machine prints): T.30 allows at most 20 characters, and fax
// machines show only digits, spaces and "+". option names the URL option
// it came from (csid, tsi), for the error. A "+" typed into a URL query
// arrives as a space, so a leading space is read back as "+".
func CSID(driver, option, raw string) (string, error) {
	s := raw
	if strings.HasPrefix(s, " ") {
		s = "+" + strings.TrimLeft(s, " ")
	}
	if n := len([]rune(s)); n > CSIDMax {
		return "", fmt.Errorf("%s: option %s is %d characters; a station id has at most %d", driver, option, n, CSIDMax)
	}
	for _, r := range s {
		if r != ' ' && r != '+' && (r < '0' || r > '9') {
			return "", fmt.Errorf("%s: option %s has %q: a station id is digits, spaces and + only", driver, option, r)
		}
	}
	return s, nil
}
