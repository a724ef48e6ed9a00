package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/store"
)

// TestWriteReadsItsOwnRules: whatever the store does to save round trips
// (PostgreSQL sends a write's few rules with its change-log entry), a
// write transaction reads the rules it wrote, a write that appends no
// entry still stores its rules, and a write whose entry fails stores
// nothing. None of it counts as a foreign write.
func TestWriteReadsItsOwnRules(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		ctx := context.Background()
		st := testdb.New(t, b)
		grant := rbac.GrantRule(rbac.StaffSubject(7), rbac.Perm("invoices", "view"))
		member := rbac.MemberRule(7, 3)

		require.NoError(t, st.Update(ctx, func(tx rbac.Tx) error {
			if err := tx.ApplyPolicy(rbac.PolicyDelta{Add: []rbac.Rule{grant}}); err != nil {
				return err
			}
			rules, err := tx.LoadPolicy()
			if err != nil {
				return err
			}
			assert.Contains(t, rules, grant, "the transaction reads the rule it wrote")
			return tx.RecordChange(rbac.Change{Version: tx.Version(), Op: rbac.OpStaffGrant, Hash: "h1"})
		}))

		require.NoError(t, st.Update(ctx, func(tx rbac.Tx) error {
			return tx.ApplyPolicy(rbac.PolicyDelta{Add: []rbac.Rule{member}, Remove: []rbac.Rule{grant}})
		}))
		rules, _, err := st.LoadPolicy(ctx)
		require.NoError(t, err)
		assert.Equal(t, []rbac.Rule{member}, rules, "a write without an entry stores its rules")

		// The entry's statement fails in the database (its version is
		// taken, by a row written behind the library's back), after the
		// rules sent with it.
		var head int64
		require.NoError(t, st.DB().Raw(`SELECT version FROM `+store.TablePrefix+`state`).Scan(&head).Error)
		require.NoError(t, st.DB().Exec(`INSERT INTO `+store.TablePrefix+`changes (version, at, actor, op, target, before_json, after_json, policy_json)
			VALUES (?, 0, 0, 'x', 'x', 'null', 'null', '{}')`, head+1).Error)
		err = st.Update(ctx, func(tx rbac.Tx) error {
			if err := tx.ApplyPolicy(rbac.PolicyDelta{Add: []rbac.Rule{grant}, Remove: []rbac.Rule{member}}); err != nil {
				return err
			}
			return tx.RecordChange(rbac.Change{Version: tx.Version(), Op: rbac.OpStaffGrant})
		})
		require.Error(t, err)
		require.NoError(t, st.DB().Exec(`DELETE FROM `+store.TablePrefix+`changes WHERE version = ?`, head+1).Error)
		rules, _, err = st.LoadPolicy(ctx)
		require.NoError(t, err)
		assert.Equal(t, []rbac.Rule{member}, rules, "a write whose entry fails stores no rule")
		err = st.Update(ctx, func(tx rbac.Tx) error {
			if err := tx.ApplyPolicy(rbac.PolicyDelta{Add: []rbac.Rule{grant}, Remove: []rbac.Rule{member}}); err != nil {
				return err
			}
			ch := rbac.Change{Version: tx.Version(), Op: rbac.OpStaffGrant}
			if err := tx.RecordChange(ch); err != nil {
				return err
			}
			return errors.New("abandoned after the entry")
		})
		require.Error(t, err)
		rules, _, err = st.LoadPolicy(ctx)
		require.NoError(t, err)
		assert.Equal(t, []rbac.Rule{member}, rules, "a write that fails stores nothing")
		n, err := st.ForeignPolicyWrites(ctx)
		require.NoError(t, err)
		assert.Zero(t, n)
	})
}
