package hub_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/faxjam/faxjam/pkg/journal"
)

// The hub makes and lays out the letter before it answers: a name the
// fonts cannot draw is a 400 naming the field, and nothing is stored
// (before, each got a 202 and then failed for good: neither faxed nor
// petitioned, and the person could not act again).
func TestALetterThatCannotBeMadeIsRefusedBeforeItIsTaken(t *testing.T) {
	th := start(t, nil, nil)
	for i, c := range []struct{ name, field string }{
		{"فاطمة الزهراء", "name"}, // Arabic: no font for it on this hub
		{"𝐀𝐧𝐚 𝐁𝐨𝐥𝐝", "name"},      // mathematical bold
		{"ᄀᄁᄂ Kim", "name"},       // Hangul jamo the fonts lack
	} {
		b, _ := json.Marshal(map[string]string{"key": testKey(c.name), "name": c.name, "city": "Beirut", "country": "Lebanon"})
		a := do(t, "POST", th.url+"/v1/campaigns/"+th.c.ID+"/actions", string(b), "Content-Type", "application/json")
		var e struct{ Error, Field string }
		json.Unmarshal(a.body, &e)
		if a.status != http.StatusBadRequest || e.Field != c.field {
			t.Errorf("case %d %q: %d %s, want 400 naming %s", i, c.name, a.status, a.body, c.field)
		}
	}
	if n, _ := th.j.Counts(t.Context(), th.c.ID); n[journal.Queued]+n[journal.Failed] != 0 {
		t.Errorf("refused letters were stored: %v", n)
	}
	// A letter that can be made is taken as before.
	if a := th.act(t, "drawable-key", "Ana Pérez"); a.status != http.StatusAccepted {
		t.Errorf("a drawable letter: %d %s", a.status, a.body)
	}
}
