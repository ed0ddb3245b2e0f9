package render

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/faxjam/faxjam/pkg/letter"
)

// testBody is the bundled campaign's Spanish letter as pkg/letter composes
// it, written out here so these tests do not depend on that package's work.
const testBody = `Sevilla, 27 de noviembre de 2026

Fiscal General de la República
Ministerio Público de Guatemala
15 avenida 15-16, zona 1
Ciudad de Guatemala

Señora Fiscal General:

Le escribo con profunda preocupación por la seguridad de Norma Cruz, directora de la Fundación Sobrevivientes, en la Ciudad de Guatemala. Desde hace años, ella y su equipo acompañan a mujeres que han sufrido violencia y documentan esos crímenes para que no queden impunes. Por ese trabajo, la señora Cruz ha recibido reiteradas amenazas de muerte, y también miembros de su familia han sido amenazados y atacados.

En 2008 se condenó a una de las personas que la habían amenazado, lo que demuestra que la justicia puede actuar cuando existe voluntad. Sin embargo, no se conocen avances en la investigación de las amenazas recibidas desde 2010. Este silencio preocupa aún más porque, según la Unidad de Protección a Defensoras y Defensores de Derechos Humanos (UDEFEGUA), 2011 fue el año más violento para quienes defienden los derechos humanos en Guatemala, con un 33 % más de ataques o amenazas que en 2010.

Por ello, le solicito respetuosamente:
- una investigación pronta, exhaustiva e imparcial de las amenazas de muerte contra Norma Cruz y su familia desde 2010, y que los responsables sean llevados ante la justicia;
- medidas de protección eficaces, acordadas con la propia Norma Cruz;
- que las defensoras y los defensores de derechos humanos puedan realizar su labor en Guatemala sin temor a represalias.

Escribo desde Sevilla porque la valentía de Norma Cruz nos concierne a todas y a todos.

Le agradezco su atención y quedo a la espera de noticias sobre los avances de la investigación.

Atentamente,

José Pérez
Sevilla, España`

func testLetter() letter.Letter {
	return letter.Letter{
		Campaign:  "norma-cruz-2012",
		Lang:      "es",
		Date:      "27 de noviembre de 2026",
		Sender:    letter.Signer{Name: "José Pérez", City: "Sevilla", Country: "España"},
		Body:      testBody,
		Footer:    "norma-cruz-2012 · enviado por José Pérez con faxjam · ¿número equivocado? avisos@example.org",
		PageLabel: "Página %d/%d",
	}
}

func newRenderer(t testing.TB, opts Options) *Renderer {
	t.Helper()
	r, err := New(opts)
	if err != nil {
		t.Fatalf("New(%+v): %v", opts, err)
	}
	return r
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}
