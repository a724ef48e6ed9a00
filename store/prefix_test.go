package store_test

import (
	"context"
	"strings"
	"testing"

	gormadapter "github.com/casbin/gorm-adapter/v3"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"
	"gorm.io/gorm"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/clients"
	"github.com/billingrbac/billingrbac/store"
)

// TestPrefixOwnsEveryName: every table, index, constraint, sequence,
// trigger and function a fresh migration creates is named with
// store.TablePrefix
// (SQLite's own sqlite_autoindex_ names aside), so no name the library
// takes can be one an application picks for itself.
func TestPrefixOwnsEveryName(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		st := testdb.New(t, b)
		for _, line := range strings.Split(strings.TrimSpace(testdb.Catalog(t, st)), "\n") {
			if strings.HasPrefix(line, "  | ") {
				continue // the continuation of a multi-line definition
			}
			f := strings.Fields(line)
			require.True(t, strings.HasPrefix(f[0], store.TablePrefix), "relation of %q", line)
			if (f[1] == "index" || f[1] == "constraint" || f[1] == "table" || f[1] == "trigger") && len(f) > 2 {
				name := strings.TrimSuffix(f[2], ":")
				if !strings.HasPrefix(name, "sqlite_autoindex_") {
					require.True(t, strings.HasPrefix(name, store.TablePrefix), "name in %q", line)
				}
			}
		}
	})
}

// The application's own models, named like the library's nouns, with the
// names GORM gives them: clients, tasks, staffs.
type (
	Client struct {
		ID      uint `gorm:"primaryKey"`
		Company string
		Email   string `gorm:"uniqueIndex"`
		Balance int64
	}
	Task struct {
		ID       uint `gorm:"primaryKey"`
		ClientID uint `gorm:"index"`
		Title    string
		Done     bool
	}
)

// TestApplicationTablesBesideLibrary: an application keeps its own GORM
// models named Client and Task (tables clients and tasks) and its own
// Casbin policy through gorm-adapter's defaults (table casbin_rule, index
// idx_casbin_rule) in the library's database. Whether the application
// migrates before or after the library, nothing collides, the library's
// schema is exactly what Migrate alone makes, and both sides read and
// write their own rows.
func TestApplicationTablesBesideLibrary(t *testing.T) {
	for _, appFirst := range []bool{true, false} {
		name := "library first"
		if appFirst {
			name = "application first"
		}
		t.Run(name, func(t *testing.T) {
			testdb.Run(t, func(t *testing.T, b testdb.Backend) {
				ctx := context.Background()
				want := testdb.Catalog(t, testdb.New(t, b)) // the library's schema alone

				st := testdb.Open(t, testdb.DSN(t, b))
				app := st.DB().Session(&gorm.Session{NewDB: true}).WithContext(ctx)
				appMigrate := func() {
					require.NoError(t, app.AutoMigrate(&Client{}, &Task{}))
					_, err := gormadapter.NewAdapterByDB(app) // creates casbin_rule, idx_casbin_rule
					require.NoError(t, err)
				}
				if appFirst {
					appMigrate()
				}
				require.NoError(t, st.Migrate(ctx))
				if !appFirst {
					appMigrate()
				}
				// The library's part of the catalog is untouched.
				require.Equal(t, want, libraryPart(testdb.Catalog(t, st)))

				// The application's rows.
				c := Client{Company: "Acme", Email: "billing@acme.test", Balance: 100}
				require.NoError(t, app.Create(&c).Error)
				require.NoError(t, app.Create(&Task{ClientID: c.ID, Title: "renew domain"}).Error)
				a, err := gormadapter.NewAdapterByDB(app)
				require.NoError(t, err)
				require.NoError(t, a.AddPolicy("p", "p", []string{"app-role", "app-object", "read"}))

				// The library's, on the same database.
				csvc, staff := clientsOn(t, st)
				lc, err := csvc.CreateClient(ctx, clients.ByStaff(1), clients.NewClient{Name: "Library client",
					FirstUser: clients.NewUser{Login: "owner", Name: "Owner"}})
				require.NoError(t, err)
				d, err := staff.CreateDepartment(ctx, 1, rbac.NewDepartment{Name: rbac.LocalizedText{language.English: "Billing"}})
				require.NoError(t, err)
				require.NoError(t, staff.SetDepartmentPermissions(ctx, 1, d.ID, rbac.Perm(rbac.FuncInvoices, rbac.ActView)))
				john, err := staff.CreateStaff(ctx, 1, rbac.NewStaff{Login: "john", FullName: rbac.LocalizedText{language.English: "John"}, Departments: []rbac.DepartmentID{d.ID}})
				require.NoError(t, err)
				require.True(t, staff.Can(john.ID, rbac.Perm(rbac.FuncInvoices, rbac.ActView)))

				var appClients []Client
				require.NoError(t, app.Find(&appClients).Error)
				require.Equal(t, []Client{c}, appClients)
				var appRules int64
				require.NoError(t, app.Table("casbin_rule").Count(&appRules).Error)
				require.EqualValues(t, 1, appRules, "the application's Casbin table holds only its own rule")
				got, err := st.ClientStore().Clients(ctx)
				require.NoError(t, err)
				require.Len(t, got, 1)
				require.Equal(t, lc.ID, got[0].ID)

				// A second library instance loads only the library's policy.
				again, err := rbac.New(ctx, st, rbac.Options{})
				require.NoError(t, err)
				defer again.Close()
				require.True(t, again.Can(john.ID, rbac.Perm(rbac.FuncInvoices, rbac.ActView)))
			})
		})
	}
}

// libraryPart keeps the catalog entries of the library's relations.
func libraryPart(catalog string) string {
	var keep []string
	entries := strings.Split(catalog, "\n")
	in := false
	for _, e := range entries {
		if e == "" {
			continue
		}
		if !strings.HasPrefix(e, "  | ") { // an entry, not the continuation of one
			first, _, _ := strings.Cut(e, " ")
			in = strings.HasPrefix(first, store.TablePrefix)
		}
		if in {
			keep = append(keep, e)
		}
	}
	return strings.Join(keep, "\n") + "\n"
}
