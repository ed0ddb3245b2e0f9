package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"github.com/faxjam/faxjam/pkg/campaign"
	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/hub/client"
	"github.com/faxjam/faxjam/pkg/ui"
)

// configKey is one setting faxjam reads from the config file and from
// FAXJAM_<KEY> (dots become underscores: sender.name → FAXJAM_SENDER_NAME).
type configKey struct {
	Key    string
	Help   string
	Secret bool // the whole value is a secret: never shown
	URL    bool // a URL that may carry credentials: shown through gateway.Redact
	Check  func(string) error
}

// configKeys is the one list of settings: `config set` accepts these,
// `config show` shows these, flags fall back to these.
func configKeys() []configKey {
	keys := []configKey{
		{Key: "campaign", Help: "campaign to use: a bundled id, a file or a URL", URL: true},
		{Key: "gateway", Help: "fax gateway URL (`faxjam gateway list`); default outbox:// into the data dir", URL: true},
		{Key: "hub", Help: "campaign hub URL (`faxjam serve`) send and status go through when no gateway is set; default: the campaign's", URL: true, Check: func(s string) error { _, err := client.CheckURL(s); return err }},
		{Key: "hub_confirm", Help: "SMTP URL `faxjam serve --confirm` mails confirmation links through", URL: true},
		{Key: "petition", Help: "petition endpoint URL for when every fax number is down", URL: true},
		{Key: "hub_token", Help: "the hub's admin token (`faxjam serve --token`): `status` shows the hub's queue too", Secret: true},
		{Key: "petition_token", Help: "bearer token of `faxjam petition serve` and `export`", Secret: true},
		{Key: "sender.name", Help: "your name, as it goes under the letter"},
		{Key: "sender.city", Help: "your city"},
		{Key: "sender.country", Help: "your country"},
		{Key: "sender.email", Help: "your email (optional): goes with a petition signature and tells you from a namesake; never printed on the fax"},
		{Key: "lang", Help: "your language, for a translation of the letter (e.g. en)"},
		{Key: "paper", Help: "a4 or letter", Check: oneOf("a4", "letter")},
		{Key: "font", Help: "a TTF font file covering characters the built-in fonts lack"},
		{Key: "rate", Help: "most faxes started per second or minute, e.g. 2/s or 30/m", Check: func(s string) error { _, err := parseRate(s); return err }},
		{Key: "parallel", Help: "letters composed in parallel (default: the number of CPUs)", Check: positiveInt},
		{Key: "journal", Help: "journal file (default in the data dir)"},
		{Key: "gateway_timeout", Help: "how long a gateway may answer nothing before the signers go to the petition, e.g. 10m", Check: positiveDuration},
		{Key: "poll", Help: "how often to ask the gateway for status, e.g. 5s", Check: positiveDuration},
		{Key: "retain", Help: "scrub e-mails and notes this long after each fax, e.g. 28d (send and status apply it)", Check: func(s string) error { _, err := parseRetain(s); return err }},
		{Key: "wait", Help: "how long `send` waits for outcomes, e.g. 10m (0: until done)", Check: duration},
	}
	return append(keys, serveConfigKeys()...)
}

func lookupConfigKey(k string) (configKey, bool) {
	for _, c := range configKeys() {
		if c.Key == k {
			return c, true
		}
	}
	return configKey{}, false
}

func oneOf(vals ...string) func(string) error {
	return func(s string) error {
		if !slices.Contains(vals, s) {
			return fmt.Errorf("must be one of %s", strings.Join(vals, ", "))
		}
		return nil
	}
}

func positiveInt(s string) error {
	if n, err := strconv.Atoi(s); err != nil || n < 1 {
		return fmt.Errorf("must be a whole number ≥ 1")
	}
	return nil
}

// redactValue is how a setting may be shown: secrets hidden, URLs through
// gateway.Redact, and anything under a credential-like name hidden.
func redactValue(k configKey, key, val string) string {
	switch {
	case val == "":
		return ""
	case k.Secret || credentialName(key):
		return "***"
	case k.URL || strings.Contains(val, "://"):
		return gateway.Redact(val)
	}
	return val
}

func credentialName(k string) bool {
	k = strings.ToLower(k)
	for _, w := range []string{"key", "secret", "token", "pass", "pwd", "auth", "credential"} {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

func newConfigCmd(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Create, show and change faxjam's config file",
		Long: `faxjam reads settings from flags, then FAXJAM_* environment variables, then the
config file ($XDG_CONFIG_HOME/faxjam/config.yaml), then its defaults.

Settings:
` + configKeyHelp(),
		Example: `  faxjam config init
  faxjam config set sender.name "José Pérez"
  faxjam config unset gateway
  faxjam config show`,
		Args: usageArgs(cobra.NoArgs),
	}
	cmd.AddCommand(newConfigInitCmd(f), newConfigShowCmd(f), newConfigSetCmd(f), newConfigUnsetCmd(f), newConfigPathCmd(f))
	return cmd
}

func configKeyHelp() string {
	var b strings.Builder
	for _, k := range configKeys() {
		fmt.Fprintf(&b, "  %-16s %s\n", k.Key, k.Help)
	}
	return b.String()
}

// ConfigOptions are the inputs of the config subcommands.
type ConfigOptions struct {
	IO     *ui.IOStreams
	Path   string
	JSON   bool
	Force  bool
	Key    string
	Value  string
	Getenv func(string) string
}

func (f *Factory) configOptions(o *ConfigOptions) {
	o.IO, o.Path, o.JSON, o.Getenv = f.IO, f.ConfigPath(), f.JSON, f.Getenv
}

func newConfigInitCmd(f *Factory) *cobra.Command {
	opts := &ConfigOptions{}
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Create a commented config file (0600) to fill in",
		Long: `Write a commented config file at the config path ('faxjam config path'),
readable only by you (0600): it may come to hold gateway credentials. Fill it
in with an editor or with 'faxjam config set'. An existing file is kept
unless --force.`,
		Example: "  faxjam config init\n  faxjam config init --force",
		Args:    usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.configOptions(opts)
			return configInitRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Force, "force", false, "overwrite an existing config file")
	return cmd
}

const configTemplate = `# faxjam config. Flags and FAXJAM_* variables override what is here.
# This file may hold credentials: keep it private (faxjam writes it 0600).

# campaign: norma-cruz-2012

# Who you are, as it goes under the letter.
sender:
  name: ""
  city: ""
  country: ""
  # email: ""   # for a petition signature only; never printed on the fax

# Fax gateway URL; ` + "`faxjam gateway list`" + ` shows every driver. Default:
# outbox:// (writes the documents into the data dir, dials nothing).
# gateway: telnyx://API_KEY@CONNECTION_ID?from=+E164

# Petition endpoint for when every fax number is down.
# petition: https://petition.example.org

# paper: a4
`

func configInitRun(_ context.Context, opts *ConfigOptions) error {
	if _, err := os.Stat(opts.Path); err == nil && !opts.Force {
		return &UsageError{Err: fmt.Errorf("config file %s already exists", opts.Path),
			Hint: "edit it, use `faxjam config set KEY VALUE`, or --force to start over"}
	}
	if err := writeConfig(opts.Path, []byte(configTemplate)); err != nil {
		return err
	}
	if opts.JSON {
		return ui.NewJSON(opts.IO.Out).Print("config_init", map[string]string{"path": opts.Path})
	}
	fmt.Fprintf(opts.IO.ErrOut, "Wrote %s\nNext: faxjam config set sender.name \"Your Name\"\n", opts.Path)
	return nil
}

// writeConfig writes the config file whole, 0600 in a 0700 folder: it may
// hold gateway credentials.
func writeConfig(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	return writeFileAtomic(path, data, 0o600)
}

func newConfigShowCmd(f *Factory) *cobra.Command {
	opts := &ConfigOptions{}
	return &cobra.Command{
		Use:   "show",
		Short: "Show every setting, where it comes from, secrets redacted",
		Long: `Show every setting with its value and where it comes from (env, file or
unset), then keys in the file faxjam does not know (a typo?). Credentials
are shown as ***: tokens whole, and the user and password of URLs.`,
		Example: "  faxjam config show\n  faxjam config show --json",
		Args:    usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.configOptions(opts)
			return configShowRun(cmd.Context(), opts)
		},
	}
}

type configSetting struct {
	Key    string `json:"key"`
	Value  string `json:"value"`
	Source string `json:"source"` // env, file, unset
}

// readConfigFile reads the config file as a flat key → value map. A missing
// file is an empty map.
func readConfigFile(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	var m map[string]any
	if err := yaml.Unmarshal(data, &m); err != nil {
		return nil, &UsageError{Err: fmt.Errorf("config file %s: %w", path, err), Hint: "fix the YAML, or run `faxjam config init --force`"}
	}
	out := map[string]string{}
	flatten("", m, out)
	return out, nil
}

func flatten(prefix string, m map[string]any, out map[string]string) {
	for k, v := range m {
		key := k
		if prefix != "" {
			key = prefix + "." + k
		}
		switch v := v.(type) {
		case map[string]any:
			flatten(key, v, out)
		case nil:
		default:
			out[key] = fmt.Sprint(v)
		}
	}
}

// configSettings lists every known setting with its value and source, then
// keys in the file faxjam does not know.
func configSettings(opts *ConfigOptions) ([]configSetting, error) {
	file, err := readConfigFile(opts.Path)
	if err != nil {
		return nil, err
	}
	var out []configSetting
	for _, k := range configKeys() {
		s := configSetting{Key: k.Key, Source: "unset"}
		if v := opts.Getenv("FAXJAM_" + envName(k.Key)); v != "" {
			s.Value, s.Source = v, "env"
		} else if v, ok := file[k.Key]; ok && v != "" {
			s.Value, s.Source = v, "file"
		}
		s.Value = redactValue(k, k.Key, s.Value)
		out = append(out, s)
		delete(file, k.Key)
	}
	var unknown []string
	for k := range file {
		unknown = append(unknown, k)
	}
	slices.Sort(unknown)
	for _, k := range unknown {
		out = append(out, configSetting{Key: k, Value: redactValue(configKey{}, k, file[k]), Source: "file (unknown key)"})
	}
	return out, nil
}

func configShowRun(_ context.Context, opts *ConfigOptions) error {
	settings, err := configSettings(opts)
	if err != nil {
		return err
	}
	if opts.JSON {
		return ui.NewJSON(opts.IO.Out).Print("config", struct {
			File     string          `json:"file"`
			Settings []configSetting `json:"settings"`
		}{opts.Path, settings})
	}
	s := opts.IO.Styles()
	rows := make([][]string, 0, len(settings))
	for _, st := range settings {
		v := st.Value
		if st.Source == "unset" {
			v = s.Muted.Render("-")
		}
		rows = append(rows, []string{st.Key, v, st.Source})
	}
	fmt.Fprintf(opts.IO.Out, "%s %s\n\n", s.Muted.Render("config file:"), opts.Path)
	fmt.Fprint(opts.IO.Out, ui.Table(s, []string{"key", "value", "source"}, rows))
	return nil
}

func newConfigSetCmd(f *Factory) *cobra.Command {
	opts := &ConfigOptions{}
	return &cobra.Command{
		Use:   "set KEY VALUE",
		Short: "Set one setting in the config file",
		Long:  "Set one setting in the config file, keeping its comments. Settings:\n" + configKeyHelp(),
		Example: `  faxjam config set sender.name "José Pérez"
  faxjam config set gateway 'telnyx://KEY@CONNECTION?from=+4930123456'`,
		Args: usageArgs(cobra.ExactArgs(2)),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.configOptions(opts)
			opts.Key, opts.Value = args[0], args[1]
			return configSetRun(cmd.Context(), opts)
		},
	}
}

// knownConfigKey is the config key named key, or a usage error listing
// the keys there are.
func knownConfigKey(key string) (configKey, error) {
	k, ok := lookupConfigKey(key)
	if !ok {
		names := make([]string, 0)
		for _, k := range configKeys() {
			names = append(names, k.Key)
		}
		if best := campaign.Closest(key, names); best != "" {
			return k, &UsageError{Err: fmt.Errorf("unknown config key %q", key), Hint: fmt.Sprintf("did you mean %s? (`faxjam config` lists every key)", best)}
		}
		return k, usagef("unknown config key %q; known keys: %s", key, strings.Join(names, ", "))
	}
	return k, nil
}

func configSetRun(_ context.Context, opts *ConfigOptions) error {
	k, err := knownConfigKey(opts.Key)
	if err != nil {
		return err
	}
	if k.Check != nil {
		if err := k.Check(opts.Value); err != nil {
			return usagef("config %s = %q: %v", k.Key, opts.Value, err)
		}
	}
	data, err := os.ReadFile(opts.Path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("config: %w", err)
	}
	out, err := setYAMLKey(data, strings.Split(k.Key, "."), opts.Value)
	if err != nil {
		return &UsageError{Err: fmt.Errorf("config file %s: %w", opts.Path, err), Hint: "fix the YAML, or run `faxjam config init --force`"}
	}
	if err := writeConfig(opts.Path, out); err != nil {
		return err
	}
	shown := redactValue(k, k.Key, opts.Value)
	if opts.JSON {
		return ui.NewJSON(opts.IO.Out).Print("config_set", map[string]string{"key": k.Key, "value": shown, "path": opts.Path})
	}
	fmt.Fprintf(opts.IO.ErrOut, "Set %s = %s in %s\n", k.Key, shown, opts.Path)
	return nil
}

// setYAMLKey sets path to value in a YAML document, keeping comments and
// the order of everything else.
func setYAMLKey(data []byte, path []string, value string) ([]byte, error) {
	var doc yaml.Node
	if len(bytes.TrimSpace(data)) > 0 {
		if err := yaml.Unmarshal(data, &doc); err != nil {
			return nil, err
		}
	}
	if doc.Kind == 0 {
		doc = yaml.Node{Kind: yaml.DocumentNode}
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		if len(doc.Content) > 0 && doc.Content[0].Tag != "!!null" {
			return nil, fmt.Errorf("the top level is not a mapping")
		}
		doc.Content = []*yaml.Node{{Kind: yaml.MappingNode, Tag: "!!map"}}
	}
	node := doc.Content[0]
	for i, part := range path {
		last := i == len(path)-1
		var child *yaml.Node
		for j := 0; j+1 < len(node.Content); j += 2 {
			if node.Content[j].Value == part {
				child = node.Content[j+1]
				break
			}
		}
		if child == nil {
			child = &yaml.Node{}
			node.Content = append(node.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: part}, child)
		}
		if last {
			*child = yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value, LineComment: child.LineComment}
			break
		}
		if child.Kind != yaml.MappingNode {
			*child = yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		}
		node = child
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, err
	}
	return buf.Bytes(), enc.Close()
}

func newConfigPathCmd(f *Factory) *cobra.Command {
	opts := &ConfigOptions{}
	return &cobra.Command{
		Use:   "path",
		Short: "Print the config file's path",
		Long: `Print the path of the config file faxjam reads: --config, else
FAXJAM_CONFIG, else $XDG_CONFIG_HOME/faxjam/config.yaml. The file need not
exist yet ('faxjam config init' writes it).`,
		Example: "  faxjam config path\n  $EDITOR \"$(faxjam config path)\"",
		Args:    usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.configOptions(opts)
			return configPathRun(cmd.Context(), opts)
		},
	}
}

func configPathRun(_ context.Context, opts *ConfigOptions) error {
	if opts.JSON {
		_, err := os.Stat(opts.Path)
		return ui.NewJSON(opts.IO.Out).Print("config_path", map[string]any{"path": opts.Path, "exists": err == nil})
	}
	_, err := fmt.Fprintln(opts.IO.Out, opts.Path)
	return err
}

func duration(s string) error {
	if d, err := time.ParseDuration(s); err != nil || d < 0 {
		return fmt.Errorf("must be a duration like 30s, 5m or 1h")
	}
	return nil
}

func positiveDuration(s string) error {
	if d, err := time.ParseDuration(s); err != nil || d <= 0 {
		return fmt.Errorf("must be a positive duration like 5s")
	}
	return nil
}

// redactURL shows a URL that may carry credentials.
func redactURL(s string) string { return gateway.Redact(s) }
