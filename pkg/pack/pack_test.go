package pack

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"strings"
	"testing"

	"github.com/faxjam/faxjam/pkg/campaign"
	"github.com/faxjam/faxjam/pkg/pack/packtest"
)

func campaignDir(t testing.TB) string { return packtest.CampaignDir(t, "norma-pack", nil) }

func signed(t testing.TB, priv ed25519.PrivateKey, version uint64, edit func([]File)) []byte {
	t.Helper()
	files, _, err := FromDir(campaignDir(t))
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(files)
	}
	b, err := Encode(priv, version, files)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func key(t testing.TB) (ed25519.PublicKey, ed25519.PrivateKey) {
	t.Helper()
	pub, priv, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return pub, priv
}

func TestRoundTrip(t *testing.T) {
	pub, priv := key(t)
	b := signed(t, priv, 3, nil)
	p, err := Open(b, pub)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if p.Version != 3 || !p.Key.Equal(pub) {
		t.Errorf("version %d key %s, want 3 and the signer's", p.Version, EncodeKey(p.Key))
	}
	names := []string{}
	for _, f := range p.Files {
		names = append(names, f.Name)
	}
	if got := strings.Join(names, ","); got != "campaign.yaml,en.tmpl,es.tmpl" {
		t.Errorf("files %s", got)
	}
	c, err := p.Campaign()
	if err != nil {
		t.Fatalf("Campaign: %v", err)
	}
	if c.ID != "norma-pack" || c.Templates["es"] == "" {
		t.Errorf("campaign %q, es template %d bytes", c.ID, len(c.Templates["es"]))
	}
	// The pack's campaign has the digest of the folder it was made of.
	want, err := campaign.Load(t.Context(), campaignDir(t))
	if err != nil {
		t.Fatal(err)
	}
	if c.Digest() != want.Digest() {
		t.Errorf("digest %s, want the folder's %s", c.Digest(), want.Digest())
	}
}

// Every way of changing a signed pack is refused.
func TestTamperedRefused(t *testing.T) {
	pub, priv := key(t)
	good := signed(t, priv, 2, nil)
	otherPub, otherPriv := key(t)
	cases := map[string]struct {
		b    []byte
		want error
	}{
		"changed number":   {bytes.Replace(good, []byte("+12025550142"), []byte("+12025550199"), 1), ErrSignature},
		"changed template": {bytes.Replace(good, []byte("Dear"), []byte("Deer"), 1), ErrSignature},
		"changed version":  {bytes.Replace(good, []byte("version 2\n"), []byte("version 9\n"), 1), ErrSignature},
		"other key":        {signed(t, otherPriv, 2, nil), &KeyError{}},
		"other key named":  {bytes.Replace(good, []byte(EncodeKey(pub)), []byte(EncodeKey(otherPub)), 1), &KeyError{}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if bytes.Equal(tc.b, good) {
				t.Fatal("the tampering changed nothing")
			}
			_, err := Open(tc.b, pub)
			if err == nil {
				t.Fatal("Open accepted a tampered pack")
			}
			var ke *KeyError
			if _, isKey := tc.want.(*KeyError); isKey && !errors.As(err, &ke) {
				t.Errorf("err %v, want a KeyError", err)
			} else if !isKey && !errors.Is(err, tc.want) {
				t.Errorf("err %v, want %v", err, tc.want)
			}
		})
	}
	// Trust on first use still checks the signature against the named key.
	if _, err := Open(cases["changed number"].b, nil); !errors.Is(err, ErrSignature) {
		t.Errorf("TOFU of a changed pack: %v, want ErrSignature", err)
	}
}

func TestParseErrors(t *testing.T) {
	_, priv := key(t)
	good := signed(t, priv, 1, nil)
	sigAt := bytes.LastIndex(good, []byte("signature "))
	cases := map[string][]byte{
		"empty":           nil,
		"yaml":            []byte("id: x\n"),
		"no signature":    good[:sigAt],
		"trailing":        append(append([]byte{}, good...), 'x'),
		"version 0":       bytes.Replace(good, []byte("version 1\n"), []byte("version 0\n"), 1),
		"version 01":      bytes.Replace(good, []byte("version 1\n"), []byte("version 01\n"), 1),
		"version -1":      bytes.Replace(good, []byte("version 1\n"), []byte("version -1\n"), 1),
		"short file":      bytes.Replace(good, []byte("file en.tmpl "), []byte("file en.tmpl 9"), 1),
		"dotdot":          bytes.Replace(good, []byte("file en.tmpl"), []byte("file ../e.tm"), 1),
		"bad key":         bytes.Replace(good, []byte("key ed25519:"), []byte("key ed25519:!"), 1),
		"key w/o prefix":  bytes.Replace(good, []byte("key ed25519:"), []byte("key "), 1),
		"unordered":       swapFiles(t, good),
		"first not yaml":  bytes.Replace(good, []byte("file campaign.yaml"), []byte("file campaign.yamx"), 1),
		"huge length":     bytes.Replace(good, []byte("file en.tmpl "), []byte("file en.tmpl 99999999999999999999"), 1),
		"short signature": append(good[:sigAt:sigAt], []byte("signature AAAA\n")...),
	}
	for name, b := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Parse(b)
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("Parse: %v, want a FormatError", err)
			}
		})
	}
}

// swapFiles encodes the pack's files out of order (without signing again:
// the framing is refused before the signature is looked at).
func swapFiles(t *testing.T, good []byte) []byte {
	p, err := Parse(good)
	if err != nil {
		t.Fatal(err)
	}
	fs := []File{p.Files[0], p.Files[2], p.Files[1]}
	b := body(p.Version, p.Key, fs)
	b.Write(good[len(p.signed):])
	return b.Bytes()
}

func TestEncodeRefuses(t *testing.T) {
	_, priv := key(t)
	yml := File{Name: campaign.FileName, Data: []byte("x")}
	for name, files := range map[string][]File{
		"no files":   nil,
		"no yaml":    {{Name: "en.tmpl"}},
		"space":      {yml, {Name: "a b"}},
		"abs":        {yml, {Name: "/etc/passwd"}},
		"dup":        {yml, {Name: "a"}, {Name: "a"}},
		"yaml twice": {yml, yml},
		"too big":    {yml, {Name: "a", Data: make([]byte, campaign.MaxFileSize+1)}},
	} {
		if _, err := Encode(priv, 1, files); err == nil {
			t.Errorf("%s: Encode accepted it", name)
		}
	}
	if _, err := Encode(priv, 0, []File{yml}); err == nil {
		t.Error("version 0 accepted")
	}
}

func TestKeys(t *testing.T) {
	pub, priv := key(t)
	pem, err := MarshalPrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParsePrivateKey(pem)
	if err != nil || !back.Equal(priv) {
		t.Fatalf("ParsePrivateKey: %v", err)
	}
	k, err := ParseKey(EncodeKey(pub))
	if err != nil || !k.Equal(pub) {
		t.Fatalf("ParseKey: %v", err)
	}
	k, err = ParseKey(strings.TrimPrefix(EncodeKey(pub), KeyPrefix))
	if err != nil || !k.Equal(pub) {
		t.Fatalf("ParseKey without prefix: %v", err)
	}
	if _, err := ParseKey("ed25519:AAAA"); err == nil {
		t.Error("short key accepted")
	}
	if fp := Fingerprint(pub); !strings.HasPrefix(fp, "SHA256:") || len(fp) != len("SHA256:")+16*2+7 {
		t.Errorf("fingerprint %q", fp)
	}
}

func TestChanges(t *testing.T) {
	_, priv := key(t)
	load := func(b []byte) *campaign.Campaign {
		p, err := Parse(b)
		if err != nil {
			t.Fatal(err)
		}
		c, err := p.Campaign()
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	a := load(signed(t, priv, 1, nil))
	b := load(signed(t, priv, 2, func(fs []File) {
		fs[0].Data = bytes.Replace(fs[0].Data, []byte("+12025550142"), []byte("+12025550177"), 1)
		fs[0].Data = bytes.Replace(fs[0].Data, []byte("contact: faxjam-campaigns@example.org"), []byte("contact: evil@example.org"), 1)
		fs[1].Data = append(fs[1].Data, "PS"...)
	}))
	got := Changes(a, b)
	want := []string{"fax number +12025550177 (Despacho) added", "fax number +12025550142 (Despacho) removed", "contact changed", "letter en changed"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("Changes:\n got %q\nwant %q", got, want)
	}
	if c := Changes(a, a); c != nil {
		t.Errorf("no change: %q", c)
	}
}

// TestChangedNumberSaysOnlyWhatChanged: a relabelled number says its label
// changed, not "fictitious true → true".
func TestChangedNumberSaysOnlyWhatChanged(t *testing.T) {
	a := []campaign.FaxNumber{{Number: "+12025550142", Label: "Despacho", Fictitious: true}, {Number: "+12025550143", Label: "B", Fictitious: true}}
	b := []campaign.FaxNumber{{Number: "+12025550142", Label: "Oficina", Fictitious: true}, {Number: "+12025550143", Label: "B"}}
	got := strings.Join(faxChanges(a, b), "|")
	want := `fax number +12025550142 changed (label "Despacho" → "Oficina")|fax number +12025550143 changed (fictitious true → false)`
	if got != want {
		t.Errorf("faxChanges:\n got %s\nwant %s", got, want)
	}
}
