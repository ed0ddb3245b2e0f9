// Package outbox is faxjam's default gateway: it dials nothing and writes
// each fax into a folder instead — the PDF, the fax image (TIFF class F,
// which the sender renders for it: Driver declares WantsTIFF) and a JSON
// manifest — so a campaign can be rehearsed, audited, or its documents
// handed to someone who faxes them by hand.
//
// URL: outbox:///absolute/dir, outbox:relative/dir, or outbox:// alone for
// the "outbox" folder under Env.DataDir (the CLI passes one in the XDG data
// dir).
//
// Files are named after a hash of the fax's idempotency key, so sending the
// same key twice finds the first fax instead of writing a second one, and
// Lookup needs no index beyond the file system. Every file is written whole
// (temp name in the same folder, fsync, rename) with mode 0600 in a 0700
// folder: the documents carry signers' names. The manifest is written last,
// so its presence means the fax is complete; Status reads it and reports
// delivered ("written").
//
// It imports package gateway and the standard library only.
//
// Idempotency (DedupeByKey): yes. Files are named after the key, and a Send
// with a key already written returns the first fax. Writes happen inside
// the faxjam process under a lock, so nothing arrives after the process is
// gone: LateMargin is 0.
package outbox

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/faxjam/faxjam/pkg/gateway"
)

// Scheme is the URL scheme of the outbox driver.
const Scheme = "outbox"

// MaxDocument bounds what the outbox takes: no vendor limits it, but a
// one-page letter that grows past this is a bug upstream, not a fax.
const MaxDocument = 50 << 20

// Manifest is the JSON record written next to each fax's documents.
type Manifest struct {
	ID         string        `json:"id"`
	To         string        `json:"to"`
	From       string        `json:"from,omitempty"`
	Key        string        `json:"key,omitempty"`
	Campaign   string        `json:"campaign,omitempty"`
	Pages      int           `json:"pages"`
	SHA256     string        `json:"sha256"` // of the PDF (of the TIFF when there is no PDF)
	PDF        string        `json:"pdf,omitempty"`
	TIFF       string        `json:"tiff,omitempty"`
	Fictitious bool          `json:"fictitious,omitempty"`
	Submitted  time.Time     `json:"submitted"`
	State      gateway.State `json:"state"`
	// Scrubbed: the documents were deleted (retention or forget, see
	// Scrub); the manifest stays to account for the fax.
	Scrubbed bool `json:"scrubbed,omitempty"`
}

// Driver declares the outbox driver.
func Driver() gateway.Driver {
	return gateway.Driver{
		DedupeByKey: true,
		LateMargin:  0,
		Scheme:      Scheme,
		Summary:     "writes each fax (PDF, TIFF, JSON manifest) into a folder; dials nothing",
		Syntax:      "outbox:///DIR (outbox:// alone: the outbox folder in faxjam's data dir)",
		Example:     "outbox:///home/ana/faxjam-outbox",
		MaxDocument: MaxDocument,
		Offline:     true,
		// WantsTIFF: the outbox keeps what a fax machine would be sent, the
		// fax image (TIFF class F) beside the PDF, as it promises. It makes
		// a letter about five times dearer to compose (2.4 ms against
		// 0.5 ms) and adds ~32 KB a page on disk; a dry run, which writes
		// nothing, does not render it.
		WantsTIFF:      true,
		StationOptions: []string{"csid"},
		Options: []gateway.Option{
			{Name: "dir", Place: gateway.InPath, Help: "folder to write faxes into (created 0700); empty: faxjam's data dir"},
			gateway.CSIDOption("the sending number or station id the fax header shows, for whoever sends the faxes on"),
		},
		Open: open,
	}
}

// Gateway writes faxes into Dir.
type Gateway struct {
	Dir  string
	csid string // for the fax header faxjam draws
	now  func() time.Time
	// mu makes a check-then-write of one key atomic within this process, so
	// two concurrent sends of the same key write one fax.
	mu sync.Mutex
}

func open(u *url.URL, env gateway.Env) (gateway.Gateway, error) {
	dir, err := folder(u, env)
	if err != nil {
		return nil, err
	}
	csid, err := gateway.CSID(Scheme, "csid", u.Query().Get("csid"))
	if err != nil {
		return nil, err
	}
	// The folder is created on first use, not here: opening a URL (to list,
	// validate or redact it) must not touch the disk.
	return &Gateway{Dir: dir, csid: csid, now: time.Now}, nil
}

// Station is the csid= the fax header shows.
func (g *Gateway) Station() string { return g.csid }

func folder(u *url.URL, env gateway.Env) (string, error) {
	if u.Host != "" {
		return "", fmt.Errorf("outbox: URL has host %q: write outbox:///absolute/dir (three slashes) or outbox:relative/dir", u.Host)
	}
	dir := u.Path
	if u.Opaque != "" {
		dir = u.Opaque
	}
	if dir == "" {
		if env.DataDir == "" {
			return "", errors.New("outbox: no folder in the URL and no data dir to default to; write outbox:///dir")
		}
		return filepath.Join(env.DataDir, "outbox"), nil
	}
	return filepath.Clean(filepath.FromSlash(dir)), nil
}

// Send writes the fax, or finds the one already written under its key.
func (g *Gateway) Send(ctx context.Context, fax gateway.Fax) (gateway.Receipt, error) {
	to, err := gateway.Prepare(Driver(), fax)
	if err != nil {
		return gateway.Receipt{}, err
	}
	if err := ctx.Err(); err != nil {
		return gateway.Receipt{}, g.fail("send", err)
	}
	id, err := idFor(fax.Key)
	if err != nil {
		return gateway.Receipt{}, g.fail("send", err)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if m, err := g.manifest(id); err == nil && m.Key == fax.Key {
		return receipt(m), nil
	}
	if err := os.MkdirAll(g.Dir, 0o700); err != nil {
		return gateway.Receipt{}, g.fail("send", err)
	}
	m := Manifest{
		ID: id, To: to, From: fax.From, Key: fax.Key, Campaign: fax.Campaign, Pages: fax.Pages,
		Fictitious: fax.Fictitious, Submitted: g.now().UTC(), State: gateway.Delivered,
	}
	doc := fax.PDF
	if len(fax.PDF) > 0 {
		m.PDF = id + ".pdf"
		if err := writeFile(filepath.Join(g.Dir, m.PDF), fax.PDF); err != nil {
			return gateway.Receipt{}, g.fail("send", err)
		}
	}
	if len(fax.TIFF) > 0 {
		m.TIFF = id + ".tif"
		if err := writeFile(filepath.Join(g.Dir, m.TIFF), fax.TIFF); err != nil {
			return gateway.Receipt{}, g.fail("send", err)
		}
		if len(doc) == 0 {
			doc = fax.TIFF
		}
	}
	sum := sha256.Sum256(doc)
	m.SHA256 = hex.EncodeToString(sum[:])
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return gateway.Receipt{}, g.fail("send", err)
	}
	// Last: the manifest's presence is what says the fax is complete.
	if err := writeFile(filepath.Join(g.Dir, id+".json"), append(b, '\n')); err != nil {
		return gateway.Receipt{}, g.fail("send", err)
	}
	return receipt(m), nil
}

var _ gateway.Local = (*Gateway)(nil)

// Folder is where the faxes are written (gateway.Local).
func (g *Gateway) Folder() string { return g.Dir }

// Status reads the fax's manifest: a written fax is delivered.
func (g *Gateway) Status(ctx context.Context, id string) (gateway.Status, error) {
	if err := ctx.Err(); err != nil {
		return gateway.Status{}, g.fail("status", err)
	}
	m, err := g.manifest(id)
	if err != nil {
		return gateway.Status{}, g.notFound("status", id, err)
	}
	return gateway.Status{
		ID: m.ID, State: m.State, Pages: m.Pages, Updated: m.Submitted,
		Message: "written to " + filepath.Join(g.Dir, m.ID+".json"),
	}, nil
}

// Lookup finds the fax written under key.
func (g *Gateway) Lookup(ctx context.Context, key string) (gateway.Receipt, bool, error) {
	if err := ctx.Err(); err != nil {
		return gateway.Receipt{}, false, g.fail("lookup", err)
	}
	if key == "" {
		return gateway.Receipt{}, false, nil
	}
	id, err := idFor(key)
	if err != nil {
		return gateway.Receipt{}, false, g.fail("lookup", err)
	}
	m, err := g.manifest(id)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return gateway.Receipt{}, false, nil
	case err != nil:
		return gateway.Receipt{}, false, g.fail("lookup", err)
	case m.Key != key: // a hash collision: not this fax
		return gateway.Receipt{}, false, nil
	}
	return receipt(m), true, nil
}

// Check makes sure the folder exists (creating it) and takes files.
func (g *Gateway) Check(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return g.fail("check", err)
	}
	if err := os.MkdirAll(g.Dir, 0o700); err != nil {
		return g.fail("check", err)
	}
	f, err := os.CreateTemp(g.Dir, ".check-*")
	if err != nil {
		return g.fail("check", err)
	}
	name := f.Name()
	err = f.Close()
	if rerr := os.Remove(name); err == nil {
		err = rerr
	}
	if err != nil {
		return g.fail("check", err)
	}
	return nil
}

func (g *Gateway) manifest(id string) (Manifest, error) {
	if !validID(id) {
		return Manifest{}, fmt.Errorf("%q is not an outbox fax id: %w", id, fs.ErrNotExist)
	}
	b, err := os.ReadFile(filepath.Join(g.Dir, id+".json"))
	if err != nil {
		return Manifest{}, err
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return Manifest{}, fmt.Errorf("manifest %s: %w", id+".json", err)
	}
	if m.ID != id {
		return Manifest{}, fmt.Errorf("manifest %s names fax %q", id+".json", m.ID)
	}
	return m, nil
}

func (g *Gateway) fail(op string, err error) error {
	return &gateway.Error{Driver: Scheme, Op: op, Reason: gateway.ReasonGatewayError,
		Message: fmt.Sprintf("outbox folder %s: %v", g.Dir, err), Err: err}
}

func (g *Gateway) notFound(op, id string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return &gateway.Error{Driver: Scheme, Op: op, Reason: gateway.ReasonRejected,
			Message: fmt.Sprintf("no fax %q in %s", id, g.Dir), Err: err}
	}
	return g.fail(op, err)
}

func receipt(m Manifest) gateway.Receipt {
	return gateway.Receipt{ID: m.ID, Driver: Scheme, To: m.To, State: m.State, Submitted: m.Submitted}
}

// idLen is the length of a fax id: 128 bits of SHA-256, in hex.
const idLen = 32

// idFor names a fax after its key, so the same key always finds the same
// files. A fax without a key gets a random name: it cannot be deduplicated.
func idFor(key string) (string, error) {
	if key == "" {
		b := make([]byte, idLen/2)
		if _, err := rand.Read(b); err != nil {
			return "", err
		}
		return hex.EncodeToString(b), nil
	}
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:idLen/2]), nil
}

// validID keeps ids from the journal or a user from naming any other file.
func validID(id string) bool {
	return len(id) == idLen && strings.Trim(id, "0123456789abcdef") == ""
}

// writeFile writes data to path whole or not at all: a temp file in the same
// folder, synced, then renamed over path.
func writeFile(path string, data []byte) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			os.Remove(tmp)
		}
	}()
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}

// syncDir makes the rename itself durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}
