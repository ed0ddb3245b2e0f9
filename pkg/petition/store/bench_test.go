package store

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
)

// BenchmarkAddSQLite measures one durable Add (WAL, synchronous=FULL) from
// parallel writers.
//
//	go test -run '^$' -bench AddSQLite ./pkg/petition/store/
func BenchmarkAddSQLite(b *testing.B) {
	st, err := OpenSQLite(context.Background(), filepath.Join(b.TempDir(), "p.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	var n atomic.Int64
	b.SetParallelism(32)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			k := fmt.Sprint(i)
			if _, _, err := st.Add(context.Background(), Signature{Campaign: "c", Key: k, Person: k, Name: "Persona", City: "Xela", Country: "Guatemala"}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
