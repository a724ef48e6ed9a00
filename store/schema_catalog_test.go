package store_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/billingrbac/billingrbac/internal/testdb"
)

var updateCatalog = flag.Bool("update-catalog", false, "rewrite testdata/catalog.*.txt from the current migrations")

// TestSchemaCatalog: a fresh database migrated by the library holds exactly
// the schema recorded in testdata/catalog.BACKEND.txt (tables, columns,
// types, defaults, indexes, constraints; on SQLite the stored CREATE text)
// and the versions recorded in billingrbac_schema.
// The files were first written by the migrations as Go code, before they
// became SQL files, so the SQL files create the same schema as they did; a
// new migration updates them (go test -run TestSchemaCatalog -update-catalog)
// and the diff shows a reviewer what it changes.
func TestSchemaCatalog(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		st := testdb.Open(t, testdb.DSN(t, b))
		require.NoError(t, st.Migrate(context.Background()))
		got := testdb.Catalog(t, st)
		// The versions recorded, as a database migrated by an older
		// release has them: the runner skips exactly those.
		var rows []struct {
			Version int
			Name    string
		}
		require.NoError(t, st.DB().Raw(`SELECT version, name FROM billingrbac_schema ORDER BY version`).Scan(&rows).Error)
		for _, r := range rows {
			got += fmt.Sprintf("version %d: %s\n", r.Version, r.Name)
		}
		path := filepath.Join("testdata", "catalog."+string(b)+".txt")
		if *updateCatalog {
			require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		}
		want, err := os.ReadFile(path)
		require.NoError(t, err)
		require.Equal(t, string(want), got)
	})
}
