package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/journal"
)

// privateTraces lists the files under dir (the journal and its log, the
// outbox) that hold s.
func privateTraces(t *testing.T, dir, s string) []string {
	t.Helper()
	var found []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if bytes.Contains(b, []byte(s)) {
			found = append(found, strings.TrimPrefix(p, dir))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

func outboxPDFs(t *testing.T, h cliHome) int {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(h.dir, "data", "outbox", "*.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	return len(m)
}

func TestRetainAndForget(t *testing.T) {
	h := cliHome{t: t, dir: t.TempDir(), now: time.Now()}
	data := filepath.Join(h.dir, "data")
	send := func(name, city, email, note string) {
		t.Helper()
		h.ok("send", "--name", name, "--city", city, "--country", "Perú", "--email", email, "--note", note)
	}
	send("Ana Secreta", "Lima", "ana.secret@example.org", "A note only Ana wrote")
	send("Bo Hidden", "Oslo", "bo.hidden@example.org", "A note only Bo wrote")
	if outboxPDFs(t, h) != 2 {
		t.Fatalf("%d faxes in the outbox, want 2", outboxPDFs(t, h))
	}
	// The search can find them: the test can fail.
	for _, s := range []string{"ana.secret@example.org", "A note only Ana wrote", "Bo Hidden"} {
		if len(privateTraces(t, data, s)) == 0 {
			t.Fatalf("%q is nowhere before retain: the search is broken", s)
		}
	}

	// Not old enough yet: nothing goes.
	if out := h.ok("retain", "28d", "--json"); !strings.Contains(out, `"submissions":0`) {
		t.Errorf("retain of fresh faxes: %s", out)
	}
	h.now = time.Now().Add(29 * 24 * time.Hour)
	if out := h.ok("retain", "28d", "--json"); !strings.Contains(out, `"submissions":2`) || !strings.Contains(out, `"documents":2`) {
		t.Errorf("retain: %s", out)
	}
	for _, s := range []string{"ana.secret@example.org", "A note only Ana wrote", "bo.hidden@example.org", "A note only Bo wrote"} {
		if got := privateTraces(t, data, s); len(got) > 0 {
			t.Errorf("%q is still in %v after retain", s, got)
		}
	}
	if outboxPDFs(t, h) != 0 {
		t.Errorf("%d documents left in the outbox after retain", outboxPDFs(t, h))
	}
	// The name stays (for the petition), and the receipts with the SHA-256.
	csv := h.ok("status", "--export", "csv")
	if !strings.Contains(csv, "Ana Secreta") || strings.Count(csv, "\n") != 3 {
		t.Errorf("receipts after retain:\n%s", csv)
	}

	// Forget by name and city: gone from the journal and the exports.
	h.ok("forget", "--name", "bo hidden", "--city", "OSLO", "--yes")
	if got := privateTraces(t, data, "Bo Hidden"); len(got) > 0 {
		t.Errorf("Bo is still in %v after forget", got)
	}
	for _, format := range []string{"csv", "json"} {
		if out := h.ok("status", "--export", format); strings.Contains(out, "Bo Hidden") || !strings.Contains(out, "Ana Secreta") {
			t.Errorf("export %s after forget:\n%s", format, out)
		}
	}
	// The same person again is recognized: not faxed twice.
	code, _, errOut := h.run("send", "--name", "Bo Hidden", "--city", "Oslo", "--country", "Perú", "--email", "bo.hidden@example.org", "--note", "A note only Bo wrote")
	if code != 0 || !strings.Contains(errOut, "already") {
		t.Errorf("send of a forgotten person: exit %d\n%s", code, errOut)
	}
	if outboxPDFs(t, h) != 0 {
		t.Error("a forgotten person was faxed again")
	}

	// Bad input.
	for _, args := range [][]string{{"forget"}, {"forget", "--name", "Ana"}, {"retain", "soon"}, {"retain"}} {
		if code, _, errOut := h.run(args...); code != ExitUsage {
			t.Errorf("faxjam %s: exit %d, want 2\n%s", strings.Join(args, " "), code, errOut)
		}
	}
}

// With config retain, send and status scrub as they run.
func TestConfigRetainAppliedByStatus(t *testing.T) {
	h := cliHome{t: t, dir: t.TempDir(), now: time.Now()}
	data := filepath.Join(h.dir, "data")
	h.ok("config", "set", "retain", "2d")
	if code, _, _ := h.run("config", "set", "retain", "never"); code != ExitUsage {
		t.Errorf("config set retain never: exit %d", code)
	}
	h.ok("send", "--name", "Cy", "--city", "Rome", "--country", "Italia", "--email", "cy.secret@example.org", "--note", "Cy's own note")
	h.ok("status")
	if len(privateTraces(t, data, "cy.secret@example.org")) == 0 {
		t.Fatal("scrubbed before its time")
	}
	h.now = time.Now().Add(3 * 24 * time.Hour)
	h.ok("status")
	for _, s := range []string{"cy.secret@example.org", "Cy's own note"} {
		if got := privateTraces(t, data, s); len(got) > 0 {
			t.Errorf("%q still in %v after status with config retain", s, got)
		}
	}
	// forget --campaign: everyone of it.
	h.ok("--campaign", "norma-cruz-2012", "forget", "--yes")
	if got := privateTraces(t, data, "Rome"); len(got) > 0 {
		t.Errorf("the campaign's people are still in %v", got)
	}
}

// A blank selector forgets nobody: `forget --email " "` once wiped 200 of
// 200 people (everyone without an e-mail). Blanks are refused (exit 2),
// forget asks on a terminal with the count, and a script must say --yes.
func TestForgetABlankSelectorForgetsNobodyAndAsksFirst(t *testing.T) {
	h := cliHome{t: t, dir: t.TempDir()}
	for _, name := range []string{"Ana Blanca", "Bo Blanco", "Cy Blanco"} {
		h.ok("send", "--name", name, "--city", "Quito", "--country", "Ecuador")
	}
	for _, args := range [][]string{
		{"forget", "--email", " ", "--yes"},
		{"forget", "--email", "\t", "--yes"},
		{"forget", "--name", " ", "--city", " ", "--yes"},
		{"forget", "--email", "not-an-address", "--yes"},
	} {
		code, _, errOut := h.run(args...)
		if code != ExitUsage || !strings.Contains(errOut, "--") {
			t.Errorf("faxjam %q: exit %d, want 2 naming the flag\n%s", args, code, errOut)
		}
	}
	// Without a terminal and without --yes: refused, naming --yes.
	if code, _, errOut := h.run("forget", "--name", "Ana Blanca", "--city", "Quito"); code != ExitUsage || !strings.Contains(errOut, "--yes") {
		t.Errorf("forget without --yes off a terminal: exit %d\n%s", code, errOut)
	}
	csv := h.ok("status", "--export", "csv")
	for _, name := range []string{"Ana Blanca", "Bo Blanco", "Cy Blanco"} {
		if !strings.Contains(csv, name) {
			t.Errorf("%s was forgotten by a refused forget:\n%s", name, csv)
		}
	}

	// On a terminal: the count, then the answer.
	f, _, errOut := testFactory(t, true)
	f.DataHome = func() string { return filepath.Join(h.dir, "data") }
	for _, answer := range []bool{false, true} {
		opts := &PrivacyOptions{}
		p := &fakePrompter{confirm: answer}
		opts.Prompter = p
		f.privacyOptions(opts)
		opts.Person = journal.Person{Name: "bo blanco", City: "QUITO"}
		if err := forgetRun(t.Context(), opts); err != nil {
			t.Fatal(err)
		}
		if len(p.asked) != 1 || !strings.Contains(p.asked[0], "Forget 1 submission(s) of bo blanco, QUITO") {
			t.Errorf("asked %q", p.asked)
		}
		kept := strings.Contains(h.ok("status", "--export", "csv"), "Bo Blanco")
		if kept == answer {
			t.Errorf("answered %v, and Bo is kept: %v\n%s", answer, kept, errOut)
		}
	}
}
