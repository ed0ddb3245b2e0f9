package e164

import (
	"strconv"
	"strings"
)

// Readable writes an E.164 number for people: the country calling code,
// then the national number in groups ("+57 601 555 0101", "+502 2411 9191",
// "+1 202 555 0142"). It is for display only: everything stores and
// compares the E.164 form. A number that is not E.164 comes back as given.
func Readable(number string) string {
	digits, ok := strings.CutPrefix(number, "+")
	if !ok || digits == "" || strings.Trim(digits, "0123456789") != "" {
		return number
	}
	cc, nsn, ok := splitCallingCode(digits)
	if !ok || nsn == "" {
		return number
	}
	var groups []string
	switch n := len(nsn); {
	case cc == 1 && n == 10: // NANP: NXX NXX XXXX
		groups = []string{nsn[:3], nsn[3:6], nsn[6:]}
	case n <= 8 && n%4 == 0:
		for i := 0; i < n; i += 4 {
			groups = append(groups, nsn[i:i+4])
		}
	default:
		// Threes, the last group four long when a lone digit would be left.
		for len(nsn) > 4 {
			groups = append(groups, nsn[:3])
			nsn = nsn[3:]
		}
		groups = append(groups, nsn)
	}
	return "+" + strconv.Itoa(cc) + " " + strings.Join(groups, " ")
}
