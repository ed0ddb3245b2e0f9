package e164

import "testing"

func TestReadable(t *testing.T) {
	for in, want := range map[string]string{
		"+576015550101": "+57 601 555 0101",
		"+50224119191":  "+502 2411 9191",
		"+12025550142":  "+1 202 555 0142",
		"+4930901820":   "+49 3090 1820",
		"+33142685300":  "+33 142 685 300",
		"+441632960961": "+44 163 296 0961",
		"not a number":  "not a number",
		"+":             "+",
		"+0123":         "+0123",
	} {
		if got := Readable(in); got != want {
			t.Errorf("Readable(%q) = %q, want %q", in, got, want)
		}
		// Reading the readable form back gives the number again.
		if n, err := Normalize(Readable(in)); err == nil && n != in {
			t.Errorf("Normalize(Readable(%q)) = %q", in, n)
		}
	}
}
