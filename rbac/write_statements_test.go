package rbac_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/store"
)

// TestGrantStatements: the statements one Grant and one Revoke send for a
// staff member who belongs to a department. A change that adds a round
// trip to every write has to change this test. SQLite (counted by GORM
// callbacks, BEGIN and COMMIT apart) takes the version lock only if the
// database is still at this instance's head (its hash and the conflicts
// of duties the previous write read: no read of them), writes the rule
// and the change-log entry: 3. PostgreSQL (every statement on the wire, counted
// by the store's QueryTracer, BEGIN and COMMIT included) sends one
// autocommitted statement (store.Store.Attempt): the version row
// incremented if the database is still at this instance's head, the rule,
// the entry and its notification; the conflicts of duties are the ones
// the previous write read, checked by that statement. See BENCHMARKS.md
// ("One Grant at 100,000 staff").
func TestGrantStatements(t *testing.T) {
	want := map[testdb.Backend]int64{testdb.SQLite: 3, testdb.Postgres: 1}
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		ctx := context.Background()
		var n atomic.Int64
		var begun atomic.Bool
		var st *store.Store
		if b == testdb.Postgres {
			st = testdb.OpenWith(t, testdb.DSN(t, b), store.Options{QueryTracer: countingTracer{n: &n, begun: &begun}})
			require.NoError(t, st.Migrate(ctx))
		} else {
			st = testdb.New(t, b)
			count := func(*gorm.DB) { n.Add(1) }
			cb := st.DB().Callback()
			require.NoError(t, cb.Raw().After("gorm:raw").Register("test:count", count))
			require.NoError(t, cb.Row().After("gorm:row").Register("test:count", count))
			require.NoError(t, cb.Query().After("gorm:query").Register("test:count", count))
		}
		svc, boot, s := bootWithAnn(t, st)
		// A member of a department, as staff are: the index holds rules of
		// her, so her row is known without a read (TestWriteStaffRows).
		require.NoError(t, svc.AddToDepartment(ctx, boot.Admin.ID, s.ID, boot.Support.ID))
		p := rbac.Perm(rbac.FuncInvoices, rbac.ActDelete)
		require.False(t, svc.Can(s.ID, p))
		require.NoError(t, svc.Grant(ctx, boot.Admin.ID, s.ID, p)) // warm: a first write may read more
		require.NoError(t, svc.Revoke(ctx, boot.Admin.ID, s.ID, p))

		for _, write := range []struct {
			name string
			do   func() error
			can  bool
		}{
			{"Grant", func() error { return svc.Grant(ctx, boot.Admin.ID, s.ID, p) }, true},
			{"Revoke", func() error { return svc.Revoke(ctx, boot.Admin.ID, s.ID, p) }, false},
		} {
			n.Store(0)
			begun.Store(false)
			require.NoError(t, write.do())
			require.Equal(t, want[b], n.Load(), "statements of one %s", write.name)
			require.False(t, begun.Load(), "%s began a transaction on PostgreSQL", write.name)
			require.Equal(t, write.can, svc.Can(s.ID, p))
		}
	})
}

// countingTracer counts the statements a store's connections send, and
// notes a BEGIN.
type countingTracer struct {
	n     *atomic.Int64
	begun *atomic.Bool
}

func (c countingTracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	c.n.Add(1)
	if strings.HasPrefix(strings.ToLower(strings.TrimSpace(d.SQL)), "begin") {
		c.begun.Store(true)
	}
	return ctx
}

func (countingTracer) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}
