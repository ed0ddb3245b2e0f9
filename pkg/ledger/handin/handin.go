// Package handin renders a campaign's delivery ledger as the document an
// organizer hands to the target, the press or the campaign's members, in
// the target's language: how many faxes arrived per day and per number,
// the names that went to the petition (name and city, as the petition
// shows them; none once forgotten), and the sealed head of the chain with
// its key's fingerprint, so that a reader can check the document against
// the ledger's export (`faxjam ledger verify`).
//
// It lays the document out with pkg/render, as the petition document
// (pkg/petition/export) is. It imports campaign, ledger, letter and
// render; it must not import journal, dispatch or cli.
package handin

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/faxjam/faxjam/pkg/campaign"
	"github.com/faxjam/faxjam/pkg/ledger"
	"github.com/faxjam/faxjam/pkg/letter"
	"github.com/faxjam/faxjam/pkg/render"
)

// Options shape the document.
type Options struct {
	Lang      string // "" is the target's language
	Paper     string // a4 (default) or letter
	ExtraFont []byte // a .ttf for names in scripts the Go fonts lack
	Date      time.Time
}

// PDF lays out x (checked by Verify: r) for c.
func PDF(c *campaign.Campaign, x ledger.Export, r ledger.Report, opts Options) ([]byte, error) {
	if c == nil {
		return nil, errors.New("handin: no campaign")
	}
	lang := opts.Lang
	if lang == "" {
		lang = c.TargetLanguage()
	}
	w := wordsFor(lang)
	loc, err := c.Location()
	if err != nil || loc == nil {
		loc = time.UTC
	}
	sum := ledger.Summarize(x, loc)
	n := func(m map[string]int, outcomes ...string) string {
		t := 0
		for _, o := range outcomes {
			t += m[o]
		}
		return strconv.Itoa(t)
	}
	text := c.Text(lang)
	blocks := []render.Block{render.Heading{Text: w.title + ": " + text.Title, Size: 16}}
	if to := strings.TrimSpace(strings.Join(nonEmpty(c.Target.Name, c.Target.Organization), ", ")); to != "" {
		blocks = append(blocks, render.Paragraph{Text: w.to + " " + to})
	}
	if !opts.Date.IsZero() {
		blocks = append(blocks, render.Paragraph{Text: letter.FormatDate(lang, opts.Date.In(loc))})
	}
	blocks = append(blocks, render.Paragraph{Text: fmt.Sprintf(w.intro, c.Organizer, len(x.Entries),
		n(sum.Outcomes, ledger.Delivered), n(sum.Outcomes, ledger.Submitted), n(sum.Outcomes, ledger.Petitioned),
		n(sum.Outcomes, ledger.Failed, ledger.GaveUp))})

	header := []string{w.delivered, w.submitted, w.petitioned, w.failed}
	row := func(first string, m map[string]int) []string {
		return []string{first, n(m, ledger.Delivered), n(m, ledger.Submitted), n(m, ledger.Petitioned), n(m, ledger.Failed, ledger.GaveUp)}
	}
	if len(sum.Days) > 0 {
		t := render.Table{Header: append([]string{w.day}, header...), Widths: []float64{0.28, 0.18, 0.18, 0.18, 0.18}}
		for _, d := range sum.Days {
			t.Rows = append(t.Rows, row(d.Date, d.Outcomes))
		}
		blocks = append(blocks, render.Heading{Text: w.perDay, Size: 13}, t)
	}
	if len(sum.Numbers) > 0 {
		t := render.Table{Header: append([]string{w.number}, header...), Widths: []float64{0.36, 0.16, 0.16, 0.16, 0.16}}
		for _, nc := range sum.Numbers {
			name := nc.Number
			if nc.Label != "" {
				name = nc.Label + " (" + nc.Number + ")"
			}
			t.Rows = append(t.Rows, row(name, nc.Outcomes))
		}
		blocks = append(blocks, render.Heading{Text: w.perNumber, Size: 13}, t)
	}
	var names [][]string
	forgotten := 0
	for _, e := range x.Entries {
		switch {
		case e.Outcome != ledger.Petitioned:
		case e.Forgotten():
			forgotten++
		default:
			names = append(names, []string{strconv.Itoa(len(names) + 1), e.Name, e.City, strconv.FormatInt(e.Seq, 10)})
		}
	}
	if len(names) > 0 || forgotten > 0 {
		blocks = append(blocks, render.Heading{Text: w.petition, Size: 13})
		if len(names) > 0 {
			blocks = append(blocks, render.Table{Header: []string{w.no, w.name, w.city, w.entry}, Widths: []float64{0.1, 0.45, 0.3, 0.15}, Rows: names})
		}
		if forgotten > 0 {
			blocks = append(blocks, render.Paragraph{Text: count(forgotten, w.forgottenOne, w.forgotten)})
		}
	}

	blocks = append(blocks, render.Heading{Text: w.seal, Size: 13})
	if r.Sealed > 0 {
		var head string
		for _, s := range x.Seals {
			if s.Seq == r.Sealed {
				head = s.Head
			}
		}
		blocks = append(blocks, render.Paragraph{Text: fmt.Sprintf(w.sealed, r.Sealed, r.SealedAt.In(loc).Format("2006-01-02 15:04 MST"), r.Fingerprint)},
			render.Paragraph{Text: head, Size: 9})
		if u := r.Unsealed(); u > 0 {
			blocks = append(blocks, render.Paragraph{Text: count(int(u), w.unsealedOne, w.unsealed)})
		}
	} else {
		blocks = append(blocks, render.Paragraph{Text: w.notSealed})
	}
	blocks = append(blocks, render.Paragraph{Text: w.check, Size: 9})

	rd, err := render.New(render.Options{Paper: opts.Paper, ExtraFont: opts.ExtraFont})
	if err != nil {
		return nil, fmt.Errorf("handin: %w", err)
	}
	footer := c.ID + " · " + w.footer
	if c.Contact != "" {
		footer += " · " + c.Contact
	}
	lay, err := rd.Document(render.Doc{Blocks: blocks, Footer: footer, PageLabel: w.page, Lang: lang})
	if err != nil {
		return nil, fmt.Errorf("handin: lay out the ledger: %w", err)
	}
	var buf bytes.Buffer
	if err := rd.PDF(lay, &buf); err != nil {
		return nil, fmt.Errorf("handin: write the PDF: %w", err)
	}
	return buf.Bytes(), nil
}

// count is one (no number in it) or other (with %d) by n.
func count(n int, one, other string) string {
	if n == 1 {
		return one
	}
	return fmt.Sprintf(other, n)
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// words are the document's own words in one language.
type words struct {
	title, to string
	// intro: %[1]s organizer, %[2]d entries, %[3]s delivered, %[4]s
	// submitted, %[5]s petitioned, %[6]s failed.
	intro                                          string
	perDay, perNumber, day, number                 string
	delivered, submitted, petitioned, failed       string
	petition, no, name, city, entry                string
	forgottenOne, forgotten                        string // %d people
	seal, sealed, unsealedOne, unsealed, notSealed string // sealed: %[1]d seq, %[2]s time, %[3]s fingerprint; unsealed: %d
	check, footer, page                            string
}

func wordsFor(lang string) words {
	b, _, _ := strings.Cut(strings.ToLower(lang), "-")
	switch b {
	case "es":
		return words{title: "Constancia de entrega", to: "A:",
			intro:  "Este documento da cuenta de cada fax que %[1]s envió en esta campaña: %[2]d resultados registrados, de los cuales %[3]s faxes entregados, %[4]s aceptados por la pasarela (sin confirmación de entrega), %[5]s nombres entregados como petición y %[6]s envíos fallidos.",
			perDay: "Por día", perNumber: "Por número", day: "Día", number: "Número",
			delivered: "Entregados", submitted: "Aceptados", petitioned: "Petición", failed: "Fallidos",
			petition: "Nombres entregados como petición", no: "Nº", name: "Nombre", city: "Ciudad", entry: "Registro",
			forgottenOne: "Una persona pidió que se borraran sus datos: su registro se conserva sin nombre.",
			forgotten:    "%d personas pidieron que se borraran sus datos: sus registros se conservan sin nombre.",
			seal:         "Sello", sealed: "El registro hasta la entrada %[1]d está sellado (%[2]s) con la clave %[3]s. Hash de la cabeza:",
			unsealedOne: "Una entrada posterior aún no está sellada.", unsealed: "%d entradas posteriores aún no están selladas.", notSealed: "El registro aún no está sellado.",
			check:  "Cada entrada lleva el hash de la anterior; el sello firma la cabeza con la clave Ed25519 de la campaña. Cualquiera puede comprobar la exportación con «faxjam ledger verify ARCHIVO --key CLAVE».",
			footer: "constancia de entrega de faxjam", page: "Página %d de %d"}
	case "pt":
		return words{title: "Comprovante de entrega", to: "A:",
			intro:  "Este documento presta contas de cada fax que %[1]s enviou nesta campanha: %[2]d resultados registados, dos quais %[3]s faxes entregues, %[4]s aceites pelo gateway (sem confirmação de entrega), %[5]s nomes entregues como petição e %[6]s envios falhados.",
			perDay: "Por dia", perNumber: "Por número", day: "Dia", number: "Número",
			delivered: "Entregues", submitted: "Aceites", petitioned: "Petição", failed: "Falhados",
			petition: "Nomes entregues como petição", no: "Nº", name: "Nome", city: "Cidade", entry: "Registo",
			forgottenOne: "Uma pessoa pediu que os seus dados fossem apagados: o seu registo fica sem nome.",
			forgotten:    "%d pessoas pediram que os seus dados fossem apagados: os seus registos ficam sem nome.",
			seal:         "Selo", sealed: "O registo até à entrada %[1]d está selado (%[2]s) com a chave %[3]s. Hash da cabeça:",
			unsealedOne: "Uma entrada posterior ainda não está selada.", unsealed: "%d entradas posteriores ainda não estão seladas.", notSealed: "O registo ainda não está selado.",
			check:  "Cada entrada leva o hash da anterior; o selo assina a cabeça com a chave Ed25519 da campanha. Qualquer pessoa pode verificar a exportação com «faxjam ledger verify FICHEIRO --key CHAVE».",
			footer: "comprovante de entrega do faxjam", page: "Página %d de %d"}
	case "fr":
		return words{title: "Preuve de remise", to: "À :",
			intro:  "Ce document rend compte de chaque fax envoyé par %[1]s pour cette campagne : %[2]d résultats enregistrés, dont %[3]s fax remis, %[4]s acceptés par la passerelle (sans confirmation de remise), %[5]s noms remis sous forme de pétition et %[6]s envois échoués.",
			perDay: "Par jour", perNumber: "Par numéro", day: "Jour", number: "Numéro",
			delivered: "Remis", submitted: "Acceptés", petitioned: "Pétition", failed: "Échoués",
			petition: "Noms remis sous forme de pétition", no: "N°", name: "Nom", city: "Ville", entry: "Entrée",
			forgottenOne: "Une personne a demandé l'effacement de ses données : son entrée reste, sans nom.",
			forgotten:    "%d personnes ont demandé l'effacement de leurs données : leurs entrées restent, sans nom.",
			seal:         "Sceau", sealed: "Le registre jusqu'à l'entrée %[1]d est scellé (%[2]s) avec la clé %[3]s. Empreinte de la tête :",
			unsealedOne: "Une entrée suivante n'est pas encore scellée.", unsealed: "%d entrées suivantes ne sont pas encore scellées.", notSealed: "Le registre n'est pas encore scellé.",
			check:  "Chaque entrée porte l'empreinte de la précédente ; le sceau signe la tête avec la clé Ed25519 de la campagne. Chacun peut vérifier l'export avec « faxjam ledger verify FICHIER --key CLÉ ».",
			footer: "preuve de remise faxjam", page: "Page %d sur %d"}
	case "de":
		return words{title: "Zustellnachweis", to: "An:",
			intro:  "Dieses Dokument weist jedes Fax nach, das %[1]s in dieser Kampagne gesendet hat: %[2]d erfasste Ergebnisse, davon %[3]s zugestellte Faxe, %[4]s vom Gateway angenommen (ohne Zustellbestätigung), %[5]s als Petition übergebene Namen und %[6]s fehlgeschlagene Sendungen.",
			perDay: "Pro Tag", perNumber: "Pro Nummer", day: "Tag", number: "Nummer",
			delivered: "Zugestellt", submitted: "Angenommen", petitioned: "Petition", failed: "Fehlgeschlagen",
			petition: "Als Petition übergebene Namen", no: "Nr.", name: "Name", city: "Ort", entry: "Eintrag",
			forgottenOne: "Eine Person hat die Löschung ihrer Daten verlangt: ihr Eintrag bleibt ohne Namen.",
			forgotten:    "%d Personen haben die Löschung ihrer Daten verlangt: ihre Einträge bleiben ohne Namen.",
			seal:         "Siegel", sealed: "Das Register bis Eintrag %[1]d ist versiegelt (%[2]s) mit dem Schlüssel %[3]s. Hash des Kopfes:",
			unsealedOne: "Ein späterer Eintrag ist noch nicht versiegelt.", unsealed: "%d spätere Einträge sind noch nicht versiegelt.", notSealed: "Das Register ist noch nicht versiegelt.",
			check:  "Jeder Eintrag trägt den Hash des vorigen; das Siegel signiert den Kopf mit dem Ed25519-Schlüssel der Kampagne. Jede und jeder kann den Export mit „faxjam ledger verify DATEI --key SCHLÜSSEL“ prüfen.",
			footer: "Zustellnachweis von faxjam", page: "Seite %d von %d"}
	}
	return words{title: "Proof of delivery", to: "To:",
		intro:  "This document accounts for every fax %[1]s sent in this campaign: %[2]d outcomes recorded, of which %[3]s faxes delivered, %[4]s taken by the gateway (which cannot confirm delivery), %[5]s names delivered as a petition and %[6]s sends that failed.",
		perDay: "Per day", perNumber: "Per number", day: "Day", number: "Number",
		delivered: "Delivered", submitted: "Taken", petitioned: "Petition", failed: "Failed",
		petition: "Names delivered as a petition", no: "No.", name: "Name", city: "City", entry: "Entry",
		forgottenOne: "One person asked for their data to be deleted: their entry stays, without a name.",
		forgotten:    "%d people asked for their data to be deleted: their entries stay, without a name.",
		seal:         "Seal", sealed: "The ledger up to entry %[1]d is sealed (%[2]s) with key %[3]s. Head hash:",
		unsealedOne: "One later entry is not sealed yet.", unsealed: "%d later entries are not sealed yet.", notSealed: "The ledger is not sealed yet.",
		check:  "Each entry carries the hash of the one before; the seal signs the head with the campaign's Ed25519 key. Anyone can check the export with \"faxjam ledger verify FILE --key KEY\".",
		footer: "faxjam proof of delivery", page: "Page %d of %d"}
}
