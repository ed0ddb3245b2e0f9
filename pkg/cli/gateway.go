package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/ui"
)

// GatewayOptions are the inputs of the gateway subcommands.
type GatewayOptions struct {
	IO       *ui.IOStreams
	JSON     bool
	Registry func() *gateway.Registry
	Env      gateway.Env
	URL      string // check: the gateway URL; "" = outbox:// in the data dir
	Timeout  time.Duration
	Secrets  *secrets
}

func (f *Factory) gatewayOptions(o *GatewayOptions) {
	o.IO, o.JSON, o.Registry, o.Env, o.Secrets = f.IO, f.JSON, f.Gateways, f.GatewayEnv(), &f.secrets
}

// DefaultGateway is what faxjam uses when no gateway is configured: the
// outbox in the data dir, which dials nothing.
const DefaultGateway = "outbox://"

func newGatewayCmd(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "gateway",
		Short: "Fax gateway drivers: list them, check yours",
		Long: `A fax gateway is configured by one URL (--gateway, FAXJAM_GATEWAY or config
'gateway'). 'faxjam gateway list' shows every driver's URL syntax; 'faxjam
gateway check' validates yours and, where the vendor allows, checks the
credentials and that the service answers, without sending anything.`,
		Example: `  faxjam gateway list
  faxjam config set gateway 'telnyx://KEY@CONNECTION?from=+4930123456'
  faxjam gateway check`,
		Args: usageArgs(cobra.NoArgs),
	}
	cmd.AddCommand(newGatewayListCmd(f), newGatewayCheckCmd(f))
	return cmd
}

func newGatewayListCmd(f *Factory) *cobra.Command {
	opts := &GatewayOptions{}
	return &cobra.Command{
		Use:   "list",
		Short: "List every gateway driver with its URL syntax and an example",
		Long: `List every gateway driver faxjam has: its URL syntax, an example, and each
option with where it goes in the URL (user, password, host, path or query),
whether it is required, and whether it is a secret (never printed). Drivers
that dial real telephone lines refuse the campaign's fictitious numbers.`,
		Example: "  faxjam gateway list\n  faxjam gateway list --json | jq -r .syntax",
		Args:    usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.gatewayOptions(opts)
			return gatewayListRun(cmd.Context(), opts)
		},
	}
}

type driverJSON struct {
	Scheme      string       `json:"scheme"`
	Aliases     []string     `json:"aliases,omitempty"`
	Summary     string       `json:"summary"`
	Syntax      string       `json:"syntax"`
	Example     string       `json:"example"`
	RealNetwork bool         `json:"real_network"`
	Options     []optionJSON `json:"options"`
}

type optionJSON struct {
	Name     string `json:"name"`
	Place    string `json:"place"`
	Help     string `json:"help"`
	Required bool   `json:"required,omitempty"`
	Secret   bool   `json:"secret,omitempty"`
	Default  string `json:"default,omitempty"`
}

func gatewayListRun(_ context.Context, opts *GatewayOptions) error {
	drivers := opts.Registry().Drivers()
	if opts.JSON {
		p := ui.NewJSON(opts.IO.Out)
		for _, d := range drivers {
			dj := driverJSON{Scheme: d.Scheme, Aliases: d.Aliases, Summary: d.Summary, Syntax: d.Syntax, Example: d.Example, RealNetwork: d.RealNetwork, Options: []optionJSON{}}
			for _, o := range d.Options {
				dj.Options = append(dj.Options, optionJSON{o.Name, string(o.Place), o.Help, o.Required, o.Secret, o.Default})
			}
			if err := p.Print("gateway_driver", dj); err != nil {
				return err
			}
		}
		return nil
	}
	s := opts.IO.Styles()
	w := min(opts.IO.TerminalWidth(), 110)
	var b strings.Builder
	for i, d := range drivers {
		if i > 0 {
			b.WriteString("\n")
		}
		name := d.Scheme
		if len(d.Aliases) > 0 {
			name += " (" + strings.Join(d.Aliases, ", ") + ")"
		}
		fmt.Fprintf(&b, "%s  %s\n", s.Heading.Render(name), d.Summary)
		kv := []ui.KV{{Key: "syntax", Value: d.Syntax}, {Key: "example", Value: d.Example}}
		if d.RealNetwork {
			kv = append(kv, ui.KV{Key: "dials", Value: "real telephone lines: refuses numbers marked fictitious"})
		}
		b.WriteString(ui.Indent(ui.KeyValues(s, w-2, kv), "  "))
		rows := make([][]string, 0, len(d.Options))
		for _, o := range d.Options {
			flags := []string{}
			if o.Required {
				flags = append(flags, "required")
			}
			if o.Secret {
				flags = append(flags, "secret")
			}
			if o.Default != "" {
				flags = append(flags, "default "+o.Default)
			}
			help := o.Help
			if len(flags) > 0 {
				help += " [" + strings.Join(flags, ", ") + "]"
			}
			rows = append(rows, []string{o.Name, string(o.Place), help})
		}
		if len(rows) > 0 {
			b.WriteString(ui.Indent(ui.Table(s, []string{"option", "in", "meaning"}, rows), "  "))
		}
	}
	_, err := fmt.Fprint(opts.IO.Out, b.String())
	return err
}

func newGatewayCheckCmd(f *Factory) *cobra.Command {
	opts := &GatewayOptions{}
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Validate a gateway URL and check credentials and reachability",
		Long: `Validate the gateway URL (every required option present, no unknown ones),
open the driver and, when it can, ask the vendor whether the credentials work,
without sending a fax. Secrets in the URL are never printed.`,
		Example: `  faxjam gateway check
  faxjam gateway check --gateway 'telnyx://KEY@CONNECTION?from=+4930123456'
  FAXJAM_GATEWAY='hylafax://fax:secret@faxhost:4559' faxjam gateway check --json`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.gatewayOptions(opts)
			return gatewayCheckRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.URL, "gateway", "", "gateway `URL` (default outbox:// in the data dir; faxjam gateway list shows the drivers)")
	cmd.Flags().DurationVar(&opts.Timeout, "timeout", 20*time.Second, "how long to wait for the vendor")
	bindConfig(cmd.Flags(), "gateway", "gateway")
	return cmd
}

type checkJSON struct {
	Gateway string `json:"gateway"` // redacted
	Driver  string `json:"driver"`
	Valid   bool   `json:"valid"`
	Checked bool   `json:"checked"` // the driver asked the vendor
	OK      bool   `json:"ok"`
	Error   string `json:"error,omitempty"`
}

// openGateway parses, validates and opens raw with the registry, recording
// its secrets for scrubbing. A URL that does not validate is a usage error.
func openGateway(reg *gateway.Registry, raw string, env gateway.Env, sec *secrets) (gateway.Gateway, gateway.Driver, error) {
	if raw == "" {
		raw = DefaultGateway
	}
	u, d, err := reg.Parse(raw)
	sec.addURL(raw, nil)
	if err != nil {
		return nil, gateway.Driver{}, &UsageError{Err: err}
	}
	sec.addURL(raw, &d)
	if _, err := d.Values(u); err != nil {
		return nil, d, &UsageError{Err: err}
	}
	g, err := d.Open(u, env)
	if err != nil {
		return nil, d, &UsageError{Err: err, Hint: "`faxjam gateway list` shows the syntax"}
	}
	return g, d, nil
}

func gatewayCheckRun(ctx context.Context, opts *GatewayOptions) error {
	raw := opts.URL
	if raw == "" {
		raw = DefaultGateway
	}
	shown := showGateway(raw)
	res := checkJSON{Gateway: shown}
	g, d, err := openGateway(opts.Registry(), raw, opts.Env, opts.Secrets)
	res.Driver = d.Scheme
	if err != nil {
		return reportCheck(opts, res, err)
	}
	if c, ok := g.(gateway.Closer); ok {
		defer c.Close()
	}
	res.Valid = true
	ch, ok := g.(gateway.Checker)
	if !ok {
		res.OK = true
		return reportCheck(opts, res, nil)
	}
	res.Checked = true
	if opts.Timeout <= 0 {
		opts.Timeout = 20 * time.Second
	}
	cctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	if err := ch.Check(cctx); err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("%s did not answer within %s: %w", d.Scheme, opts.Timeout, err)
		}
		return reportCheck(opts, res, err)
	}
	res.OK = true
	return reportCheck(opts, res, nil)
}

// showGateway is how a gateway URL is printed: redacted, and whole (Redact
// shortens "outbox://" to "outbox:").
func showGateway(raw string) string {
	if raw == "" || raw == DefaultGateway {
		return DefaultGateway
	}
	return gateway.Redact(raw)
}

func reportCheck(opts *GatewayOptions, res checkJSON, err error) error {
	if err != nil {
		res.Error = opts.Secrets.scrub(err.Error())
	}
	if opts.JSON {
		if perr := ui.NewJSON(opts.IO.Out).Print("gateway_check", res); perr != nil {
			return perr
		}
		return err
	}
	if err != nil {
		return err
	}
	s := opts.IO.Styles()
	switch {
	case res.Checked:
		fmt.Fprintf(opts.IO.Out, "%s %s: the URL is valid and %s passed its check (credentials, reachability)\n", s.Success.Render("ok"), res.Gateway, res.Driver)
	default:
		fmt.Fprintf(opts.IO.Out, "%s %s: the URL is valid; %s cannot check credentials without sending, so a first `faxjam send --redirect +E164` to your own fax is the real test\n",
			s.Success.Render("ok"), res.Gateway, res.Driver)
	}
	return nil
}
