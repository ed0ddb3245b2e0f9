package cli

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/faxjam/faxjam/pkg/campaign"
	"github.com/faxjam/faxjam/pkg/httpclient"
	"github.com/faxjam/faxjam/pkg/pack"
	"github.com/faxjam/faxjam/pkg/ui"
	"github.com/faxjam/faxjam/pkg/urlspec"
)

// Files beside an added campaign that came from a signed pack: the pack as
// fetched, and where it came from with the key pinned for it.
const (
	packFile  = "campaign.pack"
	trustFile = "pack.json"
)

// packTrust is what `campaign add` pinned for a campaign from a pack.
type packTrust struct {
	Source      string    `json:"source"` // URL (without the pin) or absolute file path
	Key         string    `json:"key"`    // pack.EncodeKey of the pinned key
	Fingerprint string    `json:"fingerprint"`
	Version     uint64    `json:"version"`
	Updated     time.Time `json:"updated"`
}

// PackOptions are the inputs of keygen, sign and update.
type PackOptions struct {
	IO      *ui.IOStreams
	JSON    bool
	Dir     string // added campaigns
	KeyFile string // keygen: where to write; sign: what to sign with
	Out     string // sign: the pack file
	Version uint64 // sign: 0 = one more than the pack at Out, or 1
	Ref     string // sign: the campaign folder; update: the campaign id
	Force   bool
	Now     func() time.Time
}

func (f *Factory) packOptions(o *PackOptions) {
	o.IO, o.JSON, o.Dir, o.Now = f.IO, f.JSON, f.CampaignsDir(), f.Now
	if o.KeyFile == "" {
		o.KeyFile = filepath.Join(f.ConfigHome(), "campaign.key")
	}
}

func newCampaignKeygenCmd(f *Factory) *cobra.Command {
	opts := &PackOptions{}
	cmd := &cobra.Command{
		Use:   "keygen",
		Short: "Make the Ed25519 key pair an organizer signs campaign packs with",
		Long: `Write a new Ed25519 key pair for signing campaign packs: the private key to
FILE (mode 0600, PEM PKCS #8) and the public key to FILE.pub. Publish the
public key (or its fingerprint) where activists can check it, e.g. on the
organization's web site, so they can pin it with #ed25519=KEY.

Keep the private key offline and backed up: whoever holds it can change the
fax numbers of every copy of the campaign, and without it no update of the
campaign is accepted by those who added it.`,
		Example: "  faxjam campaign keygen\n  faxjam campaign keygen -o ~/keys/river-keepers.key",
		Args:    usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.packOptions(opts)
			return campaignKeygenRun(opts)
		},
	}
	cmd.Flags().StringVarP(&opts.KeyFile, "output", "o", "", "private key file (default $XDG_CONFIG_HOME/faxjam/campaign.key)")
	cmd.Flags().BoolVar(&opts.Force, "force", false, "replace an existing key (every pack signed with it can no longer be updated)")
	return cmd
}

func campaignKeygenRun(opts *PackOptions) error {
	if _, err := os.Stat(opts.KeyFile); err == nil && !opts.Force {
		return usagef("%s exists; a new key cannot update campaigns signed with the old one: use --force to replace it anyway, or -o another file", opts.KeyFile)
	}
	pub, priv, err := pack.GenerateKey()
	if err != nil {
		return err
	}
	pemKey, err := pack.MarshalPrivateKey(priv)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(opts.KeyFile), 0o700); err != nil {
		return fmt.Errorf("keygen: %w", err)
	}
	if err := writeFileAtomic(opts.KeyFile, pemKey, 0o600); err != nil {
		return fmt.Errorf("keygen: %w", err)
	}
	if err := writeFileAtomic(opts.KeyFile+".pub", []byte(pack.EncodeKey(pub)+"\n"), 0o644); err != nil {
		return fmt.Errorf("keygen: %w", err)
	}
	if opts.JSON {
		return ui.NewJSON(opts.IO.Out).Print("key", map[string]string{
			"private": opts.KeyFile, "public": opts.KeyFile + ".pub", "key": pack.EncodeKey(pub), "fingerprint": pack.Fingerprint(pub)})
	}
	fmt.Fprintf(opts.IO.Out, "%s\n", pack.EncodeKey(pub))
	fmt.Fprintf(opts.IO.ErrOut, "Wrote the private key to %s (0600) and the public key to %s.pub\nFingerprint: %s\nActivists pin it with: faxjam campaign add 'URL#ed25519=%s'\n",
		opts.KeyFile, opts.KeyFile, pack.Fingerprint(pub), strings.TrimPrefix(pack.EncodeKey(pub), pack.KeyPrefix))
	return nil
}

func newCampaignSignCmd(f *Factory) *cobra.Command {
	opts := &PackOptions{}
	cmd := &cobra.Command{
		Use:   "sign DIR -o FILE",
		Short: "Make a signed campaign pack of a campaign folder",
		Long: `Check the campaign in DIR (campaign.yaml and its letter templates) and write
it as one signed pack to FILE. Publish FILE at a URL; activists add it with
'faxjam campaign add URL' and fetch new versions with 'faxjam campaign update ID',
which accepts only packs signed by the same key with a higher version.

--version defaults to one more than the version of the pack already at FILE
(1 for a new FILE), so signing again over the published pack is an update.`,
		Example: "  faxjam campaign sign ./river-keepers -o river-keepers.pack\n  faxjam campaign sign ./river-keepers -o river-keepers.pack --version 12 --key ~/keys/rk.key",
		Args:    usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.packOptions(opts)
			opts.Ref = args[0]
			return campaignSignRun(opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Out, "output", "o", "", "pack file to write (required)")
	cmd.Flags().StringVar(&opts.KeyFile, "key", "", "private key (default $XDG_CONFIG_HOME/faxjam/campaign.key)")
	cmd.Flags().Uint64Var(&opts.Version, "version", 0, "version number of the pack (default: one more than FILE's)")
	return cmd
}

func campaignSignRun(opts *PackOptions) error {
	if opts.Out == "" {
		return usagef("campaign sign: --output/-o FILE is required")
	}
	if err := checkOutput("--output", opts.Out); err != nil {
		return err
	}
	if err := checkCampaignFolder(opts.Ref); err != nil {
		return err
	}
	keyPEM, err := os.ReadFile(opts.KeyFile)
	if err != nil {
		return &UsageError{Err: fmt.Errorf("--key: %w", err), Hint: "make one with `faxjam campaign keygen`"}
	}
	priv, err := pack.ParsePrivateKey(keyPEM)
	if err != nil {
		return usagef("--key %s: %v", opts.KeyFile, err)
	}
	files, c, err := pack.FromDir(opts.Ref)
	if err != nil {
		var v *campaign.ValidationError
		if errors.As(err, &v) {
			return err
		}
		return &UsageError{Err: err}
	}
	version := opts.Version
	if prev, err := os.ReadFile(opts.Out); err == nil {
		p, perr := pack.Parse(prev)
		switch {
		case perr != nil:
			return usagef("--output %s exists and is not a pack (%v); give another file", opts.Out, perr)
		case version == 0:
			version = p.Version + 1
		case version <= p.Version:
			return usagef("--version %d: the pack at %s has version %d already; an update needs a higher one", version, opts.Out, p.Version)
		}
	}
	if version == 0 {
		version = 1
	}
	b, err := pack.Encode(priv, version, files)
	if err != nil {
		return &UsageError{Err: err}
	}
	if err := writeFileAtomic(opts.Out, b, 0o644); err != nil {
		return err
	}
	pub := priv.Public().(ed25519.PublicKey)
	if opts.JSON {
		return ui.NewJSON(opts.IO.Out).Print("pack", map[string]any{
			"id": c.ID, "path": opts.Out, "version": version, "files": len(files), "key": pack.EncodeKey(pub), "fingerprint": pack.Fingerprint(pub)})
	}
	fmt.Fprintf(opts.IO.ErrOut, "Signed %s version %d (%d files) into %s\nKey fingerprint: %s\n", c.ID, version, len(files), opts.Out, pack.Fingerprint(pub))
	return nil
}

// fetchPack reads a pack from a file or an http(s) URL. A "#ed25519=KEY"
// fragment pins the key it must be signed with; source is the reference
// without it, to fetch again from.
func fetchPack(ctx context.Context, ref string) (data []byte, source string, pin ed25519.PublicKey, err error) {
	if !strings.HasPrefix(ref, "https://") && !strings.HasPrefix(ref, "http://") {
		p, frag, _ := strings.Cut(ref, "#ed25519=")
		if frag != "" {
			if pin, err = pack.ParseKey(frag); err != nil {
				return nil, "", nil, &UsageError{Err: err}
			}
		}
		abs, err := filepath.Abs(p)
		if err != nil {
			return nil, "", nil, err
		}
		data, err := readPackFile(abs)
		return data, abs, pin, err
	}
	u, err := url.Parse(ref)
	if err != nil {
		return nil, "", nil, usagef("campaign URL: %v", err)
	}
	if u.Fragment != "" {
		k, ok := strings.CutPrefix(u.Fragment, "ed25519=")
		if !ok {
			if strings.HasPrefix(u.Fragment, "sha256=") {
				return nil, "", nil, errNotPack // a campaign.yaml pin: not a pack
			}
			return nil, "", nil, usagef("campaign URL: fragment %q: want #ed25519=KEY (or #sha256= for a campaign file)", u.Fragment)
		}
		if pin, err = pack.ParseKey(k); err != nil {
			return nil, "", nil, &UsageError{Err: err}
		}
		u.Fragment = ""
	}
	host := u.Hostname()
	if u.Scheme == "http" && pin == nil && !urlspec.Loopback(host) {
		return nil, "", nil, usagef("campaign %s: plain http without an #ed25519= pin lets anyone on the way replace the pack; use https or pin the key", u.Redacted())
	}
	source = u.String()
	ctx, cancel := context.WithTimeout(ctx, campaign.FetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, source, nil)
	if err != nil {
		return nil, "", nil, err
	}
	req.Header.Set("Accept", "application/vnd.faxjam.pack, */*")
	resp, err := httpclient.NewHTTP(campaign.FetchTimeout).Do(req) // no redirect from https to http
	if err != nil {
		return nil, "", nil, fmt.Errorf("campaign: fetch %s: %w", u.Redacted(), err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, "", nil, fmt.Errorf("campaign: fetch %s: HTTP %d", u.Redacted(), resp.StatusCode)
	}
	data, err = io.ReadAll(io.LimitReader(resp.Body, pack.MaxSize+1))
	if err != nil {
		return nil, "", nil, fmt.Errorf("campaign: fetch %s: %w", u.Redacted(), err)
	}
	return data, source, pin, nil
}

var errNotPack = errors.New("not a pack")

func readPackFile(p string) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("campaign: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, pack.MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("campaign: %w", err)
	}
	return data, nil
}

// campaignAddPack is `campaign add` for a signed pack. It reports false when
// ref is not a pack (a campaign file or folder), for the plain add to do.
func campaignAddPack(ctx context.Context, opts *CampaignOptions) (bool, error) {
	if fi, err := os.Stat(opts.Ref); err == nil && fi.IsDir() {
		return false, nil
	}
	isURL := strings.Contains(opts.Ref, "://")
	if !isURL && !strings.Contains(opts.Ref, "#ed25519=") {
		if _, err := os.Stat(opts.Ref); err != nil {
			return false, nil // the plain add names the missing file
		}
	}
	data, source, pin, err := fetchPack(ctx, opts.Ref)
	if errors.Is(err, errNotPack) {
		return false, nil
	}
	if err != nil {
		return true, err
	}
	if !pack.IsPack(data) {
		if pin != nil {
			return true, usagef("campaign %s: not a signed pack, but the reference pins a key (#ed25519=)", source)
		}
		return false, nil
	}
	p, err := pack.Parse(data)
	if err != nil {
		return true, fmt.Errorf("campaign %s: %w", source, err)
	}
	if err := p.Verify(pin); err != nil {
		return true, fmt.Errorf("campaign %s: refused: %w", source, err)
	}
	c, err := p.Campaign()
	if err != nil {
		return true, showInvalid(opts, err)
	}
	c.Source = source
	dest, err := addDest(opts, c)
	if err != nil {
		return true, err
	}
	tr := packTrust{Source: source, Key: pack.EncodeKey(p.Key), Fingerprint: pack.Fingerprint(p.Key), Version: p.Version, Updated: time.Now().UTC()}
	if err := storePack(opts.Dir, dest, p, data, tr); err != nil {
		return true, err
	}
	if _, err := campaign.Load(ctx, filepath.Join(dest, campaign.FileName)); err != nil {
		return true, fmt.Errorf("campaign %s was copied to %s but does not load back: %w", c.ID, dest, err)
	}
	how := "pinned the key it came with (trust on first use): check its fingerprint with the organizer"
	if pin != nil {
		how = "signed by the pinned key"
	}
	if opts.JSON {
		return true, ui.NewJSON(opts.IO.Out).Print("campaign_added", map[string]any{"id": c.ID, "path": dest, "digest": c.Digest(),
			"version": p.Version, "key": tr.Key, "fingerprint": tr.Fingerprint, "pinned": pin != nil})
	}
	fmt.Fprintf(opts.IO.ErrOut, "Added campaign %s (%s) version %d to %s\nKey %s: %s\nUse it with: faxjam --campaign %s about\n",
		c.ID, c.Title, p.Version, dest, tr.Fingerprint, how, c.ID)
	return true, nil
}

// addDest is where `campaign add` puts c, refusing a bundled id and, without
// --force, one already added.
func addDest(opts *CampaignOptions, c *campaign.Campaign) (string, error) {
	bundled, err := campaign.Bundled()
	if err != nil {
		return "", err
	}
	for _, b := range bundled {
		if b.ID == c.ID {
			return "", usagef("campaign id %q is a bundled campaign; give yours another id", c.ID)
		}
	}
	dest := filepath.Join(opts.Dir, c.ID)
	if _, err := os.Stat(dest); err == nil && !opts.Force {
		return "", usagef("campaign %q was already added (%s); `faxjam campaign update %s` fetches a new version, --force replaces it", c.ID, dest, c.ID)
	}
	return dest, nil
}

// storePack writes the pack's files, the pack itself and its trust record
// into dest, whole or not at all.
func storePack(dir, dest string, p *pack.Pack, data []byte, tr packTrust) error {
	tj, err := json.MarshalIndent(tr, "", "  ")
	if err != nil {
		return err
	}
	for _, f := range p.Files {
		if f.Name == packFile || f.Name == trustFile {
			return fmt.Errorf("campaign pack: a file may not be named %s (faxjam keeps its own there)", f.Name)
		}
	}
	files := append([]pack.File{}, p.Files...)
	files = append(files, pack.File{Name: packFile, Data: data}, pack.File{Name: trustFile, Data: append(tj, '\n')})
	return storeFiles(dir, dest, files)
}

// readTrust reads the trust record of an added campaign; ok is false for a
// campaign that was not added from a pack.
func readTrust(campaignDir string) (packTrust, bool, error) {
	var tr packTrust
	b, err := os.ReadFile(filepath.Join(campaignDir, trustFile))
	if errors.Is(err, os.ErrNotExist) {
		return tr, false, nil
	}
	if err != nil {
		return tr, false, err
	}
	if err := json.Unmarshal(b, &tr); err != nil {
		return tr, false, fmt.Errorf("%s: %w", filepath.Join(campaignDir, trustFile), err)
	}
	return tr, true, nil
}

// packInfo is what `campaign show` adds for a campaign from a pack.
func packInfo(c *campaign.Campaign) (packTrust, bool) {
	if c.Source == "" || filepath.Base(c.Source) != campaign.FileName {
		return packTrust{}, false
	}
	tr, ok, err := readTrust(filepath.Dir(c.Source))
	return tr, ok && err == nil
}

func newCampaignUpdateCmd(f *Factory) *cobra.Command {
	opts := &PackOptions{}
	return &cobra.Command{
		Use:   "update ID",
		Short: "Fetch a new version of a campaign added from a signed pack",
		Long: `Fetch the pack of campaign ID again from where it was added from (a file, a URL,
or a hub's /v1/campaigns/ID/pack) and accept it only when the key pinned at
'campaign add' signed it and its version is higher than the one you have.

Otherwise nothing changes: faxjam keeps the version you have and says why it
refused and what the new pack would have changed, the fax numbers first. A
refused update may mean the campaign was hijacked: ask its organizer (see
'faxjam campaign show ID' for the contact and the key's fingerprint).`,
		Example: "  faxjam campaign update river-keepers\n  faxjam campaign update river-keepers --json",
		Args:    usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.packOptions(opts)
			opts.Ref = args[0]
			return campaignUpdateRun(cmd.Context(), opts)
		},
	}
}

// UpdateRefusedError is an update that was not taken: the old version stays.
type UpdateRefusedError struct {
	ID      string
	Source  string
	Kept    uint64
	Why     string
	Changes []string
}

func (e *UpdateRefusedError) Error() string {
	msg := fmt.Sprintf("campaign %s: update from %s refused: %s; kept version %d", e.ID, e.Source, e.Why, e.Kept)
	if len(e.Changes) > 0 {
		msg += "; the refused pack would change: " + pack.Summary(e.Changes)
	}
	return msg + "; ask the campaign's organizer before using any other version"
}

func campaignUpdateRun(ctx context.Context, opts *PackOptions) error {
	if !campaignID.MatchString(opts.Ref) {
		return usagef("campaign update %q: give the id of an added campaign (`faxjam campaign list`)", opts.Ref)
	}
	dir := filepath.Join(opts.Dir, opts.Ref)
	tr, ok, err := readTrust(dir)
	if err != nil {
		return err
	}
	if !ok {
		return &UsageError{Err: fmt.Errorf("campaign %s was not added from a signed pack: there is nothing to update it from", opts.Ref),
			Hint: "to replace it with a newer file, add that again: `faxjam campaign add FILE|URL --force`"}
	}
	pinned, err := pack.ParseKey(tr.Key)
	if err != nil {
		return fmt.Errorf("campaign %s: pinned key: %w", opts.Ref, err)
	}
	oldData, err := os.ReadFile(filepath.Join(dir, packFile))
	if err != nil {
		return fmt.Errorf("campaign %s: %w", opts.Ref, err)
	}
	old, err := pack.Open(oldData, pinned)
	if err != nil {
		return fmt.Errorf("campaign %s: the stored pack no longer verifies (%v): add it again", opts.Ref, err)
	}
	oldC, err := old.Campaign()
	if err != nil {
		return err
	}
	data, _, _, err := fetchPack(ctx, tr.Source)
	if err != nil {
		return err
	}
	refuse := func(why string, changes []string) error {
		return &UpdateRefusedError{ID: opts.Ref, Source: tr.Source, Kept: old.Version, Why: why, Changes: changes}
	}
	p, err := pack.Parse(data)
	if err != nil {
		return refuse(err.Error(), nil)
	}
	var changes []string
	newC, cerr := p.Campaign()
	if newC != nil {
		changes = pack.Changes(oldC, newC)
	}
	switch {
	case p.Verify(pinned) != nil:
		return refuse(p.Verify(pinned).Error(), changes)
	case newC != nil && newC.ID != oldC.ID:
		return refuse(fmt.Sprintf("the pack is campaign %q, not %q", newC.ID, oldC.ID), changes)
	case p.Version < old.Version:
		return refuse(fmt.Sprintf("its version %d is older than your version %d (an old pack replayed?)", p.Version, old.Version), changes)
	case p.Version == old.Version && !bytes.Equal(data, oldData):
		return refuse(fmt.Sprintf("it has your version %d with other content", p.Version), changes)
	case p.Version == old.Version:
		if opts.JSON {
			return ui.NewJSON(opts.IO.Out).Print("campaign_update", map[string]any{"id": opts.Ref, "version": old.Version, "updated": false})
		}
		fmt.Fprintf(opts.IO.ErrOut, "Campaign %s is up to date (version %d)\n", opts.Ref, old.Version)
		return nil
	case cerr != nil:
		return errors.Join(refuse("the new version does not validate", changes), cerr)
	}
	tr.Version, tr.Updated = p.Version, opts.Now().UTC()
	if err := storePack(opts.Dir, dir, p, data, tr); err != nil {
		return err
	}
	if opts.JSON {
		return ui.NewJSON(opts.IO.Out).Print("campaign_update", map[string]any{"id": opts.Ref, "version": p.Version, "from": old.Version, "updated": true, "changes": changes})
	}
	fmt.Fprintf(opts.IO.ErrOut, "Updated campaign %s from version %d to %d: %s\n", opts.Ref, old.Version, p.Version, pack.Summary(changes))
	return nil
}

// hubPack is the pack `serve` gives activists: --pack FILE, or the pack the
// campaign was added from. It must be the campaign the hub faxes.
func hubPack(file string, c *campaign.Campaign) ([]byte, error) {
	if file == "" {
		if _, ok := packInfo(c); !ok {
			return nil, nil
		}
		file = filepath.Join(filepath.Dir(c.Source), packFile)
	}
	data, err := readPackFile(file)
	if err != nil {
		return nil, &UsageError{Err: fmt.Errorf("--pack: %w", err)}
	}
	p, err := pack.Open(data, nil)
	if err != nil {
		return nil, usagef("--pack %s: %v", file, err)
	}
	pc, err := p.Campaign()
	if err != nil {
		return nil, usagef("--pack %s: %v", file, err)
	}
	if pc.Digest() != c.Digest() {
		return nil, usagef("--pack %s is not the campaign this hub serves (%s): it would change %s", file, c.ID, pack.Summary(pack.Changes(c, pc)))
	}
	return data, nil
}
