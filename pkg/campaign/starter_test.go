package campaign

import (
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// yamlKeys lists the schema's keys by path ("target.fax.number").
func yamlKeys(t reflect.Type, prefix string) []string {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || t == reflect.TypeOf(Language{}) {
		return nil
	}
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if !f.IsExported() || name == "-" || name == "" {
			continue
		}
		out = append(out, prefix+name)
		out = append(out, yamlKeys(f.Type, prefix+name+".")...)
	}
	return out
}

// TestStarterDocumentsEverySchemaKey: the starter campaign is where an
// organizer learns the schema, so it names every key (set, or in a
// comment); a new field needs its line there.
func TestStarterDocumentsEverySchemaKey(t *testing.T) {
	text := Starter("x", []string{"es"}, time.Now())[FileName]
	for _, k := range yamlKeys(reflect.TypeOf(Campaign{}), "") {
		last := k[strings.LastIndexByte(k, '.')+1:]
		if !strings.Contains(text, last+":") {
			t.Errorf("starter campaign.yaml does not mention %s", k)
		}
	}
}

func TestStarterLoadsAndValidates(t *testing.T) {
	for _, langs := range [][]string{{"en"}, {"es", "en"}, {"pt-BR", "fr"}} {
		fsys := fstest.MapFS{}
		for name, body := range Starter("river-keepers", langs, time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)) {
			fsys[name] = &fstest.MapFile{Data: []byte(body)}
		}
		c, err := LoadFS(fsys, FileName)
		if err != nil {
			t.Fatalf("%v: %v", langs, err)
		}
		if c.ID != "river-keepers" || c.TargetLanguage() != langs[0] || len(c.Templates) != len(langs) || c.Started != "2026-12-02" {
			t.Errorf("%v: %+v", langs, c)
		}
		if !c.Target.Fax[0].Fictitious || c.Target.Fax[0].Number != "+12025550100" {
			t.Errorf("%v: starter number %+v, want a fictitious one in E.164", langs, c.Target.Fax[0])
		}
	}
}
