package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"
	"gorm.io/gorm"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/clients"
	"github.com/billingrbac/billingrbac/rbac/hours"
	"github.com/billingrbac/billingrbac/store"
)

// legacyName is the name a table had before the prefix migration gave every table
// the prefix.
func legacyName(table string) string {
	rest := strings.TrimPrefix(table, store.TablePrefix)
	if rest == "state" || rest == "changes" {
		return "rbac_" + rest
	}
	return rest
}

// TestPrefixMigrationKeepsData: a database at the last version before the
// prefix (the unprefixed tables of earlier releases) holding real data migrates to the current
// version: every row survives under the new names, the Service opens on it
// at the same version and decides every permission of every staff member
// the same, and the next IDs continue where they were (no ID is reused).
// Its data is what the current code writes on another database
// (staff, departments, grants, hours, a client, the change log), copied
// into the unprefixed tables.
func TestPrefixMigrationKeepsData(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		ctx := context.Background()
		src := testdb.New(t, b)
		csvc, svc := clientsOn(t, src)
		fill(t, ctx, svc, csvc)
		want := decisions(t, ctx, svc)

		old := testdb.Open(t, testdb.DSN(t, b))
		require.NoError(t, old.MigrateHistoryForTest(ctx, store.BaselineForTest-1))
		tables := copyToLegacy(t, src.DB(), old.DB())
		require.NotEmpty(t, tables)

		require.NoError(t, old.Migrate(ctx))
		for table, cols := range tables {
			require.Equal(t, dump(t, src.DB(), table, cols), dump(t, old.DB(), table, cols), table)
		}
		moved, err := rbac.New(ctx, old, rbac.Options{})
		require.NoError(t, err)
		defer moved.Close()
		require.Equal(t, svc.Version(), moved.Version())
		require.Equal(t, want, decisions(t, ctx, moved))

		// The next write takes the ID the original database would give.
		in := rbac.NewStaff{Login: "newcomer", FullName: rbac.LocalizedText{language.English: "Newcomer"}}
		a, err := svc.CreateStaff(ctx, 1, in)
		require.NoError(t, err)
		c, err := moved.CreateStaff(ctx, 1, in)
		require.NoError(t, err)
		require.Equal(t, a.ID, c.ID)
	})
}

func fill(t *testing.T, ctx context.Context, svc *rbac.Service, csvc *clients.Service) {
	t.Helper()
	en := func(s string) rbac.LocalizedText { return rbac.LocalizedText{language.English: s} }
	billing, err := svc.CreateDepartment(ctx, 1, rbac.NewDepartment{Name: en("Billing"), TaskLanguage: language.Russian})
	require.NoError(t, err)
	require.NoError(t, svc.SetDepartmentPermissions(ctx, 1, billing.ID,
		rbac.Perm(rbac.FuncInvoices, rbac.ActView), rbac.Perm(rbac.FuncInvoices, rbac.ActSend)))
	john, err := svc.CreateStaff(ctx, 1, rbac.NewStaff{Login: "john", FullName: en("John"), Email: "john@example.com",
		Departments: []rbac.DepartmentID{billing.ID}})
	require.NoError(t, err)
	require.NoError(t, svc.Grant(ctx, 1, john.ID, rbac.Perm(rbac.FuncClients, rbac.ActView)))
	_, err = svc.CreateStaff(ctx, 1, rbac.NewStaff{Login: "mary", FullName: en("Mary"), Status: rbac.StatusDisabled,
		Departments: []rbac.DepartmentID{billing.ID}})
	require.NoError(t, err)
	sch := hours.AlwaysOpen()
	sch.Name = "Office"
	stored, err := svc.CreateSchedule(ctx, 1, sch)
	require.NoError(t, err)
	_, err = svc.SetDepartmentHours(ctx, 1, billing.ID, stored.ID, 4*time.Hour)
	require.NoError(t, err)
	_, err = csvc.CreateClient(ctx, clients.ByStaff(1), clients.NewClient{Name: "Acme",
		FirstUser: clients.NewUser{Login: "owner", Name: "Owner"}})
	require.NoError(t, err)
}

// decisions is every staff member's answer for every permission.
func decisions(t *testing.T, ctx context.Context, svc *rbac.Service) string {
	t.Helper()
	staff, err := svc.StaffMembers(ctx)
	require.NoError(t, err)
	var b strings.Builder
	for _, s := range staff {
		for _, p := range svc.Catalog().Permissions() {
			fmt.Fprintf(&b, "%s %s %t\n", s.Login, p, svc.Can(s.ID, p))
		}
	}
	return b.String()
}

// copyToLegacy copies every row of the library's tables in from into the
// same table under its unprefixed name in to (the columns that table has),
// moving PostgreSQL's identity sequences past the copied IDs as inserts
// would have. It returns the tables copied with their columns.
func copyToLegacy(t *testing.T, from, to *gorm.DB) map[string][]string {
	t.Helper()
	tables, err := from.Migrator().GetTables()
	require.NoError(t, err)
	out := map[string][]string{}
	for _, table := range tables {
		legacy := legacyName(table)
		if !strings.HasPrefix(table, store.TablePrefix) || table == store.TablePrefix+"schema" || !to.Migrator().HasTable(legacy) {
			continue
		}
		types, err := to.Migrator().ColumnTypes(legacy)
		require.NoError(t, err)
		var cols []string
		for _, ct := range types {
			cols = append(cols, ct.Name())
		}
		var rows []map[string]any
		require.NoError(t, from.Table(table).Select(cols).Find(&rows).Error)
		require.NoError(t, to.Exec("DELETE FROM "+legacy).Error)
		if len(rows) > 0 {
			require.NoError(t, to.Table(legacy).Create(&rows).Error)
		}
		if to.Dialector.Name() == "postgres" && len(cols) > 0 && cols[0] == "id" {
			require.NoError(t, to.Exec(`SELECT setval(pg_get_serial_sequence(?, 'id'), (SELECT MAX(id) FROM `+legacy+`))`, legacy).Error)
		}
		out[table] = cols
	}
	return out
}

func dump(t *testing.T, db *gorm.DB, table string, cols []string) string {
	t.Helper()
	var rows []map[string]any
	require.NoError(t, db.Table(table).Select(cols).Order(cols[0]).Find(&rows).Error)
	return fmt.Sprint(rows)
}
