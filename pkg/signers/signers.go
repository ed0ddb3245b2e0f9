// Package signers reads lists of signers (CSV or JSON Lines) for bulk
// sending: one row at a time, never the whole list in memory. A bad row is a
// Row with an error, so a run can reject it and go on; only a list that
// cannot be read at all is a fatal error. Every row passes
// letter.ValidateSigner. It imports letter and nothing else of faxjam's.
//
// Reader does no I/O beyond the reader it is given. OpenList is what a bulk
// run uses: it opens the file (or stdin), checks the whole list first under
// --strict, writes every rejected row to the --rejects CSV (with its line),
// and finds the line of a signer whose letter could not be made later on.
package signers

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/faxjam/faxjam/pkg/letter"
)

// MaxField bounds one field; a longer one rejects its row, so a stray file
// never reaches a letter.
const MaxField = 64 << 10

// maxLine bounds a JSON Lines line; bufio's buffer is this big.
const maxLine = 512 << 10

// sniffSize is how much of the start of the list is inspected to tell CSV
// from JSON Lines and text from binary data.
const sniffSize = 8 << 10

// ErrEmpty is returned by Open for a list with nothing in it.
var ErrEmpty = errors.New("no signers: file is empty")

// Columns are the fields a list may carry, in the order faxjam writes them.
func Columns() []string { return []string{"name", "city", "country", "email", "note", "lang"} }

// Row is one signer of the list. Line is where it starts (1-based). When Err
// is set (a *RowError) the row is rejected and Signer holds what was read.
type Row struct {
	Line   int
	Signer letter.Signer
	Err    error
}

// RowError says why one row was rejected.
type RowError struct {
	Line   int
	Field  string // the column at fault, "" for the row as a whole
	Reason string
	// Fields lists every rejected field when the signer failed
	// letter.ValidateSigner; Field and Reason are the first of them.
	Fields []letter.FieldError
	// Err is the error behind a row whose letter could not be made
	// (List.Reject), when there is one.
	Err error
}

func (e *RowError) Unwrap() error { return e.Err }

func (e *RowError) Error() string {
	if len(e.Fields) > 1 {
		return fmt.Sprintf("line %d: %s", e.Line, (&letter.FieldErrors{Fields: e.Fields}).Error())
	}
	if e.Field == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Reason)
	}
	return fmt.Sprintf("line %d: %s: %s", e.Line, e.Field, e.Reason)
}

// Reader streams the rows of a signer list.
type Reader struct {
	// RequireNote is the campaign's require_note; set it before the first
	// Next.
	RequireNote bool

	format string
	next   func() (Row, error) // the format's reader: a Row, io.EOF or a fatal error
	dedup  *Dedup
	rows   int
}

// Open starts reading a list in format "csv", "jsonl" (or "ndjson"), or ""
// to tell from the content. It reads the start of r to check that it is text
// and not empty.
func Open(r io.Reader, format string) (*Reader, error) {
	br := bufio.NewReaderSize(&lineEnds{r: r}, maxLine)
	head, err := br.Peek(sniffSize)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, fmt.Errorf("signers: read: %w", err)
	}
	if bytes.HasPrefix(head, []byte("\uFEFF")) {
		br.Discard(3)
		head = head[3:]
	}
	if len(bytes.TrimSpace(head)) == 0 {
		return nil, ErrEmpty
	}
	if i := bytes.IndexByte(head, 0); i >= 0 || !validUTF8Prefix(head) {
		return nil, errors.New("signers: not a text file (binary data or not UTF-8); want CSV or JSON Lines in UTF-8")
	}
	if format == "" {
		format = "csv"
		if bytes.TrimLeft(head, " \t\r\n")[0] == '{' {
			format = "jsonl"
		}
	}
	rd := &Reader{dedup: NewDedup()}
	err = nil
	switch strings.ToLower(format) {
	case "csv":
		rd.format = "csv"
		rd.next, err = newCSV(br, head, rd)
	case "jsonl", "ndjson":
		rd.format = "jsonl"
		rd.next = newJSONL(br, rd)
	default:
		return nil, fmt.Errorf("signers: unknown format %q (want csv or jsonl)", format)
	}
	if err != nil {
		return nil, err
	}
	return rd, nil
}

// lineEnds makes every line ending "\n": "\r\n" (Windows) and a lone "\r"
// (classic Mac OS, some spreadsheet exports), which the CSV reader would
// otherwise take for characters of one long line.
type lineEnds struct {
	r  io.Reader
	cr bool // the last byte read was a "\r", made "\n"
}

func (l *lineEnds) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	out := p[:0]
	for _, c := range p[:n] {
		if l.cr {
			l.cr = false
			if c == '\n' {
				continue
			}
		}
		if c == '\r' {
			l.cr = true
			c = '\n'
		}
		out = append(out, c)
	}
	return len(out), err
}

// Format is the list's format: "csv" or "jsonl".
func (r *Reader) Format() string { return r.format }

// Next returns the next row, io.EOF after the last one, or a fatal error. A
// rejected row is a Row with Err set, not an error.
func (r *Reader) Next() (Row, error) {
	row, err := r.next()
	if errors.Is(err, io.EOF) && r.rows == 0 {
		return Row{}, errors.New("no signers: the list has no rows")
	}
	if err != nil {
		return Row{}, err
	}
	r.rows++
	return row, nil
}

// finish checks a row read from either format: the field sizes, the input
// rules and duplicates.
func (r *Reader) finish(line int, s letter.Signer) Row {
	for _, f := range []struct{ name, v string }{{"name", s.Name}, {"city", s.City}, {"country", s.Country}, {"email", s.Email}, {"note", s.Note}, {"lang", s.Lang}} {
		if len(f.v) > MaxField {
			return Row{Line: line, Err: &RowError{Line: line, Field: f.name, Reason: fmt.Sprintf("%d bytes, at most %d", len(f.v), MaxField)}}
		}
	}
	row := Row{Line: line, Signer: letter.Normalize(s)}
	if err := letter.ValidateSigner(s, r.RequireNote); err != nil {
		var fe *letter.FieldErrors
		if errors.As(err, &fe) && len(fe.Fields) > 0 {
			row.Err = &RowError{Line: line, Field: fe.Fields[0].Field, Reason: fe.Fields[0].Reason, Fields: fe.Fields}
		} else {
			row.Err = &RowError{Line: line, Reason: err.Error()}
		}
		return row
	}
	if first, dup := r.dedup.Seen(letter.SignerKey("", row.Signer), line); dup {
		row.Err = &RowError{Line: line, Reason: fmt.Sprintf("duplicate of line %d", first)}
	}
	return row
}

// validUTF8Prefix is utf8.Valid allowing a rune cut off at the end of b.
func validUTF8Prefix(b []byte) bool {
	for i := 0; i < 3 && len(b) > 0; i++ {
		if utf8.Valid(b) {
			return true
		}
		if utf8.FullRune(b[max(0, len(b)-utf8.UTFMax):]) {
			break
		}
		b = b[:len(b)-1]
	}
	return utf8.Valid(b)
}
