package web

import (
	"fmt"
	"net/http"
	"strings"

	"golang.org/x/text/language"
)

// pageLangs are the languages of the page's own words, in the order of
// each messages entry.
var pageLangs = []string{"en", "es", "fr", "de", "pt"}

// langMatcher picks a page language from Accept-Language.
var langMatcher = language.NewMatcher([]language.Tag{language.English, language.Spanish, language.French, language.German, language.Portuguese})

// langNames are language names in their own language, for the switch and
// the letter's language menu.
var langNames = map[string]string{"en": "English", "es": "Español", "fr": "Français", "de": "Deutsch", "pt": "Português"}

func langName(code string) string {
	if n, ok := langNames[code]; ok {
		return n
	}
	base, _, _ := strings.Cut(code, "-")
	if n, ok := langNames[base]; ok {
		return n + " (" + code + ")"
	}
	return code
}

// pageLang chooses the page's language: an explicit choice (the switch's
// ?lang= or a form's ui field) when it is one of pageLangs, else the best
// match for Accept-Language, else English.
func pageLang(r *http.Request, explicit string) string {
	for _, l := range pageLangs {
		if explicit == l {
			return l
		}
	}
	tags, _, err := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	if err != nil || len(tags) == 0 {
		return "en"
	}
	_, i, conf := langMatcher.Match(tags...)
	if conf == language.No {
		return "en"
	}
	return pageLangs[i]
}

// tr returns the text for key in lang, formatted with args.
func tr(lang, key string, args ...any) string {
	m, ok := messages[key]
	if !ok {
		m, ok = cliMessages[key]
	}
	if !ok {
		return key // a missing key shows, and TestEveryKeyInEveryLanguage catches it
	}
	i := 0
	for j, l := range pageLangs {
		if l == lang {
			i = j
		}
	}
	if len(args) == 0 {
		return m[i]
	}
	return fmt.Sprintf(m[i], args...)
}

// messages are the page's words: en, es, fr, de, pt.
var messages = map[string][5]string{
	"skip":        {"Skip to main content", "Ir al contenido", "Aller au contenu", "Zum Inhalt springen", "Ir para o conteúdo"},
	"lang_switch": {"Language of this page", "Idioma de esta página", "Langue de cette page", "Sprache dieser Seite", "Idioma desta página"},
	"facts":       {"Key facts", "Datos clave", "Faits essentiels", "Die wichtigsten Fakten", "Fatos principais"},
	"asks":        {"What we ask", "Lo que pedimos", "Ce que nous demandons", "Was wir fordern", "O que pedimos"},
	"target":      {"Your letter goes to", "Su carta va dirigida a", "Votre lettre est adressée à", "Ihr Brief geht an", "A sua carta vai para"},
	"lines_h":     {"The fax lines now", "Las líneas de fax ahora", "Les lignes de fax en ce moment", "Die Faxleitungen jetzt", "As linhas de fax agora"},
	"lines_answer": {"%d of %d fax lines answer right now.", "%d de %d líneas de fax responden ahora.", "%d lignes de fax sur %d répondent en ce moment.",
		"%d von %d Faxleitungen nehmen gerade an.", "%d de %d linhas de fax atendem agora."},
	"lines_today": {"Letters delivered today: %d.", "Cartas entregadas hoy: %d.", "Lettres remises aujourd’hui : %d.", "Heute zugestellte Briefe: %d.", "Cartas entregues hoje: %d."},
	"lines_written_today": {"Letters written today (rehearsal, not faxed): %d.", "Cartas guardadas hoy (ensayo, sin fax): %d.", "Lettres enregistrées aujourd’hui (répétition, sans fax) : %d.",
		"Heute abgelegte Briefe (Probelauf, nicht gefaxt): %d.", "Cartas guardadas hoje (ensaio, sem fax): %d."},
	"lines_queue": {"Waiting to be faxed: %d.", "En espera de envío: %d.", "En attente d’envoi : %d.", "Warten auf Versand: %d.", "À espera de envio: %d."},
	"lines_paused": {"The organizer has paused sending. Your action is still taken and is faxed when sending resumes.",
		"La organización ha pausado los envíos. Su acción se registra igualmente y se enviará cuando se reanuden.",
		"L’organisation a mis les envois en pause. Votre action est tout de même prise en compte et sera faxée à la reprise.",
		"Die Organisation hat den Versand angehalten. Ihre Aktion wird trotzdem angenommen und gefaxt, sobald es weitergeht.",
		"A organização pausou os envios. A sua ação é registada na mesma e será enviada quando os envios forem retomados."},
	"lines_down": {"Every fax line is down right now. If they stay down, your name goes on the petition that is delivered instead.",
		"Todas las líneas de fax están caídas ahora. Si siguen así, su nombre se suma a la petición que se entrega en su lugar.",
		"Toutes les lignes de fax sont coupées en ce moment. Si elles le restent, votre nom est ajouté à la pétition remise à la place.",
		"Alle Faxleitungen sind gerade ausgefallen. Bleibt das so, kommt Ihr Name auf die Petition, die stattdessen übergeben wird.",
		"Todas as linhas de fax estão em baixo agora. Se continuarem assim, o seu nome vai para a petição entregue em vez do fax."},
	"rehearsal_h": {"Rehearsal.", "Ensayo.", "Répétition.", "Probelauf.", "Ensaio."},
	"rehearsal": {"This hub dials nothing: each letter is written to the organizer's outbox and is not faxed to the target.",
		"Este servidor no marca ningún número: cada carta se guarda en la bandeja de la organización y no se envía por fax al destinatario.",
		"Ce serveur ne compose aucun numéro : chaque lettre est enregistrée dans la boîte d’envoi de l’organisation et n’est pas faxée au destinataire.",
		"Dieser Server wählt keine Nummer: Jeder Brief wird im Postausgang der Organisation abgelegt und nicht an den Empfänger gefaxt.",
		"Este servidor não marca nenhum número: cada carta fica guardada na caixa de saída da organização e não é enviada por fax ao destinatário."},
	"st_written": {"Written (rehearsal)", "Guardada (ensayo)", "Enregistrée (répétition)", "Abgelegt (Probelauf)", "Guardada (ensaio)"},
	"sd_written": {"This is a rehearsal: your letter was written to the organizer's outbox. Nothing was faxed to the target.",
		"Esto es un ensayo: su carta se guardó en la bandeja de la organización. No se envió nada por fax al destinatario.",
		"Ceci est une répétition : votre lettre a été enregistrée dans la boîte d’envoi de l’organisation. Rien n’a été faxé au destinataire.",
		"Dies ist ein Probelauf: Ihr Brief wurde im Postausgang der Organisation abgelegt. An den Empfänger wurde nichts gefaxt.",
		"Isto é um ensaio: a sua carta foi guardada na caixa de saída da organização. Nada foi enviado por fax ao destinatário."},
	"err_key_used": {"This form was already sent with other details. Check your details and send it again.",
		"Este formulario ya se envió con otros datos. Revise sus datos y envíelo de nuevo.",
		"Ce formulaire a déjà été envoyé avec d’autres informations. Vérifiez vos informations et renvoyez-le.",
		"Dieses Formular wurde bereits mit anderen Angaben gesendet. Prüfen Sie Ihre Angaben und senden Sie es erneut.",
		"Este formulário já foi enviado com outros dados. Verifique os seus dados e envie-o de novo."},
	"lines_quiet": {"It is quiet hours at the target's office: no fax is sent now. Your letter is kept and faxed when dialling starts again.",
		"Es horario de descanso en la oficina destinataria: ahora no se envían faxes. Su carta se guarda y se envía cuando se reanuden las llamadas.",
		"C’est l’heure de repos au bureau destinataire : aucun fax n’est envoyé maintenant. Votre lettre est gardée et faxée à la reprise des appels.",
		"Im Büro des Empfängers ist Ruhezeit: Jetzt wird nichts gefaxt. Ihr Brief wird aufbewahrt und gefaxt, sobald wieder gewählt wird.",
		"É horário de silêncio no escritório de destino: agora não se enviam faxes. A sua carta fica guardada e é enviada quando as chamadas recomeçarem."},
	"lines_quiet_in": {"It is quiet hours at the target's office: no fax is sent now. Your letter is kept, and dialling starts again in %s.",
		"Es horario de descanso en la oficina destinataria: ahora no se envían faxes. Su carta se guarda y las llamadas se reanudan dentro de %s.",
		"C’est l’heure de repos au bureau destinataire : aucun fax n’est envoyé maintenant. Votre lettre est gardée et les appels reprennent dans %s.",
		"Im Büro des Empfängers ist Ruhezeit: Jetzt wird nichts gefaxt. Ihr Brief wird aufbewahrt, und in %s wird wieder gewählt.",
		"É horário de silêncio no escritório de destino: agora não se enviam faxes. A sua carta fica guardada e as chamadas recomeçam dentro de %s."},
	"lines_unknown": {"The state of the lines cannot be shown right now.", "El estado de las líneas no se puede mostrar ahora.", "L’état des lignes ne peut pas être affiché pour le moment.",
		"Der Zustand der Leitungen kann gerade nicht angezeigt werden.", "O estado das linhas não pode ser mostrado agora."},
	"form_h": {"Send your letter", "Envíe su carta", "Envoyez votre lettre", "Senden Sie Ihren Brief", "Envie a sua carta"},
	"form_intro": {"Your letter is faxed in your name. Name, city and country are required; everything else is optional.",
		"Su carta se envía por fax con su nombre. Nombre, ciudad y país son obligatorios; lo demás es opcional.",
		"Votre lettre est faxée en votre nom. Le nom, la ville et le pays sont obligatoires ; le reste est facultatif.",
		"Ihr Brief wird in Ihrem Namen gefaxt. Name, Ort und Land sind Pflicht, alles andere ist freiwillig.",
		"A sua carta é enviada por fax em seu nome. Nome, cidade e país são obrigatórios; o resto é opcional."},
	"form_intro_confirm": {"Your letter is faxed in your name once you confirm your email. Name, city, country and email are required; the rest is optional.",
		"Su carta se envía con su nombre cuando confirme su correo. Nombre, ciudad, país y correo son obligatorios; lo demás es opcional.",
		"Votre lettre est faxée en votre nom dès que vous confirmez votre adresse. Le nom, la ville, le pays et l’e-mail sont obligatoires ; le reste est facultatif.",
		"Ihr Brief wird in Ihrem Namen gefaxt, sobald Sie Ihre E-Mail bestätigen. Name, Ort, Land und E-Mail sind Pflicht, der Rest ist freiwillig.",
		"A sua carta é enviada em seu nome quando confirmar o seu e-mail. Nome, cidade, país e e-mail são obrigatórios; o resto é opcional."},
	"name":    {"Your name", "Su nombre", "Votre nom", "Ihr Name", "O seu nome"},
	"city":    {"City", "Ciudad", "Ville", "Ort", "Cidade"},
	"country": {"Country", "País", "Pays", "Land", "País"},
	"email":   {"Email", "Correo electrónico", "Adresse e-mail", "E-Mail", "E-mail"},
	"note":    {"A few words of your own", "Unas palabras suyas", "Quelques mots de vous", "Ein paar eigene Worte", "Algumas palavras suas"},
	"lang":    {"Your language", "Su idioma", "Votre langue", "Ihre Sprache", "O seu idioma"},
	"lang_hint": {"The letter is faxed in %s, the language its reader reads; this says which language is yours.", "La carta se envía en %s, el idioma de quien la lee; aquí indica cuál es el suyo.",
		"La lettre est faxée en %s, la langue de sa destinataire ; indiquez ici la vôtre.", "Der Brief wird auf %s gefaxt, in der Sprache der Empfängerin; hier geben Sie Ihre an.",
		"A carta é enviada em %s, a língua de quem a lê; aqui indica a sua."},
	"sample_h":    {"Read the letter (%s)", "Lea la carta (%s)", "Lire la lettre (%s)", "Den Brief lesen (%s)", "Leia a carta (%s)"},
	"letter_text": {"What your letter says, in %s", "Lo que dice su carta, en %s", "Ce que dit votre lettre, en %s", "Was Ihr Brief sagt, auf %s", "O que diz a sua carta, em %s"},
	"already_h":   {"You have already taken part", "Ya ha participado", "Vous avez déjà participé", "Sie haben schon teilgenommen", "Já participou"},
	"already": {"This campaign takes one action per person, and yours is already in: its state is “%s”. Your receipt is the page address you were given then.",
		"Esta campaña admite una acción por persona y la suya ya está registrada: su estado es «%s». Su recibo es la dirección de página que recibió entonces.",
		"Cette campagne prend une action par personne, et la vôtre est déjà enregistrée : son état est « %s ». Votre reçu est l’adresse de page reçue alors.",
		"Diese Kampagne nimmt eine Aktion pro Person an, und Ihre ist schon da: Ihr Stand ist „%s“. Ihre Quittung ist die Seitenadresse, die Sie damals bekamen.",
		"Esta campanha aceita uma ação por pessoa e a sua já está registada: o estado é «%s». O seu recibo é o endereço de página que recebeu então."},
	"required": {"required", "obligatorio", "obligatoire", "Pflichtfeld", "obrigatório"},
	"optional": {"optional", "opcional", "facultatif", "freiwillig", "opcional"},
	"email_hint": {"Never faxed. Only the organizer sees it.", "Nunca se envía por fax. Solo la ve la organización.", "Jamais faxée. Seule l’organisation la voit.",
		"Wird nie gefaxt. Nur die Organisation sieht sie.", "Nunca é enviado por fax. Só a organização o vê."},
	"note_hint": {"Printed in your letter. At most %d characters and %d lines.", "Se imprime en su carta. Como máximo %d caracteres y %d líneas.",
		"Imprimés dans votre lettre. Au plus %d caractères et %d lignes.", "Wird in Ihren Brief gedruckt. Höchstens %d Zeichen und %d Zeilen.",
		"Impressas na sua carta. No máximo %d caracteres e %d linhas."},
	"honeypot":    {"Leave this field empty", "Deje este campo vacío", "Laissez ce champ vide", "Dieses Feld leer lassen", "Deixe este campo vazio"},
	"btn_preview": {"Preview my letter", "Ver mi carta", "Voir ma lettre", "Meinen Brief ansehen", "Ver a minha carta"},
	"btn_send":    {"Send my letter", "Enviar mi carta", "Envoyer ma lettre", "Meinen Brief senden", "Enviar a minha carta"},
	"preview_h":   {"Your letter, as it will be faxed", "Su carta, tal como se enviará", "Votre lettre, telle qu’elle sera faxée", "Ihr Brief, so wie er gefaxt wird", "A sua carta, tal como será enviada"},
	"preview_alt": {"The fax page of your letter, signed %s", "La página de fax de su carta, firmada por %s", "La page de fax de votre lettre, signée %s", "Die Faxseite Ihres Briefes, unterschrieben von %s", "A página de fax da sua carta, assinada por %s"},
	"preview_note": {"Check it. Change anything in the form, or send it as it is.", "Revísela. Cambie lo que quiera en el formulario, o envíela tal cual.",
		"Vérifiez-la. Modifiez le formulaire si besoin, ou envoyez-la telle quelle.", "Prüfen Sie ihn. Ändern Sie das Formular oder senden Sie ihn so.",
		"Verifique-a. Altere o que quiser no formulário, ou envie-a assim."},
	"errors_h":     {"Please correct the following", "Corrija lo siguiente", "Veuillez corriger ce qui suit", "Bitte korrigieren Sie Folgendes", "Corrija o seguinte"},
	"err_required": {"Fill in this field.", "Rellene este campo.", "Remplissez ce champ.", "Bitte füllen Sie dieses Feld aus.", "Preencha este campo."},
	"err_markup": {"Remove the < and > signs: markup is not allowed.", "Quite los signos < y >: no se admite código.", "Retirez les signes < et > : le balisage n’est pas accepté.",
		"Entfernen Sie die Zeichen < und >: Auszeichnungen sind nicht erlaubt.", "Retire os sinais < e >: não é permitido código."},
	"err_template": {"Remove the {{ and }} signs.", "Quite los signos {{ y }}.", "Retirez les signes {{ et }}.", "Entfernen Sie die Zeichen {{ und }}.", "Retire os sinais {{ e }}."},
	"err_control": {"Remove the invisible control character (%s).", "Quite el carácter de control invisible (%s).", "Retirez le caractère de contrôle invisible (%s).",
		"Entfernen Sie das unsichtbare Steuerzeichen (%s).", "Retire o carácter de controlo invisível (%s)."},
	"err_long": {"Too long: %d characters, at most %d.", "Demasiado largo: %d caracteres, como máximo %d.", "Trop long : %d caractères, au plus %d.",
		"Zu lang: %d Zeichen, höchstens %d.", "Demasiado longo: %d caracteres, no máximo %d."},
	"err_lines": {"Too many lines: %d, at most %d.", "Demasiadas líneas: %d, como máximo %d.", "Trop de lignes : %d, au plus %d.", "Zu viele Zeilen: %d, höchstens %d.", "Demasiadas linhas: %d, no máximo %d."},
	"err_char": {"The character %s cannot be used here.", "El carácter %s no se puede usar aquí.", "Le caractère %s ne peut pas être utilisé ici.",
		"Das Zeichen %s kann hier nicht verwendet werden.", "O carácter %s não pode ser usado aqui."},
	"err_letter": {"Use at least one letter.", "Use al menos una letra.", "Utilisez au moins une lettre.", "Verwenden Sie mindestens einen Buchstaben.", "Use pelo menos uma letra."},
	"err_email": {"Enter an email address like name@example.org, or leave it empty.", "Escriba una dirección como nombre@ejemplo.org, o déjelo vacío.",
		"Saisissez une adresse comme nom@exemple.org, ou laissez vide.", "Geben Sie eine Adresse wie name@beispiel.org ein oder lassen Sie das Feld leer.",
		"Escreva um endereço como nome@exemplo.org, ou deixe vazio."},
	"err_utf8": {"This text could not be read. Please type it again.", "Este texto no se pudo leer. Escríbalo de nuevo.", "Ce texte est illisible. Veuillez le saisir à nouveau.",
		"Dieser Text war nicht lesbar. Bitte geben Sie ihn neu ein.", "Este texto não pôde ser lido. Escreva-o de novo."},
	"err_lang": {"Choose one of the listed languages.", "Elija uno de los idiomas de la lista.", "Choisissez l’une des langues proposées.", "Wählen Sie eine der angebotenen Sprachen.", "Escolha um dos idiomas da lista."},
	"err_note_required": {"This campaign asks for a line in your own words.", "Esta campaña pide una línea con sus propias palabras.", "Cette campagne demande une ligne de votre main.",
		"Diese Kampagne bittet um eine Zeile in Ihren eigenen Worten.", "Esta campanha pede uma linha com as suas palavras."},
	"err_other": {"Not accepted: %s", "No aceptado: %s", "Refusé : %s", "Nicht angenommen: %s", "Não aceite: %s"},
	"err_honeypot": {"This form could not be accepted. If you are a person, leave the field “Leave this field empty” empty and send it again.",
		"No se pudo aceptar este formulario. Si es una persona, deje vacío el campo «Deje este campo vacío» y envíelo de nuevo.",
		"Ce formulaire n’a pas pu être accepté. Si vous êtes une personne, laissez vide le champ « Laissez ce champ vide » et renvoyez-le.",
		"Dieses Formular konnte nicht angenommen werden. Wenn Sie ein Mensch sind, lassen Sie das Feld „Dieses Feld leer lassen“ leer und senden Sie es erneut.",
		"Não foi possível aceitar este formulário. Se é uma pessoa, deixe vazio o campo «Deixe este campo vazio» e envie-o de novo."},
	"err_origin_h": {"Form refused", "Formulario rechazado", "Formulaire refusé", "Formular abgelehnt", "Formulário recusado"},
	"err_origin": {"This form was sent from another site, so it was refused and nothing was stored. Open the campaign page itself and send it from there.",
		"Este formulario se envió desde otro sitio, por eso se rechazó y no se guardó nada. Abra la página de la campaña y envíelo desde allí.",
		"Ce formulaire a été envoyé depuis un autre site : il a été refusé et rien n’a été enregistré. Ouvrez la page de la campagne et envoyez-le depuis celle-ci.",
		"Dieses Formular wurde von einer anderen Website gesendet; es wurde abgelehnt und nichts gespeichert. Öffnen Sie die Kampagnenseite selbst und senden Sie es dort.",
		"Este formulário foi enviado de outro site, por isso foi recusado e nada foi guardado. Abra a página da campanha e envie-o a partir dela."},
	"err_backend": {"Something went wrong on our side and nothing was sent. Please try again in a minute.", "Algo falló de nuestro lado y no se envió nada. Inténtelo de nuevo en un minuto.",
		"Un problème est survenu de notre côté et rien n’a été envoyé. Réessayez dans une minute.", "Bei uns ist etwas schiefgegangen, es wurde nichts gesendet. Bitte versuchen Sie es in einer Minute erneut.",
		"Algo correu mal do nosso lado e nada foi enviado. Tente de novo daqui a um minuto."},
	"err_too_big": {"The form is too large to be accepted. Shorten your note.", "El formulario es demasiado grande. Acorte su texto.", "Le formulaire est trop volumineux. Raccourcissez votre texte.",
		"Das Formular ist zu groß. Kürzen Sie Ihren Text.", "O formulário é demasiado grande. Encurte o seu texto."},
	"receipt_h": {"Your receipt", "Su recibo", "Votre reçu", "Ihre Quittung", "O seu recibo"},
	"receipt_keep": {"Keep this page’s address: it is your receipt. It holds no name, and only you have it.",
		"Guarde la dirección de esta página: es su recibo. No contiene ningún nombre y solo usted la tiene.",
		"Gardez l’adresse de cette page : c’est votre reçu. Elle ne contient aucun nom et vous seul l’avez.",
		"Bewahren Sie die Adresse dieser Seite auf: Sie ist Ihre Quittung. Sie enthält keinen Namen, und nur Sie haben sie.",
		"Guarde o endereço desta página: é o seu recibo. Não contém nenhum nome e só você o tem."},
	"receipt_dup": {"You had already taken part in this campaign: this is your first receipt. One action per person.",
		"Ya había participado en esta campaña: este es su primer recibo. Una acción por persona.",
		"Vous aviez déjà participé à cette campagne : voici votre premier reçu. Une action par personne.",
		"Sie hatten bereits an dieser Kampagne teilgenommen: Dies ist Ihre erste Quittung. Eine Aktion pro Person.",
		"Já tinha participado nesta campanha: este é o seu primeiro recibo. Uma ação por pessoa."},
	"state":     {"State", "Estado", "État", "Stand", "Estado"},
	"st_queued": {"Queued", "En cola", "En attente", "In der Warteschlange", "Na fila"},
	"sd_queued": {"Your letter is in the queue and is faxed as soon as a line is free.", "Su carta está en la cola y se envía en cuanto haya una línea libre.",
		"Votre lettre est dans la file et sera faxée dès qu’une ligne sera libre.", "Ihr Brief ist in der Warteschlange und wird gefaxt, sobald eine Leitung frei ist.",
		"A sua carta está na fila e é enviada assim que houver uma linha livre."},
	"st_sending":   {"Sending", "Enviando", "Envoi en cours", "Wird gesendet", "A enviar"},
	"sd_sending":   {"Your letter is being faxed now.", "Su carta se está enviando por fax ahora.", "Votre lettre est en train d’être faxée.", "Ihr Brief wird gerade gefaxt.", "A sua carta está a ser enviada agora."},
	"st_submitted": {"With the fax service", "En el servicio de fax", "Chez le service de fax", "Beim Faxdienst", "No serviço de fax"},
	"sd_submitted": {"The fax service has your letter and is delivering it.", "El servicio de fax tiene su carta y la está entregando.", "Le service de fax a votre lettre et la transmet.",
		"Der Faxdienst hat Ihren Brief und stellt ihn zu.", "O serviço de fax tem a sua carta e está a entregá-la."},
	"st_delivered":  {"Delivered", "Entregada", "Remise", "Zugestellt", "Entregue"},
	"sd_delivered":  {"Your letter was delivered to %s at %s.", "Su carta se entregó a %s el %s.", "Votre lettre a été remise à %s le %s.", "Ihr Brief wurde am %[2]s an %[1]s zugestellt.", "A sua carta foi entregue a %s em %s."},
	"st_petitioned": {"On the petition", "En la petición", "Sur la pétition", "Auf der Petition", "Na petição"},
	"sd_petitioned": {"The fax lines were down, so your name went on the petition that is delivered instead.", "Las líneas de fax estaban caídas, así que su nombre se sumó a la petición que se entrega en su lugar.",
		"Les lignes de fax étaient coupées : votre nom a été ajouté à la pétition remise à la place.", "Die Faxleitungen waren ausgefallen, daher steht Ihr Name auf der Petition, die stattdessen übergeben wird.",
		"As linhas de fax estavam em baixo, por isso o seu nome foi para a petição entregue em vez do fax."},
	"st_failed": {"Not delivered", "No entregada", "Non remise", "Nicht zugestellt", "Não entregue"},
	"sd_failed": {"Your letter could not be delivered. The organizer has been told.", "Su carta no se pudo entregar. La organización está informada.", "Votre lettre n’a pas pu être remise. L’organisation est prévenue.",
		"Ihr Brief konnte nicht zugestellt werden. Die Organisation ist informiert.", "A sua carta não pôde ser entregue. A organização foi informada."},
	"st_unknown": {"Being checked", "En verificación", "En vérification", "Wird geprüft", "Em verificação"},
	"sd_unknown": {"The delivery could not be confirmed; the organizer checks it by hand.", "No se pudo confirmar la entrega; la organización la revisa a mano.",
		"La remise n’a pas pu être confirmée ; l’organisation la vérifie.", "Die Zustellung ließ sich nicht bestätigen; die Organisation prüft sie von Hand.",
		"Não foi possível confirmar a entrega; a organização verifica-a à mão."},
	"st_unconfirmed": {"Waiting for your confirmation", "Esperando su confirmación", "En attente de votre confirmation", "Wartet auf Ihre Bestätigung", "À espera da sua confirmação"},
	"sd_unconfirmed": {"Confirm your email address with the link we sent you.", "Confirme su correo con el enlace que le enviamos.", "Confirmez votre adresse avec le lien que nous vous avons envoyé.",
		"Bestätigen Sie Ihre Adresse über den Link, den wir Ihnen geschickt haben.", "Confirme o seu e-mail com a ligação que lhe enviámos."},
	"st_expired": {"Expired", "Caducada", "Expirée", "Abgelaufen", "Expirada"},
	"sd_expired": {"The confirmation was not given in time, so nothing was sent.", "La confirmación no llegó a tiempo, así que no se envió nada.", "La confirmation n’est pas arrivée à temps : rien n’a été envoyé.",
		"Die Bestätigung kam nicht rechtzeitig, daher wurde nichts gesendet.", "A confirmação não chegou a tempo, por isso nada foi enviado."},
	"refresh_note": {"This page updates itself every %d seconds until your letter is delivered.", "Esta página se actualiza cada %d segundos hasta que su carta se entregue.",
		"Cette page se met à jour toutes les %d secondes jusqu’à la remise de votre lettre.", "Diese Seite aktualisiert sich alle %d Sekunden, bis Ihr Brief zugestellt ist.",
		"Esta página atualiza-se a cada %d segundos até a sua carta ser entregue."},
	"refresh_stop": {"Stop updating", "Dejar de actualizar", "Arrêter la mise à jour", "Aktualisierung beenden", "Parar de atualizar"},
	"refresh_now":  {"Update now", "Actualizar ahora", "Mettre à jour", "Jetzt aktualisieren", "Atualizar agora"},
	"fax_h":        {"The page that was faxed", "La página que se envió por fax", "La page qui a été faxée", "Die gefaxte Seite", "A página enviada por fax"},
	"fax_alt":      {"The faxed page of your letter", "La página enviada de su carta", "La page faxée de votre lettre", "Die gefaxte Seite Ihres Briefes", "A página enviada da sua carta"},
	"notfound_h":   {"Receipt not found", "Recibo no encontrado", "Reçu introuvable", "Quittung nicht gefunden", "Recibo não encontrado"},
	"notfound": {"Check the address: it must be copied whole.", "Revise la dirección: debe copiarse entera.", "Vérifiez l’adresse : elle doit être copiée en entier.",
		"Prüfen Sie die Adresse: Sie muss vollständig kopiert sein.", "Verifique o endereço: tem de ser copiado por inteiro."},
	"back": {"Back to the campaign", "Volver a la campaña", "Retour à la campagne", "Zurück zur Kampagne", "Voltar à campanha"},
	"closed": {"This campaign is closed: it takes no more letters, and nothing is sent.", "Esta campaña está cerrada: no admite más cartas y no se envía nada.",
		"Cette campagne est close : elle ne prend plus de lettres et rien n’est envoyé.", "Diese Kampagne ist beendet: Sie nimmt keine Briefe mehr an, und nichts wird gesendet.",
		"Esta campanha está encerrada: não aceita mais cartas e nada é enviado."},
	"email_confirm": {"We send you a link to confirm; nothing is faxed before you do. Never faxed; only the organizer sees it.",
		"Le enviamos un enlace para confirmar; no se envía nada antes. Nunca se envía por fax; solo la ve la organización.",
		"Nous vous envoyons un lien de confirmation ; rien n’est faxé avant. Jamais faxée ; seule l’organisation la voit.",
		"Wir schicken Ihnen einen Bestätigungslink; vorher wird nichts gefaxt. Wird nie gefaxt; nur die Organisation sieht sie.",
		"Enviamos-lhe uma ligação para confirmar; nada é enviado antes. Nunca é enviado por fax; só a organização o vê."},
	"privacy_h": {"Privacy", "Privacidad", "Confidentialité", "Datenschutz", "Privacidade"},
	"footer":    {"Made with faxjam. No tracking, no scripts.", "Hecho con faxjam. Sin rastreo ni scripts.", "Fait avec faxjam. Sans pistage ni scripts.", "Gemacht mit faxjam. Ohne Tracking, ohne Skripte.", "Feito com faxjam. Sem rastreio nem scripts."},
	// The organizer's pages about people (people.go).
	"forecast_last": {"Forecast: the last of the %d waiting would be faxed about %s (quiet hours and caps included).", "Previsión: la última de las %d en espera se enviaría hacia las %s (con horas de silencio y límites).",
		"Prévision : la dernière des %d en attente partirait vers %s (heures calmes et plafonds compris).", "Prognose: das letzte der %d wartenden ginge gegen %s hinaus (Ruhezeiten und Obergrenzen eingerechnet).",
		"Previsão: a última das %d em espera seria enviada por volta das %s (com horas de silêncio e limites)."},
	"forecast_ends": {"Forecast: the campaign ends %s first: %d of the %d waiting would not be faxed.", "Previsión: la campaña termina antes, %s: %d de las %d en espera no se enviarían.",
		"Prévision : la campagne finit d’abord, %s : %d des %d en attente ne seraient pas faxées.", "Prognose: die Kampagne endet vorher, %s: %d der %d wartenden würden nicht gefaxt.",
		"Previsão: a campanha termina antes, %s: %d das %d em espera não seriam enviadas."},
	"forecast_never": {"Forecast: no number takes calls (every one is held): the %d waiting would go to the petition.", "Previsión: ningún número acepta llamadas (todos retenidos): las %d en espera irían a la petición.",
		"Prévision : aucun numéro ne prend d’appel (tous retenus) : les %d en attente iraient à la pétition.", "Prognose: keine Nummer nimmt Anrufe an (alle gesperrt): die %d wartenden gingen an die Petition.",
		"Previsão: nenhum número aceita chamadas (todos retidos): as %d em espera iriam para a petição."},
	"line_held":   {"held: %s (no fax there)", "retenida: %s (sin fax)", "retenue : %s (pas de fax)", "gesperrt: %s (kein Fax)", "retida: %s (sem fax)"},
	"btn_release": {"Dial it again", "Volver a marcar", "Composer à nouveau", "Wieder wählen", "Voltar a marcar"},
	"people_h":    {"People", "Personas", "Personnes", "Personen", "Pessoas"},
	"people_link": {"Find a person", "Buscar a una persona", "Chercher une personne", "Person suchen", "Procurar uma pessoa"},
	"person_h":    {"Action of", "Acción de", "Action de", "Aktion von", "Ação de"},
	"back_admin":  {"Back to the organizer's page", "Volver a la página de la organización", "Retour à la page de l’organisation", "Zurück zur Seite der Organisation", "Voltar à página da organização"},
	"p_name":      {"Name", "Nombre", "Nom", "Name", "Nome"},
	"accepted":    {"Taken", "Recibida", "Reçue", "Angenommen", "Recebida"},
	"reason":      {"Reason", "Motivo", "Motif", "Grund", "Motivo"},
	"attempts_h":  {"Fax attempts", "Intentos de fax", "Tentatives de fax", "Faxversuche", "Tentativas de fax"},
	"started":     {"Started", "Inicio", "Début", "Beginn", "Início"},
	"finished":    {"Ended", "Fin", "Fin", "Ende", "Fim"},
	"no_attempts": {"No fax was tried yet.", "Aún no se intentó ningún fax.", "Aucun fax n’a encore été tenté.", "Noch kein Faxversuch.", "Ainda não se tentou nenhum fax."},
	"forget_h":    {"Forget this person", "Olvidar a esta persona", "Oublier cette personne", "Diese Person vergessen", "Esquecer esta pessoa"},
	"forget_q": {"Forget %s? Their name, city, country, e-mail and note are deleted from this hub and from its petition, and cannot be brought back. A fax already sent stays sent.",
		"¿Olvidar a %s? Su nombre, ciudad, país, correo y nota se borran de este servidor y de su petición, sin vuelta atrás. Un fax ya enviado sigue enviado.",
		"Oublier %s ? Son nom, sa ville, son pays, son e-mail et sa note sont effacés de ce serveur et de sa pétition, sans retour possible. Un fax déjà envoyé reste envoyé.",
		"%s vergessen? Name, Ort, Land, E-Mail und Notiz werden von diesem Server und aus seiner Petition gelöscht und lassen sich nicht zurückholen. Ein schon gesendetes Fax bleibt gesendet.",
		"Esquecer %s? O nome, a cidade, o país, o e-mail e a nota são apagados deste servidor e da sua petição, sem volta atrás. Um fax já enviado continua enviado."},
	"btn_forget":     {"Forget this person…", "Olvidar a esta persona…", "Oublier cette personne…", "Diese Person vergessen …", "Esquecer esta pessoa…"},
	"btn_forget_yes": {"Yes, forget them", "Sí, olvidarla", "Oui, l’oublier", "Ja, vergessen", "Sim, esquecer"},
	"btn_cancel":     {"Cancel", "Cancelar", "Annuler", "Abbrechen", "Cancelar"},
	"forgotten":      {"%s is forgotten.", "%s ha sido olvidada.", "%s est oubliée.", "%s ist vergessen.", "%s foi esquecida."},
	"search_label":   {"Name or e-mail", "Nombre o correo", "Nom ou e-mail", "Name oder E-Mail", "Nome ou e-mail"},
	"btn_search":     {"Search", "Buscar", "Chercher", "Suchen", "Procurar"},
	"results_h":      {"Found: %d", "Encontradas: %d", "Trouvées : %d", "Gefunden: %d", "Encontradas: %d"},
	"results_more":   {"More match: give more of the name or the e-mail.", "Hay más: escriba más del nombre o del correo.", "Il y en a d’autres : précisez le nom ou l’e-mail.", "Es gibt weitere: geben Sie mehr vom Namen oder der E-Mail an.", "Há mais: escreva mais do nome ou do e-mail."},
	"no_results":     {"Nobody matches.", "Nadie coincide.", "Personne ne correspond.", "Niemand passt.", "Ninguém corresponde."},
	"leader_here":    {"This server is the one dialling.", "Este servidor es el que marca.", "Ce serveur est celui qui compose.", "Dieser Server wählt.", "Este servidor é o que marca."},
	"leader_other":   {"Another server of this hub is dialling (or none is now).", "Otro servidor de este centro marca (o ninguno ahora).", "Un autre serveur de ce centre compose (ou aucun en ce moment).", "Ein anderer Server dieses Hubs wählt (oder gerade keiner).", "Outro servidor deste centro marca (ou nenhum agora)."},
	"export_csv":     {"Export every action (CSV)", "Exportar todas las acciones (CSV)", "Exporter toutes les actions (CSV)", "Alle Aktionen exportieren (CSV)", "Exportar todas as ações (CSV)"},
	"export_json":    {"Export every action (JSON)", "Exportar todas las acciones (JSON)", "Exporter toutes les actions (JSON)", "Alle Aktionen exportieren (JSON)", "Exportar todas as ações (JSON)"},
	"admin_h":        {"Organizer", "Organización", "Organisation", "Organisation", "Organização"},
	"login_h":        {"Sign in", "Iniciar sesión", "Connexion", "Anmelden", "Iniciar sessão"},
	"token":          {"Admin token", "Token de administración", "Jeton d’administration", "Admin-Token", "Token de administração"},
	"btn_login":      {"Sign in", "Entrar", "Se connecter", "Anmelden", "Entrar"},
	"btn_logout":     {"Sign out", "Salir", "Se déconnecter", "Abmelden", "Sair"},
	"err_token":      {"That token is not right.", "Ese token no es correcto.", "Ce jeton n’est pas le bon.", "Dieses Token stimmt nicht.", "Esse token não está certo."},
	"th_label":       {"Line", "Línea", "Ligne", "Leitung", "Linha"},
	"th_number":      {"Number", "Número", "Numéro", "Nummer", "Número"},
	"th_until":       {"Until", "Hasta", "Jusqu’à", "Bis", "Até"},
	"th_inflight":    {"Fax in flight since", "Fax en curso desde", "Fax en cours depuis", "Fax läuft seit", "Fax em curso desde"},
	"th_deliv":       {"Delivered, last hour", "Entregadas, última hora", "Remises, dernière heure", "Zugestellt, letzte Stunde", "Entregues, última hora"},
	"th_failed":      {"Failed, last hour", "Fallidas, última hora", "Échecs, dernière heure", "Fehlgeschlagen, letzte Stunde", "Falhadas, última hora"},
	"line_up":        {"up", "activa", "active", "bereit", "ativa"},
	"line_busy":      {"busy", "ocupada", "occupée", "besetzt", "ocupada"},
	"line_down":      {"down", "caída", "coupée", "ausgefallen", "em baixo"},
	"line_sending":   {"sending", "enviando", "en cours d’envoi", "sendet", "a enviar"},
	"line_quiet":     {"quiet hours", "horas de silencio", "heures calmes", "Ruhezeit", "horas de silêncio"},
	"totals_h":       {"Totals", "Totales", "Totaux", "Summen", "Totais"},
	"t_queue":        {"Queued", "En cola", "En attente", "Wartend", "Na fila"},
	"t_delivered":    {"Delivered", "Entregadas", "Remises", "Zugestellt", "Entregues"},
	"t_today":        {"Delivered today", "Entregadas hoy", "Remises aujourd’hui", "Heute zugestellt", "Entregues hoje"},
	"t_petition":     {"On the petition", "En la petición", "Sur la pétition", "Auf der Petition", "Na petição"},
	"t_failed":       {"Failed", "Fallidas", "Échecs", "Fehlgeschlagen", "Falhadas"},
	"t_ideal":        {"Ideal per hour", "Ideal por hora", "Idéal par heure", "Ideal pro Stunde", "Ideal por hora"},
	"chart_h":        {"Deliveries per hour, last %d hours (UTC)", "Entregas por hora, últimas %d horas (UTC)", "Remises par heure, %d dernières heures (UTC)", "Zustellungen pro Stunde, letzte %d Stunden (UTC)", "Entregas por hora, últimas %d horas (UTC)"},
	"chart_desc": {"%d deliveries in these hours, at most %d in one hour.", "%d entregas en estas horas, como máximo %d en una hora.", "%d remises sur cette période, au plus %d en une heure.",
		"%d Zustellungen in diesen Stunden, höchstens %d in einer Stunde.", "%d entregas nestas horas, no máximo %d numa hora."},
	"chart_table": {"The numbers behind the chart", "Las cifras del gráfico", "Les chiffres du graphique", "Die Zahlen zum Diagramm", "Os números do gráfico"},
	"th_hour":     {"Hour (UTC)", "Hora (UTC)", "Heure (UTC)", "Stunde (UTC)", "Hora (UTC)"},
	"th_count":    {"Deliveries", "Entregas", "Remises", "Zustellungen", "Entregas"},
	"paused":      {"Sending is paused.", "Los envíos están en pausa.", "Les envois sont en pause.", "Der Versand ist angehalten.", "Os envios estão em pausa."},
	"running":     {"Sending is running.", "Los envíos están en marcha.", "Les envois sont en cours.", "Der Versand läuft.", "Os envios estão a decorrer."},
	"btn_pause":   {"Pause sending", "Pausar los envíos", "Mettre les envois en pause", "Versand anhalten", "Pausar os envios"},
	"btn_resume":  {"Resume sending", "Reanudar los envíos", "Reprendre les envois", "Versand fortsetzen", "Retomar os envios"},
}
