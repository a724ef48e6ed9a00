package rbac_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/store"
)

// deafStore is a store whose Service hears of no other instance's commit:
// with SyncInterval -1 it learns of them only inside a write's lock or on
// Sync, so it stays on an old version as long as a test needs.
type deafStore struct{ *store.Store }

func (deafStore) Notifier() rbac.Notifier { return nil }

// laggingInstance is a second Service on e's database that hears of no
// other instance's commit.
func laggingInstance(t *testing.T, e *env) *rbac.Service {
	t.Helper()
	svc, err := rbac.New(e.ctx, deafStore{testdb.Open(t, e.dsn)},
		rbac.Options{Accounts: rbac.AccountOptions{HashParams: fastHash}, SyncInterval: -1})
	require.NoError(t, err)
	t.Cleanup(func() { _ = svc.Close() })
	return svc
}

// TestOptimisticWriteOnALaggingInstance: a write is first tried on the
// version the instance holds (store.Store.Attempt: without the version
// lock on PostgreSQL; on SQLite a lock taken only if the database is
// still there). An instance that has not heard of another's
// commits decides on an old snapshot; whatever it decides, the database
// must end as if it had decided on the current one: a right revoked
// elsewhere is refused, a right given elsewhere is honoured, a change
// that looked like none on the old snapshot is made, and a conflict of
// duties written behind the library's back is enforced. Throughout, the
// log stays gap-free and the policy guard counts no foreign write.
func TestOptimisticWriteOnALaggingInstance(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) { optimisticOnALaggingInstance(t, b) })
}

func optimisticOnALaggingInstance(t *testing.T, b testdb.Backend) {
	e := newEnv(t, b)
	hr := e.dept("HR", pStaffEdit, pPayments, pReports)
	mgr := e.staff("manager", hr)
	other := e.staff("other", e.dept("Desk")) // a member: the index knows her row
	lag := laggingInstance(t, e)
	ctx := e.ctx
	foreign0, err := e.st.ForeignPolicyWrites(ctx)
	require.NoError(t, err)

	t.Run("a right revoked elsewhere is refused", func(t *testing.T) {
		require.True(t, lag.Can(mgr, pPayments))
		require.NoError(t, e.svc.RemoveFromDepartment(ctx, e.admin, mgr, hr))
		require.True(t, lag.Can(mgr, pPayments), "the lagging instance has heard of the removal")
		err := lag.Grant(ctx, mgr, other, pPayments)
		require.ErrorIs(t, err, rbac.ErrPermissionDenied)
		require.False(t, lag.Can(mgr, pPayments), "the refusal did not catch the instance up")
		require.NoError(t, e.svc.Sync(ctx))
		require.False(t, e.svc.Can(other, pPayments))
	})

	t.Run("a right given elsewhere is honoured", func(t *testing.T) {
		require.NoError(t, e.svc.AddToDepartment(ctx, e.admin, mgr, hr))
		require.False(t, lag.Can(mgr, pPayments), "the lagging instance has heard of the addition")
		require.NoError(t, lag.Grant(ctx, mgr, other, pPayments))
		require.True(t, lag.Can(other, pPayments))
		require.NoError(t, e.svc.Sync(ctx))
		require.True(t, e.svc.Can(other, pPayments))
	})

	t.Run("a change that looked like none is made", func(t *testing.T) {
		require.NoError(t, e.svc.Revoke(ctx, e.admin, other, pPayments))
		require.True(t, lag.Can(other, pPayments), "the lagging instance has heard of the revocation")
		require.NoError(t, lag.Grant(ctx, e.admin, other, pPayments))
		require.NoError(t, e.svc.Sync(ctx))
		require.True(t, e.svc.Can(other, pPayments), "the grant was taken for a no-op")
	})

	t.Run("a conflict of duties written behind the library's back is enforced", func(t *testing.T) {
		// Both instances current, the conflicts of duties remembered from
		// the last write.
		require.NoError(t, lag.Grant(ctx, e.admin, other, pClientsView))
		require.NoError(t, lag.Revoke(ctx, e.admin, other, pClientsView))
		require.NoError(t, e.st.DB().Exec(`INSERT INTO billingrbac_duty_conflicts (perm_a, perm_b, why, created_at) VALUES (?, ?, 'test', 0)`,
			pPayments.String(), pReports.String()).Error)
		err := lag.Grant(ctx, e.admin, other, pReports)
		require.ErrorIs(t, err, rbac.ErrConflictOfDuties)
		require.False(t, lag.Can(other, pReports))
	})

	t.Run("a conflict of duties removed behind the library's back no longer refuses", func(t *testing.T) {
		// A write commits with the conflict declared, so it is what the
		// next write remembers; then the row goes, with no change.
		require.NoError(t, lag.Grant(ctx, e.admin, other, pClientsView))
		require.NoError(t, e.st.DB().Exec(`DELETE FROM billingrbac_duty_conflicts WHERE why = 'test'`).Error)
		require.NoError(t, lag.Grant(ctx, e.admin, other, pReports), "refused on the remembered conflicts of duties")
		require.True(t, lag.Can(other, pReports))
	})

	checkLog(t, e, foreign0, []rbac.StaffID{mgr, other},
		[]rbac.Permission{pPayments, pReports, pClientsView, pStaffEdit}, e.svc, lag)
}
