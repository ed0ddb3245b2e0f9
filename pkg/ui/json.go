package ui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sync"
)

// JSONPrinter writes one JSON object per line: the `--json` contract. Every
// object carries a `type` field first; fields are the value's own (snake_case
// json tags); there is never colour.
type JSONPrinter struct {
	mu sync.Mutex
	w  io.Writer
}

// NewJSON returns a printer writing to w.
func NewJSON(w io.Writer) *JSONPrinter { return &JSONPrinter{w: w} }

// Print writes v as one line with "type": typ added. v must marshal to a JSON
// object (a struct or a map).
func (p *JSONPrinter) Print(typ string, v any) error {
	line, err := JSONLine(typ, v)
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	_, err = p.w.Write(line)
	return err
}

// JSONLine is Print's line, newline included.
func JSONLine(typ string, v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("json output %s: %w", typ, err)
	}
	body := bytes.TrimSpace(buf.Bytes())
	if len(body) < 2 || body[0] != '{' {
		return nil, fmt.Errorf("json output %s: not an object", typ)
	}
	t, _ := json.Marshal(typ)
	out := make([]byte, 0, len(body)+len(t)+10)
	out = append(out, `{"type":`...)
	out = append(out, t...)
	if rest := bytes.TrimSpace(body[1:]); len(rest) > 1 { // not "}"
		out = append(out, ',')
	}
	out = append(out, body[1:]...)
	out = append(out, '\n')
	return out, nil
}

// Encode writes v, which carries its own `type` field, as one line.
func (p *JSONPrinter) Encode(v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("json output: %w", err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	_, err := p.w.Write(buf.Bytes())
	return err
}
