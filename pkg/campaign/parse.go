package campaign

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/faxjam/faxjam/pkg/e164"
)

// Defaults for limits a campaign file leaves at zero.
const (
	DefaultCallsPerNumber       = 1 // a fax line takes one call at a time
	DefaultMaxAttemptsPerNumber = 3
)

// MaxFileSize bounds a campaign file and each of its templates.
const MaxFileSize = 1 << 20

// MaxExpandedSize bounds a campaign file's content with every YAML alias
// expanded (each value counted with its text, plus one per node): aliases
// let a 700 KB file stand for 90 MB ("billion laughs"), which is refused
// before it is decoded.
const MaxExpandedSize = 2 * MaxFileSize

// Parse decodes a campaign file. It checks the YAML against the campaign's
// schema and lists every problem by field path: an unknown key (a typo in
// a limit must not silently lift it), a value of the wrong kind. Zero
// limits get their defaults.
//
// A file that is not YAML, is empty, holds more than one document or
// expands past MaxExpandedSize returns a nil campaign and a
// *ValidationError. A YAML file with schema problems returns the campaign
// decoded from everything else, and a *ValidationError of those problems,
// which Validate lists again with the content's problems: one pass shows
// them all. Validate needs the templates, which the loaders read. source
// names the file in error messages.
func Parse(data []byte, source string) (*Campaign, error) {
	fail := func(path, format string, args ...any) error {
		return &ValidationError{Source: source, Problems: []Problem{{Path: path, Reason: fmt.Sprintf(format, args...)}}}
	}
	if len(data) > MaxFileSize {
		return nil, fail("file", "%d bytes, at most %d", len(data), MaxFileSize)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fail("file", "empty")
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		return nil, syntaxProblem(source, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, fail("file", "more than one YAML document (remove the `---` line)")
	}
	if n := expandedSize(&doc, map[*yaml.Node]int64{}); n > MaxExpandedSize {
		return nil, fail("file", "its aliases expand it to more than %d bytes (at most %d); write the values out", n, MaxExpandedSize)
	}
	var c Campaign
	s := &schema{}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if !s.check(root, "", reflect.TypeOf(c)) {
		return nil, &ValidationError{Source: source, Problems: s.problems}
	}
	if err := root.Decode(&c); err != nil {
		// The schema check leaves only values that decode; should one not,
		// say where without the decoder's Go type names.
		return nil, fail("file", "%s", scrubTypes(err.Error()))
	}
	c.Source = source
	c.raw = bytes.Clone(data)
	c.applyDefaults()
	c.normalizeNumbers()
	if len(s.problems) > 0 {
		c.problems = s.problems
		return &c, &ValidationError{Source: source, Problems: s.problems}
	}
	return &c, nil
}

var yamlLine = regexp.MustCompile(`^yaml: (line \d+): `)

// syntaxProblem makes a YAML syntax error a problem at the line it names.
func syntaxProblem(source string, err error) error {
	msg := err.Error()
	path := "file"
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		path, msg = m[1], msg[len(m[0]):]
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	return &ValidationError{Source: source, Problems: []Problem{{Path: path, Reason: "not valid YAML: " + msg}}}
}

var goTypes = regexp.MustCompile(` into [\w.\[\]*]+`)

func scrubTypes(s string) string { return goTypes.ReplaceAllString(s, "") }

// expandedSize is the size of n with every alias expanded, counting each
// node once per place it appears.
func expandedSize(n *yaml.Node, memo map[*yaml.Node]int64) int64 {
	if v, ok := memo[n]; ok {
		return v
	}
	memo[n] = MaxExpandedSize + 1 // a cycle counts as too big
	size := int64(len(n.Value)) + 1
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		size = expandedSize(n.Alias, memo)
	}
	for _, c := range n.Content {
		size += expandedSize(c, memo)
		if size > MaxExpandedSize {
			break
		}
	}
	memo[n] = size
	return size
}

// schema checks a YAML tree against the Go type it decodes into, by the
// yaml tags, so that every problem is named by its field path and no Go
// type name reaches a user. What it refuses it removes from the tree
// (dropped), so that the rest decodes.
type schema struct {
	problems []Problem
	dropped  bool // read by the slice case only
}

func (s *schema) add(path string, n *yaml.Node, format string, args ...any) {
	if path == "" {
		path = "file"
	}
	reason := fmt.Sprintf(format, args...)
	if n != nil && n.Line > 0 {
		reason += fmt.Sprintf(" (line %d)", n.Line)
	}
	s.problems = append(s.problems, Problem{Path: path, Reason: reason})
}

var (
	unmarshalerType = reflect.TypeOf((*yaml.Unmarshaler)(nil)).Elem()
	languagesType   = reflect.TypeOf(Languages{})
)

// check reports whether n fits t; a misfit is added as a problem at path.
func (s *schema) check(n *yaml.Node, path string, t reflect.Type) bool {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return true // the zero value
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == languagesType:
		return s.checkLanguages(n, path)
	case reflect.PointerTo(t).Implements(unmarshalerType):
		// A type that decodes itself says what is wrong in its own words.
		if err := n.Decode(reflect.New(t).Interface()); err != nil {
			s.add(path, n, "%s", scrubTypes(err.Error()))
			return false
		}
		return true
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			s.add(path, n, "want a mapping (key: value lines), got %s", describe(n))
			return false
		}
		s.checkStruct(n, path, t)
		return true
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			s.add(path, n, "want a list (lines starting with -), got %s", describe(n))
			return false
		}
		for i, item := range n.Content {
			if !s.check(item, fmt.Sprintf("%s[%d]", path, i), t.Elem()) {
				// Keep the place, so later items keep their index.
				n.Content[i] = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Line: item.Line}
				s.dropped = true
			}
		}
		return true
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			s.add(path, n, "want a mapping (key: value lines), got %s", describe(n))
			return false
		}
		s.checkMap(n, path, t.Elem())
		return true
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			s.add(path, n, "want text, got %s", describe(n))
			return false
		}
		return true
	case reflect.Bool:
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" {
			s.add(path, n, "want true or false, got %s", describe(n))
			return false
		}
		return true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || n.Decode(reflect.New(t).Interface()) != nil {
			s.add(path, n, "want a whole number, got %s", describe(n))
			return false
		}
		return true
	default:
		if err := n.Decode(reflect.New(t).Interface()); err != nil {
			s.add(path, n, "not a valid value: %s", describe(n))
			return false
		}
		return true
	}
}

func (s *schema) checkStruct(n *yaml.Node, path string, t reflect.Type) {
	fields := map[string]reflect.Type{}
	var known []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		fields[name] = f.Type
		known = append(known, name)
	}
	prefix := path
	if prefix != "" {
		prefix += "."
	}
	keep := n.Content[:0:0]
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			s.add(path, k, "a key must be a plain name")
			s.dropped = true
			continue
		}
		ft, ok := fields[k.Value]
		switch {
		case !ok:
			s.add(prefix+k.Value, k, "unknown key%s", suggest(k.Value, known))
			s.dropped = true
			continue
		case seen[k.Value]:
			s.add(prefix+k.Value, k, "given twice")
			s.dropped = true
			continue
		}
		seen[k.Value] = true
		if !s.check(v, prefix+k.Value, ft) {
			s.dropped = true
			continue
		}
		keep = append(keep, k, v)
	}
	n.Content = keep
}

// checkMap checks a mapping's values against elem (translations.es is a
// Translation), each key once; what it refuses it drops.
func (s *schema) checkMap(n *yaml.Node, path string, elem reflect.Type) {
	keep := n.Content[:0:0]
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch {
		case k.Kind != yaml.ScalarNode:
			s.add(path, k, "a key must be a plain name")
		case seen[k.Value]:
			s.add(path+"."+k.Value, k, "given twice")
		case s.check(v, path+"."+k.Value, elem):
			seen[k.Value] = true
			keep = append(keep, k, v)
			continue
		}
		s.dropped = true
	}
	n.Content = keep
}

// checkLanguages checks the `languages` mapping: code: file, each code once.
func (s *schema) checkLanguages(n *yaml.Node, path string) bool {
	if n.Kind != yaml.MappingNode {
		s.add(path, n, "want a mapping of language code to template file, e.g. es: es.tmpl; got %s", describe(n))
		return false
	}
	keep := n.Content[:0:0]
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch {
		case k.Kind != yaml.ScalarNode || v.Kind != yaml.ScalarNode:
			s.add(path, k, "want code: file.tmpl, e.g. es: es.tmpl")
		case seen[k.Value]:
			s.add(path+"."+k.Value, k, "listed twice")
		default:
			seen[k.Value] = true
			keep = append(keep, k, v)
			continue
		}
		s.dropped = true
	}
	n.Content = keep
	return true
}

// describe names what a YAML node is, in the file's terms.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	v := n.Value
	if len(v) > 40 {
		v = v[:40] + "…"
	}
	return fmt.Sprintf("%q", v)
}

// suggest names the closest known key when the unknown one looks like a
// typo, else the keys known there.
func suggest(key string, known []string) string {
	if best := Closest(key, known); best != "" {
		return fmt.Sprintf(" (did you mean %s?)", best)
	}
	sorted := slices.Clone(known)
	slices.Sort(sorted)
	return " (known here: " + strings.Join(sorted, ", ") + ")"
}

// Closest is the name in known nearest to name when name looks like a typo
// of it (fewer than 3 edits), else "": faxjam's one "did you mean".
func Closest(name string, known []string) string {
	best, bestD := "", 3
	for _, k := range known {
		if d := editDistance(name, k); d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// normalizeNumbers writes every fax number in E.164, however the file
// spelt it ("+57 601 555 0101" becomes "+576015550101"): the journal, line
// health and status key on that form. A number that is not one is left as
// written for Validate to name.
func (c *Campaign) normalizeNumbers() {
	for i, f := range c.Target.Fax {
		if n, err := e164.Normalize(f.Number); err == nil {
			c.Target.Fax[i].Number = n
		}
	}
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
// Parse's schema check has refused anything else by then.
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
