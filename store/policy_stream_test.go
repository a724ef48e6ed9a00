package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
)

// TestStreamPolicy: StreamPolicy hands over, in batches of a few thousand,
// exactly the rules LoadPolicy returns (gorm-adapter's rules, then the
// temporary ones), in the same snapshot and order, from the pool and from
// a write transaction; an error from the batch callback ends the read and
// is returned, and the store goes on serving.
func TestStreamPolicy(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		ctx := context.Background()
		st := testdb.New(t, b)
		var rules []rbac.Rule
		for d := 1; d <= 50; d++ {
			for f := range 20 {
				rules = append(rules, rbac.GrantRule(rbac.DepartmentSubject(rbac.DepartmentID(d)), rbac.Perm(rbac.Function(fmt.Sprintf("fn%d", f)), "view")))
			}
		}
		for s := 1; s <= 4000; s++ {
			rules = append(rules, rbac.MemberRule(rbac.StaffID(s), rbac.DepartmentID(1+s%50)))
			if s%3 == 0 {
				rules = append(rules, rbac.MemberRule(rbac.StaffID(s), rbac.DepartmentID(1+(s+7)%50)))
			}
		}
		rules = append(rules, rbac.FlagRule(rbac.StaffSubject(7), rbac.FlagFullAccess))
		until := time.Now().Add(time.Hour).Truncate(time.Second)
		for s := 1; s <= 30; s++ {
			rules = append(rules, rbac.GrantRule(rbac.StaffSubject(rbac.StaffID(s)), rbac.Perm("fn1", "edit")).Within(rbac.Window{Until: until}))
		}
		require.NoError(t, st.Update(ctx, func(tx rbac.Tx) error {
			if err := tx.ApplyPolicy(rbac.PolicyDelta{Add: rules}); err != nil {
				return err
			}
			return tx.RecordChange(rbac.Change{Version: tx.Version(), Op: rbac.OpBootstrap, Policy: rbac.PolicyDelta{Add: rules}})
		}))
		want, wantVersion, err := st.LoadPolicy(ctx)
		require.NoError(t, err)
		require.Len(t, want, len(rules))
		ref, err := st.LoadPolicyViaAdapterForTest(ctx)
		require.NoError(t, err)
		assert.ElementsMatch(t, ref, want[:len(ref)], "the permanent rules are gorm-adapter's")

		var got []rbac.Rule
		batches := 0
		version, err := st.StreamPolicy(ctx, func(rs []rbac.Rule) error {
			batches++
			assert.LessOrEqual(t, len(rs), 4096)
			got = append(got, rs...)
			return nil
		})
		require.NoError(t, err)
		assert.Equal(t, wantVersion, version)
		assert.Equal(t, want, got)
		assert.Greater(t, batches, 1)

		var inTx []rbac.Rule
		require.NoError(t, st.Update(ctx, func(tx rbac.Tx) error {
			return tx.(rbac.TxPolicyStreamer).StreamPolicy(func(rs []rbac.Rule) error {
				inTx = append(inTx, rs...)
				return nil
			})
		}))
		assert.Equal(t, want, inTx)

		stop := errors.New("enough")
		calls := 0
		_, err = st.StreamPolicy(ctx, func([]rbac.Rule) error {
			calls++
			return stop
		})
		require.ErrorIs(t, err, stop)
		assert.Equal(t, 1, calls, "the read ends at the first error")
		again, _, err := st.LoadPolicy(ctx)
		require.NoError(t, err)
		assert.Equal(t, want, again)
	})
}
