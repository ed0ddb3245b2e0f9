package render

import (
	"bytes"
	"strings"
	"sync"
	"testing"
)

// outputs renders a letter in every format.
func outputs(t testing.TB, r *Renderer, name string) [4][]byte {
	lt := testLetter()
	lt.Sender.Name = name
	lt.Body = strings.ReplaceAll(lt.Body, "José Pérez", name)
	l, err := r.Letter(lt)
	if err != nil {
		t.Errorf("Letter(%s): %v", name, err)
		return [4][]byte{}
	}
	var out [4]bytes.Buffer
	if err := r.PDF(l, &out[0]); err != nil {
		t.Errorf("PDF: %v", err)
	}
	if err := r.PNG(l, 0, &out[1]); err != nil {
		t.Errorf("PNG: %v", err)
	}
	if err := r.TIFF(l, &out[2], TIFFOptions{}); err != nil {
		t.Errorf("TIFF: %v", err)
	}
	if err := r.TIFF(l, &out[3], TIFFOptions{TwoD: true}); err != nil {
		t.Errorf("TIFF MR: %v", err)
	}
	return [4][]byte{out[0].Bytes(), out[1].Bytes(), out[2].Bytes(), out[3].Bytes()}
}

func TestEveryFormatIsDeterministic(t *testing.T) {
	a := outputs(t, newRenderer(t, Options{}), "José Pérez")
	b := outputs(t, newRenderer(t, Options{}), "José Pérez")
	for i, format := range []string{"PDF", "PNG", "TIFF MH", "TIFF MR"} {
		if len(a[i]) == 0 || !bytes.Equal(a[i], b[i]) {
			t.Errorf("%s: two renderings differ (%d and %d bytes)", format, len(a[i]), len(b[i]))
		}
	}
}

func TestOneRendererServesManyGoroutines(t *testing.T) {
	// The bulk sender renders on every core with one Renderer: concurrent
	// output must equal serial output from a fresh Renderer.
	names := []string{"José Pérez", "Αλέξης Παπαδόπουλος", "Наталья Иванова", "Zoë Ångström", "Ngozi Okafor", "Łukasz Żółć"}
	shared := newRenderer(t, Options{})
	got := make([][4][]byte, 4*len(names))
	var wg sync.WaitGroup
	for i := range got {
		wg.Go(func() { got[i] = outputs(t, shared, names[i%len(names)]) })
	}
	wg.Wait()
	for i, name := range names {
		want := outputs(t, newRenderer(t, Options{}), name)
		for j := i; j < len(got); j += len(names) {
			for k := range want {
				if !bytes.Equal(got[j][k], want[k]) {
					t.Errorf("%s, goroutine %d, format %d: concurrent output differs from serial", name, j, k)
				}
			}
		}
	}
}
