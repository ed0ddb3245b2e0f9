package ui

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

func TestColorEnabled(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		tty     bool
		noColor bool
		want    bool
	}{
		{"terminal gets colour", nil, true, false, true},
		{"pipe gets none", nil, false, false, false},
		{"NO_COLOR wins on a terminal", map[string]string{"NO_COLOR": "1"}, true, false, false},
		{"--no-color wins on a terminal", nil, true, true, false},
		{"CLICOLOR_FORCE colours a pipe", map[string]string{"CLICOLOR_FORCE": "1"}, false, false, true},
		{"CLICOLOR_FORCE=0 forces nothing", map[string]string{"CLICOLOR_FORCE": "0"}, false, false, false},
		{"NO_COLOR beats CLICOLOR_FORCE", map[string]string{"NO_COLOR": "1", "CLICOLOR_FORCE": "1"}, true, false, false},
		{"TERM=dumb gets none", map[string]string{"TERM": "dumb"}, true, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, _, _ := Test()
			ios.Getenv = func(k string) string { return tt.env[k] }
			ios.SetNoColor(tt.noColor)
			if got := ios.ColorEnabled(tt.tty); got != tt.want {
				t.Errorf("ColorEnabled(%v) = %v, want %v", tt.tty, got, tt.want)
			}
		})
	}
}

func TestStylesPlainWithoutColour(t *testing.T) {
	for _, tty := range []bool{true, false} {
		ios, _, _, _ := Test()
		ios.SetStdoutTTY(tty)
		s := ios.Styles()
		got := s.Title.Render("Norma Cruz") + s.Box.Render("x")
		if tty && !strings.Contains(got, "\x1b[") {
			t.Errorf("tty: want escape codes, got %q", got)
		}
		if !tty && got != "Norma Cruzx" {
			t.Errorf("piped: want plain text, got %q", got)
		}
	}
}

func TestWrapKeepsParagraphsAndWidth(t *testing.T) {
	in := "Fundación Sobrevivientes documents violence against women in Guatemala City.\n\nSecond paragraph."
	got := Wrap(in, 30)
	for _, l := range strings.Split(got, "\n") {
		if n := len([]rune(l)); n > 30 {
			t.Errorf("line %q is %d runes, want ≤ 30", l, n)
		}
		if strings.HasSuffix(l, " ") {
			t.Errorf("line %q has trailing space", l)
		}
	}
	if !strings.Contains(got, "\n\nSecond paragraph.") {
		t.Errorf("blank line between paragraphs lost:\n%s", got)
	}
}

func TestReflowJoinsHardBreaks(t *testing.T) {
	got := Reflow("one\ntwo\n\nthree\nfour\n", 80)
	if want := "one two\n\nthree four"; got != want {
		t.Errorf("Reflow = %q, want %q", got, want)
	}
}

func TestTableAligns(t *testing.T) {
	ios, _, _, _ := Test()
	got := Table(ios.Styles(), []string{"id", "title"}, [][]string{{"a", "José"}, {"long-id", "x"}})
	want := "ID       TITLE\na        José\nlong-id  x\n"
	if got != want {
		t.Errorf("Table =\n%q\nwant\n%q", got, want)
	}
}

func TestJSONLine(t *testing.T) {
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"type first, fields after", struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		}{"x", "José <b>"}, `{"type":"t","id":"x","name":"José <b>"}` + "\n"},
		{"empty object", struct{}{}, `{"type":"t"}` + "\n"},
		{"map", map[string]int{"n": 1}, `{"type":"t","n":1}` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := JSONLine("t", tt.v)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got %s want %s", got, tt.want)
			}
		})
	}
	if _, err := JSONLine("t", []int{1}); err == nil {
		t.Error("an array is not an object: want an error")
	}
}

func TestProgressPipedPrintsLinesOnly(t *testing.T) {
	ios, _, _, errOut := Test()
	p := NewProgress(ios)
	p.Event("delivered José Pérez → +12025550142", Tally{Total: 2, Done: 1, Queued: 1})
	p.Event("", Tally{Total: 2, Done: 2})
	p.Finish()
	if got, want := errOut.String(), "delivered José Pérez → +12025550142\n"; got != want {
		t.Errorf("piped progress = %q, want %q", got, want)
	}
}

func TestProgressOnTerminalDrawsBar(t *testing.T) {
	ios, _, _, errOut := Test()
	ios.SetStderrTTY(true)
	p := NewProgress(ios)
	p.Event("delivered José", Tally{Total: 4, Done: 1, Queued: 3})
	p.Finish()
	out := errOut.String()
	for _, want := range []string{"delivered José", "done 1 · queued 3 · failed 0 · petitioned 0"} {
		if !strings.Contains(out, want) {
			t.Errorf("terminal progress lacks %q:\n%q", want, out)
		}
	}
}

func TestReadLine(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  []string // lines, then io.EOF
		long  int      // index of a line refused as too long, or -1
	}{
		{"lines without their endings", "a\r\nb\n\nc\n", []string{"a", "b", "", "c"}, -1},
		{"a last line without an ending", "a\nb", []string{"a", "b"}, -1},
		{"nothing", "", nil, -1},
		{"a line over MaxLine then the next", strings.Repeat("x", MaxLine+1) + "\nnext\n", []string{"", "next"}, 0},
		{"a line of exactly MaxLine", strings.Repeat("x", MaxLine) + "\n", []string{strings.Repeat("x", MaxLine)}, -1},
		{"an unended line over MaxLine", strings.Repeat("x", 3*MaxLine), []string{""}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, in, _, _ := Test()
			in.WriteString(tt.input)
			for i, want := range tt.want {
				got, err := ios.ReadLine(t.Context())
				if i == tt.long {
					if !errors.Is(err, ErrLineTooLong) {
						t.Fatalf("line %d: err = %v, want ErrLineTooLong", i, err)
					}
					continue
				}
				if err != nil || got != want {
					t.Fatalf("line %d = %q, %v; want %q", i, got, err, want)
				}
			}
			if got, err := ios.ReadLine(t.Context()); !errors.Is(err, io.EOF) {
				t.Errorf("after the lines: %q, %v; want io.EOF", got, err)
			}
		})
	}
}

// A read abandoned by a cancelled context keeps its line for the next
// read: nothing typed is lost, and no two reads race on stdin.
func TestReadLineCancelledKeepsTheLine(t *testing.T) {
	ios, _, _, _ := Test()
	r, w := io.Pipe()
	defer w.Close()
	ios.In = r
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := ios.ReadLine(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the context's", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("took %v to notice the context", d)
	}
	go w.Write([]byte("typed late\nsecond\n"))
	for _, want := range []string{"typed late", "second"} {
		got, err := ios.ReadLine(t.Context())
		if err != nil || got != want {
			t.Fatalf("ReadLine = %q, %v; want %q", got, err, want)
		}
	}
}

func TestQuestionPlainWithoutColour(t *testing.T) {
	ios, _, _, _ := Test()
	s := ios.ErrStyles()
	got := Question(s, 20, "Fax this letter to the Ministry?", "y: Send") + Refusal(s, 80, "no")
	want := "Fax this letter to\nthe Ministry?\ny: Send\n> ✗ no\n"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
