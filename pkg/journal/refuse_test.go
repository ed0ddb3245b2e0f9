package journal

import (
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// journalWith makes a journal of campaign c with n signers and closes it.
func journalWith(t *testing.T, path, c string, n int) {
	t.Helper()
	j, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Claim(t.Context(), c, false); err != nil {
		t.Fatal(err)
	}
	if _, _, err := j.Enqueue(t.Context(), signers(c, n)); err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
}

func wantRefused(t *testing.T, path, why string) {
	t.Helper()
	j, err := Open(path)
	if err == nil {
		j.Close()
		t.Fatalf("Open accepted a journal that %s", why)
	}
	var re *RefusedError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), why) || !strings.Contains(err.Error(), path) {
		t.Fatalf("Open: %v; want a RefusedError naming %s and saying it %s", err, path, why)
	}
}

func TestOpenRefusesAJournalThatIsNotWhatItWas(t *testing.T) {
	t.Run("truncated to 0 bytes", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "j.db")
		journalWith(t, path, "c", 60)
		if err := os.Truncate(path, 0); err != nil {
			t.Fatal(err)
		}
		wantRefused(t, path, "is empty (0 bytes)")
		if fi, err := os.Stat(path); err != nil || fi.Size() != 0 {
			t.Errorf("the refused file was changed: %v, %v", fi, err)
		}
	})
	for _, page := range []int{1, 3} {
		t.Run("zeroed page "+string(rune('0'+page)), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "j.db")
			journalWith(t, path, "c", 500)
			zeroPage(t, path, page)
			wantRefused(t, path, map[int]string{1: "does not begin as an SQLite database", 3: "is damaged"}[page])
		})
	}
	t.Run("marker lost", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "j.db")
		journalWith(t, path, "c", 3)
		execSQL(t, path, "DELETE FROM meta")
		wantRefused(t, path, "has lost its marker")
	})
	t.Run("schema lost", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "j.db")
		execSQL(t, path, "CREATE TABLE other (x INTEGER)")
		wantRefused(t, path, "without a journal schema")
	})
	t.Run("not a database", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "j.db")
		if err := os.WriteFile(path, []byte("name,city\nAna,Lima\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		wantRefused(t, path, "does not begin as an SQLite database")
	})
}

func TestClaimRefusesAnotherCampaignsJournal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.db")
	journalWith(t, path, "norma-cruz-2012", 3)
	j, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	err = j.Claim(t.Context(), "other-campaign", false)
	var ce *CampaignError
	if !errors.As(err, &ce) || ce.Campaign != "other-campaign" || len(ce.Holds) != 1 || ce.Holds[0] != "norma-cruz-2012" {
		t.Fatalf("Claim for another campaign: %v; want a CampaignError naming both", err)
	}
	if err := j.Claim(t.Context(), "norma-cruz-2012", false); err != nil {
		t.Errorf("Claim for its own campaign: %v", err)
	}
	if err := j.Claim(t.Context(), "second-campaign", true); err != nil {
		t.Errorf("Claim for another campaign of a shared journal: %v", err)
	}
}

func TestAnOlderJournalIsMigratedAndServesItsCampaigns(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.db")
	oldJournal(t, path, 2, "a")

	j, err := Open(path)
	if err != nil {
		t.Fatalf("an older journal: %v", err)
	}
	defer j.Close()
	if j.Fresh() {
		t.Error("an older journal reported fresh")
	}
	if check, err := j.CheckKeys(t.Context()); err != nil || check {
		t.Errorf("CheckKeys on an older journal = %v, %v; want false", check, err)
	}
	for _, c := range []string{"a", "b"} { // journals were shared then
		if err := j.Claim(t.Context(), c, false); err != nil {
			t.Errorf("Claim %s: %v", c, err)
		}
	}
}

func TestANewJournalChecksKeysUntilKeysChecked(t *testing.T) {
	j := open(t)
	if !j.Fresh() {
		t.Error("a new journal is not fresh")
	}
	if check, err := j.CheckKeys(t.Context()); err != nil || !check {
		t.Fatalf("CheckKeys = %v, %v; want true", check, err)
	}
	if err := j.KeysChecked(t.Context()); err != nil {
		t.Fatal(err)
	}
	if check, err := j.CheckKeys(t.Context()); err != nil || check {
		t.Errorf("after KeysChecked, CheckKeys = %v, %v", check, err)
	}
	// A journal put back from a backup checks keys again (hub restore).
	for range 2 { // twice: the setting is there the second time
		if err := j.RequireKeyCheck(t.Context()); err != nil {
			t.Fatal(err)
		}
		if check, err := j.CheckKeys(t.Context()); err != nil || !check {
			t.Errorf("after RequireKeyCheck, CheckKeys = %v, %v", check, err)
		}
	}
	if entries, _ := filepath.Glob(j.Path() + ".new-*"); len(entries) > 0 {
		t.Errorf("creation left %v", entries)
	}
}

// zeroPage overwrites page n (1-based) of the SQLite file at path with zeros.
func zeroPage(t *testing.T, path string, n int) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	hdr := make([]byte, 18)
	if _, err := f.ReadAt(hdr, 0); err != nil {
		t.Fatal(err)
	}
	size := int64(hdr[16])<<8 | int64(hdr[17])
	if size == 1 {
		size = 65536
	}
	if fi, _ := f.Stat(); fi.Size() < int64(n)*size {
		t.Fatalf("the journal has %d bytes, no page %d of %d", fi.Size(), n, size)
	}
	if _, err := f.WriteAt(make([]byte, size), int64(n-1)*size); err != nil {
		t.Fatal(err)
	}
}

func execSQL(t *testing.T, path, q string) {
	t.Helper()
	db, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(q); err != nil {
		t.Fatal(err)
	}
}
