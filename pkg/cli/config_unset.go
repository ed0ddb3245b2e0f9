package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"github.com/faxjam/faxjam/pkg/ui"
)

func newConfigUnsetCmd(f *Factory) *cobra.Command {
	opts := &ConfigOptions{}
	return &cobra.Command{
		Use:   "unset KEY",
		Short: "Remove one setting from the config file",
		Long: `Remove one setting from the config file, keeping its comments and the other
settings, so faxjam falls back to the FAXJAM_* variable or its default. A key
that is not set is not an error. Settings:
` + configKeyHelp(),
		Example: `  faxjam config unset gateway
  faxjam config unset sender.email`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.configOptions(opts)
			opts.Key = args[0]
			return configUnsetRun(cmd.Context(), opts)
		},
	}
}

func configUnsetRun(_ context.Context, opts *ConfigOptions) error {
	k, err := knownConfigKey(opts.Key)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(opts.Path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("config: %w", err)
	}
	out, removed, err := unsetYAMLKey(data, strings.Split(k.Key, "."))
	if err != nil {
		return &UsageError{Err: fmt.Errorf("config file %s: %w", opts.Path, err), Hint: "fix the YAML, or run `faxjam config init --force`"}
	}
	if removed {
		if err := writeConfig(opts.Path, out); err != nil {
			return err
		}
	}
	if opts.JSON {
		return ui.NewJSON(opts.IO.Out).Print("config_unset", map[string]any{"key": k.Key, "path": opts.Path, "removed": removed})
	}
	if !removed {
		fmt.Fprintf(opts.IO.ErrOut, "%s is not set in %s; nothing to do\n", k.Key, opts.Path)
		return nil
	}
	fmt.Fprintf(opts.IO.ErrOut, "Removed %s from %s\n", k.Key, opts.Path)
	if env := "FAXJAM_" + envName(k.Key); opts.Getenv(env) != "" {
		fmt.Fprintf(opts.IO.ErrOut, "%s is still set in the environment and applies\n", env)
	}
	return nil
}

// unsetYAMLKey removes path from a YAML document, keeping comments and the
// order of everything else; a mapping left empty goes too. removed is
// false when path was not set.
func unsetYAMLKey(data []byte, path []string) (out []byte, removed bool, err error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return data, false, nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, false, err
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return data, false, nil
	}
	var remove func(node *yaml.Node, path []string) bool
	remove = func(node *yaml.Node, path []string) bool {
		for j := 0; j+1 < len(node.Content); j += 2 {
			if node.Content[j].Value != path[0] {
				continue
			}
			child := node.Content[j+1]
			if len(path) > 1 {
				if child.Kind != yaml.MappingNode || !remove(child, path[1:]) {
					return false
				}
				if len(child.Content) > 0 {
					return true
				}
			}
			node.Content = append(node.Content[:j], node.Content[j+2:]...)
			return true
		}
		return false
	}
	if !remove(doc.Content[0], path) {
		return data, false, nil
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, false, err
	}
	return buf.Bytes(), true, enc.Close()
}
