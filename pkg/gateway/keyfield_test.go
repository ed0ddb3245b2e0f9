package gateway

import (
	"strings"
	"testing"
)

func TestKeyFieldKeepsShortKeysAndHashesTheRest(t *testing.T) {
	long := strings.Repeat("0123456789abcdef", 2) + "-12025550142-1" // a dispatcher attempt key, 46 chars
	for _, c := range []struct {
		key  string
		n    int
		want string // "" means: a hash prefix of length n
	}{
		{key: "k-deliver", n: 20, want: "k-deliver"},
		{key: long, n: 60, want: long},
		{key: long, n: 20},
		{key: "has space", n: 20},
		{key: "clé", n: 20},
		{key: "", n: 20, want: ""},
	} {
		got := KeyField(c.key, c.n)
		if c.want != "" || c.key == "" {
			if got != c.want {
				t.Errorf("KeyField(%q, %d) = %q, want %q", c.key, c.n, got, c.want)
			}
			continue
		}
		if len(got) != c.n || strings.Trim(got, "0123456789abcdef") != "" {
			t.Errorf("KeyField(%q, %d) = %q, want %d hex digits", c.key, c.n, got, c.n)
		}
		if KeyField(c.key, c.n) != got {
			t.Errorf("KeyField(%q, %d) is not stable", c.key, c.n)
		}
	}
	if KeyField(long+"-2", 20) == KeyField(long, 20) {
		t.Errorf("two attempt keys share a field value")
	}
	if got := KeyField(long, 100); len(got) != len(long) {
		t.Errorf("KeyField with room to spare changed the key: %q", got)
	}
	if got := KeyField("x y", 100); len(got) != 64 {
		t.Errorf("KeyField beyond the hash length = %d chars, want 64", len(got))
	}
}
