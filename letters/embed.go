// Package letters holds the campaigns bundled into the faxjam binary: one
// folder per campaign with its campaign.yaml and one letter template per
// language. It only embeds files; pkg/campaign parses and validates them.
// It must not import anything of faxjam's.
package letters

import (
	"embed"
	"io/fs"
)

// Every campaign folder holds campaign.yaml and its *.tmpl letters; the
// patterns name them so that a folder without them fails the build.
//
//go:embed */campaign.yaml */*.tmpl
var bundled embed.FS

// FS returns the bundled campaigns, one folder per campaign id. The FS is
// read-only, so handing it out shares no mutable state.
func FS() fs.FS { return bundled }
