package export

import (
	"fmt"
	"strings"
)

// phrases are the petition's own words around the campaign's appeal, in the
// languages faxjam's letters speak; others get English.
type phrases struct {
	to                          string
	introf                      string // count, countries, campaign title, organizer
	askFor                      string // the sentence that introduces the asks
	signatures                  string // heading, with the count
	number, name, city, country string
	total                       string // count, countries
	footer                      string
	page                        string // page, pages
}

// intro is the paragraph before the asks; without asks it does not
// announce any.
func (p phrases) intro(n, countries int, title, organizer string, asks bool) string {
	if organizer == "" {
		organizer = "—"
	}
	s := fmt.Sprintf(p.introf, n, countries, title, organizer)
	if asks {
		s += " " + p.askFor
	}
	return s
}

func base(lang string) string {
	b, _, _ := strings.Cut(strings.ToLower(lang), "-")
	return b
}

func phrasesFor(lang string) phrases {
	switch base(lang) {
	case "es":
		return phrases{
			to:     "A:",
			introf: "Las %d personas que firman a continuación, de %d países, se sumaron a la campaña «%s» de %s. Sus faxes no pudieron llegar a su despacho, por lo que le entregamos sus nombres como petición.", askFor: "Le pedimos:",
			signatures: "Firmas (%d)", number: "Nº", name: "Nombre", city: "Ciudad", country: "País",
			total:  "Total: %d firmas de %d países.",
			footer: "petición entregada con faxjam", page: "Página %d de %d",
		}
	case "pt":
		return phrases{
			to:     "A:",
			introf: "As %d pessoas que assinam abaixo, de %d países, aderiram à campanha «%s» de %s. Os seus faxes não puderam chegar ao seu gabinete, por isso entregamos os seus nomes como petição.", askFor: "Pedimos:",
			signatures: "Assinaturas (%d)", number: "Nº", name: "Nome", city: "Cidade", country: "País",
			total:  "Total: %d assinaturas de %d países.",
			footer: "petição entregue com faxjam", page: "Página %d de %d",
		}
	case "fr":
		return phrases{
			to:     "À :",
			introf: "Les %d personnes qui signent ci-dessous, de %d pays, se sont jointes à la campagne « %s » de %s. Leurs fax n'ont pas pu parvenir à votre bureau ; nous vous remettons donc leurs noms sous forme de pétition.", askFor: "Nous vous demandons :",
			signatures: "Signatures (%d)", number: "N°", name: "Nom", city: "Ville", country: "Pays",
			total:  "Total : %d signatures de %d pays.",
			footer: "pétition remise avec faxjam", page: "Page %d sur %d",
		}
	case "de":
		return phrases{
			to:     "An:",
			introf: "Die %d Unterzeichnenden aus %d Ländern haben sich der Kampagne „%s“ von %s angeschlossen. Ihre Faxe konnten Ihr Büro nicht erreichen; deshalb übergeben wir Ihnen ihre Namen als Petition.", askFor: "Wir bitten Sie um:",
			signatures: "Unterschriften (%d)", number: "Nr.", name: "Name", city: "Ort", country: "Land",
			total:  "Insgesamt: %d Unterschriften aus %d Ländern.",
			footer: "Petition übergeben mit faxjam", page: "Seite %d von %d",
		}
	}
	return phrases{
		to:     "To:",
		introf: "The %d people signing below, from %d countries, joined the campaign “%s” by %s. Their faxes could not reach your office, so we deliver their names to you as a petition.", askFor: "We ask for:",
		signatures: "Signatures (%d)", number: "No.", name: "Name", city: "City", country: "Country",
		total:  "Total: %d signatures from %d countries.",
		footer: "petition delivered with faxjam", page: "Page %d of %d",
	}
}
