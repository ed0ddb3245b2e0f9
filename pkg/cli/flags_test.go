package cli

import (
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// TestFlagValueNamesAreOneWord: pflag takes the first back-quoted word of a
// usage as the flag's value name ("--gateway URL"), so a back-quoted command
// in a usage would show as "--gateway faxjam gateway list".
func TestFlagValueNamesAreOneWord(t *testing.T) {
	f, _, _ := testFactory(t, false)
	word := regexp.MustCompile(`^[A-Za-z0-9_.|+-]*$`)
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.LocalFlags().VisitAll(func(fl *pflag.Flag) {
			if name, _ := pflag.UnquoteUsage(fl); !word.MatchString(name) {
				t.Errorf("%s --%s shows as %q in help: reword its usage %q", c.CommandPath(), fl.Name, "--"+fl.Name+" "+name, fl.Usage)
			}
		})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(NewRootCmd(f))
}

func TestURLFlagsNameTheirValue(t *testing.T) {
	f, _, _ := testFactory(t, false)
	root := NewRootCmd(f)
	for _, tt := range []struct {
		args []string
		flag string
		want string
	}{
		{[]string{"send"}, "gateway", "URL"},
		{[]string{"send"}, "petition", "URL"},
		{[]string{"send"}, "journal", "FILE"},
		{[]string{"status"}, "gateway", "URL"},
		{[]string{"gateway", "check"}, "gateway", "URL"},
		{[]string{"petition", "deliver"}, "gateway", "URL"},
	} {
		c, _, err := root.Find(tt.args)
		if err != nil {
			t.Fatal(err)
		}
		fl := c.Flags().Lookup(tt.flag)
		if fl == nil {
			t.Errorf("%s has no --%s", c.CommandPath(), tt.flag)
			continue
		}
		if name, _ := pflag.UnquoteUsage(fl); name != tt.want {
			t.Errorf("%s --%s shows its value as %q, want %q", c.CommandPath(), tt.flag, name, tt.want)
		}
	}
}

// TestEveryCommandHasHelp reads the help as a new user would: every
// faxjam command has a one-line summary, a paragraph and examples.
func TestEveryCommandHasHelp(t *testing.T) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		switch c.Name() {
		case "help", "completion": // cobra's own
			return
		}
		t.Run(c.CommandPath(), func(t *testing.T) {
			if c.Short == "" || strings.Contains(c.Short, "\n") || strings.HasSuffix(c.Short, ".") {
				t.Errorf("summary %q: want one line, no full stop", c.Short)
			}
			if len(strings.Fields(c.Long)) < 15 {
				t.Errorf("no paragraph: Long = %q", c.Long)
			}
			if !strings.HasPrefix(c.Example, "  faxjam ") && !strings.Contains(c.Example, " faxjam ") {
				t.Errorf("no examples: Example = %q", c.Example)
			}
		})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(CommandTree(BuildInfo{}, io.Discard, io.Discard))
}
