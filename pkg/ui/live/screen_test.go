package live

import (
	"bytes"
	"strings"
	"testing"
)

// TestScreenRewritesOnlyWhatChanged: the first frame is printed; the next
// moves back to its first line and rewrites only the changed line, inside
// one synchronized update; an unchanged frame writes no text at all.
func TestScreenRewritesOnlyWhatChanged(t *testing.T) {
	var b bytes.Buffer
	s := NewScreen(&b)
	s.Draw("title\nrow one\nrow two\n", 80)
	if got, want := b.String(), syncBegin+"title"+eraseLine+"\nrow one"+eraseLine+"\nrow two"+eraseLine+"\n"+syncEnd; got != want {
		t.Fatalf("first frame %q, want %q", got, want)
	}
	b.Reset()
	s.Draw("title\nrow one\nrow 2\n", 80)
	if got, want := b.String(), syncBegin+"\r\x1b[3A\n\nrow 2"+eraseLine+"\n"+syncEnd; got != want {
		t.Fatalf("second frame %q, want %q", got, want)
	}
	b.Reset()
	s.Draw("title\nrow one\nrow 2\n", 80)
	if strings.Contains(b.String(), "row") {
		t.Errorf("an unchanged frame rewrote text: %q", b.String())
	}
	b.Reset()
	s.Draw("title\n", 80)
	if !strings.HasSuffix(b.String(), eraseDown+syncEnd) {
		t.Errorf("a shorter frame leaves the old lines: %q", b.String())
	}
	b.Reset()
	s.Print("rejected line 4")
	if got, want := b.String(), syncBegin+"\r\x1b[1A"+eraseDown+"rejected line 4\ntitle"+eraseLine+"\n"+syncEnd; got != want {
		t.Errorf("print %q, want %q", got, want)
	}
	// Resized: a clear screen, the printed line again, the whole frame,
	// every line cut short of the new width.
	b.Reset()
	s.Draw("a title longer than ten\n", 10)
	if got, want := b.String(), syncBegin+clearScreen+"rejected…\na title l"+eraseLine+"\n"+syncEnd; got != want {
		t.Errorf("resized %q, want %q", got, want)
	}
	if s.Err() != nil {
		t.Error(s.Err())
	}
}
