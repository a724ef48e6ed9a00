package store_test

import (
	"context"
	"fmt"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/store"
)

func TestParseMigration(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      []string
		err       string
	}{
		{name: "statements", src: "-- header\n\n-- +goose Up\nCREATE TABLE a (\n\tid INTEGER);\n\n-- a comment\nINSERT INTO a VALUES (1); -- trailing\n",
			want: []string{"CREATE TABLE a (\n\tid INTEGER)", "INSERT INTO a VALUES (1); -- trailing"}},
		{name: "block keeps inner semicolons", src: "-- +goose Up\n-- +goose StatementBegin\nCREATE FUNCTION f() RETURNS trigger AS $$\nBEGIN\n  RETURN NEW;\nEND;\n$$ LANGUAGE plpgsql;\n-- +goose StatementEnd\nSELECT 1;\n",
			want: []string{"CREATE FUNCTION f() RETURNS trigger AS $$\nBEGIN\n  RETURN NEW;\nEND;\n$$ LANGUAGE plpgsql", "SELECT 1"}},
		{name: "down part ignored", src: "-- +goose Up\nSELECT 1;\n-- +goose Down\nDROP TABLE a;\n", want: []string{"SELECT 1"}},
		{name: "no up", src: "SELECT 1;\n", err: "before -- +goose Up"},
		{name: "empty", src: "-- nothing\n", err: "no -- +goose Up"},
		{name: "missing semicolon", src: "-- +goose Up\nSELECT 1\n", err: "missing semicolon"},
		{name: "unclosed block", src: "-- +goose Up\n-- +goose StatementBegin\nSELECT 1;\n", err: "without StatementEnd"},
		{name: "end without begin", src: "-- +goose Up\n-- +goose StatementEnd\n", err: "without StatementBegin"},
		{name: "two ups", src: "-- +goose Up\n-- +goose Up\n", err: "second"},
		{name: "no transaction refused", src: "-- +goose Up\n-- +goose NO TRANSACTION\nSELECT 1;\n", err: "not supported"},
		{name: "envsub refused", src: "-- +goose Up\n-- +goose ENVSUB ON\nSELECT '${X}';\n", err: "not supported"},
		{name: "down inside a statement", src: "-- +goose Up\nSELECT\n-- +goose Down\n", err: "before the Up part is complete"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := store.ParseMigrationForTest(tc.src)
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func FuzzParseMigration(f *testing.F) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		fsys, err := store.MigrationsFS(d)
		require.NoError(f, err)
		ents, err := fs.ReadDir(fsys, ".")
		require.NoError(f, err)
		for _, e := range ents {
			b, err := fs.ReadFile(fsys, e.Name())
			require.NoError(f, err)
			f.Add(string(b))
		}
	}
	f.Fuzz(func(t *testing.T, src string) {
		stmts, err := store.ParseMigrationForTest(src)
		if err != nil {
			return
		}
		for _, s := range stmts {
			// Every statement is text of the file, trimmed.
			require.Contains(t, src, s)
			require.Equal(t, strings.TrimSpace(s), s)
		}
	})
}

// TestMigrationsFS: each dialect exports the same migration files, the
// baseline then one per version up to SchemaVersion, each recording its
// version(s) in billingrbac_schema
// (the invariant the runner enforces; checked here on the text too, so a
// file missing it fails before any database is involved).
func TestMigrationsFS(t *testing.T) {
	var names [2][]string
	for i, d := range []store.Dialect{store.SQLite, store.Postgres} {
		fsys, err := store.MigrationsFS(d)
		require.NoError(t, err)
		ents, err := fs.ReadDir(fsys, ".")
		require.NoError(t, err)
		require.Len(t, ents, store.SchemaVersion()-store.BaselineForTest+1)
		for _, e := range ents {
			names[i] = append(names[i], e.Name())
			b, err := fs.ReadFile(fsys, e.Name())
			require.NoError(t, err)
			stmts, err := store.ParseMigrationForTest(string(b))
			require.NoError(t, err, e.Name())
			last := stmts[len(stmts)-1]
			v := strings.TrimLeft(e.Name()[:5], "0")
			if len(names[i]) == 1 { // the baseline records every version up to its own
				v = `1, '[^']*', [^\n]*\n(\t\(\d+, '[^']*', [^\n]*\n)*\t\(` + v
			}
			assert.Regexp(t, `^INSERT INTO billingrbac_schema \(version, name, applied_at\)\s+VALUES\s+\(`+v+`, '`, last, e.Name())
		}
	}
	require.Equal(t, names[0], names[1])

	_, err := store.MigrationsFS("mysql")
	require.ErrorIs(t, err, rbac.ErrInvalid)
	var ve *rbac.ValidationError
	require.ErrorAs(t, err, &ve)
	require.True(t, ve.Has("dialect", "one_of"))
	d, err := store.ParseDialect("postgres")
	require.NoError(t, err)
	require.Equal(t, store.Postgres, d)
}

// TestMigrateAgain: a second Migrate, from a second instance too, changes
// nothing; the store reports its dialect.
func TestMigrateAgain(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		ctx := context.Background()
		dsn := testdb.DSN(t, b)
		st := testdb.Open(t, dsn)
		require.NoError(t, st.Migrate(ctx))
		before := testdb.Catalog(t, st)
		require.NoError(t, testdb.Open(t, dsn).Migrate(ctx))
		require.Equal(t, before, testdb.Catalog(t, st))
		require.EqualValues(t, store.SchemaVersion(), testdb.Count(t, st.DB(), "billingrbac_schema"))
		want := store.SQLite
		if b == testdb.Postgres {
			want = store.Postgres
		}
		require.Equal(t, want, st.Dialect())
	})
}

// TestMigrationMustRecordItself: a file that does not record its version
// fails Migrate and leaves nothing of itself behind (its transaction rolls
// back), so a migration added without its INSERT cannot pass any test.
func TestMigrationMustRecordItself(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		ctx := context.Background()
		st := testdb.Open(t, testdb.DSN(t, b))
		files := fstest.MapFS{"00001_a.sql": {Data: []byte("-- +goose Up\nCREATE TABLE a (id INTEGER);\n")}}
		err := st.MigrateFSForTest(ctx, files)
		require.ErrorContains(t, err, "records 0 of versions 1 to 1")
		require.Error(t, st.DB().Exec(`SELECT id FROM a`).Error, "table a rolled back")

		files["00001_a.sql"].Data = append(files["00001_a.sql"].Data,
			"INSERT INTO billingrbac_schema (version, name, applied_at) VALUES (1, 'a', 0);\n"...)
		require.NoError(t, st.MigrateFSForTest(ctx, files))
		require.NoError(t, st.DB().Exec(`SELECT id FROM a`).Error)
	})
}

// TestBaselineEqualsHistory: a new database that takes the baseline and
// one that goes through the history, as databases of earlier releases
// did, end with the same catalog (names, columns, types, defaults,
// indexes, constraints, sequences, SQLite's stored CREATE text) and the
// same recorded versions.
func TestBaselineEqualsHistory(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		ctx := context.Background()
		viaBaseline := testdb.Open(t, testdb.DSN(t, b))
		require.NoError(t, viaBaseline.Migrate(ctx))
		viaHistory := testdb.Open(t, testdb.DSN(t, b))
		require.NoError(t, viaHistory.MigrateHistoryForTest(ctx, store.SchemaVersion()))
		require.Equal(t, versionRows(t, viaBaseline)+testdb.Catalog(t, viaBaseline), versionRows(t, viaHistory)+testdb.Catalog(t, viaHistory))
	})
}

func versionRows(t *testing.T, st *store.Store) string {
	var rows []struct {
		Version int
		Name    string
	}
	require.NoError(t, st.DB().Raw(`SELECT version, name FROM billingrbac_schema ORDER BY version`).Scan(&rows).Error)
	out := ""
	for _, r := range rows {
		out += fmt.Sprintf("version %d: %s\n", r.Version, r.Name)
	}
	return out
}
