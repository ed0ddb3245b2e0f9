// Command faxjam sends fax-and-petition campaigns. Everything lives in
// pkg/cli; main only stamps the build and exits with Execute's code.
package main

import (
	"os"

	"github.com/faxjam/faxjam/pkg/cli"
)

// Set by the linker: -X main.version=... -X main.commit=... -X main.date=...
var (
	version = "dev"
	commit  = "dev"
	date    = "dev"
)

func main() {
	os.Exit(cli.Execute(cli.BuildInfo{Version: version, Commit: commit, Date: date}, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
