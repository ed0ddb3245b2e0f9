package signers

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/faxjam/faxjam/pkg/letter"
)

// readAll drains a reader, returning its rows and the fatal error, if any.
func readAll(t testing.TB, in, format string) ([]Row, error) {
	t.Helper()
	r, err := Open(strings.NewReader(in), format)
	if err != nil {
		return nil, err
	}
	var rows []Row
	for {
		row, err := r.Next()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			return rows, err
		}
		rows = append(rows, row)
	}
}

// summary writes each row as "line:name" or "line!error".
func summary(rows []Row) string {
	var parts []string
	for _, r := range rows {
		if r.Err != nil {
			parts = append(parts, fmt.Sprintf("%d!%v", r.Line, r.Err))
		} else {
			parts = append(parts, fmt.Sprintf("%d:%s", r.Line, r.Signer.Name))
		}
	}
	return strings.Join(parts, " | ")
}

func TestReadCSV(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"plain", "name,city,country\nAna,Lima,Perú\nJosé,Sevilla,España\n", "2:Ana | 3:José"},
		{"any order, any case, BOM, CRLF", "\uFEFFCountry,NAME,City,Email\r\nPerú,Ana,Lima,ana@example.org\r\n", "2:Ana"},
		{"quoted field with comma and newline", "name,city,country,note\n\"Pérez, Ana\",Lima,Perú,\"línea uno\nlínea dos\"\nBo,Oslo,Norge,\n", "2:Pérez, Ana | 4:Bo"},
		{"semicolons", "name;city;country\nAna;Lima;Perú\n", "2:Ana"},
		{"wrong column count", "name,city,country\nAna,Lima\nBo,Oslo,Norge\n", "2!line 2: 2 fields, the header has 3 | 3:Bo"},
		{"bad quotes then recovery", "name,city,country\nA\"na,Lima,Perú\nBo,Oslo,Norge\n", `2!line 2: bad quotes: bare " in non-quoted-field | 3:Bo`},
		{"invalid row continues", "name,city,country\n,Lima,Perú\nBo,Oslo,Norge\n", "2!line 2: name: required | 3:Bo"},
		{"several bad fields", "name,city,country\n,,\n", "2!line 2: name: required; city: required; country: required"},
		{"duplicate", "name,city,country\nAna Pérez,Lima,Perú\nBo,Oslo,Norge\nANA  PÉREZ,lima,PERÚ\n", "2:Ana Pérez | 3:Bo | 4!line 4: duplicate of line 2"},
		{"template syntax", "name,city,country\n{{.Campaign}},Lima,Perú\n", "2!line 2: name: must not contain template syntax ({{ or }})"},
		{"lang column", "name,city,country,lang\nAna,Lima,Perú,xx-!\n", `2!line 2: lang: "xx-!" is not a language code: want a BCP 47 tag (e.g. es, en, pt-BR)`},
		{"CR-only line endings", "name,city,country\rAna,Lima,Perú\rBo,Oslo,Norge\r", "2:Ana | 3:Bo"},
		{"CRLF and CR mixed", "name,city,country\r\nAna,Lima,Perú\rBo,Oslo,Norge\r\n\"Cy\",Rome,Italia", "2:Ana | 3:Bo | 4:Cy"},
		{"lang not BCP 47", "name,city,country,lang\nAna,Lima,Perú,xx-notalang-123\n", `2!line 2: lang: "xx-notalang-123" is not a language code: want a BCP 47 tag (e.g. es, en, pt-BR)`},
		{"names with quotes", "name,city,country\n\"Ana \"\"La Flaca\"\" Pérez\",Lima,Perú\n«Chucho»,Quito,Ecuador\n“Nené”,Ponce,Puerto Rico\n", `2:Ana "La Flaca" Pérez | 3:«Chucho» | 4:“Nené”`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := readAll(t, tt.in, "")
			if err != nil {
				t.Fatalf("fatal error %v", err)
			}
			if got := summary(rows); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestRowErrorNamesField(t *testing.T) {
	rows, err := readAll(t, "name,city,country,email\nAna,Lima,Perú,not-an-email\n", "csv")
	if err != nil {
		t.Fatal(err)
	}
	var re *RowError
	if len(rows) != 1 || !errors.As(rows[0].Err, &re) || re.Field != "email" || re.Line != 2 {
		t.Fatalf("rows %+v, want one RowError on email at line 2", rows)
	}
}

func TestRowsAreNormalized(t *testing.T) {
	rows, err := readAll(t, "name,city,country,note\n\"  Jose\u0301   Pérez \",Lima,Perú,\"hola\r\nadiós  \"\n", "csv")
	if err != nil || len(rows) != 1 || rows[0].Err != nil {
		t.Fatalf("rows %+v err %v", rows, err)
	}
	if s := rows[0].Signer; s.Name != "José Pérez" || s.Note != "hola\nadiós" {
		t.Errorf("signer %+v, want NFC, collapsed spaces, LF note", s)
	}
}

func TestOversizedFieldRejectsOnlyItsRow(t *testing.T) {
	huge := strings.Repeat("x", 10<<20)
	for _, tt := range []struct{ format, in string }{
		{"csv", "name,city,country,note\nAna,Lima,Perú,\"" + huge + "\"\nBo,Oslo,Norge,\n"},
		{"jsonl", `{"name":"Ana","city":"Lima","country":"Perú","note":"` + huge + `"}` + "\n" + `{"name":"Bo","city":"Oslo","country":"Norge"}` + "\n"},
	} {
		t.Run(tt.format, func(t *testing.T) {
			rows, err := readAll(t, tt.in, tt.format)
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 2 || rows[0].Err == nil || rows[1].Err != nil || rows[1].Signer.Name != "Bo" {
				t.Fatalf("got %s, want the first row rejected and Bo read", summary(rows))
			}
			if rows[0].Signer.Note != "" {
				t.Error("an oversized row carries its note onward")
			}
		})
	}
}

func TestReadJSONL(t *testing.T) {
	in := `{"name":"Ana","city":"Lima","country":"Perú","email":"ana@example.org"}

{"name":"Bo","city":"Oslo"
{"name":"Cy","city":"Rome","country":"Italia","age":3}
{"name":7,"city":"Rome","country":"Italia"}
[1,2]
{"name":"Di","city":"Nice","country":"France","lang":"fr"} {}
{"name":"Ed","city":"Cork","country":"Éire","note":"a\nb"}
{"name":"Flo","city":"Pau","country":"France","note":"lone \ud800 half"}
`
	rows, err := readAll(t, in, "")
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		"1:Ana",
		"3!line 3: not valid JSON: unexpected EOF",
		"4!line 4: age: unknown field (known: name, city, country, email, note, lang)",
		"5!line 5: name: want a string",
		"6!line 6: not a JSON object",
		"7!line 7: more than one JSON value on the line",
		"8:Ed",
		"9!line 9: note: contains a lone UTF-16 surrogate escape (\\ud800–\\udfff without its pair): not a character",
	}, " | ")
	if got := summary(rows); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestFatalErrors(t *testing.T) {
	tests := []struct {
		name, in, format, want string
	}{
		{"empty", "", "", "no signers: file is empty"},
		{"only whitespace", " \n\r\n", "", "no signers: file is empty"},
		{"only BOM", "\uFEFF", "csv", "no signers: file is empty"},
		{"binary", "name,city\x00\x01\x02", "", "not a text file"},
		{"latin-1", "name,city,country\nJos\xe9,Lima,Per\xfa\n", "", "not a text file"},
		{"no name column", "city,country\nLima,Perú\n", "", "no name column"},
		{"unknown columns", "name,city,country,phone,age\n", "", `unknown column "phone", "age"`},
		{"column twice", "name,city,country,name\n", "", "column name appears twice"},
		{"header only", "name,city,country\n", "", "no signers: the list has no rows"},
		{"unknown format", "name\n", "xml", `unknown format "xml"`},
		{"a bad JSON line is not fatal", "{\n", "jsonl", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readAll(t, tt.in, tt.format)
			if tt.want == "" {
				if err != nil {
					t.Errorf("unexpected fatal error %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestEmptyIsErrEmpty(t *testing.T) {
	if _, err := Open(strings.NewReader(""), ""); !errors.Is(err, ErrEmpty) {
		t.Errorf("err = %v, want ErrEmpty", err)
	}
}

func TestDedup(t *testing.T) {
	d := NewDedup()
	const n = 100_000
	for i := 1; i <= n; i++ {
		if _, dup := d.Seen(fmt.Sprint("key", i), i); dup {
			t.Fatalf("key%d reported as a duplicate", i)
		}
	}
	for _, i := range []int{1, 777, n} {
		if first, dup := d.Seen(fmt.Sprint("key", i), n+i); !dup || first != i {
			t.Errorf("key%d again: first %d dup %v, want line %d", i, first, dup, i)
		}
	}
	if d.Len() != n {
		t.Errorf("Len %d, want %d", d.Len(), n)
	}
}

func FuzzReader(f *testing.F) {
	f.Add([]byte("name,city,country\nAna,Lima,Perú\n"), "")
	f.Add([]byte("\uFEFFname;city;country;note\r\n\"A\"\"na\";Lima;Perú;\"x\ny\"\r\n"), "csv")
	f.Add([]byte(`{"name":"Ana","city":"Lima","country":"Perú"}`+"\n{bad\n"), "")
	f.Add([]byte("name,city,country\n\"unterminated,x,y\n"), "csv")
	f.Fuzz(func(t *testing.T, data []byte, format string) {
		r, err := Open(bytes.NewReader(data), format)
		if err != nil {
			return
		}
		last := 0
		for i := 0; ; i++ {
			if i > len(data)+1 {
				t.Fatalf("more rows than bytes: the reader does not progress")
			}
			row, err := r.Next()
			if err != nil {
				return
			}
			if row.Line < last || row.Line < 1 {
				t.Fatalf("row line %d after %d", row.Line, last)
			}
			last = row.Line
			if row.Err == nil {
				if err := letter.ValidateSigner(row.Signer, false); err != nil {
					t.Fatalf("accepted row fails validation: %v", err)
				}
				if letter.Normalize(row.Signer) != row.Signer {
					t.Fatalf("accepted row is not normalized: %+v", row.Signer)
				}
			}
		}
	})
}

func BenchmarkReadCSV100k(b *testing.B) {
	var buf bytes.Buffer
	buf.WriteString("name,city,country,email,note\n")
	const rows = 100_000
	for i := range rows {
		fmt.Fprintf(&buf, "Persona Número %d,Ciudad de Guatemala,Guatemala,p%d@example.org,\"Una nota breve, número %d.\"\n", i, i, i)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r, err := Open(bytes.NewReader(data), "csv")
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			row, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil || row.Err != nil {
				b.Fatal(err, row.Err)
			}
			n++
		}
		if n != rows {
			b.Fatalf("%d rows", n)
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkDedup1M(b *testing.B) {
	const n = 1_000_000
	keys := make([]string, n)
	for i := range keys {
		keys[i] = letter.SignerKey("c", letter.Signer{Name: fmt.Sprint("Persona ", i), City: "Lima", Country: "Perú"})
	}
	b.ReportAllocs()
	var d *Dedup
	for b.Loop() {
		d = NewDedup()
		for i, k := range keys {
			if _, dup := d.Seen(k, i+1); dup {
				b.Fatalf("false duplicate at %d", i)
			}
		}
	}
	b.ReportMetric(float64(len(d.hash)*12)/1e6, "table-MB")
	b.ReportMetric(float64(len(d.hash)*12)/n, "bytes/signer")
}
