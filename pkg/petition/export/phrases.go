package export

import (
	"fmt"
	"strings"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

// phrases are the petition's own words around the campaign's appeal, in the
// languages faxjam's letters speak; others get English. Counted words come
// in their CLDR plural forms (one, other: the only two these languages
// have), so one signature is never "1 firmas de 1 países".
type phrases struct {
	to string
	// intro is the paragraph before the asks, one and other by the number
	// of signatures: %[1]d signatures, ${countries}, %[3]s campaign title,
	// %[4]s organizer.
	introOne, introOther string
	// countries is "%[2]d country" and "%[2]d countries".
	countryOne, countryOther string
	askFor                   string // the sentence that introduces the asks
	signatures               string // heading, with the count
	number, name, city, cntr string
	// total is by the number of signatures (%[1]d), with ${countries}.
	totalOne, totalOther string
	footer               string
	page                 string // page, pages
}

func base(lang string) string {
	b, _, _ := strings.Cut(strings.ToLower(lang), "-")
	return b
}

// words is the petition's wording in one language with a printer that
// applies that language's plural rules and number format.
type words struct {
	phrases
	p *message.Printer
}

// wordsFor returns the wording in lang's base language, or English, with a
// printer for it. The catalog holds only this one language, so it is built
// per document (a handful of messages) rather than kept in a package
// variable.
func wordsFor(lang string) (words, error) {
	ph, b := phrasesFor(lang)
	tag := language.Make(b)
	cat := catalog.NewBuilder(catalog.Fallback(tag))
	countries := catalog.Var("countries", plural.Selectf(2, "%d", plural.One, ph.countryOne, plural.Other, ph.countryOther))
	for _, m := range []struct {
		key        string
		one, other string
	}{{"intro", ph.introOne, ph.introOther}, {"total", ph.totalOne, ph.totalOther}} {
		if err := cat.Set(tag, m.key, countries, plural.Selectf(1, "%d", plural.One, m.one, plural.Other, m.other)); err != nil {
			return words{}, fmt.Errorf("export: %s phrases: %w", b, err)
		}
	}
	return words{phrases: ph, p: message.NewPrinter(tag, message.Catalog(cat))}, nil
}

// intro is the paragraph before the asks; without asks it does not
// announce any.
func (w words) intro(n, countries int, title, organizer string, asks bool) string {
	if organizer == "" {
		organizer = "—"
	}
	s := w.p.Sprintf("intro", n, countries, title, organizer)
	if asks {
		s += " " + w.askFor
	}
	return s
}

func (w words) total(n, countries int) string {
	return w.p.Sprintf("total", n, countries)
}

// phrasesFor returns the wording for lang and the language it is in.
func phrasesFor(lang string) (phrases, string) {
	switch b := base(lang); b {
	case "es":
		return phrases{
			to:         "A:",
			introOne:   "La persona que firma a continuación, de ${countries}, se sumó a la campaña «%[3]s» de %[4]s. Su fax no pudo llegar a su despacho, por lo que le entregamos su nombre como petición.",
			introOther: "Las %[1]d personas que firman a continuación, de ${countries}, se sumaron a la campaña «%[3]s» de %[4]s. Sus faxes no pudieron llegar a su despacho, por lo que le entregamos sus nombres como petición.",
			countryOne: "%[2]d país", countryOther: "%[2]d países", askFor: "Le pedimos:",
			signatures: "Firmas (%d)", number: "Nº", name: "Nombre", city: "Ciudad", cntr: "País",
			totalOne: "Total: %[1]d firma de ${countries}.", totalOther: "Total: %[1]d firmas de ${countries}.",
			footer: "petición entregada con faxjam", page: "Página %d de %d",
		}, b
	case "pt":
		return phrases{
			to:         "A:",
			introOne:   "A pessoa que assina abaixo, de ${countries}, aderiu à campanha «%[3]s» de %[4]s. O seu fax não pôde chegar ao seu gabinete, por isso entregamos o seu nome como petição.",
			introOther: "As %[1]d pessoas que assinam abaixo, de ${countries}, aderiram à campanha «%[3]s» de %[4]s. Os seus faxes não puderam chegar ao seu gabinete, por isso entregamos os seus nomes como petição.",
			countryOne: "%[2]d país", countryOther: "%[2]d países", askFor: "Pedimos:",
			signatures: "Assinaturas (%d)", number: "Nº", name: "Nome", city: "Cidade", cntr: "País",
			totalOne: "Total: %[1]d assinatura de ${countries}.", totalOther: "Total: %[1]d assinaturas de ${countries}.",
			footer: "petição entregue com faxjam", page: "Página %d de %d",
		}, b
	case "fr":
		return phrases{
			to:         "À :",
			introOne:   "La personne qui signe ci-dessous, de ${countries}, s'est jointe à la campagne « %[3]s » de %[4]s. Son fax n'a pas pu parvenir à votre bureau ; nous vous remettons donc son nom sous forme de pétition.",
			introOther: "Les %[1]d personnes qui signent ci-dessous, de ${countries}, se sont jointes à la campagne « %[3]s » de %[4]s. Leurs fax n'ont pas pu parvenir à votre bureau ; nous vous remettons donc leurs noms sous forme de pétition.",
			countryOne: "%[2]d pays", countryOther: "%[2]d pays", askFor: "Nous vous demandons :",
			signatures: "Signatures (%d)", number: "N°", name: "Nom", city: "Ville", cntr: "Pays",
			totalOne: "Total : %[1]d signature de ${countries}.", totalOther: "Total : %[1]d signatures de ${countries}.",
			footer: "pétition remise avec faxjam", page: "Page %d sur %d",
		}, b
	case "de":
		return phrases{
			to:         "An:",
			introOne:   "Die unterzeichnende Person aus ${countries} hat sich der Kampagne „%[3]s“ von %[4]s angeschlossen. Ihr Fax konnte Ihr Büro nicht erreichen; deshalb übergeben wir Ihnen ihren Namen als Petition.",
			introOther: "Die %[1]d Unterzeichnenden aus ${countries} haben sich der Kampagne „%[3]s“ von %[4]s angeschlossen. Ihre Faxe konnten Ihr Büro nicht erreichen; deshalb übergeben wir Ihnen ihre Namen als Petition.",
			countryOne: "%[2]d Land", countryOther: "%[2]d Ländern", askFor: "Wir bitten Sie um:",
			signatures: "Unterschriften (%d)", number: "Nr.", name: "Name", city: "Ort", cntr: "Land",
			totalOne: "Insgesamt: %[1]d Unterschrift aus ${countries}.", totalOther: "Insgesamt: %[1]d Unterschriften aus ${countries}.",
			footer: "Petition übergeben mit faxjam", page: "Seite %d von %d",
		}, b
	}
	return phrases{
		to:         "To:",
		introOne:   "The person signing below, from ${countries}, joined the campaign “%[3]s” by %[4]s. Their fax could not reach your office, so we deliver their name to you as a petition.",
		introOther: "The %[1]d people signing below, from ${countries}, joined the campaign “%[3]s” by %[4]s. Their faxes could not reach your office, so we deliver their names to you as a petition.",
		countryOne: "%[2]d country", countryOther: "%[2]d countries", askFor: "We ask for:",
		signatures: "Signatures (%d)", number: "No.", name: "Name", city: "City", cntr: "Country",
		totalOne: "Total: %[1]d signature from ${countries}.", totalOther: "Total: %[1]d signatures from ${countries}.",
		footer: "petition delivered with faxjam", page: "Page %d of %d",
	}, "en"
}
