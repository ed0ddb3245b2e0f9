// Command faxjam-man writes faxjam's man pages, one per command, into a
// folder: `go run ./cmd/faxjam-man [-version V] DIR`. The release build runs
// it (.goreleaser.yaml). It lives outside faxjam itself so that cobra/doc and
// the markdown renderer it brings (blackfriday, md2man) cost faxjam's start-up
// nothing.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra/doc"

	"github.com/faxjam/faxjam/pkg/cli"
)

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "faxjam-man:", err)
		os.Exit(1)
	}
}

// run writes the pages into the folder args name and says where on stderr.
func run(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("faxjam-man", flag.ContinueOnError)
	fs.SetOutput(stderr)
	version := fs.String("version", "dev", "faxjam version named in the pages' footer")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: faxjam-man [-version V] DIR")
	}
	dir := fs.Arg(0)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("man pages: %w", err)
	}
	root := cli.CommandTree(cli.BuildInfo{Version: *version}, io.Discard, stderr)
	root.DisableAutoGenTag = true
	// The pages' date comes from SOURCE_DATE_EPOCH when set (cobra/doc reads
	// it), so release builds are reproducible.
	h := &doc.GenManHeader{Title: "FAXJAM", Section: "1", Source: "faxjam " + *version, Manual: "faxjam manual"}
	if err := doc.GenManTree(root, h, dir); err != nil {
		return fmt.Errorf("man pages in %s: %w", dir, err)
	}
	fmt.Fprintf(stderr, "man pages written to %s\n", dir)
	return nil
}
