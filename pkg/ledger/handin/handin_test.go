package handin_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/campaign"
	"github.com/faxjam/faxjam/pkg/ledger"
	"github.com/faxjam/faxjam/pkg/ledger/handin"
	"github.com/faxjam/faxjam/pkg/pack"
	"github.com/faxjam/faxjam/pkg/testtool"
)

func normaCruz() *campaign.Campaign {
	return &campaign.Campaign{
		ID: "norma-cruz-2012", Title: "Stop the death threats. Defend Norma Cruz.", Organizer: "Amnesty International",
		Target:       campaign.Target{Name: "Fiscal General", Organization: "Ministerio Público de Guatemala", Timezone: "America/Guatemala"},
		Languages:    campaign.Languages{{Code: "es", Template: "es.tmpl"}, {Code: "en", Template: "en.tmpl"}},
		TextLanguage: "en",
		Translations: map[string]campaign.Translation{"es": {Title: "Alto a las amenazas de muerte. Defiendan a Norma Cruz."}},
		Contact:      "organizer@example.org",
	}
}

// ledgerOf is five outcomes over two days (in Guatemala), two petitioned,
// one of them forgotten, sealed at entry 4.
func ledgerOf(t *testing.T) (ledger.Export, string) {
	t0 := time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)
	var es []ledger.Entry
	prev := ledger.Genesis
	for i, o := range []string{ledger.Delivered, ledger.Delivered, ledger.Petitioned, ledger.Failed, ledger.Petitioned} {
		e := ledger.Entry{Seq: int64(i + 1), Campaign: "norma-cruz-2012", Time: t0.Add(time.Duration(i) * 5 * time.Hour), Outcome: o}
		if o != ledger.Petitioned {
			e.Number, e.NumberLabel = "+50222220001", "Despacho"
		} else if err := e.SetPerson("María José Xuc "+string(rune('A'+i)), "Cobán"); err != nil {
			t.Fatal(err)
		}
		e.Chain(prev)
		prev = e.Hash
		es = append(es, e)
	}
	es[4].Name, es[4].City, es[4].Salt = "", "", "" // forgotten
	_, priv, err := pack.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	s := ledger.Sign(priv, "norma-cruz-2012", 4, es[3].Hash, t0.Add(16*time.Hour))
	return ledger.Export{Campaign: "norma-cruz-2012", Entries: es, Seals: []ledger.Seal{s}}, s.Fingerprint()
}

func TestHandInInTheTargetsLanguage(t *testing.T) {
	x, fp := ledgerOf(t)
	r := ledger.Verify(x, nil)
	if !r.OK() {
		t.Fatal(r.Problems)
	}
	pdf, err := handin.PDF(normaCruz(), x, r, handin.Options{Lang: "es"})
	if err != nil {
		t.Fatal(err)
	}
	if p := os.Getenv("HANDIN_OUT"); p != "" {
		os.WriteFile(p, pdf, 0o600)
	}
	bin := testtool.Need(t, "pdftotext", "poppler-utils")
	f := filepath.Join(t.TempDir(), "p.pdf")
	os.WriteFile(f, pdf, 0o600)
	out, err := exec.Command(bin, "-enc", "UTF-8", f, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(string(out)), " ")
	for _, want := range []string{
		"Constancia de entrega: Alto a las amenazas",
		"5 resultados registrados, de los cuales 2 faxes entregados",
		"2026-03-02", "2026-03-03", // the days in Guatemala's time
		"Despacho (+50222220001)",
		"María José Xuc C", "Cobán",
		"Una persona pidió", // the forgotten one: counted, not named
		"entrada 4 está sellado", fp,
		"Una entrada posterior aún no está sellada",
		"faxjam ledger verify",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the document lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "%!") {
		t.Errorf("a format error in the document:\n%s", text)
	}
	if strings.Contains(text, "Proof of delivery") {
		t.Error("English words in the Spanish document")
	}
}
