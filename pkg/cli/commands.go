package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// addCommands adds the campaign-facing commands to root.
func addCommands(f *Factory, root *cobra.Command) {
	root.AddCommand(
		newAboutCmd(f),
		newLetterCmd(f),
		newCampaignCmd(f),
		newGatewayCmd(f),
		newSendCmd(f),
		newStatusCmd(f),
		newPetitionCmd(f),
		newServeCmd(f),
		newRetainCmd(f),
		newForgetCmd(f),
		newHubCmd(f),
		newLinesCmd(f),
		newLedgerCmd(f),
	)
}

// commandArgs is the Args of a command with subcommands (the root, and
// groups like `campaign`): an argument that names none of them is an
// unknown command (exit 2) with suggestions, never help and exit 0.
func commandArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	hint := "see '" + cmd.CommandPath() + " --help'"
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = 2
	}
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		hint = "did you mean " + quoteList(s) + "? " + hint
	}
	return &UsageError{Err: fmt.Errorf("unknown command %q for %q", args[0], cmd.CommandPath()), Hint: hint}
}

// groupRun is the RunE of a command that only groups others: its help.
func groupRun(cmd *cobra.Command, _ []string) error { return cmd.Help() }

// checkGroups gives every command under root that has subcommands and no
// run function of its own commandArgs and groupRun.
func checkGroups(root *cobra.Command) {
	for _, c := range root.Commands() {
		if c.HasSubCommands() && c.Run == nil && c.RunE == nil {
			c.Args, c.RunE = commandArgs, groupRun
		}
		checkGroups(c)
	}
}

func quoteList(s []string) string {
	q := make([]string, len(s))
	for i, v := range s {
		q[i] = "'" + v + "'"
	}
	return strings.Join(q, " or ")
}
