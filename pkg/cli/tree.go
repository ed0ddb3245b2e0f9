package cli

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/adrg/xdg"
	"github.com/spf13/cobra"

	"github.com/faxjam/faxjam/pkg/ui"
)

// newFactory is the Factory of a real run: the process's environment and
// XDG folders, the real clock and gateway drivers, over the given streams.
func newFactory(build BuildInfo, in io.Reader, out, errOut io.Writer) *Factory {
	return &Factory{
		IO:     ui.New(in, out, errOut, os.Getenv),
		Build:  build,
		Getenv: os.Getenv,
		// xdg reads XDG_* once at start; both are plain path joins, no I/O.
		ConfigHome: func() string { return filepath.Join(xdg.ConfigHome, "faxjam") },
		DataHome:   func() string { return filepath.Join(xdg.DataHome, "faxjam") },
		Now:        time.Now,
		Gateways:   gatewayRegistry,
	}
}

// CommandTree is faxjam's command tree as Execute runs it, for tools that
// document it (cmd/faxjam-man writes the man pages from it). Building it
// reads no config and runs nothing; its commands write to the given streams.
func CommandTree(build BuildInfo, out, errOut io.Writer) *cobra.Command {
	root := NewRootCmd(newFactory(build, strings.NewReader(""), out, errOut))
	// cobra adds these two when it executes; a tree that is only read has
	// to ask for them.
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	return root
}
