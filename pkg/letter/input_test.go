package letter

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func ok() Signer {
	return Signer{Name: "Ana María O’Neill-Núñez", City: "São Paulo", Country: "Brasil"}
}

func TestValidateSignerAcceptsNamesOfTheWorld(t *testing.T) {
	for _, s := range []Signer{
		ok(),
		{Name: "李小龍", City: "香港", Country: "中国"},
		{Name: "Ολυμπία Παπαδοπούλου", City: "Αθήνα", Country: "Ελλάδα"},
		{Name: "محمد بن سلمان", City: "القاهرة", Country: "مصر"},
		{Name: "Dr. J. R. R. Tolkien", City: "Oxford", Country: "UK", Email: "jrr@example.ac.uk"},
		{Name: "  Ana   Pérez ", City: "Lyon 3e", Country: "France", Note: "Line one\r\nLine two\n", Lang: "pt-BR"},
		{Name: "Jose\u0301", City: "X", Country: "Y"}, // decomposed accent: NFC makes it José
		// Nicknames in quotes, common in Latin America (issue 13).
		{Name: `Ana "La Flaca" Pérez`, City: "Lima", Country: "Perú"},
		{Name: "José «Chucho» Ramírez", City: "Quito", Country: "Ecuador"},
		{Name: "María “Nené” López", City: "San Juan", Country: "Puerto Rico"},
		{Name: "„Jupp“ Schmitz", City: "Köln", Country: "Deutschland", Lang: "de-DE"},
		{Name: "Ana", City: "X", Country: "Y", Lang: "zh-Hant-TW"},
		{Name: "Ana", City: "X", Country: "Y", Lang: "es-419"},
	} {
		if err := ValidateSigner(s, false); err != nil {
			t.Errorf("%+v: %v", s, err)
		}
	}
}

func TestValidateSignerNamesEachBadField(t *testing.T) {
	tests := []struct {
		name        string
		mutate      func(s *Signer)
		requireNote bool
		field       string
		reason      string
	}{
		{"empty name", func(s *Signer) { s.Name = "  " }, false, "name", "required"},
		{"empty city", func(s *Signer) { s.City = "" }, false, "city", "required"},
		{"empty country", func(s *Signer) { s.Country = "" }, false, "country", "required"},
		{"long name", func(s *Signer) { s.Name = strings.Repeat("é", MaxField+1) }, false, "name", "at most 100"},
		{"control in name", func(s *Signer) { s.Name = "Ana\x07" }, false, "name", "control character"},
		{"newline in city", func(s *Signer) { s.City = "Lima\nPerú" }, false, "city", "control character"},
		{"bidi override", func(s *Signer) { s.Name = "Ana\u202egnirts" }, false, "name", "control character"},
		{"markup in name", func(s *Signer) { s.Name = "<b>Ana</b>" }, false, "name", "markup"},
		{"template in country", func(s *Signer) { s.Country = "{{.Campaign}}" }, false, "country", "template syntax"},
		{"symbol in name", func(s *Signer) { s.Name = "Ana $$$" }, false, "name", "not allowed"},
		{"emoji in city", func(s *Signer) { s.City = "Lima 🙂" }, false, "city", "not allowed"},
		{"no letter", func(s *Signer) { s.Name = "123 ..." }, false, "name", "must contain a letter"},
		{"invalid utf8", func(s *Signer) { s.Name = "Ana\xff" }, false, "name", "UTF-8"},
		{"bad email", func(s *Signer) { s.Email = "ana at example" }, false, "email", "not an email address"},
		{"email without domain dot", func(s *Signer) { s.Email = "ana@localhost" }, false, "email", "not an email address"},
		{"email with name", func(s *Signer) { s.Email = "Ana <ana@example.org>" }, false, "email", "markup"},
		{"long note", func(s *Signer) { s.Note = strings.Repeat("ñ", MaxNote+5) }, false, "note", "shorten it by 5"},
		{"many note lines", func(s *Signer) { s.Note = strings.Repeat("a\n", MaxNoteLines) + "a" }, false, "note", "9 lines"},
		{"control in note", func(s *Signer) { s.Note = "hola\x00" }, false, "note", "control character"},
		{"template in note", func(s *Signer) { s.Note = "{{range .}}" }, false, "note", "template syntax"},
		{"required note", func(s *Signer) {}, true, "note", "required"},
		{"bad lang", func(s *Signer) { s.Lang = "Spanish" }, false, "lang", "not a language code"},
		{"lang not BCP 47", func(s *Signer) { s.Lang = "xx-notalang-123" }, false, "lang", `"xx-notalang-123" is not a language code: want a BCP 47 tag`},
		{"unknown language subtag", func(s *Signer) { s.Lang = "xx" }, false, "lang", `"xx" is not a language code`},
		{"undetermined language", func(s *Signer) { s.Lang = "und" }, false, "lang", "not a language code"},
		{"markup between quotes", func(s *Signer) { s.Name = `Ana "<b>"` }, false, "name", "markup"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := ok()
			tt.mutate(&s)
			err := ValidateSigner(s, tt.requireNote)
			var fe *FieldErrors
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v, want *FieldErrors", err)
			}
			if r := fe.Reason(tt.field); !strings.Contains(r, tt.reason) {
				t.Errorf("%s: reason %q, want one containing %q (all: %v)", tt.field, r, tt.reason, err)
			}
			if len(fe.Fields) != 1 {
				t.Errorf("want only %s rejected, got %v", tt.field, err)
			}
		})
	}
}

func TestValidateSignerListsEveryField(t *testing.T) {
	var fe *FieldErrors
	if !errors.As(ValidateSigner(Signer{Email: "x"}, true), &fe) {
		t.Fatal("want *FieldErrors")
	}
	for _, f := range []string{"name", "city", "country", "email", "note"} {
		if fe.Reason(f) == "" {
			t.Errorf("%s not named in %v", f, fe)
		}
	}
}

func TestNormalize(t *testing.T) {
	got := Normalize(Signer{Name: " Jose\u0301 \u00a0 Pérez ", City: "Lima", Country: "Perú", Note: "  a \r\nb\t c  \n\n", Email: " a@b.org "})
	want := Signer{Name: "José Pérez", City: "Lima", Country: "Perú", Note: "a\nb  c", Email: "a@b.org"}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestSignerKey(t *testing.T) {
	base := SignerKey("c", Signer{Name: "José Pérez", City: "Sevilla", Country: "España"})
	if len(base) != 32 {
		t.Fatalf("key %q: want 32 hex digits", base)
	}
	same := []Signer{
		{Name: "JOSÉ  PÉREZ", City: " sevilla", Country: "ESPAÑA"},
		{Name: "Jose\u0301 Pe\u0301rez", City: "Sevilla", Country: "España"},
		{Name: "José Pérez", City: "Sevilla", Country: "España", Note: "another note", Lang: "en"},
	}
	for _, s := range same {
		if k := SignerKey("c", s); k != base {
			t.Errorf("%+v: key %s, want %s (same person)", s, k, base)
		}
	}
	different := []struct {
		id string
		s  Signer
	}{
		{"other-campaign", Signer{Name: "José Pérez", City: "Sevilla", Country: "España"}},
		{"c", Signer{Name: "José Pérez", City: "Madrid", Country: "España"}},
		{"c", Signer{Name: "José Pérez", City: "Sevilla", Country: "España", Email: "j@example.org"}},
		{"c", Signer{Name: "José PérezSevilla", City: "", Country: "España"}},
	}
	for _, d := range different {
		if SignerKey(d.id, d.s) == base {
			t.Errorf("%s %+v: same key as the base signer", d.id, d.s)
		}
	}
}

func FuzzValidateSigner(f *testing.F) {
	f.Add("Ana", "Lima", "Perú", "a@b.org", "nota", "es")
	f.Add("{{.Campaign}}", "<x>", "\x00", "@", strings.Repeat("\n", 20), "--")
	f.Fuzz(func(t *testing.T, name, city, country, email, note, lang string) {
		s := Signer{Name: name, City: city, Country: country, Email: email, Note: note, Lang: lang}
		err := ValidateSigner(s, false)
		n := Normalize(s)
		if Normalize(n) != n {
			t.Errorf("Normalize is not idempotent: %+v", n)
		}
		if err == nil {
			for _, v := range []string{n.Name, n.City, n.Country, n.Note} {
				if strings.Contains(v, "{{") || strings.ContainsAny(v, "<>\x00\r") {
					t.Errorf("accepted %q", v)
				}
			}
		}
		_ = SignerKey("c", s)
	})
}

func FuzzCompose(f *testing.F) {
	f.Add("Ana", "Lima", "Perú", "Una nota.", "es")
	f.Add("{{.Campaign}}", "x", "y", "{{template \"a\"}}", "en")
	c := bundled(f)
	f.Fuzz(func(t *testing.T, name, city, country, note, lang string) {
		s := Signer{Name: name, City: city, Country: country, Note: note}
		l, err := Compose(c, lang, s, time.Unix(1700000000, 0))
		if err != nil {
			return
		}
		n := Normalize(s)
		if !strings.Contains(l.Body, n.Name) || !strings.Contains(l.Footer, n.Name) {
			t.Errorf("letter lacks the signer's name %q", n.Name)
		}
		if n.Note != "" && !strings.Contains(l.Body, n.Note) {
			t.Errorf("letter lacks the note %q", n.Note)
		}
	})
}

func TestJSONLoneSurrogate(t *testing.T) {
	tests := map[string]string{
		`{"name":"Ana","note":"hi \ud800 there"}`:      "note",
		`{"name":"Ana","note":"\udc00"}`:               "note",
		`{"city":"x\ud800\u0041","name":"A"}`:          "city",
		`{"name":"Ana","note":"pair \ud83d\ude00 ok"}`: "",
		`{"name":"Ana","note":"escaped \\ud800 text"}`: "",
		`{"name":"Ana","note":"\u00e9 \n \" plain"}`:   "",
		`{"name":"Ana"}`:  "",
		`not json \ud800`: "",
	}
	for in, want := range tests {
		if got := JSONLoneSurrogate([]byte(in)); got != want {
			t.Errorf("JSONLoneSurrogate(%s) = %q, want %q", in, got, want)
		}
	}
}

// Invisible characters make look-alikes of a name a new person: ZWJ,
// ZWNJ, U+034F, U+FE0F gave 6 faxes for one visible "Ana Unicode"
// (issue 16). They are refused, naming the code point; the joiners stay
// where a script spells with them, between two of its letters.
func TestInvisibleCharactersAreRefusedInNames(t *testing.T) {
	for _, name := range []string{
		"Ana\u200dUnicode", "Ana\u200c Unicode", "An\u034Fa Unicode", "Ana\uFE0F Unicode",
		"Ana \u3164Unicode", "\u200bAna Unicode", "Ana Unicode\u2060", "Ana\U000E0100 Unicode",
	} {
		if r := checkWords(name); !strings.Contains(r, "invisible character U+") && !strings.Contains(r, "control character U+") {
			t.Errorf("%q: %q, want it refused naming the invisible code point", name, r)
		}
	}
	for _, name := range []string{
		"می\u200cخواهم",      // Persian: a ZWNJ inside a word
		"क्\u200dष",          // Devanagari: ZWJ after a virama
		"Ana Unicode",        // nothing invisible
		"Zoë Ångström-Ñúñez", // accents are marks that draw
	} {
		if r := checkWords(name); r != "" {
			t.Errorf("%q refused: %s", name, r)
		}
	}
}

// TestLookAlikeLettersOfAnotherScriptAreRefused: a Cyrillic "А" in "Ana"
// made a new person of one visible "Ana Unicode" (issue 16.4). A word that
// mixes scripts is refused naming the word and the scripts; words of one
// script each, and the mixes Japanese and Korean write with, are not.
func TestLookAlikeLettersOfAnotherScriptAreRefused(t *testing.T) {
	for name, want := range map[string]string{
		"\u0410na Unicode":  "Cyrillic and Latin", // А
		"Ana Unic\u043ede":  "Latin and Cyrillic", // о
		"P\u03bfrto":        "Latin and Greek",    // ο
		"Ana Unicod\u0435 ": "Latin and Cyrillic",
	} {
		if r := checkWords(name); !strings.Contains(r, want) || !strings.Contains(r, "mixes") {
			t.Errorf("%q: %q, want it refused as mixing %s", name, r, want)
		}
	}
	for _, name := range []string{
		"Ana Unicode", "Анна Каренина", "Ana Карен", "Ἀθῆναι", "東京都 Tōkyō", "ひらがなカタカナ漢字",
		"서울特別市", "Zoë Ångström-Ñúñez", "می\u200cخواهم", "Guatemala City", "Ciudad de Guatemala",
	} {
		if r := checkWords(name); r != "" {
			t.Errorf("%q refused: %s", name, r)
		}
	}
}
