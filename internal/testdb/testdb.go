// Package testdb gives tests a fresh, migrated database on every backend
// the machine has: SQLite always, PostgreSQL when BILLINGRBAC_POSTGRES_DSN
// is set (a fresh schema per test). Under CI=true a missing PostgreSQL
// fails the test instead of skipping it.
package testdb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"gorm.io/gorm"

	"github.com/billingrbac/billingrbac/store"
)

// EnvPostgres names the variable holding a PostgreSQL DSN for tests.
const EnvPostgres = "BILLINGRBAC_POSTGRES_DSN"

// Backend is a database kind tests run on.
type Backend string

// Backends.
const (
	SQLite   Backend = "sqlite"
	Postgres Backend = "postgres"
)

// Backends returns the backends available here. Under CI=true,
// PostgreSQL must be configured.
func Backends(tb testing.TB) []Backend {
	tb.Helper()
	out := []Backend{SQLite}
	if os.Getenv(EnvPostgres) != "" {
		out = append(out, Postgres)
	} else if os.Getenv("CI") == "true" {
		tb.Fatalf("CI=true but %s is not set: the PostgreSQL suite must run in CI", EnvPostgres)
	}
	return out
}

// Run runs fn as a subtest on every backend.
func Run(t *testing.T, fn func(t *testing.T, b Backend)) {
	for _, b := range Backends(t) {
		t.Run(string(b), func(t *testing.T) { fn(t, b) })
	}
}

// DSN returns the DSN of a fresh, empty database on backend b, removed when
// the test ends. Open it as often as needed (several instances).
func DSN(tb testing.TB, b Backend) string {
	tb.Helper()
	switch b {
	case SQLite:
		return filepath.Join(tb.TempDir(), "billingrbac.db")
	case Postgres:
		base := os.Getenv(EnvPostgres)
		if base == "" {
			tb.Skipf("%s not set", EnvPostgres)
		}
		return schemaDSN(tb, base)
	}
	tb.Fatalf("testdb: unknown backend %q", b)
	return ""
}

// schemaDSN creates a fresh schema on the PostgreSQL server of base, drops
// it when the test ends, and returns base with that schema as its
// search_path.
func schemaDSN(tb testing.TB, base string) string {
	tb.Helper()
	var rnd [6]byte
	_, _ = rand.Read(rnd[:])
	schema := "t_" + hex.EncodeToString(rnd[:])
	admin, err := store.Open(context.Background(), base)
	if err != nil {
		tb.Fatalf("testdb: connect to PostgreSQL: %v", err)
	}
	if err := admin.DB().Exec("CREATE SCHEMA " + schema).Error; err != nil {
		tb.Fatalf("testdb: create schema: %v", err)
	}
	tb.Cleanup(func() {
		_ = admin.DB().Exec("DROP SCHEMA " + schema + " CASCADE").Error
		_ = admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("testdb: PostgreSQL DSN: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Open opens dsn, closing it when the test ends. Faults can be injected
// into its statements with SetFault.
func Open(tb testing.TB, dsn string) *store.Store {
	tb.Helper()
	return OpenWith(tb, dsn, store.Options{})
}

// OpenWith opens dsn with options, closing it when the test ends.
func OpenWith(tb testing.TB, dsn string, opts store.Options) *store.Store {
	tb.Helper()
	st, err := store.OpenWith(context.Background(), dsn, opts)
	if err != nil {
		tb.Fatalf("testdb: open: %v", err)
	}
	tb.Cleanup(func() { _ = st.Close() })
	if err := st.DB().Use(&faultPlugin{}); err != nil {
		tb.Fatalf("testdb: fault hook: %v", err)
	}
	return st
}

// New returns a migrated store on a fresh database of backend b.
func New(tb testing.TB, b Backend) *store.Store {
	tb.Helper()
	st := Open(tb, DSN(tb, b))
	if err := st.Migrate(context.Background()); err != nil {
		tb.Fatalf("testdb: migrate: %v", err)
	}
	return st
}

// Count returns SELECT COUNT(*) FROM table.
func Count(tb testing.TB, db *gorm.DB, table string) int64 {
	tb.Helper()
	var n int64
	if err := db.Table(table).Count(&n).Error; err != nil {
		tb.Fatalf("testdb: count %s: %v", table, err)
	}
	return n
}
