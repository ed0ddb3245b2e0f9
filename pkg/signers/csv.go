package signers

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/faxjam/faxjam/pkg/letter"
)

// newCSV reads the header and returns the row reader. The delimiter is a
// comma unless the header line has none and semicolons or tabs instead (a
// spreadsheet saved in a European locale).
func newCSV(br *bufio.Reader, head []byte, rd *Reader) (func() (Row, error), error) {
	cr := csv.NewReader(br)
	cr.Comma = delimiter(head)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("signers: CSV header: %w", err)
	}
	col := make([]string, len(header)) // index -> field name
	var unknown []string
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		switch {
		case !slices.Contains(Columns(), h):
			unknown = append(unknown, fmt.Sprintf("%q", h))
		case slices.Contains(col, h):
			return nil, fmt.Errorf("signers: CSV header: column %s appears twice", h)
		}
		col[i] = h
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("signers: CSV header: unknown column %s (known: %s)", strings.Join(unknown, ", "), strings.Join(Columns(), ", "))
	}
	var missing []string
	for _, need := range []string{"name", "city", "country"} {
		if !slices.Contains(col, need) {
			missing = append(missing, need)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("signers: CSV header: no %s column (the first line must name the columns, e.g. name,city,country,email,note)", strings.Join(missing, ", "))
	}
	lastBad := -1
	return func() (Row, error) {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return Row{}, io.EOF
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			// The csv reader resumes after the bad record; if it cannot
			// make progress the list is unreadable.
			if pe.StartLine == lastBad {
				return Row{}, fmt.Errorf("signers: CSV line %d: %w", pe.StartLine, pe.Err)
			}
			lastBad = pe.StartLine
			return Row{Line: pe.StartLine, Err: &RowError{Line: pe.StartLine, Reason: "bad quotes: " + pe.Err.Error()}}, nil
		}
		if err != nil {
			return Row{}, fmt.Errorf("signers: read: %w", err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(col) {
			return Row{Line: line, Err: &RowError{Line: line, Reason: fmt.Sprintf("%d fields, the header has %d", len(rec), len(col))}}, nil
		}
		var s letter.Signer
		for i, v := range rec {
			switch col[i] {
			case "name":
				s.Name = v
			case "city":
				s.City = v
			case "country":
				s.Country = v
			case "email":
				s.Email = v
			case "note":
				s.Note = v
			case "lang":
				s.Lang = v
			}
		}
		return rd.finish(line, s), nil
	}, nil
}

func delimiter(head []byte) rune {
	first, _, _ := bytes.Cut(head, []byte("\n"))
	if bytes.IndexByte(first, ',') >= 0 {
		return ','
	}
	if bytes.Count(first, []byte(";")) >= bytes.Count(first, []byte("\t")) && bytes.IndexByte(first, ';') >= 0 {
		return ';'
	}
	if bytes.IndexByte(first, '\t') >= 0 {
		return '\t'
	}
	return ','
}
