package store_test

import (
	"context"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/store"
)

// TestOpenRefusesUnknownDSNShapes: a DSN that is neither an explicit
// SQLite form nor a PostgreSQL one is ErrInvalid naming the field and the
// rule, never echoes the DSN (it may hold a password), and creates no file.
func TestOpenRefusesUnknownDSNShapes(t *testing.T) {
	for _, dsn := range []string{
		"billing",                              // a bare word used to become a SQLite file
		"host-db:5432/billing",                 // almost a URL
		"mysql://root:s3cret@db/billing",       // another database
		"name=billing password=s3cret mode=rw", // key=value, but nothing says where to connect
		"sqlite:",
		"postgres://user:s3cret@%zz/db", // does not parse
		"./data/billing",                // a path without a SQLite extension
	} {
		t.Run(dsn, func(t *testing.T) {
			dir := t.TempDir()
			t.Chdir(dir)
			st, err := store.Open(context.Background(), dsn)
			if st != nil {
				st.Close()
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, rbac.ErrInvalid)
			var ve *rbac.ValidationError
			require.True(t, errors.As(err, &ve), "want a *rbac.ValidationError, got %T", err)
			require.Len(t, ve.Fields, 1)
			assert.Equal(t, "dsn", ve.Fields[0].Field)
			assert.NotContains(t, err.Error(), "s3cret")
			assert.NotContains(t, err.Error(), dsn)
			entries, err := os.ReadDir(dir)
			require.NoError(t, err)
			assert.Empty(t, entries, "a refused DSN must create nothing")
		})
	}
}

// TestOpenSQLiteForms: every explicit SQLite form opens SQLite.
func TestOpenSQLiteForms(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, c := range []struct{ dsn, file string }{
		{"", store.DefaultSQLiteFile},
		{":memory:", ""},
		{"sqlite::memory:", ""},
		{"a.db", "a.db"},
		{"b.sqlite3?cache=shared", "b.sqlite3"},
		{"sqlite://c.sqlite", "c.sqlite"},
		{"sqlite:d.any", "d.any"},
		{"file:e.db3", "e.db3"},
		{"file:mem1?mode=memory&cache=shared", ""},
	} {
		t.Run(c.dsn, func(t *testing.T) {
			st, err := store.Open(context.Background(), c.dsn)
			require.NoError(t, err)
			defer st.Close()
			assert.False(t, st.IsPostgres())
			require.NoError(t, st.Migrate(context.Background()))
			if c.file != "" {
				assert.FileExists(t, filepath.Join(dir, c.file))
			}
		})
	}
}

// TestOpenPostgresForms: the URL and key=value forms open the same
// PostgreSQL database.
func TestOpenPostgresForms(t *testing.T) {
	base := os.Getenv("BILLINGRBAC_POSTGRES_DSN")
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true but BILLINGRBAC_POSTGRES_DSN is not set")
		}
		t.Skip("BILLINGRBAC_POSTGRES_DSN not set")
	}
	u, err := url.Parse(base)
	require.NoError(t, err)
	kv := []string{"host=" + u.Hostname(), "dbname=" + strings.TrimPrefix(u.Path, "/")}
	if p := u.Port(); p != "" {
		kv = append(kv, "port="+p)
	}
	if n := u.User.Username(); n != "" {
		kv = append(kv, "user="+n)
	}
	if pw, ok := u.User.Password(); ok {
		kv = append(kv, "password='"+strings.ReplaceAll(pw, "'", `\'`)+"'")
	}
	if m := u.Query().Get("sslmode"); m != "" {
		kv = append(kv, "sslmode="+m)
	}
	alt := strings.Replace(base, "postgres://", "postgresql://", 1)
	for _, dsn := range []string{base, alt, strings.Join(kv, " ")} {
		st, err := store.Open(context.Background(), dsn)
		require.NoError(t, err, "shape %q", strings.SplitN(dsn, "=", 2)[0])
		assert.True(t, st.IsPostgres())
		require.NoError(t, st.DB().Exec("SELECT 1").Error)
		st.Close()
	}
}
