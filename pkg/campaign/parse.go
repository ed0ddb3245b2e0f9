package campaign

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"gopkg.in/yaml.v3"
)

// Defaults for limits a campaign file leaves at zero.
const (
	DefaultCallsPerNumber       = 1 // a fax line takes one call at a time
	DefaultMaxAttemptsPerNumber = 3
)

// MaxFileSize bounds a campaign file and each of its templates.
const MaxFileSize = 1 << 20

// Parse decodes a campaign file. Unknown keys are errors (a typo in a limit
// must not silently lift it). Zero limits get their defaults. Parse checks
// only the YAML; Validate checks the content and needs the templates, which
// the loaders read. source names the file in error messages.
func Parse(data []byte, source string) (*Campaign, error) {
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("campaign %s: file is %d bytes, at most %d", source, len(data), MaxFileSize)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("campaign %s: file is empty", source)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var c Campaign
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("campaign %s: %w", source, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("campaign %s: more than one YAML document", source)
	}
	c.Source = source
	c.raw = bytes.Clone(data)
	c.applyDefaults()
	return &c, nil
}

func (c *Campaign) applyDefaults() {
	if c.Limits.CallsPerNumber == 0 {
		c.Limits.CallsPerNumber = DefaultCallsPerNumber
	}
	if c.Limits.MaxAttemptsPerNumber == 0 {
		c.Limits.MaxAttemptsPerNumber = DefaultMaxAttemptsPerNumber
	}
}

// UnmarshalYAML reads the `languages` mapping in file order: the first entry
// is the language the target reads, so a plain map would lose meaning.
func (l *Languages) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: languages: want a mapping of language code to template file, e.g. {es: es.tmpl}", n.Line)
	}
	out := make(Languages, 0, len(n.Content)/2)
	seen := make(map[string]bool, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || v.Kind != yaml.ScalarNode {
			return fmt.Errorf("line %d: languages: want code: file.tmpl", k.Line)
		}
		if seen[k.Value] {
			return fmt.Errorf("line %d: languages: %q listed twice", k.Line, k.Value)
		}
		seen[k.Value] = true
		out = append(out, Language{Code: k.Value, Template: v.Value})
	}
	*l = out
	return nil
}

// MarshalYAML writes the languages back as an ordered mapping.
func (l Languages) MarshalYAML() (any, error) {
	n := &yaml.Node{Kind: yaml.MappingNode}
	for _, lang := range l {
		n.Content = append(n.Content,
			&yaml.Node{Kind: yaml.ScalarNode, Value: lang.Code},
			&yaml.Node{Kind: yaml.ScalarNode, Value: lang.Template})
	}
	return n, nil
}

// Codes returns the language codes in order.
func (l Languages) Codes() []string {
	out := make([]string, len(l))
	for i, lang := range l {
		out[i] = lang.Code
	}
	return out
}

// TargetLanguage is the language the target reads: the first of Languages.
func (c *Campaign) TargetLanguage() string {
	if len(c.Languages) == 0 {
		return ""
	}
	return c.Languages[0].Code
}
