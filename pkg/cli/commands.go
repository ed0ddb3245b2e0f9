package cli

import "github.com/spf13/cobra"

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
	)
}
