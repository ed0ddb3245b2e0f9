package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// opener opens a store on one database for the suite; every call returns a
// store on the same database (so reopening sees the data).
type opener func(t *testing.T) Store

// runSuite is the one store test suite that runs against SQLite and
// PostgreSQL alike. Each subtest uses its own campaign ids, so a shared
// database (FAXJAM_TEST_POSTGRES) does not leak between runs.
func runSuite(t *testing.T, open opener) {
	run := fmt.Sprintf("%d", time.Now().UnixNano())
	campaign := func(t *testing.T) string { return strings.ReplaceAll(t.Name(), "/", "_") + "-" + run }
	ctx := context.Background()
	sig := func(c, key, person, email string) Signature {
		return Signature{Campaign: c, Key: key, Person: person, EmailKey: strings.ToLower(email), Name: "José Pérez", City: "Xela", Country: "Guatemala", Email: email, Note: "n"}
	}

	t.Run("forget and scrub", func(t *testing.T) { forgetSuite(t, open(t), campaign(t)) })

	t.Run("adds and lists in order", func(t *testing.T) {
		st := open(t)
		c := campaign(t)
		var ids []string
		for i := 0; i < 3; i++ {
			got, dup, err := st.Add(ctx, sig(c, fmt.Sprint("k", i), fmt.Sprint("p", i), ""))
			if err != nil || dup || got.ID == "" || got.Created.IsZero() {
				t.Fatalf("Add %d = %+v, %v, %v; want a new signature with id and time", i, got, dup, err)
			}
			ids = append(ids, got.ID)
		}
		var listed []string
		if err := st.Each(ctx, c, func(s Signature) error { listed = append(listed, s.ID); return nil }); err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(listed) != fmt.Sprint(ids) {
			t.Errorf("Each listed %v, want %v", listed, ids)
		}
		if n, err := st.Count(ctx, c); err != nil || n != 3 {
			t.Errorf("Count = %d, %v; want 3", n, err)
		}
		if n, err := st.Count(ctx, c+"-other"); err != nil || n != 0 {
			t.Errorf("Count of another campaign = %d, %v; want 0", n, err)
		}
	})

	t.Run("duplicates by key, person or email return the first", func(t *testing.T) {
		st := open(t)
		c := campaign(t)
		first, _, err := st.Add(ctx, sig(c, "k1", "p1", "a@example.org"))
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range []Signature{
			sig(c, "k1", "p-other", "other@example.org"),    // same key
			sig(c, "k-other", "p1", "other2@example.org"),   // same person
			sig(c, "k-other2", "p-other2", "a@example.org"), // same email
		} {
			got, dup, err := st.Add(ctx, d)
			if err != nil || !dup || got.ID != first.ID {
				t.Errorf("Add(key %s person %s email %s) = %s, %v, %v; want duplicate of %s", d.Key, d.Person, d.EmailKey, got.ID, dup, err, first.ID)
			}
		}
		// No email is not "the same email" as another signer without one.
		for i := 0; i < 2; i++ {
			if _, dup, err := st.Add(ctx, sig(c, fmt.Sprint("k-noemail", i), fmt.Sprint("p-noemail", i), "")); err != nil || dup {
				t.Errorf("Add without email %d: dup=%v err=%v; want a new signature", i, dup, err)
			}
		}
		// The same key in another campaign is another signature.
		if _, dup, err := st.Add(ctx, sig(c+"-b", "k1", "p1", "a@example.org")); err != nil || dup {
			t.Errorf("same key in another campaign: dup=%v err=%v; want new", dup, err)
		}
		if n, _ := st.Count(ctx, c); n != 3 {
			t.Errorf("Count = %d, want 3", n)
		}
	})

	t.Run("prefers the signature with the same key", func(t *testing.T) {
		st := open(t)
		c := campaign(t)
		st.Add(ctx, sig(c, "k1", "p1", ""))
		second, _, _ := st.Add(ctx, sig(c, "k2", "p2", ""))
		got, dup, err := st.Add(ctx, sig(c, "k2", "p1", ""))
		if err != nil || !dup || got.ID != second.ID {
			t.Errorf("Add(k2, p1) = %s, %v, %v; want the k2 signature %s", got.ID, dup, err, second.ID)
		}
	})

	t.Run("values round-trip verbatim", func(t *testing.T) {
		st := open(t)
		c := campaign(t)
		want := Signature{Campaign: c, Key: `k'; DROP TABLE signatures; --`, Person: `p" OR 1=1`, EmailKey: "", Name: "Zoë O'Brien (محمد) 李", City: `Saint-Jean-d'Angély`, Country: "Ελλάδα", Note: "100% _ \\ ' \" ; -- /* */\nsecond line"}
		got, _, err := st.Add(ctx, want)
		if err != nil {
			t.Fatal(err)
		}
		want.ID, want.Created = got.ID, got.Created
		var listed []Signature
		st.Each(ctx, c, func(s Signature) error { listed = append(listed, s); return nil })
		if len(listed) != 1 || listed[0] != want {
			t.Errorf("listed %+q, want %+q", listed, want)
		}
	})

	t.Run("concurrent writers store each signature once", func(t *testing.T) {
		st := open(t)
		c := campaign(t)
		const writers, keys = 16, 40
		var wg sync.WaitGroup
		ids := make([]map[string]string, writers)
		errs := make(chan error, writers)
		for w := 0; w < writers; w++ {
			ids[w] = map[string]string{}
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for k := 0; k < keys; k++ {
					got, _, err := st.Add(ctx, sig(c, fmt.Sprint("k", k), fmt.Sprint("p", k), ""))
					if err != nil {
						errs <- err
						return
					}
					ids[w][got.Key] = got.ID
				}
			}(w)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("concurrent Add: %v", err)
		}
		if n, _ := st.Count(ctx, c); n != keys {
			t.Fatalf("Count = %d, want %d", n, keys)
		}
		for w := 1; w < writers; w++ {
			if fmt.Sprint(ids[w]) != fmt.Sprint(ids[0]) {
				t.Fatalf("writer %d saw ids %v, writer 0 %v: one key, one id", w, ids[w], ids[0])
			}
		}
	})

	t.Run("data survives reopening", func(t *testing.T) {
		st := open(t)
		c := campaign(t)
		first, _, err := st.Add(ctx, sig(c, "k1", "p1", ""))
		if err != nil {
			t.Fatal(err)
		}
		st.Close()
		st = open(t)
		got, dup, err := st.Add(ctx, sig(c, "k1", "p1", ""))
		if err != nil || !dup || got.ID != first.ID {
			t.Errorf("after reopening, Add = %s, %v, %v; want duplicate %s", got.ID, dup, err, first.ID)
		}
	})

	t.Run("Each stops at the callback's error", func(t *testing.T) {
		st := open(t)
		c := campaign(t)
		st.Add(ctx, sig(c, "k1", "p1", ""))
		st.Add(ctx, sig(c, "k2", "p2", ""))
		stop := fmt.Errorf("stop")
		n := 0
		err := st.Each(ctx, c, func(Signature) error { n++; return stop })
		if err != stop || n != 1 {
			t.Errorf("Each = %v after %d calls; want the callback's error after 1", err, n)
		}
	})

	t.Run("refuses a signature without key or person", func(t *testing.T) {
		st := open(t)
		c := campaign(t)
		for _, s := range []Signature{sig(c, "", "p", ""), sig(c, "k", "", ""), sig("", "k", "p", "")} {
			if _, _, err := st.Add(ctx, s); err == nil {
				t.Errorf("Add(%+v) = nil error", s)
			}
		}
	})
}

func TestSQLite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "petition.db")
	runSuite(t, func(t *testing.T) Store {
		st, err := OpenSQLite(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	})
}

func TestSQLiteFilesArePrivate(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "petition.db")
	st, err := Open(context.Background(), "sqlite://"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, _, err := st.Add(context.Background(), Signature{Campaign: "c", Key: "k", Person: "p", Name: "n", City: "c", Country: "c"}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"petition.db", "petition.db-wal", "petition.db-shm"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("%s: %v (want WAL mode)", name, err)
			continue
		}
		if m := fi.Mode().Perm(); m != 0o600 {
			t.Errorf("%s has mode %o, want 600", name, m)
		}
	}
}

func TestPostgres(t *testing.T) {
	dsn := postgresDSN(t)
	runSuite(t, func(t *testing.T) Store {
		st, err := Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	})
}

func TestOpenUnreachablePostgresSaysSoWithoutPassword(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := Open(ctx, "postgres://faxjam:pg-s3cret@127.0.0.1:1/petition?sslmode=disable&connect_timeout=2")
	if err == nil {
		t.Fatal("Open of an unreachable server succeeded")
	}
	if strings.Contains(err.Error(), "pg-s3cret") {
		t.Errorf("error %q contains the password", err)
	}
}
