package signers

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/faxjam/faxjam/pkg/csvsafe"
	"github.com/faxjam/faxjam/pkg/letter"
)

// ErrInput marks the errors of OpenList and List.All that the list or its
// options are at fault for (a file that is missing or not a list, rows
// refused under Strict, a rejects file that cannot be created): a command
// reports them as bad input (exit 2), and anything else as a failure.
var ErrInput = errors.New("bad signer list")

type inputError struct{ err error }

func (e inputError) Error() string    { return e.err.Error() }
func (e inputError) Unwrap() []error  { return []error{e.err, ErrInput} }
func inputf(f string, a ...any) error { return inputError{fmt.Errorf(f, a...)} }

// ListOptions say where a bulk run's signers come from and where its
// rejected rows go.
type ListOptions struct {
	// Path is the list's file, or "-" for Stdin. Its extension (.csv,
	// .jsonl, .ndjson) names the format; otherwise it is told from the
	// content.
	Path  string
	Stdin io.Reader
	// Rejects, when set, is a CSV file every rejected row is written to,
	// with its line and the reason, so an organizer can fix and re-send
	// just those.
	Rejects string
	// RawRejects writes the rejects file's values verbatim, without the
	// quote csvsafe puts before a value a spreadsheet would evaluate.
	RawRejects bool
	// Strict reads the whole list once before the first row is given out
	// and refuses it, listing every problem, when any row is rejected.
	Strict      bool
	RequireNote bool
}

// List is an open signer list: the rows to send, streamed, and the rejects
// file. Its methods may be called from several goroutines.
type List struct {
	path string
	in   io.Closer

	mu  sync.Mutex // guards rd (and its dedup) and rej
	rd  *Reader
	rej *RejectWriter
}

// OpenList opens the list o describes. With Strict, a list with any
// rejected row is an error listing them all, and nothing is given out.
func OpenList(o ListOptions) (*List, error) {
	var in io.ReadCloser = io.NopCloser(o.Stdin)
	if o.Path != "-" {
		f, err := os.Open(o.Path)
		if err != nil {
			return nil, inputf("--signers: %w", err)
		}
		in = f
	}
	format := ""
	switch strings.ToLower(filepath.Ext(o.Path)) {
	case ".csv":
		format = "csv"
	case ".jsonl", ".ndjson":
		format = "jsonl"
	}
	var src io.Reader = in
	if o.Strict {
		// Read it all once first; stdin can be read only once, so keep it.
		data, err := io.ReadAll(in)
		in.Close()
		if err != nil {
			return nil, fmt.Errorf("--signers: %w", err)
		}
		if err := checkList(data, format, o.RequireNote); err != nil {
			return nil, err
		}
		src, in = bytes.NewReader(data), io.NopCloser(nil)
	}
	rd, err := Open(src, format)
	if err != nil {
		in.Close()
		return nil, inputf("--signers %s: %w", o.Path, err)
	}
	rd.RequireNote = o.RequireNote
	l := &List{path: o.Path, in: in, rd: rd}
	if o.Rejects != "" {
		if l.rej, err = NewRejectWriter(o.Rejects, o.RawRejects); err != nil {
			in.Close()
			return nil, err
		}
	}
	return l, nil
}

// checkList is Strict: every problem of the list, before anything is sent.
func checkList(data []byte, format string, requireNote bool) error {
	rd, err := Open(bytes.NewReader(data), format)
	if err != nil {
		return inputf("--signers: %w", err)
	}
	rd.RequireNote = requireNote
	var bad []string
	for {
		row, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return inputf("--signers: %w", err)
		}
		if row.Err != nil {
			bad = append(bad, "  "+row.Err.Error())
		}
	}
	if len(bad) > 0 {
		return inputf("--strict: %d row(s) rejected, nothing was sent; fix them or drop --strict:\n%s", len(bad), strings.Join(bad, "\n"))
	}
	return nil
}

// All streams the list's signers. A rejected row is yielded with its
// *RowError (and written to the rejects file); a list that cannot be read
// on ends the sequence with an error marked ErrInput.
func (l *List) All() iter.Seq2[letter.Signer, error] {
	return func(yield func(letter.Signer, error) bool) {
		for {
			l.mu.Lock()
			row, err := l.rd.Next()
			if err == nil && row.Err != nil {
				l.rej.write(row)
			}
			l.mu.Unlock()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				yield(letter.Signer{}, inputf("--signers %s: %w", l.path, err))
				return
			}
			if !yield(row.Signer, row.Err) {
				return
			}
		}
	}
}

// Line is the line s was read from (as All yielded it), or 0 when the list
// has not had it.
func (l *List) Line(s letter.Signer) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.rd.dedup.Line(letter.SignerKey("", s))
}

// Reject records a signer All gave out whose letter could not be made: it
// goes to the rejects file with its line, and the error returned (a
// *RowError when the line is known) says which line it was.
func (l *List) Reject(s letter.Signer, reason error) error {
	line := l.Line(s)
	if line == 0 {
		return reason
	}
	err := &RowError{Line: line, Reason: reason.Error(), Err: reason}
	var fe *letter.FieldErrors
	if errors.As(reason, &fe) && len(fe.Fields) > 0 {
		err.Field, err.Reason, err.Fields = fe.Fields[0].Field, fe.Fields[0].Reason, fe.Fields
	}
	l.mu.Lock()
	l.rej.write(Row{Line: line, Signer: s, Err: err})
	l.mu.Unlock()
	return err
}

// Close closes the list and flushes the rejects file.
func (l *List) Close() error {
	err := l.in.Close()
	if l.rej != nil {
		if cerr := l.rej.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

// RejectWriter writes rejected rows as CSV: the line, the reason and the
// row's fields, so an organizer can fix and re-send just those.
type RejectWriter struct {
	f *os.File
	w *csvsafe.Writer
}

// NewRejectWriter creates (or truncates) the rejects file at path and
// writes its header. Values are spreadsheet-safe (csvsafe) unless raw.
func NewRejectWriter(path string, raw bool) (*RejectWriter, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, inputf("--rejects: %w", err)
	}
	w := csvsafe.NewWriter(f, raw)
	if err := w.Write(append([]string{"line", "reason"}, Columns()...)); err != nil {
		f.Close()
		return nil, fmt.Errorf("--rejects: %w", err)
	}
	return &RejectWriter{f: f, w: w}, nil
}

// write adds row; a nil writer (no rejects file) drops it. Write errors
// are kept by the csv.Writer and reported by Close.
func (r *RejectWriter) write(row Row) {
	if r == nil {
		return
	}
	s := row.Signer
	reason := row.Err.Error()
	var re *RowError
	if errors.As(row.Err, &re) {
		reason = strings.TrimPrefix(reason, fmt.Sprintf("line %d: ", re.Line))
	}
	_ = r.w.Write([]string{strconv.Itoa(row.Line), reason, s.Name, s.City, s.Country, s.Email, s.Note, s.Lang})
}

// Close flushes the file to disk and closes it.
func (r *RejectWriter) Close() error {
	r.w.Flush()
	if err := r.w.Error(); err != nil {
		r.f.Close()
		return fmt.Errorf("--rejects: %w", err)
	}
	if err := r.f.Sync(); err != nil {
		r.f.Close()
		return fmt.Errorf("--rejects: %w", err)
	}
	return r.f.Close()
}
