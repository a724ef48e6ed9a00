package rbac_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
)

// TestRecordedEffectIsTheStagedOne: the change log stores, as a change's
// effect, the JSON of the effect the flow staged (the bytes its hash
// covers, encoded once): for a dry run and the real write of the same
// grant, the stored column equals the dry run's effect encoded, and what
// it reads back as encodes the same.
func TestRecordedEffectIsTheStagedOne(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		ctx := context.Background()
		st := testdb.New(t, b)
		svc, boot, s := bootWithAnn(t, st)
		p := rbac.Perm(rbac.FuncInvoices, rbac.ActView)

		var plan rbac.Plan
		require.NoError(t, svc.Grant(rbac.WithDryRun(ctx, &plan), boot.Admin.ID, s.ID, p))
		require.False(t, plan.Change.Effect.Empty())
		want, err := json.Marshal(plan.Change.Effect)
		require.NoError(t, err)

		require.NoError(t, svc.Grant(ctx, boot.Admin.ID, s.ID, p))
		var stored string
		require.NoError(t, st.DB().Raw(`SELECT effect_json FROM billingrbac_changes WHERE version = ?`, svc.Version()).Scan(&stored).Error)
		require.Equal(t, string(want), stored)
		chs, err := st.Changes(ctx, rbac.ChangeQuery{AfterVersion: svc.Version() - 1})
		require.NoError(t, err)
		require.Len(t, chs, 1)
		back, err := json.Marshal(chs[0].Effect)
		require.NoError(t, err)
		require.Equal(t, string(want), string(back), "the stored effect reads back as the staged one")
	})
}
