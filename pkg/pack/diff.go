package pack

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/faxjam/faxjam/pkg/campaign"
)

// Changes says, in words, how campaign b differs from a: the fax numbers
// first (a changed number is what a hijacker wants), then every other
// field by its path, then the letters. Nothing changed gives nil.
func Changes(a, b *campaign.Campaign) []string {
	var out []string
	out = append(out, faxChanges(a.Target.Fax, b.Target.Fax)...)
	am, bm := fields(a), fields(b)
	keys := make([]string, 0, len(am)+len(bm))
	for k := range am {
		keys = append(keys, k)
	}
	for k := range bm {
		if _, ok := am[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		if k == "target.fax" {
			continue
		}
		if !reflect.DeepEqual(am[k], bm[k]) {
			out = append(out, k+" changed")
		}
	}
	for _, l := range union(a.Languages.Codes(), b.Languages.Codes()) {
		at, aok := a.Templates[l]
		bt, bok := b.Templates[l]
		switch {
		case aok && !bok:
			out = append(out, "letter "+l+" removed")
		case !aok && bok:
			out = append(out, "letter "+l+" added")
		case at != bt:
			out = append(out, "letter "+l+" changed")
		}
	}
	return out
}

func faxChanges(a, b []campaign.FaxNumber) []string {
	var out []string
	index := func(ns []campaign.FaxNumber) map[string]campaign.FaxNumber {
		m := make(map[string]campaign.FaxNumber, len(ns))
		for _, n := range ns {
			m[n.Number] = n
		}
		return m
	}
	am, bm := index(a), index(b)
	for _, n := range b {
		old, ok := am[n.Number]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("fax number %s%s added", n.Number, label(n)))
		case old != n:
			// Only what changed: "fictitious true → true" says nothing.
			var what []string
			if old.Label != n.Label {
				what = append(what, fmt.Sprintf("label %q → %q", old.Label, n.Label))
			}
			if old.Fictitious != n.Fictitious {
				what = append(what, fmt.Sprintf("fictitious %v → %v", old.Fictitious, n.Fictitious))
			}
			out = append(out, fmt.Sprintf("fax number %s changed (%s)", n.Number, strings.Join(what, ", ")))
		}
	}
	for _, n := range a {
		if _, ok := bm[n.Number]; !ok {
			out = append(out, fmt.Sprintf("fax number %s%s removed", n.Number, label(n)))
		}
	}
	return out
}

func label(n campaign.FaxNumber) string {
	if n.Label == "" {
		return ""
	}
	return " (" + n.Label + ")"
}

// fields flattens a campaign's YAML form to dotted paths one level under
// the top (target.name, limits.quiet_hours...), so a change is named by the
// field an organizer would look for.
func fields(c *campaign.Campaign) map[string]any {
	out := map[string]any{}
	b, err := yaml.Marshal(c)
	if err != nil {
		return out
	}
	var m map[string]any
	if yaml.Unmarshal(b, &m) != nil {
		return out
	}
	for k, v := range m {
		if sub, ok := v.(map[string]any); ok && k != "languages" {
			for sk, sv := range sub {
				out[k+"."+sk] = sv
			}
			continue
		}
		out[k] = v
	}
	return out
}

func union(a, b []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range append(append([]string{}, a...), b...) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// Summary joins changes for one line of an error message.
func Summary(changes []string) string {
	if len(changes) == 0 {
		return "no change to the campaign itself"
	}
	return strings.Join(changes, "; ")
}
