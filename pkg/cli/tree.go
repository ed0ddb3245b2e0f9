package cli

import (
	"io"
	"strings"

	"github.com/spf13/cobra"
)

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
