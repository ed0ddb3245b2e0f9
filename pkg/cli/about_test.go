package cli

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/faxjam/faxjam/pkg/campaign"
)

// TestAboutLang: about --lang es tells the bundled campaign in Spanish
// (its main text is English), and --json says which language each part is
// in; a language the campaign has no letter in is a usage error.
func TestAboutLang(t *testing.T) {
	c, err := campaign.Load(context.Background(), campaign.Default())
	if err != nil {
		t.Fatal(err)
	}
	es := c.Text("es")
	h := cliHome{t: t, dir: t.TempDir()}

	out := h.ok("about", "--lang", "es")
	for _, want := range []string{"Basta de amenazas de muerte", "Medidas de protección eficaces"} {
		if !strings.Contains(strings.Join(strings.Fields(out), " "), want) {
			t.Errorf("about --lang es lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, c.Title) {
		t.Errorf("about --lang es shows the English title:\n%s", out)
	}
	if out := h.ok("about"); !strings.Contains(out, "Stop the death threats") {
		t.Errorf("about without --lang should show the main (English) text:\n%s", out)
	}

	var got struct {
		Title    string   `json:"title"`
		Asks     []string `json:"asks"`
		TextLang struct {
			Title, Summary, Facts, Asks string
		} `json:"text_lang"`
	}
	if err := json.Unmarshal([]byte(h.ok("--json", "about", "--lang", "es")), &got); err != nil {
		t.Fatal(err)
	}
	if got.Title != es.Title || len(got.Asks) != len(es.Asks) || got.Asks[0] != es.Asks[0] ||
		got.TextLang.Title != "es" || got.TextLang.Summary != "es" || got.TextLang.Facts != "es" || got.TextLang.Asks != "es" {
		t.Errorf("about --json --lang es = %+v", got)
	}
	if err := json.Unmarshal([]byte(h.ok("--json", "about")), &got); err != nil {
		t.Fatal(err)
	}
	if got.Title != c.Title || got.TextLang.Title != "en" || got.TextLang.Asks != "en" {
		t.Errorf("about --json = %+v, want the English main text marked en", got)
	}

	code, _, errOut := h.run("about", "--lang", "fr")
	if code != ExitUsage || !strings.Contains(errOut, `--lang "fr"`) || !strings.Contains(errOut, "es, en") {
		t.Errorf("about --lang fr: exit %d, %q; want exit %d naming the campaign's languages", code, errOut, ExitUsage)
	}
}
