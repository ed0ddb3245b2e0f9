package campaign

import (
	"fmt"
	"strings"
	"time"
)

// Starter returns the files of a new campaign, by name: a commented
// campaign.yaml that documents every field of the schema, and one letter
// template per language (the first is the language the target reads). It
// loads and validates as it is, with a fictitious fax number, so that an
// organizer edits a working campaign rather than a blank page. langs must
// be valid language codes; a language without a starter letter of its own
// gets the English one to translate.
func Starter(id string, langs []string, today time.Time) map[string]string {
	files := map[string]string{FileName: starterYAML(id, langs, today)}
	for _, l := range langs {
		files[l+".tmpl"] = starterLetter(l)
	}
	return files
}

// starterTranslations is the commented translations example, for the
// campaign's own languages other than the main text's English (Spanish
// when there is none, to show the shape).
func starterTranslations(langs []string) string {
	var b strings.Builder
	for _, l := range langs {
		if base(l) == "en" {
			continue
		}
		if base(l) == "es" {
			fmt.Fprintf(&b, `#   %s:
#     title: Liberen a los guardianes del río
#     summary: >-
#       Dos guardianes del río están detenidos por defender su río. Envíe un
#       fax al Ministro de Justicia y pida su liberación.
#     background: |
#       Quién está en riesgo y por qué, en unos pocos párrafos.
#     facts:
#       - Un hecho por línea, cada uno con su fuente.
#     asks:
#       - La liberación inmediata e incondicional de los guardianes del río.
`, l)
			continue
		}
		fmt.Fprintf(&b, `#   %[1]s:
#     title: (the title, in %[1]s)
#     summary: (the summary, in %[1]s)
#     background: (the background, in %[1]s)
#     facts:
#       - (each fact, in %[1]s, in the order of facts)
#     asks:
#       - (each ask, in %[1]s, in the order of asks)
`, l)
	}
	if b.Len() == 0 {
		return starterTranslations([]string{"es"})
	}
	return b.String()
}

func base(lang string) string {
	b, _, _ := strings.Cut(strings.ToLower(lang), "-")
	return b
}

func starterYAML(id string, langs []string, today time.Time) string {
	var b strings.Builder
	fmt.Fprintf(&b, `# A faxjam campaign: the story, the target and its fax numbers, the letters
# and the courtesy limits faxjam obeys. Check it with
#   faxjam campaign show --campaign DIR
# which lists every problem by its field path. Quote a value that holds ": "
# or " #". Lines starting with # are comments; uncomment what you need.

# Lowercase letters, digits and dashes. Journals and signatures key on it:
# do not change it once letters went out.
id: %s
title: Free the river keepers
organizer: Your organization
# The sender the fax header names on every page (US rules ask for it: the
# date and time, the sender and the sending number); at most 50
# characters. Left out, the header names the organizer.
# sender_id: Your organization
# The day the campaign started, YYYY-MM-DD.
started: %s
# The last day faxes go out (in the target's time zone); optional.
# ends: %s

# The language the title, summary, background, facts and asks are written
# in (BCP 47); leave it out when it is the target's, the first of languages.
text_language: en

# Shown by 'faxjam about' and the hub's signing page.
summary: >-
  Two river keepers are detained for defending their river. Fax the Minister
  of Justice and ask for their release.
background: |
  Say who is at risk and why, in a few short paragraphs.
facts:
  - One fact per line, each one you can source.
asks:
  - The immediate and unconditional release of the river keepers.

target:
  name: Minister of Justice
  title: Minister
  organization: Ministry of Justice
  address:
    - Street 1
    - City, Country
  # An IANA time zone: quiet hours and the letter's date are the target's.
  timezone: Europe/Berlin
  # Write each number with + and the country code (spaces are fine). This
  # one is fictitious (North American 555-01XX): faxjam dials no fictitious
  # number but through outbox:// or --redirect. Put the real numbers in and
  # remove "fictitious: true".
  fax:
    - {number: "+1 202 555 0100", label: Office, fictitious: true}

# Language code (BCP 47) to letter template, beside this file. The first is
# the language the target reads: every fax is in it. Templates are Go
# text/template; see the comment at the top of each.
languages:
`, id, today.Format(DateLayout), today.AddDate(0, 3, 0).Format(DateLayout))
	for _, l := range langs {
		fmt.Fprintf(&b, "  %s: %s.tmpl\n", l, l)
	}
	b.WriteString(`
# Title, summary, background, facts and asks in another language of the
# campaign (a code under languages), for the letters in that language (their
# .Campaign.Asks and the rest), the hub's signing page and 'faxjam about
# --lang'. Every part is optional: what is left out shows in the main text,
# and 'faxjam campaign show' warns of a letter that would mix languages.
# Facts and asks, when given, translate the main lists one for one, in order.
# translations:
`)
	b.WriteString(starterTranslations(langs))
	b.WriteString(`

# The footer of every letter: whom a wrong number writes to (an e-mail
# address or an https URL).
contact: campaigns@example.org

# Where names go when every fax number is down (plan B); optional:
# https://..., webhook+https://..., actionnetwork://TOKEN@PETITION_ID.
# petition: https://petition.example.org
# Your campaign hub ('faxjam serve'): activists without a gateway of their
# own send through it; optional.
# hub: https://hub.example.org

limits:
  # Faxes in flight per number at once (a fax line takes one call).
  calls_per_number: 1
  # Pages per number per hour; leave it out for no hourly cap.
  per_number_per_hour: 30
  # No dialling in these hours, in the target's time zone.
  quiet_hours: "20:00-08:00"
  # Tries per number before the next number.
  max_attempts_per_number: 3

# Every letter must carry a personal paragraph (--note).
# require_note: true
# The campaign is over (the person is safe, the target answered): send
# refuses it.
# closed: true
`)
	return b.String()
}

// starterTemplateHelp is the comment at the top of every starter letter.
const starterTemplateHelp = `{{/*
  A letter template (Go text/template). What it can use:
    .Sender.Name .Sender.City .Sender.Country   who signs it
    .Note                                        their own paragraph, if any
    .Date                                        today, written in the letter's language
    .Target.Name .Target.Title .Target.Organization, range .Target.Address
    .Campaign.Title, range .Campaign.Asks, range .Campaign.Facts
  Signers' values are inserted as text, never run. The letter must fit one
  fax page; faxjam says how much to cut when it does not.
*/ -}}
`

func starterLetter(lang string) string {
	base := base(lang)
	body := `{{.Sender.City}}, {{.Date}}

{{.Target.Name}}
{{.Target.Organization}}
{{range .Target.Address}}{{.}}
{{end}}
Dear Minister,

I am writing to you about the river keepers, detained for defending their
river.

I respectfully ask for:
{{range .Campaign.Asks}}- {{.}}
{{end}}
{{with .Note}}{{.}}

{{end}}Yours sincerely,

{{.Sender.Name}}
{{.Sender.City}}, {{.Sender.Country}}
`
	if base == "es" {
		body = `{{.Sender.City}}, {{.Date}}

{{.Target.Name}}
{{.Target.Organization}}
{{range .Target.Address}}{{.}}
{{end}}
Señor Ministro:

Le escribo por los guardianes del río, detenidos por defender su río.

Le solicito respetuosamente:
{{range .Campaign.Asks}}- {{.}}
{{end}}
{{with .Note}}{{.}}

{{end}}Atentamente,

{{.Sender.Name}}
{{.Sender.City}}, {{.Sender.Country}}
`
	} else if base != "en" {
		body = "{{/* Translate this letter into " + lang + ". */ -}}\n" + body
	}
	return starterTemplateHelp + body
}
