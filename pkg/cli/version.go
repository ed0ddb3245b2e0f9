package cli

import (
	"context"
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/faxjam/faxjam/pkg/ui"
)

// VersionOptions are the inputs of `faxjam version`.
type VersionOptions struct {
	IO    *ui.IOStreams
	Build BuildInfo
	JSON  bool
}

func newVersionCmd(f *Factory) *cobra.Command {
	opts := &VersionOptions{IO: f.IO}
	return &cobra.Command{
		Use:   "version",
		Short: "Print faxjam's version, commit and build date",
		Long: `Print faxjam's version, the commit it was built from, the build date and the
Go version. It reads no config, so it works when the config file is broken;
include its output in a bug report.`,
		Example:     "  faxjam version\n  faxjam version --json",
		Args:        usageArgs(cobra.NoArgs),
		Annotations: map[string]string{noConfig: "true"},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Build, opts.JSON = f.Build, f.JSON
			return versionRun(cmd.Context(), opts)
		},
	}
}

type versionJSON struct {
	Version string `json:"version"`
	Commit  string `json:"commit"`
	Date    string `json:"date"`
	Go      string `json:"go"`
}

func versionRun(_ context.Context, opts *VersionOptions) error {
	b := opts.Build
	if opts.JSON {
		return ui.NewJSON(opts.IO.Out).Print("version", versionJSON{b.Version, b.Commit, b.Date, runtime.Version()})
	}
	_, err := fmt.Fprintf(opts.IO.Out, "faxjam %s (commit %s, built %s, %s)\n", b.Version, b.Commit, b.Date, runtime.Version())
	return err
}
