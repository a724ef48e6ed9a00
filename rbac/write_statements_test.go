package rbac_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"
	"gorm.io/gorm"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
)

// TestGrantStatements: the number of SQL statements one Grant and one
// Revoke send inside their transaction (BEGIN and COMMIT apart), counted
// by GORM callbacks on the store's connection, for a staff member who
// belongs to a department. A change that adds a round
// trip to every write has to change this test: SQLite takes the version
// lock, reads the head hash and the conflicts of duties, writes the rule
// and the change-log entry (4); PostgreSQL's lock statement returns the
// head and the duties, and one statement carries the rule, the entry and
// its notification (2). See BENCHMARKS.md ("One Grant at 100,000 staff").
func TestGrantStatements(t *testing.T) {
	want := map[testdb.Backend]int64{testdb.SQLite: 4, testdb.Postgres: 2}
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		ctx := context.Background()
		st := testdb.New(t, b)
		svc, err := rbac.New(ctx, st, rbac.Options{Accounts: rbac.AccountOptions{HashParams: fastHash}})
		require.NoError(t, err)
		defer svc.Close()
		boot, err := svc.Bootstrap(ctx, rbac.BootstrapOptions{})
		require.NoError(t, err)
		s, err := svc.CreateStaff(ctx, boot.Admin.ID, rbac.NewStaff{Login: "ann", FullName: rbac.Text(language.English, "Ann")})
		require.NoError(t, err)
		// A member of a department, as staff are: the index holds rules of
		// her, so her row is known without a read (TestWriteStaffRows).
		require.NoError(t, svc.AddToDepartment(ctx, boot.Admin.ID, s.ID, boot.Support.ID))
		p := rbac.Perm(rbac.FuncInvoices, rbac.ActDelete)
		require.False(t, svc.Can(s.ID, p))
		require.NoError(t, svc.Grant(ctx, boot.Admin.ID, s.ID, p)) // warm: a first write may read more
		require.NoError(t, svc.Revoke(ctx, boot.Admin.ID, s.ID, p))

		var n atomic.Int64
		count := func(*gorm.DB) { n.Add(1) }
		cb := st.DB().Callback()
		require.NoError(t, cb.Raw().After("gorm:raw").Register("test:count", count))
		require.NoError(t, cb.Row().After("gorm:row").Register("test:count", count))
		require.NoError(t, cb.Query().After("gorm:query").Register("test:count", count))
		defer func() {
			_ = cb.Raw().Remove("test:count")
			_ = cb.Row().Remove("test:count")
			_ = cb.Query().Remove("test:count")
		}()
		require.NoError(t, svc.Grant(ctx, boot.Admin.ID, s.ID, p))
		require.Equal(t, want[b], n.Load(), "statements of one Grant")
		n.Store(0)
		require.NoError(t, svc.Revoke(ctx, boot.Admin.ID, s.ID, p))
		require.Equal(t, want[b], n.Load(), "statements of one Revoke")
	})
}
