// Package campaign owns the campaign model: what a fax-and-petition campaign
// is (its story, its target and the target's fax numbers, its letters and its
// courtesy limits), how a campaign file is loaded (bundled, file, URL) and how
// it is validated. It imports nothing of faxjam's but the bundled letters and
// pkg/e164 (so a number is E.164 by the one definition, and the model does not
// import the transport layer), and urlspec for what counts as a loopback host.
package campaign

// Campaign is one campaign file (campaign.yaml): its fields, with their YAML
// names, are the file's schema, and validate.go holds the rules they follow.
type Campaign struct {
	ID        string `yaml:"id" json:"id"`
	Title     string `yaml:"title" json:"title"`
	Organizer string `yaml:"organizer" json:"organizer"`
	// SenderID is the organization's name as the fax header shows it: US
	// rules (47 CFR 68.318(d)) ask every fax to name its sender at the
	// top or bottom of each page. Optional; "" is Organizer (Sender).
	SenderID   string    `yaml:"sender_id,omitempty" json:"sender_id,omitempty"`
	Started    string    `yaml:"started" json:"started"`               // YYYY-MM-DD
	Ends       string    `yaml:"ends,omitempty" json:"ends,omitempty"` // YYYY-MM-DD, optional
	Summary    string    `yaml:"summary" json:"summary"`
	Background string    `yaml:"background" json:"background"`
	Facts      []string  `yaml:"facts" json:"facts"`
	Asks       []string  `yaml:"asks" json:"asks"`
	Target     Target    `yaml:"target" json:"target"`
	Languages  Languages `yaml:"languages" json:"languages"` // first = the language the target reads
	// TextLanguage is the language title, summary, background, facts and
	// asks are written in; "" means the target's (the first of Languages).
	TextLanguage string `yaml:"text_language,omitempty" json:"text_language,omitempty"`
	// Translations hold title, summary, facts and asks in other languages
	// the campaign has letters in, by language code; Text picks them.
	Translations map[string]Translation `yaml:"translations,omitempty" json:"translations,omitempty"`
	Petition     string                 `yaml:"petition,omitempty" json:"petition,omitempty"`
	// Hub is the organizer's campaign hub (`faxjam serve`), https:// (or
	// http:// on loopback): activists' `faxjam send` posts their action to
	// it when they configure no gateway of their own.
	Hub         string `yaml:"hub,omitempty" json:"hub,omitempty"`
	Contact     string `yaml:"contact" json:"contact"`
	Limits      Limits `yaml:"limits" json:"limits"`
	RequireNote bool   `yaml:"require_note,omitempty" json:"require_note,omitempty"`
	// Closed is set by the organizer when the campaign is over (the person
	// is safe, or the target answered): `send` then refuses it, whatever
	// Ends says.
	Closed bool `yaml:"closed,omitempty" json:"closed,omitempty"`

	// Templates holds each language's template text by language code, as
	// loaded from the files Languages names. Parse leaves it empty; the
	// loaders (Bundled, Load, LoadFS) fill it.
	Templates map[string]string `yaml:"-" json:"-"`
	// Source says where the campaign came from: "bundled:<id>", a file path
	// or a URL (without its #sha256 pin).
	Source string `yaml:"-" json:"source,omitempty"`

	// raw is the campaign file as read, kept for Digest.
	raw []byte
	// problems are the file's schema problems Parse found (unknown keys,
	// values of the wrong kind); Validate lists them first.
	problems []Problem
}

// Translation is the campaign's public text in one more language. Every
// field is optional: what it leaves out is shown in the main text. Facts
// and Asks, when given, translate the main lists item by item.
type Translation struct {
	Title   string `yaml:"title,omitempty" json:"title,omitempty"`
	Summary string `yaml:"summary,omitempty" json:"summary,omitempty"`
	// Background is the campaign's background in this language (about
	// and the signing page show it).
	Background string   `yaml:"background,omitempty" json:"background,omitempty"`
	Facts      []string `yaml:"facts,omitempty" json:"facts,omitempty"`
	Asks       []string `yaml:"asks,omitempty" json:"asks,omitempty"`
}

// Target is the person or office the letters are addressed to.
type Target struct {
	Name         string      `yaml:"name" json:"name"`
	Title        string      `yaml:"title" json:"title"`
	Organization string      `yaml:"organization" json:"organization"`
	Address      []string    `yaml:"address" json:"address"`
	Timezone     string      `yaml:"timezone" json:"timezone"` // IANA, e.g. America/Guatemala
	Fax          []FaxNumber `yaml:"fax" json:"fax"`
}

// FaxNumber is one of the target's fax lines.
type FaxNumber struct {
	Number     string `yaml:"number" json:"number"` // E.164 once loaded, however the file spelt it
	Label      string `yaml:"label,omitempty" json:"label,omitempty"`
	Fictitious bool   `yaml:"fictitious,omitempty" json:"fictitious,omitempty"`
}

// Language is one letter template: a language code and its template file
// (relative to the campaign file).
type Language struct {
	Code     string `json:"code"`
	Template string `json:"template"`
}

// Languages keeps the order of the campaign file's `languages` mapping: the
// first entry is the language the target reads.
type Languages []Language

// Limits are the courtesy and safety caps the dispatcher obeys.
type Limits struct {
	CallsPerNumber       int    `yaml:"calls_per_number" json:"calls_per_number"`
	PerNumberPerHour     int    `yaml:"per_number_per_hour" json:"per_number_per_hour"`
	QuietHours           string `yaml:"quiet_hours,omitempty" json:"quiet_hours,omitempty"` // "20:00-08:00" in Target.Timezone
	MaxAttemptsPerNumber int    `yaml:"max_attempts_per_number" json:"max_attempts_per_number"`
}

// Sender is who the fax header names as the sender: sender_id, else the
// organizer.
func (c *Campaign) Sender() string {
	if c.SenderID != "" {
		return c.SenderID
	}
	return c.Organizer
}
