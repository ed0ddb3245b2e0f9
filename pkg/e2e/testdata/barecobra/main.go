// Command barecobra is the baseline of BenchmarkVersionVsBareCobra: a
// command-line program of cobra, viper and lipgloss alone, with a version
// command that styles one line, as `faxjam version` does.
package main

import (
	"fmt"
	"os"

	"github.com/charmbracelet/lipgloss"
	"github.com/spf13/cobra"
	"github.com/spf13/viper"
)

func main() {
	v := viper.New()
	v.SetEnvPrefix("BARE")
	v.AutomaticEnv()
	st := lipgloss.NewStyle().Bold(true)
	root := &cobra.Command{Use: "bare", SilenceUsage: true}
	root.AddCommand(&cobra.Command{Use: "version", Run: func(*cobra.Command, []string) {
		fmt.Println(st.Render("bare"), "dev", v.GetString("channel"))
	}})
	if err := root.Execute(); err != nil {
		os.Exit(1)
	}
}
