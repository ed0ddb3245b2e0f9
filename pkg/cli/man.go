package cli

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"github.com/faxjam/faxjam/pkg/ui"
)

// ManOptions are the inputs of the hidden `faxjam man DIR`, which the
// release build uses to ship man pages.
type ManOptions struct {
	IO      *ui.IOStreams
	Root    *cobra.Command
	Dir     string
	Version string
}

func newManCmd(f *Factory, root *cobra.Command) *cobra.Command {
	opts := &ManOptions{IO: f.IO, Root: root}
	return &cobra.Command{
		Use:         "man DIR",
		Short:       "Write man pages for every command into DIR",
		Hidden:      true,
		Args:        usageArgs(cobra.ExactArgs(1)),
		Annotations: map[string]string{noConfig: "true"},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Dir, opts.Version = args[0], f.Build.Version
			return manRun(cmd.Context(), opts)
		},
	}
}

func manRun(_ context.Context, opts *ManOptions) error {
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return fmt.Errorf("man pages: %w", err)
	}
	// The pages' date comes from SOURCE_DATE_EPOCH when set (cobra/doc reads
	// it), so release builds are reproducible.
	h := &doc.GenManHeader{Title: "FAXJAM", Section: "1", Source: "faxjam " + opts.Version, Manual: "faxjam manual"}
	opts.Root.DisableAutoGenTag = true
	if err := doc.GenManTree(opts.Root, h, opts.Dir); err != nil {
		return fmt.Errorf("man pages in %s: %w", opts.Dir, err)
	}
	fmt.Fprintf(opts.IO.ErrOut, "man pages written to %s\n", opts.Dir)
	return nil
}
