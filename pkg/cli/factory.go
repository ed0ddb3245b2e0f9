package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/adrg/xdg"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/faxjam/faxjam/pkg/campaign"
	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/letter"
	"github.com/faxjam/faxjam/pkg/petition"
	"github.com/faxjam/faxjam/pkg/ui"
)

// Factory is what every command is built from: the streams, the build, where
// config and data live, and the global flags. Everything expensive behind it
// (config, campaign) is loaded on first use, so `--help` and `version` cost
// nothing.
type Factory struct {
	IO    *ui.IOStreams
	Build BuildInfo
	// Self is how the person runs faxjam ("faxjam", "go run
	// ./cmd/faxjam"), for hints naming the next command; "" is "faxjam".
	Self   string
	Getenv func(string) string
	// ConfigHome and DataHome are faxjam's folders under the XDG config and
	// data dirs.
	ConfigHome func() string
	DataHome   func() string
	Now        func() time.Time

	// Global flags.
	ConfigFile  string
	CampaignRef string
	JSON        bool
	NoColor     bool
	ShowVersion bool // faxjam --version

	// Gateways and Petitions are the registries of gateway and petition
	// drivers (registry.go builds the real ones; tests may give their own).
	Gateways  func() *gateway.Registry
	Petitions func() *petition.Registry

	v       *viper.Viper // built in preRun; nil for commands that read no config
	secrets secrets      // credentials of the URLs in use, scrubbed from errors

	campaignMu  sync.Mutex
	campaignRef string
	campaign    *campaign.Campaign
}

// newFactory is the Factory of a real run: the process's environment and
// XDG folders, the real clock, gateway and petition drivers, over the given streams.
func newFactory(build BuildInfo, in io.Reader, out, errOut io.Writer) *Factory {
	return &Factory{
		IO:     ui.New(in, out, errOut, os.Getenv),
		Build:  build.fillFrom(debug.ReadBuildInfo),
		Getenv: os.Getenv,
		// xdg reads XDG_* once at start; both are plain path joins, no I/O.
		ConfigHome: func() string { return filepath.Join(xdg.ConfigHome, "faxjam") },
		DataHome:   func() string { return filepath.Join(xdg.DataHome, "faxjam") },
		Now:        time.Now,
		Gateways:   gatewayRegistry,
		Petitions:  petitionRegistry,
	}
}

// configAnnotation names the config key a flag falls back to.
const configAnnotation = "faxjam/config-key"

// bindConfig makes flag fall back to config key (and so to FAXJAM_<KEY>).
func bindConfig(fs *pflag.FlagSet, flag, key string) {
	if err := fs.SetAnnotation(flag, configAnnotation, []string{key}); err != nil {
		panic("cli: bindConfig: " + err.Error()) // a programming error: the flag does not exist
	}
}

// ConfigPath is the config file in use: --config, FAXJAM_CONFIG, or the XDG
// default.
func (f *Factory) ConfigPath() string {
	if f.ConfigFile != "" {
		return f.ConfigFile
	}
	if p := f.Getenv("FAXJAM_CONFIG"); p != "" {
		return p
	}
	return filepath.Join(f.ConfigHome(), "config.yaml")
}

// preRun is the root's PersistentPreRunE: build a viper for this run (never
// the global one) with flags > FAXJAM_* env > config file > defaults, and
// copy what it knows into every flag the user did not set.
func (f *Factory) preRun(cmd *cobra.Command, _ []string) error {
	f.IO.SetNoColor(f.NoColor)
	if skipsConfig(cmd) {
		return nil
	}
	v, err := f.loadConfig()
	if err != nil {
		return err
	}
	f.v = v
	var errs []error
	cmd.Flags().VisitAll(func(fl *pflag.Flag) {
		// A flag may have several keys (serve.token, then hub_token): the
		// first that is set wins.
		keys := fl.Annotations[configAnnotation]
		i := slices.IndexFunc(keys, v.IsSet)
		if fl.Changed || i < 0 {
			return
		}
		key := keys[i]
		val := v.GetString(key)
		if err := fl.Value.Set(val); err != nil {
			errs = append(errs, &UsageError{Err: fmt.Errorf("config %s = %q (for --%s): %w", key, val, fl.Name, err),
				Hint: "fix it with `faxjam config set " + key + " VALUE` or the FAXJAM_" + envName(key) + " variable"})
		}
	})
	return errors.Join(errs...)
}

// loadConfig builds the run's viper. A missing config file is fine; an
// unreadable or malformed one is an error naming it.
func (f *Factory) loadConfig() (*viper.Viper, error) {
	v := viper.New()
	v.SetEnvPrefix("FAXJAM")
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_", "-", "_"))
	v.AutomaticEnv()
	// AutomaticEnv only answers for keys viper knows of: declare them all.
	for _, k := range configKeys() {
		if err := v.BindEnv(k.Key); err != nil {
			return nil, err
		}
	}
	path := f.ConfigPath()
	v.SetConfigFile(path)
	v.SetConfigType("yaml")
	if err := v.ReadInConfig(); err != nil {
		if !errors.Is(err, fs.ErrNotExist) && !os.IsNotExist(err) {
			var nf viper.ConfigFileNotFoundError
			if !errors.As(err, &nf) {
				return nil, &UsageError{Err: fmt.Errorf("config file %s: %w", path, err),
					Hint: "fix the YAML, or move it away and run `faxjam config init`"}
			}
		}
	} else if err := checkConfigPerms(f.IO.ErrOut, path); err != nil {
		return nil, err
	}
	return v, nil
}

// checkCampaignFolder makes a folder given as a campaign, without the
// campaign file in it, a usage error that names the file it looked for.
func checkCampaignFolder(ref string) error {
	if fi, err := os.Stat(ref); err == nil && fi.IsDir() {
		if _, err := os.Stat(filepath.Join(ref, campaign.FileName)); err != nil {
			return usagef("campaign %s is a folder without %s; give the campaign file", ref, campaign.FileName)
		}
	}
	return nil
}

// GatewayEnv is what every gateway driver is opened with.
func (f *Factory) GatewayEnv() gateway.Env {
	return gateway.Env{Version: f.Build.Version, DataDir: f.DataHome()}
}

// Config returns the run's config (nil before preRun or for commands that
// skip it).
func (f *Factory) Config() *viper.Viper { return f.v }

func envName(key string) string {
	return strings.ToUpper(strings.NewReplacer(".", "_", "-", "_").Replace(key))
}

var campaignID = regexp.MustCompile(`^[a-z0-9-]+$`)

// CampaignsDir is where `campaign add` keeps campaigns: one folder per id.
func (f *Factory) CampaignsDir() string { return filepath.Join(f.DataHome(), "campaigns") }

// Campaign loads the campaign named by --campaign (or config, or the
// default): a bundled id, an id added with `campaign add`, a file or a URL.
// It is loaded once per run.
func (f *Factory) Campaign(ctx context.Context) (*campaign.Campaign, error) {
	f.campaignMu.Lock()
	defer f.campaignMu.Unlock()
	ref := f.CampaignRef
	if ref == "" {
		ref = campaign.Default()
	}
	if f.campaign != nil && f.campaignRef == ref {
		return f.campaign, nil
	}
	c, err := f.loadCampaign(ctx, ref)
	if err != nil {
		return c, err
	}
	f.campaign, f.campaignRef = c, ref
	return c, nil
}

// loadCampaign loads a campaign by reference and checks its letters by
// composing each on a sample signer (letter.Check), so a template that
// fails or runs past faxjam's bounds is refused before anything is sent.
func (f *Factory) loadCampaign(ctx context.Context, ref string) (*campaign.Campaign, error) {
	c, err := f.findCampaign(ctx, ref)
	if err != nil {
		return c, err
	}
	return c, letter.Check(ctx, c, f.Now())
}

func (f *Factory) findCampaign(ctx context.Context, ref string) (*campaign.Campaign, error) {
	if err := checkCampaignFolder(ref); err != nil {
		return nil, err
	}
	if campaignID.MatchString(ref) {
		added := filepath.Join(f.CampaignsDir(), ref, campaign.FileName)
		if _, err := os.Stat(added); err == nil {
			return campaign.Load(ctx, added)
		}
	}
	c, err := campaign.Load(ctx, ref)
	if err != nil && (campaignID.MatchString(ref) || errors.Is(err, fs.ErrNotExist)) {
		var v *campaign.ValidationError
		if !errors.As(err, &v) {
			return c, &UsageError{Err: err, Hint: "`faxjam campaign list` shows the campaigns you have"}
		}
	}
	return c, err
}
