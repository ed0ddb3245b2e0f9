package ledger_test

import (
	"bytes"
	"crypto/ed25519"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/ledger"
	"github.com/faxjam/faxjam/pkg/pack"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// chain makes n entries of campaign "rk", every fifth petitioned with a
// name, linked as the journal links them.
func chain(t testing.TB, n int) []ledger.Entry {
	es := make([]ledger.Entry, n)
	prev := ledger.Genesis
	for i := range es {
		e := ledger.Entry{Seq: int64(i + 1), Campaign: "rk", Time: t0.Add(time.Duration(i) * time.Minute),
			Outcome: ledger.Delivered, NumberLabel: "front desk", Number: "+50222220001", Pages: 2,
			DocSHA256: fmt.Sprintf("%064x", i), Driver: "outbox", JobID: fmt.Sprintf("job-%d", i), TransmitMS: 41000}
		if i%5 == 4 {
			e.Outcome, e.Number, e.NumberLabel, e.SignatureID = ledger.Petitioned, "", "", fmt.Sprintf("sig-%d", i)
			if err := e.SetPerson(fmt.Sprintf("Ana %d", i), "Cobán"); err != nil {
				t.Fatal(err)
			}
		}
		e.Chain(prev)
		prev = e.Hash
		es[i] = e
	}
	return es
}

func key(t testing.TB) ed25519.PrivateKey {
	_, priv, err := pack.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return priv
}

func seal(priv ed25519.PrivateKey, es []ledger.Entry, seq int64, at time.Time) ledger.Seal {
	return ledger.Sign(priv, "rk", seq, es[seq-1].Hash, at)
}

// sealed is a ledger of 10 entries sealed at 4 and at 10.
func sealed(t *testing.T) (ledger.Export, ed25519.PrivateKey) {
	priv := key(t)
	es := chain(t, 10)
	return ledger.Export{Campaign: "rk", Entries: es, Seals: []ledger.Seal{
		seal(priv, es, 4, t0.Add(time.Hour)), seal(priv, es, 10, t0.Add(2*time.Hour))}}, priv
}

func pub(priv ed25519.PrivateKey) ed25519.PublicKey { return priv.Public().(ed25519.PublicKey) }

func TestVerifyNamesWhatWasChanged(t *testing.T) {
	cases := []struct {
		name   string
		change func(x *ledger.Export, priv ed25519.PrivateKey)
		want   []ledger.Problem // Kind, Seq and Seal; Message is checked to name the seq
	}{
		{"untouched", func(*ledger.Export, ed25519.PrivateKey) {}, nil},
		{"tamper with one entry's pages", func(x *ledger.Export, _ ed25519.PrivateKey) { x.Entries[6].Pages = 3 },
			[]ledger.Problem{{Kind: ledger.Altered, Seq: 7}}},
		{"tamper and recompute its hash", func(x *ledger.Export, _ ed25519.PrivateKey) {
			x.Entries[6].Pages = 3
			x.Entries[6].Chain(x.Entries[6].Prev)
		}, []ledger.Problem{{Kind: ledger.Altered, Seq: 7}}},
		{"tamper and recompute every hash after it", func(x *ledger.Export, _ ed25519.PrivateKey) {
			x.Entries[6].Pages = 3
			for i := 6; i < len(x.Entries); i++ {
				x.Entries[i].Chain(x.Entries[i-1].Hash)
			}
		}, []ledger.Problem{{Kind: ledger.SealDiffer, Seq: 10, Seal: 2}}},
		{"change a petitioner's name", func(x *ledger.Export, _ ed25519.PrivateKey) { x.Entries[4].Name = "Someone Else" },
			[]ledger.Problem{{Kind: ledger.Altered, Seq: 5}}},
		{"delete one", func(x *ledger.Export, _ ed25519.PrivateKey) { x.Entries = slices.Delete(x.Entries, 5, 6) },
			[]ledger.Problem{{Kind: ledger.Removed, Seq: 6}}},
		{"delete the last", func(x *ledger.Export, _ ed25519.PrivateKey) { x.Entries = x.Entries[:9] },
			[]ledger.Problem{{Kind: ledger.Removed, Seq: 10, Seal: 2}}},
		{"reorder two", func(x *ledger.Export, _ ed25519.PrivateKey) {
			x.Entries[2], x.Entries[3] = x.Entries[3], x.Entries[2]
		}, []ledger.Problem{{Kind: ledger.Reordered, Seq: 3}}},
		{"duplicate one", func(x *ledger.Export, _ ed25519.PrivateKey) { x.Entries = slices.Insert(x.Entries, 3, x.Entries[2]) },
			[]ledger.Problem{{Kind: ledger.Duplicated, Seq: 3}}},
		{"replay an old seal", func(x *ledger.Export, _ ed25519.PrivateKey) { x.Seals = append(x.Seals, x.Seals[0]) },
			[]ledger.Problem{{Kind: ledger.SealReplay, Seq: 4, Seal: 3}}},
		{"replace the newest seal with an old one", func(x *ledger.Export, _ ed25519.PrivateKey) { x.Seals[1] = x.Seals[0] },
			[]ledger.Problem{{Kind: ledger.SealReplay, Seq: 4, Seal: 2}}},
		{"an old seal re-signed later, behind the newest", func(x *ledger.Export, priv ed25519.PrivateKey) {
			x.Seals = append(x.Seals, seal(priv, x.Entries, 4, t0.Add(90*time.Minute)))
		}, []ledger.Problem{{Kind: ledger.SealReplay, Seq: 4, Seal: 3}}},
		{"a seal of another campaign", func(x *ledger.Export, priv ed25519.PrivateKey) {
			x.Seals[1] = ledger.Sign(priv, "other", 10, x.Entries[9].Hash, t0.Add(2*time.Hour))
		}, []ledger.Problem{{Kind: ledger.SealReplay, Seq: 10, Seal: 2}}},
		{"a seal's head edited", func(x *ledger.Export, _ ed25519.PrivateKey) { x.Seals[0].Seq = 5 },
			[]ledger.Problem{{Kind: ledger.SealBad, Seq: 5, Seal: 1}}},
		{"a seal by another key", func(x *ledger.Export, _ ed25519.PrivateKey) {
			x.Seals[1] = seal(key(t), x.Entries, 10, t0.Add(2*time.Hour))
		}, []ledger.Problem{{Kind: ledger.SealKey, Seq: 10, Seal: 2}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			x, priv := sealed(t)
			c.change(&x, priv)
			r := ledger.Verify(x, pub(priv))
			var got []ledger.Problem
			for _, p := range r.Problems {
				if !strings.Contains(p.Message, fmt.Sprint(p.Seq)) {
					t.Errorf("%q does not name entry %d", p.Message, p.Seq)
				}
				got = append(got, ledger.Problem{Kind: p.Kind, Seq: p.Seq, Seal: p.Seal})
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("problems = %v, want %v\n%v", got, c.want, r.Problems)
			}
			if r.OK() != (c.want == nil) {
				t.Errorf("OK = %v", r.OK())
			}
		})
	}
}

func TestVerifyReportsTheSealedHead(t *testing.T) {
	x, priv := sealed(t)
	more := x.Entries[9]
	for seq := int64(11); seq <= 12; seq++ {
		more.Seq, more.Time = seq, more.Time.Add(time.Minute)
		more.Chain(more.Hash)
		x.Entries = append(x.Entries, more)
	}
	r := ledger.Verify(x, nil) // the export's own key
	if !r.OK() || r.HeadSeq != 12 || r.Sealed != 10 || r.Unsealed() != 2 || !r.SealedAt.Equal(t0.Add(2*time.Hour)) {
		t.Fatalf("report = %+v", r)
	}
	if r.Fingerprint != pack.Fingerprint(pub(priv)) {
		t.Errorf("fingerprint %s, want the seals' key's", r.Fingerprint)
	}
}

func TestForgottenEntryStillVerifies(t *testing.T) {
	x, priv := sealed(t)
	e := &x.Entries[4]
	before := e.PersonHash
	e.Name, e.City, e.Salt = "", "", ""
	if !e.Forgotten() || e.PersonHash != before {
		t.Fatal("blanking the person must keep the person hash")
	}
	if r := ledger.Verify(x, pub(priv)); !r.OK() {
		t.Fatalf("a forgotten entry breaks the chain: %v", r.Problems)
	}
	e.Name = "Ana 4" // put back without its salt: not what was recorded
	if r := ledger.Verify(x, pub(priv)); r.OK() || r.Problems[0].Seq != 5 {
		t.Fatalf("a name without its salt: %v", r.Problems)
	}
}

func TestExportRoundTrips(t *testing.T) {
	x, priv := sealed(t)
	x.Entries[4].Name = "=HYPERLINK(\"http://evil.example\")" // a spreadsheet formula stays data
	x.Entries[4].SetPerson(x.Entries[4].Name, "+Cobán")
	x.Entries[4].Chain(x.Entries[3].Hash)
	x.Entries[5].Chain(x.Entries[4].Hash)
	for i := 6; i < len(x.Entries); i++ {
		x.Entries[i].Chain(x.Entries[i-1].Hash)
	}
	x.Seals = []ledger.Seal{seal(priv, x.Entries, 10, t0.Add(3*time.Hour))}
	for _, f := range []struct {
		name  string
		write func(*bytes.Buffer, ledger.Export) error
	}{
		{"jsonl", func(b *bytes.Buffer, x ledger.Export) error { return ledger.WriteJSONL(b, x) }},
		{"csv", func(b *bytes.Buffer, x ledger.Export) error { return ledger.WriteCSV(b, x) }},
	} {
		t.Run(f.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := f.write(&b, x); err != nil {
				t.Fatal(err)
			}
			if f.name == "csv" && strings.Contains(b.String(), `"=HYPERLINK`) {
				t.Error("csv cell not escaped for spreadsheets")
			}
			got, err := ledger.Read(&b)
			if err != nil {
				t.Fatal(err)
			}
			if r := ledger.Verify(got, pub(priv)); !r.OK() || r.Entries != 10 || r.Sealed != 10 {
				t.Fatalf("read back: %+v", r)
			}
			if got.Entries[4].Name != x.Entries[4].Name || got.Campaign != "rk" {
				t.Errorf("read back %q of %q", got.Entries[4].Name, got.Campaign)
			}
		})
	}
}

func TestReadNamesTheBadLine(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", "empty"},
		{`{"type":"ledger"}` + "\n" + `{"type":"entry","seq":"x"}` + "\n", "line 2"},
		{`{"type":"ledger"}` + "\n" + `{"type":"mystery"}` + "\n", `line 2: type "mystery"`},
		{"type,seq\n", "csv"},
	} {
		if _, err := ledger.Read(strings.NewReader(c.in)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Read(%q) = %v, want %q", c.in, err, c.want)
		}
	}
}

// BenchmarkVerify100k reads and verifies a 100,000-entry JSON Lines export
// with a seal every thousand entries (the bound: under 2 s).
func BenchmarkVerify100k(b *testing.B) {
	priv := key(b)
	es := chain(b, 100_000)
	x := ledger.Export{Campaign: "rk", Entries: es}
	for s := int64(1000); s <= 100_000; s += 1000 {
		x.Seals = append(x.Seals, seal(priv, es, s, t0.Add(time.Duration(s)*time.Hour)))
	}
	var buf bytes.Buffer
	if err := ledger.WriteJSONL(&buf, x); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(buf.Len()))
	for b.Loop() {
		got, err := ledger.Read(bytes.NewReader(buf.Bytes()))
		if err != nil {
			b.Fatal(err)
		}
		if r := ledger.Verify(got, pub(priv)); !r.OK() || r.Entries != 100_000 {
			b.Fatalf("report %+v", r)
		}
	}
}

func BenchmarkVerifyOnly100k(b *testing.B) {
	priv := key(b)
	es := chain(b, 100_000)
	x := ledger.Export{Campaign: "rk", Entries: es}
	for s := int64(1000); s <= 100_000; s += 1000 {
		x.Seals = append(x.Seals, seal(priv, es, s, t0.Add(time.Duration(s)*time.Hour)))
	}
	for b.Loop() {
		if r := ledger.Verify(x, pub(priv)); !r.OK() {
			b.Fatal(r)
		}
	}
}
