package store

import (
	"testing"

	"github.com/faxjam/faxjam/pkg/testtool"
)

// postgresDSN is a PostgreSQL server the test may write to (testtool.Postgres).
func postgresDSN(t *testing.T) string { return testtool.Postgres(t) }
