package petition

import (
	"net/url"
	"strings"
	"testing"
)

// TestRegistryRedactHidesQueriesThatDoNotDecode: a query with a stray %
// used to be printed as typed, token and all.
func TestRegistryRedactHidesQueriesThatDoNotDecode(t *testing.T) {
	r := NewRegistry(Driver{Scheme: "relay", Syntax: "relay://host?sig=S",
		Options: []Option{{Name: "host", Place: InHost}, {Name: "stamp", Place: InQuery, Secret: true}},
		Open:    func(*url.URL, Env) (Petition, error) { return nil, nil }})
	tests := []struct{ raw, secret, keep string }{
		{"relay://h/?token=abc%zzS3CRET1", "S3CRET1", "relay://h/?"},
		{"relay://h/?stamp=%zzS3CRET2&a=1", "S3CRET2", "a=1"},
		{"relay://h/?stamp=S3CRET3", "S3CRET3", "stamp=***"}, // declared secret, name says nothing
		{"webhook+https://u:S3CRET4@h/p?x=%zz", "S3CRET4", "webhook+https://***:***@h/p"},
	}
	for _, tt := range tests {
		got := r.Redact(tt.raw)
		if strings.Contains(got, tt.secret) || !strings.Contains(got, tt.keep) {
			t.Errorf("Redact(%q) = %q: want %q hidden and %q kept", tt.raw, got, tt.secret, tt.keep)
		}
	}
}
