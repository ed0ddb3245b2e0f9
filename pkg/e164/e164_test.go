package e164

import (
	"math/rand/v2"
	"regexp"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

func TestNormalizeWritesE164(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"+12025550142", "+12025550142"},
		{"+1 (202) 555-0142", "+12025550142"},
		{"  +1.202.555.0142\t", "+12025550142"},
		{"+502 2411 9191", "+50224119191"},
		{"+44 20 7946 0958", "+442079460958"},
		{"+39 06 6988 4857", "+390669884857"}, // Italy's 0 is part of the number
		{"+49 30 1234567", "+49301234567"},
		{"+7 812 123-45-67", "+78121234567"},                           // St Petersburg: 8 here is no trunk prefix
		{"+33\u00a01\u00a023\u00a045\u00a067\u00a089", "+33123456789"}, // no-break spaces, as pasted from a web page
		{"+52 55 1234 5678", "+525512345678"},
		{"+290 8123", "+2908123"}, // St Helena: 7 digits in all
	} {
		got, err := Normalize(c.in)
		if err != nil || got != c.want {
			t.Errorf("Normalize(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

func TestNormalizeRefusesWhatIsNoE164NumberAndSaysWhy(t *testing.T) {
	for _, c := range []struct{ in, why string }{
		{"", "empty"},
		{"   ", "empty"},
		{"2025550142", "write it with + and the country code"},
		{"00 1 202 555 0142", "write it with + and the country code"},
		{"+", "no digits after the +"},
		{"+1 202 555 0142 ext 7", `'e' cannot be part`},
		{"+1 800 FLOWERS", `'F' cannot be part`},
		{"++1 202 555 0142", `'+' cannot be part`},
		{"+0 202 555 0142", "unknown country calling code +0"},
		{"+999 123 4567", "unknown country calling code +999"},
		{"+1 202 555 014", "9 digits after the country code, where numbers there have 10 digits"},
		{"+1 555 0142", "7 digits after the country code"},                   // local only: no area code
		{"+1 202 055 0142", "the area code and the exchange begin with 2-9"}, // NANP
		{"+1 102 555 0142", "the area code and the exchange begin with 2-9"},
		{"+49 (0)30 1234567", "it begins with 0, which is dialled only inside the country (leave it out)"},
		{"+86 17951 1234567", "it begins with 17951, which is dialled only inside the country"}, // a carrier code
		{"+44 (0)20 7946 0958", "11 digits after the country code, where numbers there have 7, 9 or 10 digits"},
		{"+49 30 1234 5678 9012 34", "where numbers there have 5 to 13 digits"}, // E.164: 15 digits at most
	} {
		got, err := Normalize(c.in)
		if err == nil {
			t.Errorf("Normalize(%q) = %q; want an error saying %q", c.in, got, c.why)
			continue
		}
		if !strings.Contains(err.Error(), c.why) {
			t.Errorf("Normalize(%q) error %q; want it to say %q", c.in, err, c.why)
		}
		if strings.TrimSpace(c.in) != "" && !strings.Contains(err.Error(), strconv.Quote(c.in)) {
			t.Errorf("Normalize(%q) error %q does not name the number", c.in, err)
		}
	}
}

// phonenumbersSays is what Normalize used to be: phonenumbers' parse,
// possible-number check and E.164 format.
func phonenumbersSays(s string) (string, *phonenumbers.PhoneNumber, bool) {
	p, err := phonenumbers.Parse(s, "")
	if err != nil || !phonenumbers.IsPossibleNumber(p) {
		return "", p, false
	}
	return phonenumbers.Format(p, phonenumbers.E164), p, true
}

// agree checks Normalize(s) against phonenumbers. The two may differ only as
// e164.go documents, and only by Normalize refusing; it never writes a
// number other than phonenumbers would.
func agree(t *testing.T, s string) {
	t.Helper()
	ours, err := Normalize(s)
	theirs, p, ok := phonenumbersSays(s)
	switch {
	case err == nil && ok:
		if ours != theirs {
			t.Errorf("Normalize(%q) = %q; phonenumbers says %q", s, ours, theirs)
		}
	case err == nil:
		t.Errorf("Normalize(%q) = %q; phonenumbers finds no possible number", s, ours)
	case ok:
		if why := deliberate(s, theirs, p, err); why == "" {
			t.Errorf("Normalize(%q) refuses (%v); phonenumbers says %q", s, err, theirs)
		}
	}
}

// deliberate names the documented difference that makes Normalize refuse a
// number phonenumbers takes as possible, or returns "".
func deliberate(s, theirs string, p *phonenumbers.PhoneNumber, err error) string {
	digits := "+" + strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
	switch {
	case strings.ContainsFunc(s[strings.Index(s, "+")+1:], func(r rune) bool {
		return !(r >= '0' && r <= '9' || strings.ContainsRune(" .-()\u00a0\t", r))
	}) && strings.Contains(err.Error(), "cannot be part"):
		return "a character other than digits and separators"
	case theirs != digits:
		return "phonenumbers dropped or rewrote digits (trunk prefix, carrier code)"
	case len(theirs)-1 < minE164 || len(theirs)-1 > maxE164:
		return "E.164 has 7 to 15 digits"
	case phonenumbers.IsPossibleNumberWithReason(p) == phonenumbers.IS_POSSIBLE_LOCAL_ONLY:
		return "a length dialled only inside an area"
	case strings.Contains(err.Error(), "dialled only inside the country"):
		return "what phonenumbers might take for a trunk prefix or carrier code"
	case len(theirs) == 12 && theirs[1] == '1' && (theirs[2] < '2' || theirs[5] < '2') && strings.Contains(err.Error(), "NXX-NXX-XXXX"):
		return "NANP area codes and exchanges begin with 2-9"
	}
	return ""
}

var e164 = regexp.MustCompile(`^\+[1-9]\d{6,14}$`)

// TestNormalizeAgreesWithPhonenumbers runs every calling code (and some no
// country has) with random but seeded national numbers: of every length
// from 1 to 17 digits, drawn from the code's number pattern, and either of
// those after what the metadata takes for a trunk prefix or carrier code.
func TestNormalizeAgreesWithPhonenumbers(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 164))
	perLength := 12
	if testing.Short() || raceDetector {
		perLength = 2
	}
	coll, err := phonenumbers.MetadataCollection()
	if err != nil {
		t.Fatal(err)
	}
	codes := []int{0, 28, 42, 80, 210, 259, 999}
	for cc := range phonenumbers.GetSupportedCallingCodes() {
		codes = append(codes, cc)
	}
	slices.Sort(codes)
	random := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('0' + rng.IntN(10))
		}
		return string(b)
	}
	for _, cc := range codes {
		var pattern, trunk *syntax.Regexp
		for _, m := range coll.GetMetadata() {
			if m.GetCountryCode() == int32(cc) && m.GetId() == phonenumbers.GetRegionCodeForCountryCode(cc) {
				pattern = mustParse(t, m.GetGeneralDesc().GetNationalNumberPattern())
				trunk = mustParse(t, m.GetNationalPrefixForParsing())
			}
		}
		plus := "+" + strconv.Itoa(cc)
		for n := 1; n <= 17; n++ {
			for range perLength {
				agree(t, plus+random(n))
			}
		}
		if pattern == nil {
			continue
		}
		for range 17 * perLength {
			nsn := sample(rng, pattern)
			agree(t, plus+nsn)
			tp := sample(rng, trunk)
			agree(t, plus+tp+nsn)
			agree(t, plus+tp+random(rng.IntN(12)+1))
		}
	}
}

func mustParse(t *testing.T, pattern string) *syntax.Regexp {
	t.Helper()
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		t.Fatalf("pattern %q: %v", pattern, err)
	}
	return re
}

// sample returns a random string of digits matching re (anchors aside).
func sample(rng *rand.Rand, re *syntax.Regexp) string {
	var b strings.Builder
	var walk func(re *syntax.Regexp)
	repeat := func(re *syntax.Regexp, lo, hi int) {
		if hi < 0 {
			hi = lo + 3
		}
		for range lo + rng.IntN(hi-lo+1) {
			walk(re.Sub[0])
		}
	}
	walk = func(re *syntax.Regexp) {
		switch re.Op {
		case syntax.OpLiteral:
			b.WriteString(string(re.Rune))
		case syntax.OpCharClass:
			var digits []rune
			for i := 0; i+1 < len(re.Rune); i += 2 {
				for r := max(re.Rune[i], '0'); r <= min(re.Rune[i+1], '9'); r++ {
					digits = append(digits, r)
				}
			}
			if len(digits) > 0 {
				b.WriteRune(digits[rng.IntN(len(digits))])
			}
		case syntax.OpCapture:
			walk(re.Sub[0])
		case syntax.OpConcat:
			for _, sub := range re.Sub {
				walk(sub)
			}
		case syntax.OpAlternate:
			walk(re.Sub[rng.IntN(len(re.Sub))])
		case syntax.OpQuest:
			repeat(re, 0, 1)
		case syntax.OpStar:
			repeat(re, 0, -1)
		case syntax.OpPlus:
			repeat(re, 1, -1)
		case syntax.OpRepeat:
			repeat(re, re.Min, re.Max)
		}
	}
	walk(re)
	return b.String()
}

// TestNormalizeAgreesWithPhonenumbersOnRealNumbers takes phonenumbers'
// example number of every type in every region, all of them valid, written
// the ways people write numbers, and with a trunk prefix where one is
// dialled inside the country. Normalize may refuse a valid number only as
// e164.go documents.
func TestNormalizeAgreesWithPhonenumbersOnRealNumbers(t *testing.T) {
	types := []phonenumbers.PhoneNumberType{
		phonenumbers.FIXED_LINE, phonenumbers.MOBILE, phonenumbers.TOLL_FREE, phonenumbers.PREMIUM_RATE,
		phonenumbers.SHARED_COST, phonenumbers.VOIP, phonenumbers.PERSONAL_NUMBER, phonenumbers.PAGER,
		phonenumbers.UAN, phonenumbers.VOICEMAIL,
	}
	var numbers []*phonenumbers.PhoneNumber
	for region := range phonenumbers.GetSupportedRegions() {
		for _, typ := range types {
			if p := phonenumbers.GetExampleNumberForType(region, typ); p != nil {
				numbers = append(numbers, p)
			}
		}
	}
	for cc := range phonenumbers.GetSupportedGlobalNetworkCallingCodes() {
		if p := phonenumbers.GetExampleNumberForNonGeoEntity(cc); p != nil {
			numbers = append(numbers, p)
		}
	}
	if len(numbers) < 1000 {
		t.Fatalf("only %d example numbers; phonenumbers' metadata did not load", len(numbers))
	}
	taken := 0
	for _, p := range numbers {
		want := phonenumbers.Format(p, phonenumbers.E164)
		cc := strconv.Itoa(int(p.GetCountryCode()))
		nsn := phonenumbers.GetNationalSignificantNumber(p)
		intl := phonenumbers.Format(p, phonenumbers.INTERNATIONAL) // "+44 20 7946 0958"
		variants := []string{
			want,
			intl,
			strings.ReplaceAll(intl, " ", "-"),
			strings.ReplaceAll(intl, " ", "."),
			strings.ReplaceAll(intl, " ", "\u00a0"),
			strings.Replace(intl, " ", " (", 1) + ")",
			"+" + cc + " (" + nsn[:min(3, len(nsn))] + ") " + nsn[min(3, len(nsn)):],
			"  " + strings.ReplaceAll(intl, " ", "  ") + " ",
			"+" + cc + " (0) " + nsn,
			"+" + cc + " 0" + nsn,
		}
		for _, v := range variants {
			agree(t, v)
		}
		if got, err := Normalize(intl); err == nil && got == want {
			taken++
		} else if err != nil {
			t.Logf("refused %q, valid for phonenumbers: %s", intl, deliberate(intl, want, p, err))
		}
	}
	t.Logf("%d of %d valid example numbers taken", taken, len(numbers))
	if taken < len(numbers)*99/100 {
		t.Errorf("only %d of %d valid example numbers taken", taken, len(numbers))
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"+12025550142", "+1 (202) 555-0142", "+44 (0)20 7946 0958", "+49 30 1234567", "+", "", "+0", "+999", "+39 06 6988 4857", "+1\u2013202\u2013555\u20130142", "+\u0661\u0662"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Normalize(s)
		if err != nil {
			if got != "" {
				t.Errorf("Normalize(%q) = %q with error %v", s, got, err)
			}
			return
		}
		if !e164.MatchString(got) {
			t.Errorf("Normalize(%q) = %q; not E.164", s, got)
		}
		if again, err := Normalize(got); err != nil || again != got {
			t.Errorf("Normalize(Normalize(%q)) = %q, %v; want %q", s, again, err, got)
		}
	})
}

func BenchmarkNormalize(b *testing.B) {
	for _, number := range []string{
		"+1 (202) 555-0142", // NANP, literal trunk prefix
		"+49 30 1234567",    // literal trunk prefix
		"+54 11 4321 5678",  // a trunk pattern compiled per call
		"+86 139 1234 5678", // likewise
	} {
		b.Run(number, func(b *testing.B) {
			for b.Loop() {
				if _, err := Normalize(number); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
