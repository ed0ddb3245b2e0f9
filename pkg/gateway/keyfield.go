package gateway

import (
	"crypto/sha256"
	"encoding/hex"
)

// KeyField fits an idempotency key into a vendor's short free-text field
// (InterFAX reference ≤ 60 characters, SRFax sAccountCode ≤ 20): a key that
// fits and is plain printable ASCII travels as it is, so it can be read in
// the vendor's reports; any other key travels as the first n hex digits of
// its SHA-256. Lookup compares KeyField(key, n) with what the vendor keeps,
// so both sides agree. n is capped at 64 (the whole hash).
func KeyField(key string, n int) string {
	if n <= 0 {
		return ""
	}
	if len(key) <= n && printableASCII(key) {
		return key
	}
	sum := sha256.Sum256([]byte(key))
	h := hex.EncodeToString(sum[:])
	return h[:min(n, len(h))]
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
