package campaign

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/faxjam/faxjam/letters"
	"github.com/faxjam/faxjam/pkg/httpclient"
	"github.com/faxjam/faxjam/pkg/urlspec"
)

// FileName is the campaign file inside a campaign folder.
const FileName = "campaign.yaml"

// FetchTimeout bounds fetching a campaign and its templates from a URL.
const FetchTimeout = 20 * time.Second

// Default is the id of the campaign faxjam uses when none is named.
func Default() string { return "norma-cruz-2012" }

// Bundled returns the campaigns built into the binary, sorted by id, each
// validated.
func Bundled() ([]*Campaign, error) {
	fsys := letters.FS()
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("bundled campaigns: %w", err)
	}
	var out []*Campaign
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		c, err := LoadFS(fsys, path.Join(e.Name(), FileName))
		if err != nil {
			return nil, err
		}
		c.Source = "bundled:" + c.ID
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// LoadFS reads the campaign file at name in fsys and its templates (paths
// relative to the file's folder), then validates it.
func LoadFS(fsys fs.FS, name string) (*Campaign, error) {
	data, err := readLimited(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("campaign %s: %w", name, err)
	}
	c, err := Parse(data, name)
	if c == nil {
		return nil, err // else Validate lists err's problems again
	}
	dir := path.Dir(name)
	err = c.loadTemplates(func(file string) ([]byte, error) {
		return readLimited(fsys, path.Join(dir, file))
	})
	if err != nil {
		return nil, err
	}
	return c, c.Validate()
}

// Load finds a campaign by reference: an http(s) URL (optionally pinned with
// "#sha256=HEX", see Digest), the id of a bundled campaign, or a path to a
// campaign file or folder. The campaign is validated: when the only error is
// a *ValidationError the campaign is returned with it, so a caller can show
// what was loaded next to the problems.
func Load(ctx context.Context, ref string) (*Campaign, error) {
	if ref == "" {
		ref = Default()
	}
	if strings.HasPrefix(ref, "https://") || strings.HasPrefix(ref, "http://") {
		return loadURL(ctx, ref)
	}
	if idPattern.MatchString(ref) {
		all, err := Bundled()
		if err != nil {
			return nil, err
		}
		for _, c := range all {
			if c.ID == ref {
				return c, nil
			}
		}
		if _, err := os.Stat(ref); err != nil {
			ids := make([]string, len(all))
			for i, c := range all {
				ids[i] = c.ID
			}
			return nil, fmt.Errorf("campaign %q: no bundled campaign or file by that name (bundled: %s)", ref, strings.Join(ids, ", "))
		}
	}
	return loadFile(ref)
}

func loadFile(p string) (*Campaign, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("campaign: %w", err)
	}
	dir, name := filepath.Dir(p), filepath.Base(p)
	if st.IsDir() {
		dir, name = p, FileName
	}
	// The root confines template paths to the campaign's folder.
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("campaign: %w", err)
	}
	defer root.Close()
	c, err := LoadFS(root.FS(), name)
	if c != nil {
		c.Source = filepath.Join(dir, name)
	}
	var v *ValidationError
	if errors.As(err, &v) {
		v.Source = filepath.Join(dir, name)
	}
	return c, err
}

func (c *Campaign) loadTemplates(read func(file string) ([]byte, error)) error {
	c.Templates = make(map[string]string, len(c.Languages))
	for _, l := range c.Languages {
		if !validTemplatePath(l.Template) {
			continue // Validate names it
		}
		data, err := read(l.Template)
		if errors.Is(err, fs.ErrNotExist) {
			continue // Validate names it
		}
		if err != nil {
			return fmt.Errorf("campaign %s: languages.%s: %w", c.Source, l.Code, err)
		}
		c.Templates[l.Code] = string(data)
	}
	return nil
}

func readLimited(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readAtMost(f, name)
}

func readAtMost(r io.Reader, name string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("%s is larger than %d bytes", name, MaxFileSize)
	}
	return data, nil
}

// loadURL fetches a campaign file and its templates, which are resolved
// relative to the campaign's URL. A "#sha256=HEX" fragment pins the whole
// campaign: it must equal Digest of what was fetched.
func loadURL(ctx context.Context, ref string) (*Campaign, error) {
	u, err := url.Parse(ref)
	if err != nil {
		return nil, fmt.Errorf("campaign URL: %w", err)
	}
	var pin string
	if u.Fragment != "" {
		h, ok := strings.CutPrefix(u.Fragment, "sha256=")
		if _, err := hex.DecodeString(h); !ok || err != nil || len(h) != 2*sha256.Size {
			return nil, fmt.Errorf("campaign URL: fragment %q: want #sha256= and 64 hex digits", u.Fragment)
		}
		pin = strings.ToLower(h)
		u.Fragment = ""
	}
	// Plain HTTP lets anyone on the path rewrite the letter: only with a
	// pin, or from this machine (an organizer's local preview).
	if u.Scheme == "http" && pin == "" && !urlspec.Loopback(u.Hostname()) {
		return nil, fmt.Errorf("campaign %s: plain http without a #sha256= pin; use https or pin the campaign", u.Redacted())
	}
	ctx, cancel := context.WithTimeout(ctx, FetchTimeout)
	defer cancel()
	client := httpclient.NewHTTP(FetchTimeout) // no redirect from https to http
	source := u.String()
	data, err := fetch(ctx, client, u)
	if err != nil {
		return nil, err
	}
	c, err := Parse(data, source)
	if c == nil {
		return nil, err // else Validate lists err's problems again
	}
	err = c.loadTemplates(func(file string) ([]byte, error) {
		return fetch(ctx, client, u.ResolveReference(&url.URL{Path: file}))
	})
	if err != nil {
		return nil, err
	}
	if pin != "" {
		if got := c.Digest(); got != pin {
			return nil, fmt.Errorf("campaign %s: integrity check failed: the URL pins sha256=%s but the campaign fetched has %s; do not use it unless its organizer confirms the change", source, pin, got)
		}
	}
	return c, c.Validate()
}

func fetch(ctx context.Context, client *http.Client, u *url.URL) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("campaign: fetch %s: %w", u.Redacted(), err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("campaign: fetch %s: %w", u.Redacted(), err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return nil, fmt.Errorf("campaign: fetch %s: %w", u.Redacted(), fs.ErrNotExist)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("campaign: fetch %s: HTTP %d", u.Redacted(), resp.StatusCode)
	}
	return readAtMost(resp.Body, u.Redacted())
}

// File is the campaign file as it was read (a copy), for printing: the
// schema with its comments, the bundled campaign included.
func (c *Campaign) File() []byte { return bytes.Clone(c.raw) }

// Digest is the SHA-256 (hex) of everything that makes the campaign's
// letters: the campaign file as read and each template in language order,
// framed so that moving bytes between parts changes it:
//
//	"faxjam-campaign-v1\n" then, for the campaign file and each template,
//	"<name> <length>\n<bytes>\n"
//
// Publish a campaign as URL#sha256=<Digest> and Load refuses any other
// content. A template not loaded counts as empty.
func (c *Campaign) Digest() string {
	h := sha256.New()
	io.WriteString(h, "faxjam-campaign-v1\n")
	part := func(name string, b []byte) {
		fmt.Fprintf(h, "%s %d\n", name, len(b))
		h.Write(b)
		io.WriteString(h, "\n")
	}
	part(FileName, c.raw)
	for _, l := range c.Languages {
		part(l.Template, []byte(c.Templates[l.Code]))
	}
	return hex.EncodeToString(h.Sum(nil))
}
