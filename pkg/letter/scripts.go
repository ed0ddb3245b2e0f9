package letter

import (
	"fmt"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Look-alike letters of another script (a Cyrillic "А" in "Ana") make a
// name that reads the same a new person, with a new key: the hostile probe
// of issue 16 faxed one visible "Ana Unicode" six times with invisible
// characters (invisible, refused) and one Cyrillic letter. Unicode TS #39
// §5 names the defence: a word whose letters come from more than one
// script is mixed-script, the mark of a spoof, while real names are
// written a word in one script (the augmented sets below excepted:
// Japanese mixes Han and kana, Korean Han and Hangul). mixedScript refuses
// such a word, naming it.
//
// Why not the confusable skeleton of TS #39 §4 in the signer key: it maps
// letters of whole scripts onto Latin ("Анна" becomes "AHHa"), so it would
// change the key of every Cyrillic, Greek or Armenian name already in a
// journal, a petition store and a hub client's action store; a list run
// again after the upgrade would fax those people twice. The mixed-script
// rule closes the spoof without touching a key. A name written wholly in
// another script ("Апа" for "Ana") stays a different spelling, and a
// different person: that takes retyping every letter, not slipping one in.

// scriptOrder is where a letter's script is looked for: the scripts of most
// names first, so a lookup rarely walks every table. Made at the first
// use, not at start: `faxjam version` must not pay for it.
var scriptOrder = sync.OnceValue(func() []string {
	first := []string{"Latin", "Cyrillic", "Greek", "Arabic", "Han", "Hiragana", "Katakana", "Hangul", "Hebrew",
		"Devanagari", "Bengali", "Thai", "Armenian", "Georgian", "Bopomofo"}
	seen := map[string]bool{}
	for _, s := range first {
		seen[s] = true
	}
	for s := range unicode.Scripts {
		if !seen[s] && s != "Common" && s != "Inherited" {
			first = append(first, s)
		}
	}
	return first
})

// scriptOf is the script of the letter r ("" for Common and Inherited).
func scriptOf(r rune) string {
	if r < utf8.RuneSelf {
		return "Latin" // only letters are asked about
	}
	for _, s := range scriptOrder() {
		if unicode.Is(unicode.Scripts[s], r) {
			return s
		}
	}
	return ""
}

// augmented are the sets of scripts one word may mix (TS #39 §5.1: Jpan,
// Kore, Hanb).
var augmented = []map[string]bool{
	{"Han": true, "Hiragana": true, "Katakana": true},
	{"Han": true, "Hangul": true},
	{"Han": true, "Bopomofo": true},
}

// mixedScript returns the reason v is refused when one of its words mixes
// letters of scripts that are not written together, or "".
func mixedScript(v string) string {
	ascii := true
	for i := 0; i < len(v) && ascii; i++ {
		ascii = v[i] < utf8.RuneSelf
	}
	if ascii { // every ASCII letter is Latin: most names of a bulk list
		return ""
	}
	word := []rune{}
	scripts := map[string]bool{}
	order := []string{}
	check := func() string {
		defer func() { word, order = word[:0], order[:0]; clear(scripts) }()
		if len(scripts) < 2 {
			return ""
		}
		for _, set := range augmented {
			ok := true
			for s := range scripts {
				ok = ok && set[s]
			}
			if ok {
				return ""
			}
		}
		return fmt.Sprintf("the word %q mixes %s and %s letters, as a look-alike does: write each word in one script", string(word), order[0], order[1])
	}
	for _, r := range v {
		switch {
		case unicode.IsLetter(r):
			if s := scriptOf(r); s != "" && !scripts[s] {
				scripts[s] = true
				order = append(order, s)
			}
			word = append(word, r)
		case unicode.IsMark(r) || r == '\u200c' || r == '\u200d':
			word = append(word, r)
		default:
			if why := check(); why != "" {
				return why
			}
		}
	}
	return check()
}
