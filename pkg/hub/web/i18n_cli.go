package web

import "strings"

// T is the UI catalog for the command line (`faxjam about`): the words of
// key in lang (one of the five page languages, by its base; others get
// English), formatted with args. The signing page and about share this one
// catalog, so a heading reads the same in both.
func T(lang, key string, args ...any) string {
	return tr(UILang(lang), key, args...)
}

// UILang is the page language for lang: its base when it is one of the
// five the catalog speaks (es, en, fr, de, pt), else English.
func UILang(lang string) string {
	base, _, _ := strings.Cut(strings.ToLower(lang), "-")
	for _, l := range pageLangs {
		if l == base {
			return l
		}
	}
	return "en"
}

// cliMessages are the words only `faxjam about` says (en, es, fr, de, pt);
// tr finds them after messages.
var cliMessages = map[string][5]string{
	"background": {"Background", "Contexto", "Contexte", "Hintergrund", "Contexto"},
	"who_h":      {"Who receives the faxes", "Quién recibe los faxes", "Qui reçoit les fax", "Wer die Faxe erhält", "Quem recebe os faxes"},
	"k_target":   {"Target", "Destinatario", "Destinataire", "Empfänger", "Destinatário"},
	"k_title":    {"Title", "Cargo", "Fonction", "Titel", "Cargo"},
	"k_office":   {"Office", "Institución", "Institution", "Behörde", "Instituição"},
	"k_numbers":  {"Fax numbers", "Números de fax", "Numéros de fax", "Faxnummern", "Números de fax"},
	"k_fictitious": {" (%d fictitious, for rehearsal: faxjam never dials them for real)", " (%d ficticios, para ensayar: faxjam nunca los marca de verdad)",
		" (%d fictifs, pour répéter : faxjam ne les compose jamais pour de vrai)", " (%d fiktiv, zum Proben: faxjam wählt sie nie wirklich)",
		" (%d fictícios, para ensaiar: o faxjam nunca os marca de verdade)"},
	"k_letter_in": {"Letter in", "Carta en", "Lettre en", "Brief auf", "Carta em"},
	"k_planb":     {"Plan B", "Plan B", "Plan B", "Plan B", "Plano B"},
	"planb_v": {"if every number is down, your name goes on the petition", "si todos los números están caídos, su nombre va a la petición",
		"si tous les numéros sont hors service, votre nom rejoint la pétition", "wenn alle Nummern ausfallen, kommt Ihr Name auf die Petition",
		"se todos os números estiverem em baixo, o seu nome vai para a petição"},
	"since": {"since %s", "desde %s", "depuis le %s", "seit %s", "desde %s"},
	"span":  {"%s to %s", "del %s al %s", "du %s au %s", "%s bis %s", "de %s a %s"},
	"next": {"Next: %s reads your letter, %s sends it.", "Después: %s muestra su carta, %s la envía.", "Ensuite : %s affiche votre lettre, %s l’envoie.",
		"Weiter: %s zeigt Ihren Brief, %s sendet ihn.", "A seguir: %s mostra a sua carta, %s envia-a."},
}
