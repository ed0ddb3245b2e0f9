// Package sqlbind holds what faxjam's stores (the journal, the petition
// store) need to write their SQL once for SQLite and PostgreSQL: the
// placeholder rewrite. It imports nothing of faxjam's.
package sqlbind

import (
	"strconv"
	"strings"
)

// Dollar numbers the ? placeholders of q as PostgreSQL's $1, $2, ... The
// queries given have no ? inside string literals.
func Dollar(q string) string {
	if !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	n := 0
	for _, c := range q {
		if c == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}
