package ui

import (
	"bufio"
	"context"
	"errors"
	"io"
	"strings"

	"github.com/charmbracelet/lipgloss"
)

// MaxLine bounds one line read by ReadLine. Nothing a signer types at a
// prompt is near it (a note is at most 600 characters); it keeps a runaway
// paste from growing memory without end.
const MaxLine = 16 << 10

// ErrLineTooLong is a line longer than MaxLine. The whole line has been
// consumed, so the next read starts at the next line.
var ErrLineTooLong = errors.New("line too long")

// lineReader is stdin, buffered once for every question asked on it, and the
// read in flight, if any.
type lineReader struct {
	r       *bufio.Reader
	pending chan lineResult
}

type lineResult struct {
	line string
	err  error
}

// ReadLine reads one line from In, without its line ending. It returns
// ctx.Err() as soon as ctx is done. The read itself cannot be interrupted
// (faxjam never puts the terminal in another mode, so it cannot poll or
// cancel it), so it carries on in its goroutine, which ends when the line
// or EOF comes; the next ReadLine takes that line rather than starting a
// second read: nothing typed is lost or read twice. A last line without a
// line ending is a line; io.EOF means In ended before any character of one.
// The buffer lives on the streams, not on a caller, so every question asked
// on these streams shares it. Not for concurrent use.
func (s *IOStreams) ReadLine(ctx context.Context) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	s.readMu.Lock()
	if s.lines.r == nil {
		s.lines.r = bufio.NewReader(s.In)
	}
	ch := s.lines.pending
	if ch == nil {
		ch = make(chan lineResult, 1)
		s.lines.pending = ch
		go func(r *bufio.Reader) {
			line, err := readLine(r)
			ch <- lineResult{line, err}
		}(s.lines.r)
	}
	s.readMu.Unlock()
	select {
	case <-ctx.Done():
		return "", ctx.Err()
	case res := <-ch:
		s.readMu.Lock()
		s.lines.pending = nil
		s.readMu.Unlock()
		return res.line, res.err
	}
}

// readLine reads up to and including '\n' and returns the line without
// "\n" or "\r\n"; a line over MaxLine is read to its end and refused.
func readLine(r *bufio.Reader) (string, error) {
	var b []byte
	long := false
	for {
		chunk, err := r.ReadSlice('\n')
		if !long && len(b)+len(chunk) <= MaxLine+2 { // +2: the line ending
			b = append(b, chunk...)
		} else {
			long, b = true, nil
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil && !(errors.Is(err, io.EOF) && (len(b) > 0 || long)) {
			return "", err
		}
		break
	}
	line := strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
	if long || len(line) > MaxLine {
		return "", ErrLineTooLong
	}
	return line, nil
}

// Question is a prompt as the person sees it on stderr: the question,
// the help under it muted (when there is any), then "> " where the answer
// is typed. It wraps to width.
func Question(s *Styles, width int, question, help string) string {
	var b strings.Builder
	b.WriteString(renderLines(s.Key, Wrap(question, width)))
	if help != "" {
		b.WriteString(renderLines(s.Muted, Wrap(help, width)))
	}
	b.WriteString(s.Accent.Render(">"))
	b.WriteByte(' ')
	return b.String()
}

// Refusal says why an answer was not taken, before the question is asked
// again.
func Refusal(s *Styles, width int, reason string) string {
	return renderLines(s.Error, Wrap("✗ "+reason, width))
}

// renderLines styles each line on its own, each ended by "\n": a style
// rendering several lines at once pads them all to the widest, which
// leaves trailing blanks.
func renderLines(st lipgloss.Style, text string) string {
	var b strings.Builder
	for l := range strings.SplitSeq(text, "\n") {
		b.WriteString(st.Render(l))
		b.WriteByte('\n')
	}
	return b.String()
}
