package cli

import (
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/spf13/cobra"
)

// TestHelpFitsTheTerminal: the help of every command, and the banner, fit
// a terminal of 60 and of 100 columns, and 80 into a pipe, with every word
// whole: the words are those of the help laid out with no limit, and a line
// runs past the width only when it is one word too long for any line.
func TestHelpFitsTheTerminal(t *testing.T) {
	for _, tc := range []struct {
		name  string
		tty   bool
		width int // the terminal's
		want  int // the layout's
	}{
		{"60 columns", true, 60, 60},
		{"100 columns", true, 100, 100},
		{"a pipe", false, 200, 80},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, out, _ := testFactory(t, tc.tty)
			f.IO.SetWidth(tc.width)
			root := NewRootCmd(f)
			root.SetOut(f.IO.Out)
			root.InitDefaultHelpCmd()
			root.InitDefaultCompletionCmd()
			var cmds []*cobra.Command
			var walk func(*cobra.Command)
			walk = func(c *cobra.Command) {
				cmds = append(cmds, c)
				for _, s := range c.Commands() {
					walk(s)
				}
			}
			walk(root)
			for _, c := range cmds {
				c.InitDefaultHelpFlag() // as executing it would
				out.Reset()
				if err := c.Help(); err != nil {
					t.Fatal(err)
				}
				checkLayout(t, c.CommandPath()+" --help", out.String(), helpText(c, 100000), tc.want)
			}
			out.Reset()
			f.CampaignRef = testCampaign(t)
			if code := run(t.Context(), f, []string{"--campaign", f.CampaignRef}); code != 0 {
				t.Fatalf("banner: exit %d", code)
			}
			checkLayout(t, "banner", out.String(), "", tc.want)
		})
	}
}

func checkLayout(t *testing.T, what, got, unlimited string, width int) {
	t.Helper()
	for i, l := range strings.Split(ansi.Strip(got), "\n") {
		if ansi.StringWidth(l) > width && len(strings.Fields(strings.TrimSuffix(l, " \\"))) > 1 {
			t.Errorf("%s, line %d is %d columns, over %d:\n%s", what, i+1, ansi.StringWidth(l), width, l)
		}
	}
	if unlimited == "" {
		return
	}
	words := func(s string) []string {
		w := slices.DeleteFunc(strings.Fields(s), func(w string) bool { return w == "\\" })
		slices.Sort(w)
		return w
	}
	if g, u := words(got), words(unlimited); !slices.Equal(g, u) {
		for _, w := range g {
			if !slices.Contains(u, w) {
				t.Errorf("%s: %q is not a word of the help (a word broken?)", what, w)
			}
		}
		t.Errorf("%s: %d words, want %d", what, len(g), len(u))
	}
}
