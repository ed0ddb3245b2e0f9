package render

import "fmt"

// OverflowError says that a letter does not fit on one fax page and by
// roughly how many characters it must shrink.
type OverflowError struct {
	Chars int // at least 1
	// NoNote: the letter carries no note, so the campaign's template is
	// what is too long, not anything the signer wrote.
	NoNote bool
}

func (e *OverflowError) Error() string {
	if e.NoNote {
		return fmt.Sprintf("the campaign's letter is %d characters too long for one fax page even without a note: its organizer must shorten the template", e.Chars)
	}
	return fmt.Sprintf("the letter is %d characters too long for one fax page: shorten the note by %d characters", e.Chars, e.Chars)
}

// GlyphError names a character that none of the fonts can draw: a fax must
// never carry a blank box where a letter of someone's name should be.
//
// It also names text that the fonts could only print wrongly: letters of a
// script that needs shaping (Arabic, Devanagari...) in a font without the
// rules for it, and bidi controls.
type GlyphError struct {
	Rune rune
	Text string // the paragraph, cell or footer the character is in
	// Script is the character's script ("Arabic"), when it has one.
	Script string
	// NoShaping: the font has the letter but not the script's shaping
	// rules (its GSUB table has no such script), so it would print the
	// letters unjoined or out of order.
	NoShaping bool
	// Control: the character is a bidi embedding, override or isolate.
	Control bool
}

func (e *GlyphError) Error() string {
	c := fmt.Sprintf("character %q (%U)", string(e.Rune), e.Rune)
	switch {
	case e.Control:
		return fmt.Sprintf("character %U is a bidirectional formatting control, which a fax cannot show; remove it", e.Rune)
	case e.NoShaping:
		return fmt.Sprintf("%s is %s, which the font has no shaping rules for (its letters would print unjoined or out of order); pass --font FILE.ttf with a font made for %s", c, e.Script, e.Script)
	case e.Script != "" && e.Script != "Common" && e.Script != "Inherited" && e.Script != "Latin":
		return fmt.Sprintf("character %q (%U, %s) is not in the fax font; pass --font FILE.ttf with a font that has %s", string(e.Rune), e.Rune, e.Script, e.Script)
	}
	return c + " is not in the fax font; pass --font FILE.ttf with a font that has it"
}
