package goosecheck_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/pressly/goose/v3"
	"github.com/stretchr/testify/require"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/store"
)

// gooseTable is the version table the docs tell DBAs to give goose.
const gooseTable = "billingrbac_goose"

// TestGooseBuildsTheSameSchema: on a fresh database, goose run over the
// files rbacctl exports (store.MigrationsFS copied to a directory) yields
// the schema the library's Migrate yields: the same catalog (tables,
// columns, types, defaults, indexes, constraints, SQLite's stored CREATE
// text, and the versions recorded in billingrbac_schema), goose's own
// version table aside. The library then opens the goose-built database as
// migrated, and works on it.
func TestGooseBuildsTheSameSchema(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		ctx := context.Background()
		lib := testdb.Open(t, testdb.DSN(t, b))
		require.NoError(t, lib.Migrate(ctx))

		viaGoose := testdb.Open(t, testdb.DSN(t, b))
		dir := filepath.Join(t.TempDir(), "migrations")
		fsys, err := store.MigrationsFS(viaGoose.Dialect())
		require.NoError(t, err)
		require.NoError(t, os.CopyFS(dir, fsys))
		dialect := goose.DialectSQLite3
		if viaGoose.IsPostgres() {
			dialect = goose.DialectPostgres
		}
		sqlDB, err := viaGoose.DB().DB()
		require.NoError(t, err)
		p, err := goose.NewProvider(dialect, sqlDB, os.DirFS(dir), goose.WithTableName(gooseTable))
		require.NoError(t, err)
		res, err := p.Up(ctx)
		require.NoError(t, err)
		ents, err := fs.ReadDir(fsys, ".")
		require.NoError(t, err)
		require.Len(t, res, len(ents), "goose applies every exported file")

		require.Equal(t, versions(t, lib)+testdb.Catalog(t, lib), versions(t, viaGoose)+testdb.Catalog(t, viaGoose, gooseTable, gooseTable+"_id_seq"))

		// The library sees nothing to do and works on goose's database.
		require.NoError(t, viaGoose.Migrate(ctx))
		require.Equal(t, testdb.Catalog(t, lib), testdb.Catalog(t, viaGoose, gooseTable, gooseTable+"_id_seq"))
		svc, err := rbac.New(ctx, viaGoose, rbac.Options{})
		require.NoError(t, err)
		defer svc.Close()
		boot, err := svc.Bootstrap(ctx, rbac.BootstrapOptions{})
		require.NoError(t, err)
		require.True(t, boot.Created)
	})
}

func versions(t *testing.T, st *store.Store) string {
	var rows []string
	require.NoError(t, st.DB().Raw(`SELECT CAST(version AS TEXT) || ' ' || name FROM billingrbac_schema ORDER BY version`).Scan(&rows).Error)
	out := ""
	for _, r := range rows {
		out += "version " + r + "\n"
	}
	return out
}
