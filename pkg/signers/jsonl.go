package signers

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/faxjam/faxjam/pkg/letter"
)

// jsonRow is one line of a JSON Lines list.
type jsonRow struct {
	Name    string `json:"name"`
	City    string `json:"city"`
	Country string `json:"country"`
	Email   string `json:"email"`
	Note    string `json:"note"`
	Lang    string `json:"lang"`
}

func newJSONL(br *bufio.Reader, rd *Reader) func() (Row, error) {
	line := 0
	return func() (Row, error) {
		for {
			b, tooLong, err := readLine(br)
			if err != nil {
				return Row{}, err
			}
			line++
			if tooLong {
				return Row{Line: line, Err: &RowError{Line: line, Reason: fmt.Sprintf("line longer than %d bytes", maxLine)}}, nil
			}
			b = bytes.TrimSpace(b)
			if len(b) == 0 {
				continue
			}
			return decodeLine(line, b, rd), nil
		}
	}
}

// readLine returns the next line without its newline, or io.EOF. A line
// longer than the buffer is skipped to its end and reported, so a huge line
// never sits in memory.
func readLine(br *bufio.Reader) (b []byte, tooLong bool, err error) {
	for {
		chunk, err := br.ReadSlice('\n')
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			tooLong = true
			continue
		case errors.Is(err, io.EOF):
			if len(chunk) == 0 && !tooLong {
				return nil, false, io.EOF
			}
			return chunk, tooLong, nil
		case err != nil:
			return nil, false, fmt.Errorf("signers: read: %w", err)
		}
		return bytes.TrimSuffix(chunk, []byte("\n")), tooLong, nil
	}
}

func decodeLine(line int, b []byte, rd *Reader) Row {
	bad := func(field, reason string) Row {
		return Row{Line: line, Err: &RowError{Line: line, Field: field, Reason: reason}}
	}
	if b[0] != '{' {
		return bad("", "not a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var r jsonRow
	if err := dec.Decode(&r); err != nil {
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &te):
			return bad(te.Field, "want a string")
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return bad(field, "unknown field (known: "+strings.Join(Columns(), ", ")+")")
		default:
			return bad("", "not valid JSON: "+strings.TrimPrefix(err.Error(), "json: "))
		}
	}
	if dec.InputOffset() != int64(len(b)) {
		return bad("", "more than one JSON value on the line")
	}
	if field := letter.JSONLoneSurrogate(b); field != "" {
		return bad(field, letter.LoneSurrogateReason)
	}
	return rd.finish(line, letter.Signer{Name: r.Name, City: r.City, Country: r.Country, Email: r.Email, Note: r.Note, Lang: r.Lang})
}
