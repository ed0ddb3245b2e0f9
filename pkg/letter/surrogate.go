package letter

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
)

// LoneSurrogateReason is the reason a field with a lone surrogate is
// refused with.
const LoneSurrogateReason = "contains a lone UTF-16 surrogate escape (\\ud800–\\udfff without its pair): not a character"

// JSONLoneSurrogate returns the name of the first field (in name order) of
// the JSON object obj whose string value spells a lone UTF-16 surrogate
// escape such as "\ud800", or "" when there is none. encoding/json decodes
// such an escape to U+FFFD without a word, so a note would be stored with a
// replacement character the signer never typed; callers refuse the field
// instead, by name.
func JSONLoneSurrogate(obj []byte) string {
	if !bytes.Contains(obj, []byte(`\u`)) {
		return "" // the common case: no escapes at all
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(obj, &fields) != nil {
		return ""
	}
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		if loneSurrogate(fields[k]) {
			return k
		}
	}
	return ""
}

// loneSurrogate reports whether the raw JSON string s has a \uXXXX escape
// of a surrogate that is not half of a high-low pair.
func loneSurrogate(s []byte) bool {
	hex4 := func(i int) (int, bool) {
		if i+6 > len(s) || s[i] != '\\' || s[i+1] != 'u' {
			return 0, false
		}
		v, err := strconv.ParseUint(string(s[i+2:i+6]), 16, 16)
		return int(v), err == nil
	}
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			continue
		}
		v, ok := hex4(i)
		if !ok {
			i++ // another escape: skip its letter (also `\\`)
			continue
		}
		switch {
		case v >= 0xD800 && v <= 0xDBFF:
			if w, ok := hex4(i + 6); ok && w >= 0xDC00 && w <= 0xDFFF {
				i += 11
				continue
			}
			return true
		case v >= 0xDC00 && v <= 0xDFFF:
			return true
		}
		i += 5
	}
	return false
}
