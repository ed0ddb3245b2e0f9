package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/faxjam/faxjam/pkg/cli"
)

func TestWritesAPageForEveryCommand(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "manpages")
	var stderr bytes.Buffer
	if err := run([]string{"-version", "1.2.3", dir}, &stderr); err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "man pages written to "+dir) {
		t.Errorf("stderr %q does not say where the pages are", stderr.String())
	}
	// Every command a user can run has its page, named as man(1) finds it.
	var walk func(c *cobra.Command)
	pages := 0
	walk = func(c *cobra.Command) {
		if !c.IsAvailableCommand() && c.HasParent() {
			return
		}
		name := strings.ReplaceAll(c.CommandPath(), " ", "-") + ".1"
		b, err := os.ReadFile(filepath.Join(dir, name))
		switch {
		case err != nil:
			t.Errorf("no page for %q: %v", c.CommandPath(), err)
		case !strings.Contains(string(b), `.TH "FAXJAM" "1"`) || !strings.Contains(string(b), "faxjam 1.2.3"):
			t.Errorf("%s: no FAXJAM(1) header naming faxjam 1.2.3:\n%.300s", name, b)
		}
		pages++
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(cli.CommandTree(cli.BuildInfo{}, nil, nil))
	if pages < 10 {
		t.Errorf("only %d pages; the command tree looks empty", pages)
	}
	for _, want := range []string{"faxjam-letter.1", "faxjam-send.1", "faxjam-config-set.1", "faxjam-completion-bash.1"} {
		if _, err := os.Stat(filepath.Join(dir, want)); err != nil {
			t.Errorf("no %s: %v", want, err)
		}
	}
	top, err := os.ReadFile(filepath.Join(dir, "faxjam.1"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"faxjam-letter(1)", "faxjam-send(1)", "faxjam-completion(1)", "faxjam about"} {
		if !bytes.Contains(top, []byte(want)) {
			t.Errorf("faxjam.1 does not mention %s", want)
		}
	}
}

func TestRefusesAnythingButOneFolder(t *testing.T) {
	for _, args := range [][]string{nil, {"a", "b"}, {"-bogus", "a"}} {
		var stderr bytes.Buffer
		if err := run(args, &stderr); err == nil {
			t.Errorf("run(%q): no error", args)
		}
	}
}
