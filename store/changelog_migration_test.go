package store_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
)

// TestChangeLogMigration: a database migrated by a release before the one
// change log (client_state, entries without domain, actor kind or hash)
// migrates: its entries become staff entries with their actor kinds, the
// client version row goes, and the next change chains from them.
func TestChangeLogMigration(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		ctx := context.Background()
		st := testdb.Open(t, testdb.DSN(t, b))
		require.NoError(t, st.MigrateToForTest(ctx, 6))
		db := st.DB()
		require.NoError(t, db.Exec(`INSERT INTO rbac_changes (version, at, actor, op, target, before_json, after_json, reason, policy_json)
			VALUES (1, 1, 0, 'bootstrap', 'staff:1', 'null', 'null', '', '{}'), (2, 2, 1, 'department.create', 'dept:1', 'null', '{}', 'why', '{}')`).Error)
		require.NoError(t, db.Exec(`UPDATE rbac_state SET version = 2`).Error)
		require.NoError(t, db.Exec(`UPDATE client_state SET version = 7`).Error)

		require.NoError(t, st.Migrate(ctx))
		chs, err := st.Changes(ctx, rbac.ChangeQuery{})
		require.NoError(t, err)
		require.Len(t, chs, 2)
		for _, c := range chs {
			require.Equal(t, rbac.DomainStaff, c.Domain)
			require.Empty(t, c.Hash)
		}
		sys, admin := rbac.SystemActor, rbac.StaffID(1)
		boot, err := st.Changes(ctx, rbac.ChangeQuery{Actor: &sys})
		require.NoError(t, err)
		require.Len(t, boot, 1)
		require.Equal(t, rbac.OpBootstrap, boot[0].Op)
		byAdmin, err := st.Changes(ctx, rbac.ChangeQuery{Actor: &admin})
		require.NoError(t, err)
		require.Len(t, byAdmin, 1)
		require.Equal(t, "why", byAdmin[0].Reason)
		require.Error(t, db.Exec(`SELECT version FROM client_state`).Error, "client_state is gone")

		// The next change chains from the migrated log.
		svc, err := rbac.New(ctx, st, rbac.Options{})
		require.NoError(t, err)
		defer svc.Close()
		require.EqualValues(t, 2, svc.Version())
		require.NoError(t, st.Update(ctx, func(tx rbac.Tx) error {
			require.Equal(t, "", tx.PrevHash())
			return tx.RecordChange(rbac.Change{Version: tx.Version(), Domain: rbac.DomainStaff, Op: "test", Target: "x", Hash: "h3"})
		}))
		require.ErrorIs(t, st.Update(ctx, func(tx rbac.Tx) error {
			require.Equal(t, "h3", tx.PrevHash())
			return context.Canceled // read only
		}), context.Canceled)
	})
}
