// Package e164 reads fax numbers as people write them (a leading + and the
// country code, with spaces, dots, dashes or parentheses between the digits)
// and writes them in E.164, the one form every other package keys on: the
// campaign model, the journal, the dispatch engine and the gateway drivers.
// It has no dependencies beyond the standard library, so the campaign model
// does not import the transport layer to check a number.
package e164

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// The E.164 check below replaces github.com/nyaruka/phonenumbers at run
// time: that package decodes all of libphonenumber's metadata when the
// program starts (about 4 ms, most of faxjam's start-up), while a fax number
// needs only the country calling code and the possible lengths behind it.
// Those come from the same metadata, generated into table.go, and
// e164_test.go holds Normalize to phonenumbers' answers.
//
// Where the two differ it is on purpose, and always by refusing:
//   - only ASCII digits, spaces, dots, dashes and parentheses may follow the
//     '+' (phonenumbers also reads letters as on a keypad, "ext." extensions,
//     other scripts' digits and RFC 3966 "tel:" parameters);
//   - nothing is taken away from the digits: where phonenumbers would drop
//     or rewrite what it takes for a trunk prefix or a carrier code ("+49
//     030...", "+86 17951..."), or might, the number is refused, so the
//     number faxed is always the one written;
//   - lengths only dialled inside an area ("local only") are refused: a fax
//     from abroad needs the area code;
//   - a whole number has 7 to 15 digits, as E.164 says;
//   - +1 numbers follow the NANP plan NXX-NXX-XXXX (N = 2-9).

// Normalize reads a number written with a leading + and the country code
// (digits with spaces, dots, dashes or parentheses between them) and returns
// it in E.164, or says why it cannot be one (the rules are above). Numbers without a
// country code are refused: a fax campaign crosses borders, so "0" prefixes
// are ambiguous.
func Normalize(number string) (string, error) {
	s := strings.TrimSpace(number)
	if s == "" {
		return "", fmt.Errorf("fax number is empty")
	}
	if !strings.HasPrefix(s, "+") {
		return "", fmt.Errorf("fax number %q: not an E.164 number (write it with + and the country code, e.g. +502 2411 9191)", number)
	}
	digits, err := e164Digits(s[1:])
	if err != nil {
		return "", fmt.Errorf("fax number %q: not an E.164 number: %v", number, err)
	}
	cc, nsn, ok := splitCallingCode(digits)
	if !ok {
		return "", fmt.Errorf("fax number %q: not an E.164 number: unknown country calling code +%s (write it with + and the country code, e.g. +502 2411 9191)", number, digits[:min(len(digits), 3)])
	}
	if err := checkNSN(cc, nsn); err != nil {
		return "", fmt.Errorf("fax number %q: not a possible number for country code +%d: %v", number, cc, err)
	}
	return "+" + digits, nil
}

// Digits returns an E.164 number without the plus: "15554443322".
func Digits(number string) string { return strings.TrimPrefix(number, "+") }

// A whole E.164 number, country code included, has 7 to 15 digits.
const (
	minE164 = 7
	maxE164 = 15
)

// e164Digits returns the digits of what follows the '+', refusing anything
// but digits and the separators people write numbers with.
func e164Digits(s string) (string, error) {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '.' || r == '(' || r == ')' || unicode.IsSpace(r) || unicode.Is(unicode.Pd, r):
		default:
			return "", fmt.Errorf("%q cannot be part of a fax number (write digits, with spaces, dots, dashes or parentheses between them)", r)
		}
	}
	if b.Len() == 0 {
		return "", errors.New("no digits after the +")
	}
	return b.String(), nil
}

// splitCallingCode finds the country calling code at the start of digits.
// Calling codes are a prefix code (no code begins another), so the first
// match is the only one.
func splitCallingCode(digits string) (cc int, nsn string, ok bool) {
	if digits[0] == '0' {
		return 0, "", false
	}
	for n := 1; n <= 3 && n <= len(digits); n++ {
		cc, _ = strconv.Atoi(digits[:n])
		if lengths, _, _ := callingCode(cc); lengths != 0 {
			return cc, digits[n:], true
		}
	}
	return 0, "", false
}

// checkNSN says why nsn cannot be a number under calling code cc, or nil.
func checkNSN(cc int, nsn string) error {
	lengths, trunk, rewrites := callingCode(cc)
	// Keep only the lengths that make a whole number E.164 allows.
	ccLen := len(strconv.Itoa(cc))
	var allowed uint32
	for n := max(minE164-ccLen, 0); n <= maxE164-ccLen; n++ {
		allowed |= 1 << n
	}
	if (lengths&allowed)&(1<<len(nsn)) == 0 {
		return fmt.Errorf("%d digits after the country code, where numbers there have %s", len(nsn), lengthList(lengths&allowed))
	}
	if n := trunkPrefix(nsn, trunk, rewrites, lengths); n > 0 {
		return fmt.Errorf("it begins with %s, which is dialled only inside the country (leave it out)", nsn[:n])
	}
	if cc == 1 && (len(nsn) != 10 || nsn[0] < '2' || nsn[3] < '2') {
		return errors.New("the area code and the exchange begin with 2-9 (NXX-NXX-XXXX)")
	}
	return nil
}

// trunkPrefix returns the length of the trunk prefix or carrier code nsn
// may begin with (0 if none): digits dialled only inside the country, which
// phonenumbers would drop or rewrite. trunk is the pattern for them from
// the metadata. Plain prefixes count only when the rest alone has a
// possible length, as phonenumbers does (so "+7 812..." keeps its 8);
// prefixes the metadata rewrites always count.
func trunkPrefix(nsn, trunk string, rewrites bool, lengths uint32) int {
	if trunk == "" {
		return 0
	}
	n := 0
	if regexp.QuoteMeta(trunk) == trunk { // digits only, the common case
		if strings.HasPrefix(nsn, trunk) {
			n = len(trunk)
		}
	} else {
		// Compiled here, not at start-up: few numbers are normalized per
		// run, and TestE164Table compiles every pattern in the table.
		m := regexp.MustCompile(`^(?:` + trunk + `)`).FindStringSubmatchIndex(nsn)
		if m == nil {
			return 0
		}
		n = m[1]
		if rewrites && len(m) > 2 && m[len(m)-2] >= 0 {
			return n
		}
	}
	if n > 0 && lengths&(1<<(len(nsn)-n)) != 0 {
		return n
	}
	return 0
}

// lengthList writes a length set as "9", "9 or 10", "7, 9 or 10", or with
// runs of three or more as "5 to 13".
func lengthList(lengths uint32) string {
	var parts []string
	for n := 0; n < 32; n++ {
		if lengths&(1<<n) == 0 {
			continue
		}
		end := n
		for end+1 < 32 && lengths&(1<<(end+1)) != 0 {
			end++
		}
		switch {
		case end-n >= 2:
			parts = append(parts, fmt.Sprintf("%d to %d", n, end))
			n = end
		default:
			parts = append(parts, strconv.Itoa(n))
		}
	}
	switch len(parts) {
	case 0:
		return "no possible length"
	case 1:
		return parts[0] + " digits"
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " or " + parts[len(parts)-1] + " digits"
}
