package store_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"
	"gorm.io/gorm"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/store"
)

// TestSchemaOptionRefused: a schema on SQLite, or a name that is not a
// plain identifier, is refused with ErrInvalid naming the field and the
// rule, before anything is opened or created.
func TestSchemaOptionRefused(t *testing.T) {
	file := filepath.Join(t.TempDir(), "lib.db")
	for _, tc := range []struct{ dsn, schema, rule string }{
		{file, "billing", "postgres_only"},
		{"postgres://nobody@127.0.0.1:1/none", "Billing", "format"},
		{"postgres://nobody@127.0.0.1:1/none", "lib; DROP SCHEMA public", "format"},
		{"postgres://nobody@127.0.0.1:1/none", "1lib", "format"},
	} {
		_, err := store.OpenWith(context.Background(), tc.dsn, store.Options{Schema: tc.schema})
		require.ErrorIs(t, err, rbac.ErrInvalid, tc.schema)
		var ve *rbac.ValidationError
		require.ErrorAs(t, err, &ve)
		require.True(t, ve.Has("schema", tc.rule), "%v", err)
	}
	_, err := os.Stat(file)
	require.ErrorIs(t, err, os.ErrNotExist, "no SQLite file created")
}

// AppStaff is an application's own table that even has the library's
// name: only the schemas keep them apart.
type AppStaff struct {
	ID    uint `gorm:"primaryKey"`
	Login string
}

func (AppStaff) TableName() string { return "billingrbac_staff" }

// TestSchemaOption: with Options.Schema the library lives in a PostgreSQL
// schema of its own, which Migrate creates: the application's schema (the
// DSN's search_path) holds only the application's tables, even one named
// like a library table; the library's schema holds exactly the library's
// catalog; and a second instance in the same schema receives the first's
// changes through the listener, on the schema's own channel.
func TestSchemaOption(t *testing.T) {
	if os.Getenv(testdb.EnvPostgres) == "" && os.Getenv("CI") != "true" {
		t.Skip(testdb.EnvPostgres + " not set")
	}
	ctx := context.Background()
	dsn := testdb.DSN(t, testdb.Postgres) // the application's schema
	var rnd [4]byte
	_, _ = rand.Read(rnd[:])
	schema := "lib_" + hex.EncodeToString(rnd[:])
	t.Cleanup(func() {
		admin := testdb.Open(t, dsn)
		_ = admin.DB().Exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE").Error
	})

	app := testdb.Open(t, dsn).DB().Session(&gorm.Session{NewDB: true}).WithContext(ctx)
	require.NoError(t, app.AutoMigrate(&AppStaff{}, &Client{}))
	require.NoError(t, app.Create(&AppStaff{Login: "app-user"}).Error)

	a := testdb.OpenWith(t, dsn, store.Options{Schema: schema})
	require.NoError(t, a.Migrate(ctx))
	require.Equal(t, schema, a.Schema())
	require.Equal(t, store.ChannelFor(schema), a.Channel())
	var current string
	require.NoError(t, a.DB().Raw(`SELECT current_schema()`).Scan(&current).Error)
	require.Equal(t, schema, current)
	require.Equal(t, testdb.Catalog(t, testdb.New(t, testdb.Postgres)), testdb.Catalog(t, a))

	var appTables []string
	require.NoError(t, app.Raw(`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name`).Scan(&appTables).Error)
	require.Equal(t, []string{"billingrbac_staff", "clients"}, appTables)

	svcA, err := rbac.New(ctx, a, rbac.Options{})
	require.NoError(t, err)
	defer svcA.Close()
	_, err = svcA.Bootstrap(ctx, rbac.BootstrapOptions{})
	require.NoError(t, err)
	b := testdb.OpenWith(t, dsn, store.Options{Schema: schema})
	svcB, err := rbac.New(ctx, b, rbac.Options{SyncInterval: time.Hour}) // only the listener can tell it
	require.NoError(t, err)
	defer svcB.Close()
	d, err := svcA.CreateDepartment(ctx, 1, rbac.NewDepartment{Name: rbac.LocalizedText{language.English: "Billing"}})
	require.NoError(t, err)
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	require.NoError(t, svcB.WaitFor(wctx, svcA.Version()))
	got, err := svcB.Department(ctx, d.ID)
	require.NoError(t, err)
	require.Equal(t, d.Name, got.Name)

	var logins []string
	require.NoError(t, app.Model(&AppStaff{}).Pluck("login", &logins).Error)
	require.Equal(t, []string{"app-user"}, logins, "the application's billingrbac_staff is its own")
}
