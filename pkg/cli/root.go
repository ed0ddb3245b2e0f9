package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// BuildInfo is what the linker stamped into the binary.
type BuildInfo struct {
	Version string
	Commit  string
	Date    string
}

// Execute runs faxjam with args and returns the exit code. It is all
// cmd/faxjam's main calls, so tests can run the whole program in-process.
func Execute(build BuildInfo, args []string, in io.Reader, out, errOut io.Writer) int {
	now, err := processClock(os.Getenv)
	if err != nil {
		fmt.Fprintln(errOut, "Error:", err)
		return ExitUsage
	}
	return execute(build, args, in, out, errOut, now)
}

// execute is Execute on the clock now (a test's, or the real one).
func execute(build BuildInfo, args []string, in io.Reader, out, errOut io.Writer, now func() time.Time) int {
	ctx, stop := stopOnSignal(context.Background(), errOut, os.Exit)
	defer stop()
	f := newFactory(build, in, out, errOut)
	f.Now = now
	if exe, err := os.Executable(); err == nil {
		f.Self = selfCommand(exe, os.Args[0], exec.LookPath)
	}
	return run(ctx, f, args)
}

// run executes the root command for f and maps the error to an exit code.
func run(ctx context.Context, f *Factory, args []string) int {
	root := NewRootCmd(f)
	root.SetArgs(args)
	root.SetIn(f.IO.In)
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)
	cmd, err := root.ExecuteContextC(ctx)
	switch {
	case err == nil:
	case f.JSON || jsonAsked(args):
		printErrorJSON(f.IO, err, f.secrets.scrub)
	default:
		path := "faxjam"
		if cmd != nil {
			path = cmd.CommandPath()
		}
		printError(f.IO, path, err, f.secrets.scrub)
	}
	return ExitCode(err)
}

// jsonAsked reports --json among args, for errors found before the flag
// was parsed (an unknown flag before it).
func jsonAsked(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "--json", "--json=true":
			return true
		}
	}
	return false
}

// NewRootCmd builds the command tree. Building it reads nothing: no config,
// no fonts, no terminal; PersistentPreRunE loads config only for commands
// that use it.
func NewRootCmd(f *Factory) *cobra.Command {
	opts := &BannerOptions{IO: f.IO, Campaign: f.Campaign, JSON: &f.JSON, HasSender: func() bool {
		v := f.Config()
		return v != nil && v.GetString("sender.name") != ""
	}, Gateway: func() string {
		if v := f.Config(); v != nil {
			return v.GetString("gateway")
		}
		return ""
	}}
	cmd := &cobra.Command{
		Use:   "faxjam",
		Short: "Fax-and-petition campaigns in defence of people at risk",
		Long: `faxjam sends personalized appeal letters by fax to the people who can protect a
human-rights defender at risk, fails over between their fax numbers, and collects
names as a petition when every line is down.

Start with 'faxjam about' (why this matters), 'faxjam letter' (read your letter),
then 'faxjam send'.`,
		Example: `  faxjam about
  faxjam letter --name "José Pérez" --city Berlín --country Alemania
  faxjam send --dry-run
  faxjam send --signers people.csv --gateway 'telnyx://KEY@CONNECTION?from=+4930...'`,
		Args:              commandArgs,
		SilenceErrors:     true,
		SilenceUsage:      true,
		PersistentPreRunE: f.preRun,
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.ShowVersion {
				return versionRun(cmd.Context(), &VersionOptions{IO: f.IO, Build: f.Build, JSON: f.JSON})
			}
			return bannerRun(cmd.Context(), opts)
		},
	}
	cmd.CompletionOptions.HiddenDefaultCmd = false
	cmd.SetHelpFunc(helpFunc(f.IO))
	pf := cmd.PersistentFlags()
	pf.StringVar(&f.ConfigFile, "config", "", "config file (default $XDG_CONFIG_HOME/faxjam/config.yaml; env FAXJAM_CONFIG)")
	pf.StringVar(&f.CampaignRef, "campaign", "", "campaign: a bundled ID, a FILE or a URL (default: the first bundled campaign)")
	pf.BoolVar(&f.JSON, "json", false, "print JSON, one object per line, for scripts")
	pf.BoolVar(&f.NoColor, "no-color", false, "no colour (also NO_COLOR=1)")
	cmd.Flags().BoolVar(&f.ShowVersion, "version", false, "print the version (as faxjam version does)")
	bindConfig(pf, "campaign", "campaign")
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return &UsageError{Err: err} })

	cmd.AddCommand(
		newVersionCmd(f),
		newConfigCmd(f),
	)
	addCommands(f, cmd)
	checkGroups(cmd)
	return cmd
}

// usageArgs makes an argument validator's complaint a usage error (exit 2).
func usageArgs(v cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := v(cmd, args); err != nil {
			return &UsageError{Err: err, Hint: "see '" + cmd.CommandPath() + " --help'"}
		}
		return nil
	}
}

// noConfig marks commands that must start without reading config: version,
// completion and help stay instant and work with a broken config file.
const noConfig = "faxjam/no-config"

func skipsConfig(cmd *cobra.Command) bool {
	if v := cmd.Flags().Lookup("version"); v != nil && v.Changed && !cmd.HasParent() {
		return true
	}
	for c := cmd; c != nil; c = c.Parent() {
		if c.Annotations[noConfig] == "true" {
			return true
		}
		switch n := c.Name(); {
		case n == "help", n == "completion", strings.HasPrefix(n, "__complete"):
			return true
		}
	}
	return false
}
