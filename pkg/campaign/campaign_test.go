package campaign

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

const validYAML = `id: test-campaign
title: A test
organizer: Tester
started: 2024-05-01
target:
  name: Someone
  organization: Some office
  timezone: America/Guatemala
  fax:
    - {number: "+12025550142", label: One, fictitious: true}
    - {number: "+1 202 555 0143", fictitious: true}
languages:
  fr: fr.tmpl
  es: es.tmpl
  en: en.tmpl
contact: org@example.org
limits:
  quiet_hours: "20:00-08:00"
`

func validCampaign(t *testing.T) *Campaign {
	t.Helper()
	c, err := Parse([]byte(validYAML), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c.Templates = map[string]string{"fr": "{{.Date}}", "es": "{{.Date}}", "en": "{{.Date}}"}
	return c
}

func TestParseKeepsLanguageOrderAndDefaults(t *testing.T) {
	c := validCampaign(t)
	if got := strings.Join(c.Languages.Codes(), ","); got != "fr,es,en" {
		t.Errorf("languages %s, want fr,es,en (file order)", got)
	}
	if c.TargetLanguage() != "fr" {
		t.Errorf("target language %q, want fr", c.TargetLanguage())
	}
	if c.Limits.CallsPerNumber != 1 || c.Limits.MaxAttemptsPerNumber != 3 {
		t.Errorf("limits %+v, want defaults 1 and 3", c.Limits)
	}
	if c.Target.Fax[1].Number != "+12025550143" {
		t.Errorf("number %q, want E.164 +12025550143 (the file says +1 202 555 0143)", c.Target.Fax[1].Number)
	}
	if c.Started != "2024-05-01" {
		t.Errorf("started %q", c.Started)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("valid campaign: %v", err)
	}
}

func TestParseRejects(t *testing.T) {
	tests := map[string]string{
		"empty":            "  \n",
		"unknown key":      validYAML + "limitz: {}\n",
		"languages a list": strings.Replace(validYAML, "languages:\n  fr: fr.tmpl", "languages:\n  - fr.tmpl\nx:\n  fr: fr.tmpl", 1),
		"language twice":   strings.Replace(validYAML, "  en: en.tmpl", "  en: en.tmpl\n  fr: x.tmpl", 1),
		"two documents":    validYAML + "---\nid: x\n",
		"not yaml":         "{{{",
	}
	for name, in := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := Parse([]byte(in), "t.yaml"); err == nil {
				t.Error("parsed; want an error")
			}
		})
	}
}

func TestValidateNamesEachProblemByPath(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(c *Campaign)
		path   string
		reason string
	}{
		{"bad id", func(c *Campaign) { c.ID = "Norma Cruz" }, "id", "must match [a-z0-9-]+"},
		{"no id", func(c *Campaign) { c.ID = "" }, "id", "required"},
		{"no title", func(c *Campaign) { c.Title = " " }, "title", "required"},
		{"bad started", func(c *Campaign) { c.Started = "23/01/2012" }, "started", "not a date (YYYY-MM-DD)"},
		{"bad ends", func(c *Campaign) { c.Ends = "soon" }, "ends", "not a date"},
		{"ends before start", func(c *Campaign) { c.Ends = "2020-01-01" }, "ends", "before started"},
		{"bad number", func(c *Campaign) { c.Target.Fax[1].Number = "2025550143" }, "target.fax[1].number", "not an E.164 number"},
		{"duplicate number", func(c *Campaign) { c.Target.Fax[1].Number = "+1 (202) 555-0142" }, "target.fax[1].number", "same number as target.fax[0]"},
		{"no numbers", func(c *Campaign) { c.Target.Fax = nil }, "target.fax", "at least one"},
		{"bad zone", func(c *Campaign) { c.Target.Timezone = "Mars/Olympus" }, "target.timezone", "unknown time zone"},
		{"no zone", func(c *Campaign) { c.Target.Timezone = "" }, "target.timezone", "required"},
		{"no target", func(c *Campaign) { c.Target.Name, c.Target.Organization = "", "" }, "target.name", "required"},
		{"bad quiet hours", func(c *Campaign) { c.Limits.QuietHours = "8pm-8am" }, "limits.quiet_hours", "want HH:MM-HH:MM"},
		{"negative limit", func(c *Campaign) { c.Limits.PerNumberPerHour = -1 }, "limits.per_number_per_hour", "negative"},
		{"no languages", func(c *Campaign) { c.Languages = nil }, "languages", "at least one"},
		{"missing template", func(c *Campaign) { delete(c.Templates, "es") }, "languages.es", "template file es.tmpl missing"},
		{"template does not parse", func(c *Campaign) { c.Templates["en"] = "{{.Sender" }, "languages.en", "does not parse"},
		{"template escapes folder", func(c *Campaign) { c.Languages[0].Template = "../../etc/passwd" }, "languages.fr", "relative file name"},
		{"bad language code", func(c *Campaign) { c.Languages[0].Code = "French" }, "languages.French", "not a language code"},
		{"no contact", func(c *Campaign) { c.Contact = "" }, "contact", "required"},
		{"bad contact", func(c *Campaign) { c.Contact = "call us" }, "contact", "email address or an http(s) URL"},
		{"bad petition", func(c *Campaign) { c.Petition = "not a url" }, "petition", "not a URL"},
		{"hub over plain http", func(c *Campaign) { c.Hub = "http://hub.example.org" }, "hub", "https://"},
		{"hub with credentials", func(c *Campaign) { c.Hub = "https://user:pw@hub.example.org" }, "hub", "without credentials"},
		{"bad text language", func(c *Campaign) { c.TextLanguage = "English" }, "text_language", "not a language code"},
		{"translation bad code", func(c *Campaign) { c.Translations = map[string]Translation{"Spanish": {Title: "x"}} }, "translations.Spanish", "not a language code"},
		{"translation not a campaign language", func(c *Campaign) { c.Translations = map[string]Translation{"de": {Title: "x"}} }, "translations.de", "not a language of this campaign (languages: fr, es, en)"},
		{"translation into the main language", func(c *Campaign) { c.Translations = map[string]Translation{"fr": {Title: "x"}} }, "translations.fr", "the main text is in fr already"},
		{"translated facts too few", func(c *Campaign) {
			c.Facts = []string{"one", "two"}
			c.Translations = map[string]Translation{"es": {Facts: []string{"uno"}}}
		}, "translations.es.facts", "has 1, want 2"},
		{"translated asks too many", func(c *Campaign) {
			c.Asks = []string{"one"}
			c.Translations = map[string]Translation{"en": {Asks: []string{"one", "two"}}}
		}, "translations.en.asks", "has 2, want 1"},
		{"hub not a URL", func(c *Campaign) { c.Hub = "hub.example.org" }, "hub", "https://"},
		{"sender_id too long", func(c *Campaign) { c.SenderID = strings.Repeat("Amnistía ", 6) + "X" }, "sender_id", "55 characters; the fax header takes at most 50"},
		{"sender_id on two lines", func(c *Campaign) { c.SenderID = "Amnesty\nInternational" }, "sender_id", "U+000A is not printable"},
		{"sender_id padded", func(c *Campaign) { c.SenderID = " Amnesty" }, "sender_id", "leading or trailing space"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validCampaign(t)
			tt.mutate(c)
			err := c.Validate()
			var v *ValidationError
			if !errors.As(err, &v) {
				t.Fatalf("err = %v, want *ValidationError", err)
			}
			found := false
			for _, p := range v.Problems {
				found = found || p.Path == tt.path && strings.Contains(p.Reason, tt.reason)
			}
			if !found {
				t.Errorf("got %v, want a problem at %s saying %q", err, tt.path, tt.reason)
			}
		})
	}
}

func TestValidateListsEveryProblem(t *testing.T) {
	c := validCampaign(t)
	c.ID, c.Started, c.Target.Timezone = "X", "x", "Nowhere/None"
	c.Target.Fax[0].Number = "12"
	var v *ValidationError
	if !errors.As(c.Validate(), &v) {
		t.Fatal("want *ValidationError")
	}
	for _, p := range []string{"id", "started", "target.timezone", "target.fax[0].number"} {
		if !v.Has(p) {
			t.Errorf("problems %v lack %s", v.Problems, p)
		}
	}
}

func TestBundledCampaignValidates(t *testing.T) {
	all, err := Bundled()
	if err != nil {
		t.Fatal(err)
	}
	if len(all) == 0 || all[0].ID != Default() {
		t.Fatalf("bundled %v, want %s among them", all, Default())
	}
	c := all[0]
	if c.TargetLanguage() != "es" || len(c.Target.Fax) < 3 {
		t.Errorf("target language %q, %d numbers", c.TargetLanguage(), len(c.Target.Fax))
	}
	for i, f := range c.Target.Fax {
		if !f.Fictitious || !strings.HasPrefix(f.Number, "+1202555014") {
			t.Errorf("fax[%d] %+v: bundled numbers must be fictitious 555-01XX", i, f)
		}
	}
	if c.Source != "bundled:"+Default() || len(c.Templates) != 2 {
		t.Errorf("source %q templates %d", c.Source, len(c.Templates))
	}
}

func TestQuietHours(t *testing.T) {
	c := validCampaign(t) // 20:00-08:00 America/Guatemala (UTC-6, no DST)
	gt := time.FixedZone("GT", -6*3600)
	tests := []struct {
		at      time.Time
		quiet   bool
		endsUTC time.Time
	}{
		{time.Date(2026, 3, 2, 19, 59, 0, 0, gt), false, time.Time{}},
		{time.Date(2026, 3, 2, 20, 0, 0, 0, gt), true, time.Date(2026, 3, 3, 14, 0, 0, 0, time.UTC)},
		{time.Date(2026, 3, 3, 2, 0, 0, 0, gt), true, time.Date(2026, 3, 3, 14, 0, 0, 0, time.UTC)},
		{time.Date(2026, 3, 3, 8, 0, 0, 0, gt), false, time.Time{}},
		{time.Date(2026, 12, 31, 23, 0, 0, 0, gt), true, time.Date(2027, 1, 1, 14, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		quiet, ends := c.InQuiet(tt.at.UTC())
		if quiet != tt.quiet || !ends.Equal(tt.endsUTC) {
			t.Errorf("InQuiet(%v) = %v, %v; want %v, %v", tt.at, quiet, ends, tt.quiet, tt.endsUTC)
		}
	}
	day, err := ParseQuietHours("12:00-13:30")
	if err != nil {
		t.Fatal(err)
	}
	if in, end := day.Contains(time.Date(2026, 1, 1, 13, 29, 0, 0, time.UTC)); !in || end.Hour() != 13 || end.Minute() != 30 {
		t.Errorf("13:29 in 12:00-13:30: %v until %v", in, end)
	}
	for _, bad := range []string{"20:00", "24:00-08:00", "20:00-08:60", "2000-0800", "20:00-20:00", "20:00 - 08:00", "+1:00-08:00"} {
		if _, err := ParseQuietHours(bad); err == nil {
			t.Errorf("ParseQuietHours(%q) accepted", bad)
		}
	}
}

func TestEnded(t *testing.T) {
	c := validCampaign(t)
	if c.Ended(time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Error("campaign without ends ended")
	}
	c.Ends = "2024-06-30"
	gt := time.FixedZone("GT", -6*3600)
	if c.Ended(time.Date(2024, 6, 30, 23, 59, 0, 0, gt)) {
		t.Error("ended during its last day")
	}
	if !c.Ended(time.Date(2024, 7, 1, 0, 0, 0, 0, gt)) {
		t.Error("not ended the day after")
	}
}

func writeCampaign(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func campaignFiles() map[string]string {
	return map[string]string{
		"campaign.yaml": validYAML,
		"fr.tmpl":       "Madame, {{.Sender.Name}}",
		"es.tmpl":       "Señora, {{.Sender.Name}}",
		"en.tmpl":       "Madam, {{.Sender.Name}}",
	}
}

func TestLoadFileResolvesTemplatesBesideIt(t *testing.T) {
	dir := t.TempDir()
	writeCampaign(t, dir, campaignFiles())
	for _, ref := range []string{filepath.Join(dir, "campaign.yaml"), dir} {
		c, err := Load(t.Context(), ref)
		if err != nil {
			t.Fatalf("Load(%s): %v", ref, err)
		}
		if c.Templates["es"] != "Señora, {{.Sender.Name}}" {
			t.Errorf("Load(%s): es template %q", ref, c.Templates["es"])
		}
	}
}

func TestLoadFileReportsMissingTemplate(t *testing.T) {
	dir := t.TempDir()
	files := campaignFiles()
	delete(files, "en.tmpl")
	writeCampaign(t, dir, files)
	_, err := Load(t.Context(), dir)
	var v *ValidationError
	if !errors.As(err, &v) || !v.Has("languages.en") {
		t.Fatalf("err = %v, want languages.en missing", err)
	}
}

func TestLoadUnknownRef(t *testing.T) {
	_, err := Load(t.Context(), "no-such-campaign")
	if err == nil || !strings.Contains(err.Error(), Default()) {
		t.Fatalf("err = %v, want one listing the bundled campaigns", err)
	}
}

func serve(t *testing.T, files map[string]string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := files[strings.TrimPrefix(r.URL.Path, "/c/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestLoadURLVerifiesPin(t *testing.T) {
	files := campaignFiles()
	srv := serve(t, files)
	base := srv.URL + "/c/campaign.yaml"
	c, err := Load(t.Context(), base)
	if err != nil {
		t.Fatalf("unpinned: %v", err)
	}
	if c.Templates["en"] != files["en.tmpl"] || c.Source != base {
		t.Fatalf("templates %v source %q", c.Templates, c.Source)
	}
	pin := c.Digest()
	if _, err := Load(t.Context(), base+"#sha256="+pin); err != nil {
		t.Errorf("correct pin: %v", err)
	}
	files["en.tmpl"] = "Madam, {{.Sender.Name}} (changed)"
	if _, err := Load(t.Context(), base+"#sha256="+pin); err == nil || !strings.Contains(err.Error(), "integrity check failed") {
		t.Errorf("changed template under a pin: err = %v", err)
	}
	if _, err := Load(t.Context(), base+"#sha256=abc"); err == nil {
		t.Error("malformed pin accepted")
	}
}

func TestLoadURLRefusesOversizedFile(t *testing.T) {
	srv := serve(t, map[string]string{"campaign.yaml": validYAML + "# " + strings.Repeat("x", MaxFileSize) + "\n"})
	if _, err := Load(t.Context(), srv.URL+"/c/campaign.yaml"); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("err = %v, want a size error", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(validYAML))
	f.Add([]byte("languages: {es: es.tmpl, en: ../x}\nlimits: {quiet_hours: '24:00-99:99'}"))
	f.Add([]byte("target: {fax: [{number: '+'}]}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data, "fuzz")
		if err != nil {
			return
		}
		c.Templates = map[string]string{"es": "{{.X}}", "en": "{{"}
		_ = c.Validate()
		c.InQuiet(time.Unix(0, 0))
		c.Ended(time.Unix(0, 0))
		_ = c.Digest()
	})
}

func TestLoadRefusesPlainHTTPWithoutPin(t *testing.T) {
	// Refused before any request: example.invalid is never resolved.
	_, err := Load(t.Context(), "http://example.invalid/campaign.yaml")
	if err == nil || !strings.Contains(err.Error(), "plain http") {
		t.Errorf("err = %v, want plain http refused", err)
	}
}

func TestMarshalRoundTripsThroughParse(t *testing.T) {
	all, err := Bundled()
	if err != nil {
		t.Fatal(err)
	}
	c := all[0]
	data, err := yaml.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse(data, "copy")
	if err != nil {
		t.Fatalf("marshalled campaign does not parse: %v\n%s", err, data)
	}
	back.Templates, back.Source = c.Templates, c.Source
	back.raw = c.raw
	if !reflect.DeepEqual(back, c) {
		t.Errorf("round trip changed the campaign:\n%+v\n%+v", back, c)
	}
}

func TestClosedWhy(t *testing.T) {
	now := time.Date(2026, 3, 8, 12, 0, 0, 0, time.UTC)
	c := &Campaign{ID: "x", Target: Target{Timezone: "UTC"}}
	if why := c.ClosedWhy(now); why != "" {
		t.Errorf("open campaign: %q", why)
	}
	c.Ends = "2026-03-07"
	if why := c.ClosedWhy(now); why != "it ended on 2026-03-07" {
		t.Errorf("ended: %q", why)
	}
	c.Ends, c.Closed = "2026-12-31", true
	if why := c.ClosedWhy(now); !strings.Contains(why, "closed: true") {
		t.Errorf("closed: %q", why)
	}
}

// TestSenderIsSenderIDElseOrganizer: the fax header names sender_id, and
// the organizer when the file has none.
func TestSenderIsSenderIDElseOrganizer(t *testing.T) {
	c := validCampaign(t)
	if got := c.Sender(); got != "Tester" {
		t.Errorf("Sender() = %q without sender_id, want the organizer Tester", got)
	}
	c2, err := Parse([]byte(strings.Replace(validYAML, "organizer: Tester\n", "organizer: Tester\nsender_id: Amnesty International USA\n", 1)), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := c2.Sender(); got != "Amnesty International USA" {
		t.Errorf("Sender() = %q, want the sender_id", got)
	}
}
