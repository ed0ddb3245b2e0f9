package hub_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/dispatch/linesim"
	"github.com/faxjam/faxjam/pkg/journal"
	"github.com/faxjam/faxjam/pkg/letter"
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

// A letter that can no longer be made when its turn comes (an action taken
// by an older hub, a font gone since) goes to the petition, never nowhere:
// the person was answered 202 (issue 16.11). Before, it was failed for
// good, neither faxed nor petitioned.
func TestALetterThatFailsLaterGoesToThePetition(t *testing.T) {
	th := start(t, &linesim.Config{Duration: 2 * time.Millisecond}, nil)
	ctx := t.Context()
	// Taken as an older hub took it, without the check before 202.
	_, sub, _, err := th.j.Accept(ctx, journal.Action{ID: "older-hub-action", Campaign: th.c.ID, KeyHash: "older-hub-key"},
		journal.Submission{Campaign: th.c.ID, Key: letter.SignerKey(th.c.ID, letter.Signer{Name: "فاطمة الزهراء", City: "Beirut", Country: "Lebanon"}),
			Name: "فاطمة الزهراء", City: "Beirut", Country: "Lebanon"})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool {
		s, err := th.j.Submission(ctx, th.c.ID, strconv.FormatInt(sub.ID, 10))
		return err == nil && s.State.Terminal()
	}, "final state for the unmakeable letter")
	s, _ := th.j.Submission(ctx, th.c.ID, strconv.FormatInt(sub.ID, 10))
	if s.State != journal.Petitioned || s.Attempts != 0 || s.Reason != "document" || !strings.Contains(s.Message, "letter could not be made") {
		t.Fatalf("the unmakeable letter ended %s after %d attempts (%s: %s), want petitioned without a fax, saying why", s.State, s.Attempts, s.Reason, s.Message)
	}
	if n, err := th.st.Count(ctx, th.c.ID); err != nil || n != 1 {
		t.Errorf("the petition holds %d signatures, %v; want the person's", n, err)
	}
}

// A person whose action failed before any fax (its letter could not be
// made, under an older hub) may act again: a new action, queued and faxed,
// not the old failure answered back (issue 16.11).
func TestAPersonWhoseActionFailedMayActAgain(t *testing.T) {
	th := start(t, &linesim.Config{Duration: 2 * time.Millisecond}, nil)
	ctx := t.Context()
	who := letter.Signer{Name: "Ana Pérez", City: "Quetzaltenango", Country: "Guatemala"}
	_, sub, _, err := th.j.Accept(ctx, journal.Action{ID: "older-hub-action", Campaign: th.c.ID, KeyHash: "older-hub-key"},
		journal.Submission{Campaign: th.c.ID, Key: letter.SignerKey(th.c.ID, who), Name: who.Name, City: who.City, Country: who.Country, State: journal.Unconfirmed})
	if err != nil {
		t.Fatal(err)
	}
	if err := th.j.SetState(ctx, sub.ID, journal.Failed, "document", "letter: no font for it"); err != nil {
		t.Fatal(err)
	}
	a := th.act(t, "ana-comes-back", who.Name)
	if a.status != http.StatusAccepted {
		t.Fatalf("acting again: %d %s", a.status, a.body)
	}
	waitFor(t, func() bool {
		s, err := th.j.Submission(ctx, th.c.ID, strconv.FormatInt(sub.ID, 10))
		return err == nil && s.State == journal.Delivered
	}, "delivery of the action taken again")
	if sends, _ := th.sim.Sends(); sends != 1 {
		t.Errorf("%d faxes sent, want 1", sends)
	}
}
