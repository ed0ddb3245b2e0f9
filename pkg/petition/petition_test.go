package petition

import (
	"strings"
	"testing"
)

// TestErrorAuthHintDoesNotSayWhereTheTokenCameFrom: the token may come from
// the petition URL, --token or FAXJAM_PETITION_TOKEN; the hint must not send
// the organizer to the URL when they gave it another way.
func TestErrorAuthHintDoesNotSayWhereTheTokenCameFrom(t *testing.T) {
	tests := []struct {
		name string
		err  *Error
		want string
	}{
		{"auth", &Error{Driver: "export", Op: "sign", Auth: true, HTTPStatus: 401, Message: "bad token"},
			"export: sign (HTTP 401): bad token — check the petition token"},
		{"not auth", &Error{Driver: "export", Op: "sign", HTTPStatus: 500, Message: "boom"},
			"export: sign (HTTP 500): boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.err.Error()
			if got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
			if strings.Contains(got, "petition URL") {
				t.Errorf("Error() = %q names the petition URL as the token's source", got)
			}
		})
	}
}
