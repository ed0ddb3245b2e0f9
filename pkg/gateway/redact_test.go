package gateway

import (
	"strings"
	"testing"
)

func TestRedactHidesCredentialsInQueriesThatDoNotDecode(t *testing.T) {
	tests := []struct {
		raw, secret, keep string
	}{
		{"webhook+https://h/p?token=abc%zzSECRET1", "SECRET1", "webhook+https://h/p?"},
		{"x://h/?from=%zz&api_key=SECRET2", "SECRET2", "from=%zz"},
		{"x://h/?a=1;token=SECRET3", "SECRET3", "a=1"},
		{"x://h/?SECRET4%zz=1", "SECRET4", "x://h/?"},
		{"x://h/?token=SECRET5&from=ok", "SECRET5", "from=ok"}, // the ordinary path still works
	}
	for _, tt := range tests {
		got := Redact(tt.raw)
		if strings.Contains(got, tt.secret) || !strings.Contains(got, tt.keep) {
			t.Errorf("Redact(%q) = %q: want %q hidden and %q kept", tt.raw, got, tt.secret, tt.keep)
		}
	}
}
