package pack

import (
	"bytes"
	"crypto/ed25519"
	"testing"
)

// fuzzKey is fixed so that the corpus's signed packs verify in every run.
var fuzzKey = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))

// FuzzParse: Parse never panics, and what it accepts is in the one
// encoding: framing the parsed fields again gives the same bytes.
func FuzzParse(f *testing.F) {
	// Small seeds keep the fuzzer fast: Parse does not read the YAML.
	small, err := Encode(fuzzKey, 3, []File{{Name: "campaign.yaml", Data: []byte("id: x\n")}, {Name: "en.tmpl", Data: []byte("Dear {{.Name}}\n")}})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(small)
	f.Add([]byte(Magic + "version 1\nkey ed25519:AAAA\nsignature x\n"))
	f.Add([]byte(Magic))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := Parse(b)
		if err != nil {
			return
		}
		again := body(p.Version, p.Key, p.Files)
		if !bytes.Equal(again.Bytes(), p.signed) {
			t.Fatalf("accepted a pack whose framing does not re-encode to itself")
		}
		if checkFiles(p.Files) != nil {
			t.Fatalf("accepted files Encode would refuse")
		}
	})
}

// FuzzVerify: no change to a signed pack, anywhere, verifies with its key,
// unless the change gives back the same bytes.
func FuzzVerify(f *testing.F) {
	good := signed(f, fuzzKey, 5, nil)
	pub := fuzzKey.Public().(ed25519.PublicKey)
	f.Add(uint(0), byte(1), []byte(nil))
	f.Add(uint(40), byte(0x20), []byte("x"))
	f.Add(uint(len(good)-5), byte(0xff), []byte(nil))
	f.Fuzz(func(t *testing.T, at uint, xor byte, insert []byte) {
		b := append([]byte{}, good...)
		i := int(at % uint(len(b)))
		b[i] ^= xor
		b = append(b[:i], append(insert, b[i:]...)...)
		if bytes.Equal(b, good) {
			return
		}
		if p, err := Open(b, pub); err == nil {
			// A change in the signature's base64 padding bits could in
			// principle decode to the same signature: canonical encoding
			// is checked, so no accepted pack may differ from good.
			t.Fatalf("a changed pack verified: version %d, %d files", p.Version, len(p.Files))
		}
	})
}
