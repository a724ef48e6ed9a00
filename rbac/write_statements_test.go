package rbac_test

import (
	"context"
	"database/sql"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"
	"gorm.io/gorm"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
)

// TestGrantStatements: the number of SQL statements one Grant and one
// Revoke send (BEGIN and COMMIT apart), and how many of them inside a
// transaction, counted by GORM callbacks on the store's connection, for a
// staff member who belongs to a department. A change that adds a round
// trip to every write has to change this test. SQLite takes the version
// lock, reads the head hash and the conflicts of duties, writes the rule
// and the change-log entry: 4, in a transaction. PostgreSQL sends one
// statement outside any transaction (store.Store.Attempt): the version
// row incremented if the database is still at this instance's head, the
// rule, the entry and its notification; the conflicts of duties are the
// ones the previous write read, checked by that statement. See
// BENCHMARKS.md ("One Grant at 100,000 staff").
func TestGrantStatements(t *testing.T) {
	type sent struct{ all, inTx int64 }
	want := map[testdb.Backend]sent{testdb.SQLite: {4, 4}, testdb.Postgres: {1, 0}}
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

		var n, inTx atomic.Int64
		count := func(db *gorm.DB) {
			n.Add(1)
			if _, ok := db.Statement.ConnPool.(*sql.Tx); ok {
				inTx.Add(1)
			}
		}
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
		require.Equal(t, want[b], sent{n.Load(), inTx.Load()}, "statements of one Grant (all, in a transaction)")
		require.True(t, svc.Can(s.ID, p))
		n.Store(0)
		inTx.Store(0)
		require.NoError(t, svc.Revoke(ctx, boot.Admin.ID, s.ID, p))
		require.Equal(t, want[b], sent{n.Load(), inTx.Load()}, "statements of one Revoke (all, in a transaction)")
		require.False(t, svc.Can(s.ID, p))
	})
}
