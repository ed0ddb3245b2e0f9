package ledger

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/faxjam/faxjam/pkg/csvsafe"
)

// Export is a campaign's ledger as exported: every entry in seq order and
// every seal in the order they were made.
type Export struct {
	Campaign string
	Entries  []Entry
	Seals    []Seal
}

// Format names an export's file format.
type Format string

const (
	JSONL Format = "jsonl"
	CSV   Format = "csv"
	PDF   Format = "pdf" // the hand-in document (pkg/ledger/handin); not read back
)

// ParseFormat reads a --format value.
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(strings.TrimSpace(s))); f {
	case JSONL, CSV, PDF:
		return f, nil
	}
	return "", fmt.Errorf("format %q: want pdf, csv or jsonl", s)
}

// header is the first line of a JSON Lines export.
type header struct {
	Type        string `json:"type"` // "ledger"
	Format      int    `json:"format"`
	Campaign    string `json:"campaign"`
	Entries     int    `json:"entries"`
	Seals       int    `json:"seals"`
	Key         string `json:"key,omitempty"`
	Fingerprint string `json:"fingerprint,omitempty"`
}

type entryLine struct {
	Type string `json:"type"` // "entry"
	Entry
}

// anyLine is any line of a JSON Lines export.
type anyLine struct {
	Type string `json:"type"`
	Entry
	Head      string `json:"head"`
	Key       string `json:"key"`
	Signature string `json:"signature"`
	Entries   int    `json:"entries"` // the header's count
}

type sealLine struct {
	Type string `json:"type"` // "seal"
	Seal
}

// WriteJSONL writes x as JSON Lines: a header, one line per entry, one per
// seal, each with a "type" field.
func WriteJSONL(w io.Writer, x Export) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	h := header{Type: "ledger", Format: 1, Campaign: x.Campaign, Entries: len(x.Entries), Seals: len(x.Seals)}
	if len(x.Seals) > 0 {
		last := x.Seals[len(x.Seals)-1]
		h.Key, h.Fingerprint = last.Key, last.Fingerprint()
	}
	if err := enc.Encode(h); err != nil {
		return fmt.Errorf("ledger: jsonl: %w", err)
	}
	for _, e := range x.Entries {
		if err := enc.Encode(entryLine{"entry", e}); err != nil {
			return fmt.Errorf("ledger: jsonl: %w", err)
		}
	}
	for _, s := range x.Seals {
		if err := enc.Encode(sealLine{"seal", s}); err != nil {
			return fmt.Errorf("ledger: jsonl: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("ledger: jsonl: %w", err)
	}
	return nil
}

// csvColumns are a CSV export's columns: an entry's fields, and for a seal
// row seq, campaign, time, hash (the head), key and signature.
var csvColumns = []string{"type", "seq", "campaign", "time", "outcome", "reason", "number_label", "number", "pages",
	"doc_sha256", "driver", "job_id", "csid", "pages_sent", "transmit_ms", "signature_id", "name", "city", "salt",
	"person_hash", "prev", "hash", "key", "signature"}

// WriteCSV writes x as one CSV table, a row per entry and per seal (the
// type column says which), through csvsafe so that a spreadsheet never
// evaluates a name; Read undoes its escape.
func WriteCSV(w io.Writer, x Export) error {
	cw := csvsafe.NewWriter(w, false)
	if err := cw.Write(csvColumns); err != nil {
		return fmt.Errorf("ledger: csv: %w", err)
	}
	for _, e := range x.Entries {
		if err := cw.Write([]string{"entry", i64(e.Seq), e.Campaign, tstr(e.Time), e.Outcome, e.Reason, e.NumberLabel, e.Number,
			strconv.Itoa(e.Pages), e.DocSHA256, e.Driver, e.JobID, e.CSID, strconv.Itoa(e.PagesSent), i64(e.TransmitMS),
			e.SignatureID, e.Name, e.City, e.Salt, e.PersonHash, e.Prev, e.Hash, "", ""}); err != nil {
			return fmt.Errorf("ledger: csv: %w", err)
		}
	}
	for _, s := range x.Seals {
		row := make([]string, len(csvColumns))
		row[0], row[1], row[2], row[3], row[21], row[22], row[23] = "seal", i64(s.Seq), s.Campaign, tstr(s.Time), s.Head, s.Key, s.Signature
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("ledger: csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("ledger: csv: %w", err)
	}
	return nil
}

func i64(n int64) string      { return strconv.FormatInt(n, 10) }
func tstr(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// Read reads an export written by WriteJSONL or WriteCSV (which, it tells
// by the first byte). A line it cannot read is an error naming the line.
func Read(r io.Reader) (Export, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	for {
		b, err := br.Peek(1)
		if err != nil {
			return Export{}, errors.New("ledger: the file is empty")
		}
		switch b[0] {
		case ' ', '\t', '\r', '\n', 0xef, 0xbb, 0xbf: // blanks and a byte-order mark
			br.ReadByte()
			continue
		case '{':
			return readJSONL(br)
		}
		return readCSV(br)
	}
}

func readJSONL(r *bufio.Reader) (Export, error) {
	var x Export
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<16), 1<<22)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		// One decode per line, into every type's fields at once: a
		// 100,000-entry export reads in a fraction of a second.
		var l anyLine
		err := json.Unmarshal(line, &l)
		if err == nil {
			switch l.Type {
			case "ledger":
				x.Campaign = l.Campaign
				if x.Entries == nil { // room for the entries it counts, up to a bound
					x.Entries = make([]Entry, 0, min(max(l.Entries, 0), 1<<20))
				}
			case "entry":
				x.Entries = append(x.Entries, l.Entry)
			case "seal":
				x.Seals = append(x.Seals, Seal{Campaign: l.Campaign, Seq: l.Seq, Head: l.Head, Time: l.Time, Key: l.Key, Signature: l.Signature})
			default:
				err = fmt.Errorf("type %q: want ledger, entry or seal", l.Type)
			}
		}
		if err != nil {
			return x, fmt.Errorf("ledger: line %d: %w", n, err)
		}
	}
	if err := sc.Err(); err != nil {
		return x, fmt.Errorf("ledger: %w", err)
	}
	return x, nil
}

func readCSV(r io.Reader) (Export, error) {
	var x Export
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = len(csvColumns)
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err != nil {
		return x, fmt.Errorf("ledger: csv header: %w", err)
	}
	for i, c := range csvColumns {
		if head[i] != c {
			return x, fmt.Errorf("ledger: csv header: column %d is %q, want %q", i+1, head[i], c)
		}
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return x, nil
		}
		if err != nil {
			return x, fmt.Errorf("ledger: csv: %w", err)
		}
		line, _ := cr.FieldPos(0)
		for i := range rec {
			rec[i] = uncell(rec[i])
		}
		var p csvParser
		switch rec[0] {
		case "entry":
			e := Entry{Seq: p.int(rec, 1), Campaign: rec[2], Time: p.time(rec, 3), Outcome: rec[4], Reason: rec[5],
				NumberLabel: rec[6], Number: rec[7], Pages: int(p.int(rec, 8)), DocSHA256: rec[9], Driver: rec[10],
				JobID: rec[11], CSID: rec[12], PagesSent: int(p.int(rec, 13)), TransmitMS: p.int(rec, 14),
				SignatureID: rec[15], Name: rec[16], City: rec[17], Salt: rec[18], PersonHash: rec[19], Prev: rec[20], Hash: rec[21]}
			x.Entries = append(x.Entries, e)
		case "seal":
			x.Seals = append(x.Seals, Seal{Seq: p.int(rec, 1), Campaign: rec[2], Time: p.time(rec, 3), Head: rec[21], Key: rec[22], Signature: rec[23]})
		default:
			p.err = fmt.Errorf("type %q: want entry or seal", rec[0])
		}
		if p.err != nil {
			return x, fmt.Errorf("ledger: csv line %d: %w", line, p.err)
		}
		if x.Campaign == "" {
			x.Campaign = rec[2]
		}
	}
}

// csvParser reads a row's numbers and times, keeping the first error.
type csvParser struct{ err error }

func (p *csvParser) int(rec []string, i int) int64 {
	n, err := strconv.ParseInt(rec[i], 10, 64)
	if err != nil && p.err == nil {
		p.err = fmt.Errorf("%s %q: not a number", csvColumns[i], rec[i])
	}
	return n
}

func (p *csvParser) time(rec []string, i int) time.Time {
	t, err := time.Parse(time.RFC3339Nano, rec[i])
	if err != nil && p.err == nil {
		p.err = fmt.Errorf("%s %q: not an RFC 3339 time", csvColumns[i], rec[i])
	}
	return t
}

// uncell undoes csvsafe.Cell: the quote it puts before a value a
// spreadsheet would evaluate.
func uncell(v string) string {
	if strings.HasPrefix(v, "'") && csvsafe.Cell(v[1:]) == v {
		return v[1:]
	}
	return v
}
