// Package pack owns signed campaign packs: one file that carries a
// campaign (campaign.yaml and its letter templates), a version number and
// the publisher's Ed25519 signature over all of it.
//
// A pack exists because a campaign file that anyone can copy can also be
// changed by anyone: pointed at a stranger's fax number, thousands of
// activists would fax the stranger. A pack is only accepted when the key
// pinned for the campaign signed it, and an update only when its version
// went up, so neither a tampered file nor a replayed older one is taken.
//
// The format is plain text framing around the files' bytes, so that it is
// easy to read, to diff and to check by hand:
//
//	faxjam-pack 1
//	version 7
//	key ed25519:<public key, 32 bytes, base64url without padding>
//	file campaign.yaml <length>
//	<length bytes>
//	file letters/en.txt <length>
//	<length bytes>
//	signature <64 bytes, base64url without padding>
//
// Each file's bytes are followed by "\n". campaign.yaml comes first, then
// the other files in strictly increasing byte order of their names, so a
// pack has one encoding only. The signature is Ed25519 over every byte
// before the "signature " line. Nothing may follow the signature line.
//
// Parse checks the framing only; Verify checks the signature against a
// pinned key. Campaign loads the files as a campaign (pkg/campaign's rules,
// templates confined to the pack). The package imports pkg/campaign and the
// standard library.
package pack

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"testing/fstest"

	"github.com/faxjam/faxjam/pkg/campaign"
)

// Magic is the first line of every pack.
const Magic = "faxjam-pack 1\n"

// Limits of a pack, so that a hostile one cannot exhaust memory.
const (
	MaxFiles = 64
	MaxSize  = 8 << 20 // the whole pack
	// MaxVersion keeps versions exact in JSON numbers.
	MaxVersion = 1<<53 - 1
)

// KeyPrefix starts an encoded public key.
const KeyPrefix = "ed25519:"

// File is one file of a pack: a slash-separated path relative to the
// campaign's folder, and its bytes.
type File struct {
	Name string
	Data []byte
}

// Pack is a parsed pack.
type Pack struct {
	Version   uint64
	Key       ed25519.PublicKey // the key the pack says signed it
	Files     []File            // campaign.yaml first
	Signature []byte
	signed    []byte // the bytes the signature covers
}

// FormatError is a pack that does not follow the format: Offset is the byte
// where reading stopped.
type FormatError struct {
	Offset int
	Msg    string
}

func (e *FormatError) Error() string { return fmt.Sprintf("pack: byte %d: %s", e.Offset, e.Msg) }

// ErrSignature says the signature does not verify with the key.
var ErrSignature = errors.New("the signature does not match: the pack was changed after it was signed, or signed by another key")

// KeyError says a pack was signed by another key than the pinned one.
type KeyError struct {
	Pinned, Got ed25519.PublicKey
}

func (e *KeyError) Error() string {
	return fmt.Sprintf("the pack is signed by key %s, not by the pinned key %s", Fingerprint(e.Got), Fingerprint(e.Pinned))
}

// IsPack reports whether b starts like a pack (it may still be malformed).
func IsPack(b []byte) bool { return bytes.HasPrefix(b, []byte(Magic)) }

// Encode signs files as a pack of version with priv. It checks the files as
// Parse would, so Encode never writes a pack Parse refuses.
func Encode(priv ed25519.PrivateKey, version uint64, files []File) ([]byte, error) {
	if len(priv) != ed25519.PrivateKeySize {
		return nil, errors.New("pack: not an Ed25519 private key")
	}
	if version < 1 || version > MaxVersion {
		return nil, fmt.Errorf("pack: version %d: want 1 to %d", version, uint64(MaxVersion))
	}
	if err := checkFiles(files); err != nil {
		return nil, err
	}
	b := body(version, priv.Public().(ed25519.PublicKey), files)
	sig := ed25519.Sign(priv, b.Bytes())
	b.WriteString("signature " + base64.RawURLEncoding.EncodeToString(sig) + "\n")
	if b.Len() > MaxSize {
		return nil, fmt.Errorf("pack: %d bytes, more than the %d a pack may have", b.Len(), MaxSize)
	}
	return b.Bytes(), nil
}

// body is everything the signature covers.
func body(version uint64, pub ed25519.PublicKey, files []File) *bytes.Buffer {
	var b bytes.Buffer
	b.WriteString(Magic)
	fmt.Fprintf(&b, "version %d\n", version)
	b.WriteString("key " + EncodeKey(pub) + "\n")
	for _, f := range files {
		fmt.Fprintf(&b, "file %s %d\n", f.Name, len(f.Data))
		b.Write(f.Data)
		b.WriteByte('\n')
	}
	return &b
}

// checkFiles holds files to the format's rules: campaign.yaml first, the
// rest in strictly increasing order, names that are plain relative paths.
func checkFiles(files []File) error {
	if len(files) == 0 || files[0].Name != campaign.FileName {
		return fmt.Errorf("pack: the first file must be %s", campaign.FileName)
	}
	if len(files) > MaxFiles {
		return fmt.Errorf("pack: %d files, more than %d", len(files), MaxFiles)
	}
	for i, f := range files {
		if err := checkName(f.Name); err != nil {
			return err
		}
		if len(f.Data) > campaign.MaxFileSize {
			return fmt.Errorf("pack: %s is larger than %d bytes", f.Name, campaign.MaxFileSize)
		}
		if i > 1 && f.Name <= files[i-1].Name {
			return fmt.Errorf("pack: file %s: files after %s must be in increasing order of name, without repeats", f.Name, campaign.FileName)
		}
		if i > 0 && f.Name == campaign.FileName {
			return fmt.Errorf("pack: %s twice", campaign.FileName)
		}
	}
	return nil
}

// checkName allows relative slash paths of letters, digits and ._- only:
// no spaces (the framing splits on them), no "..", nothing absolute.
func checkName(n string) error {
	if n == "" || len(n) > 200 || !fs.ValidPath(n) || n == "." {
		return fmt.Errorf("pack: file name %q: want a relative path like letters/en.txt", n)
	}
	for _, r := range n {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._-/", r)
		if !ok {
			return fmt.Errorf("pack: file name %q: only letters, digits and . _ - / are allowed", n)
		}
	}
	return nil
}

// Parse reads a pack's framing. It does not check the signature: see Verify.
func Parse(b []byte) (*Pack, error) {
	if len(b) > MaxSize {
		return nil, &FormatError{MaxSize, fmt.Sprintf("a pack may have at most %d bytes", MaxSize)}
	}
	r := reader{b: b}
	if !bytes.HasPrefix(b, []byte(Magic)) {
		return nil, r.errf("not a faxjam pack: it must start with %q", strings.TrimSpace(Magic))
	}
	r.off = len(Magic)
	p := &Pack{}
	v, err := r.field("version")
	if err != nil {
		return nil, err
	}
	if p.Version, err = parseCount(v, MaxVersion); err != nil || p.Version == 0 {
		return nil, r.errf("version %q: want a whole number from 1 to %d", v, uint64(MaxVersion))
	}
	k, err := r.field("key")
	if err != nil {
		return nil, err
	}
	if p.Key, err = ParseKey(k); err != nil {
		return nil, r.errf("%v", err)
	}
	// One encoding only (FuzzParse found the prefix-less one accepted).
	if EncodeKey(p.Key) != k {
		return nil, r.errf("key: want %s and canonical base64url, as `faxjam campaign keygen` writes it", KeyPrefix)
	}
	for {
		start := r.off
		line, err := r.line()
		if err != nil {
			return nil, err
		}
		if sig, ok := strings.CutPrefix(line, "signature "); ok {
			p.signed = b[:start]
			if p.Signature, err = base64.RawURLEncoding.DecodeString(sig); err != nil || len(p.Signature) != ed25519.SignatureSize {
				return nil, r.errf("signature: want %d bytes in base64url without padding", ed25519.SignatureSize)
			}
			if base64.RawURLEncoding.EncodeToString(p.Signature) != sig {
				return nil, r.errf("signature: not in canonical base64url")
			}
			break
		}
		rest, ok := strings.CutPrefix(line, "file ")
		if !ok {
			r.off = start
			return nil, r.errf("want a \"file NAME LENGTH\" or \"signature\" line, got %q", clip(line))
		}
		name, size, ok := strings.Cut(rest, " ")
		n, err := parseCount(size, campaign.MaxFileSize)
		if !ok || err != nil {
			r.off = start
			return nil, r.errf("file line %q: want \"file NAME LENGTH\" with LENGTH at most %d", clip(line), campaign.MaxFileSize)
		}
		if len(p.Files) == MaxFiles {
			return nil, r.errf("more than %d files", MaxFiles)
		}
		if uint64(len(b)-r.off) < n+1 || b[r.off+int(n)] != '\n' {
			return nil, r.errf("file %s: want %d bytes and a newline", clip(name), n)
		}
		p.Files = append(p.Files, File{Name: name, Data: b[r.off : r.off+int(n) : r.off+int(n)]})
		r.off += int(n) + 1
	}
	if r.off != len(b) {
		return nil, r.errf("%d bytes after the signature", len(b)-r.off)
	}
	if err := checkFiles(p.Files); err != nil {
		return nil, &FormatError{0, strings.TrimPrefix(err.Error(), "pack: ")}
	}
	return p, nil
}

// Verify checks that the pack was signed by pinned, and by the key the pack
// names (which must be pinned itself). A nil pinned trusts the pack's own
// key: trust on first use, for the first pack of a campaign only.
func (p *Pack) Verify(pinned ed25519.PublicKey) error {
	if pinned != nil && !pinned.Equal(p.Key) {
		return &KeyError{Pinned: pinned, Got: p.Key}
	}
	if !ed25519.Verify(p.Key, p.signed, p.Signature) {
		return ErrSignature
	}
	return nil
}

// Open parses b and verifies it with pinned (see Verify).
func Open(b []byte, pinned ed25519.PublicKey) (*Pack, error) {
	p, err := Parse(b)
	if err != nil {
		return nil, err
	}
	if err := p.Verify(pinned); err != nil {
		return nil, err
	}
	return p, nil
}

// FS is the pack's files as a file system.
func (p *Pack) FS() fs.FS {
	m := fstest.MapFS{}
	for _, f := range p.Files {
		m[f.Name] = &fstest.MapFile{Data: f.Data, Mode: 0o644}
	}
	return m
}

// Campaign loads the pack's campaign, validated by pkg/campaign's rules.
// Like campaign.Load it returns the campaign next to a *ValidationError.
func (p *Pack) Campaign() (*campaign.Campaign, error) {
	return campaign.LoadFS(p.FS(), campaign.FileName)
}

// Fingerprint is how a key is shown to people: SHA256: and the first 16
// bytes of the key's SHA-256, in hex pairs, short enough to read aloud over
// the phone to the campaign's organizer.
func Fingerprint(k ed25519.PublicKey) string {
	sum := sha256.Sum256(k)
	var b strings.Builder
	b.WriteString("SHA256:")
	for i, c := range sum[:16] {
		if i > 0 && i%2 == 0 {
			b.WriteByte(':')
		}
		fmt.Fprintf(&b, "%02x", c)
	}
	return b.String()
}

// EncodeKey writes a public key as "ed25519:" and base64url.
func EncodeKey(k ed25519.PublicKey) string {
	return KeyPrefix + base64.RawURLEncoding.EncodeToString(k)
}

// ParseKey reads a public key written by EncodeKey (the "ed25519:" prefix may
// be left out, as in a URL's #ed25519= pin).
func ParseKey(s string) (ed25519.PublicKey, error) {
	s = strings.TrimPrefix(strings.TrimSpace(s), KeyPrefix)
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("key %q: want %s and %d bytes in base64url without padding (as `faxjam campaign keygen` prints)", clip(s), KeyPrefix, ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(b), nil
}

type reader struct {
	b   []byte
	off int
}

func (r *reader) errf(format string, a ...any) error {
	return &FormatError{r.off, fmt.Sprintf(format, a...)}
}

// line reads up to the next newline, which must be there.
func (r *reader) line() (string, error) {
	i := bytes.IndexByte(r.b[r.off:], '\n')
	if i < 0 || i > 512 {
		return "", r.errf("want a line of at most 512 bytes ending in a newline")
	}
	s := string(r.b[r.off : r.off+i])
	r.off += i + 1
	return s, nil
}

// field reads the line "NAME VALUE".
func (r *reader) field(name string) (string, error) {
	start := r.off
	line, err := r.line()
	if err != nil {
		return "", err
	}
	v, ok := strings.CutPrefix(line, name+" ")
	if !ok {
		r.off = start
		return "", r.errf("want the %q line, got %q", name, clip(line))
	}
	return v, nil
}

// parseCount reads a decimal number without sign or leading zeros, at most max.
func parseCount(s string, max uint64) (uint64, error) {
	if s == "" || len(s) > 1 && s[0] == '0' || strings.Trim(s, "0123456789") != "" {
		return 0, strconv.ErrSyntax
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n > max {
		return 0, strconv.ErrRange
	}
	return n, nil
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}
