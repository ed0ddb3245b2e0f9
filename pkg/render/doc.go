package render

// Doc is a document of any length: a petition with its table of names, or a
// letter (which Renderer.Letter builds and holds to one page).
type Doc struct {
	Blocks []Block
	// Footer is printed on every page after the page label, e.g. the
	// campaign, who sent it and where to report a wrong number.
	Footer string
	// PageLabel is a pattern with %d for the page and %d for the total, e.g.
	// "Página %d/%d"; empty means "%d/%d".
	PageLabel string
	// Lang is the document's language (BCP 47). Its paragraphs, headings
	// and footer take their base direction from it: right to left for a
	// language written in Arabic, Hebrew and the like, left to right for
	// any other, so a right-to-left name at the start of a Spanish line
	// does not turn the line around. "" leaves each paragraph the
	// direction of its first letter (UAX #9 P2, P3). Table cells always
	// take their first letter's: each holds what one signer wrote.
	Lang string
}

// Block is one element of a Doc: a Paragraph, Heading, Table or Spacer.
type Block interface{ isBlock() }

// Paragraph is running text, wrapped to the text width. A "\n" in Text is a
// line break kept as written.
type Paragraph struct {
	Text string
	Size float64 // points; 0 means 11
	Bold bool
}

// Heading is a bold line (wrapped if long) set off from the text around it.
type Heading struct {
	Text string
	Size float64 // points; 0 means 14
}

// Table is a grid of text cells. The header row is repeated at the top of
// every page the table runs onto; a row is never lost, and a row taller than a
// page is split between pages.
type Table struct {
	Header []string
	Rows   [][]string
	// Widths are the columns' shares of the text width; nil means equal. They
	// are scaled to add up to 1.
	Widths []float64
	Size   float64 // points; 0 means 10
}

// Spacer is vertical space, in points.
type Spacer struct {
	Height float64
}

func (Paragraph) isBlock() {}
func (Heading) isBlock()   {}
func (Table) isBlock()     {}
func (Spacer) isBlock()    {}
