package render

import "fmt"

// OverflowError says that a letter does not fit on one fax page and by
// roughly how many characters it must shrink.
type OverflowError struct {
	Chars int // at least 1
}

func (e *OverflowError) Error() string {
	return fmt.Sprintf("the letter is %d characters too long for one fax page: shorten the note by %d characters", e.Chars, e.Chars)
}

// GlyphError names a character that none of the fonts can draw: a fax must
// never carry a blank box where a letter of someone's name should be.
type GlyphError struct {
	Rune rune
	Text string // the paragraph, cell or footer the character is in
}

func (e *GlyphError) Error() string {
	return fmt.Sprintf("character %q (%U) is not in the fax font; pass --font FILE.ttf with a font that has it", string(e.Rune), e.Rune)
}
