package cli

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"

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

// fillFrom completes what the linker did not stamp (a `go build` or `go
// run` without -ldflags leaves "dev" or nothing) from the Go toolchain's
// record of the build: the module version (a tagged `go install` has one)
// and the VCS revision, time and dirty flag of a build in a checkout.
func (b BuildInfo) fillFrom(read func() (*debug.BuildInfo, bool)) BuildInfo {
	unset := func(s string) bool { return s == "" || s == "dev" }
	if !unset(b.Version) && !unset(b.Commit) && !unset(b.Date) {
		return b
	}
	bi, ok := read()
	if !ok {
		return b
	}
	settings := map[string]string{}
	for _, s := range bi.Settings {
		settings[s.Key] = s.Value
	}
	if v := bi.Main.Version; unset(b.Version) && v != "" && v != "(devel)" {
		b.Version = v
	}
	if rev := settings["vcs.revision"]; unset(b.Commit) && rev != "" {
		b.Commit = rev[:min(len(rev), 12)]
		if settings["vcs.modified"] == "true" {
			b.Commit += "-dirty"
		}
	}
	if t := settings["vcs.time"]; unset(b.Date) && t != "" {
		b.Date = t
	}
	for _, s := range []*string{&b.Version, &b.Commit, &b.Date} {
		if *s == "" {
			*s = "dev"
		}
	}
	return b
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
