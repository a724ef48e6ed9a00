package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
)

// TestWriteLinesMatchesAdapter: the rules of single writes (the small
// insert, sent with the change-log entry or alone) and their removals
// leave the rows gorm-adapter's AddPolicies and RemovePolicy leave.
func TestWriteLinesMatchesAdapter(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		ctx := context.Background()
		rules := []rbac.Rule{
			rbac.GrantRule(rbac.DepartmentSubject(1), rbac.Perm("invoices", "view")),
			rbac.GrantRule(rbac.StaffSubject(7), rbac.Perm("invoices", "view")),
			rbac.GrantRule(rbac.StaffSubject(7), rbac.Perm("invoices", "send")),
			rbac.MemberRule(7, 1),
			rbac.MemberRule(8, 1),
			rbac.FlagRule(rbac.StaffSubject(3), rbac.FlagFullAccess),
			rbac.FlagRule(rbac.DepartmentSubject(1), rbac.FlagDisabled),
		}
		ours, ref := testdb.New(t, b), testdb.New(t, b)
		// As the change flow writes (the rules, then the entry: on
		// PostgreSQL one statement), and the rules alone.
		logged := true
		apply := func(d rbac.PolicyDelta) {
			require.NoError(t, ours.Update(ctx, func(tx rbac.Tx) error {
				if err := tx.ApplyPolicy(d); err != nil || !logged {
					return err
				}
				return tx.RecordChange(rbac.Change{Version: tx.Version(), Domain: rbac.DomainStaff, Op: rbac.OpStaffGrant,
					Target: "staff:7", At: time.Now(), Hash: "h", Policy: d})
			}))
			logged = !logged
		}
		for _, r := range rules {
			apply(rbac.PolicyDelta{Add: []rbac.Rule{r}})
		}
		apply(rbac.PolicyDelta{Add: rules[:3]}) // already there: nothing added
		require.NoError(t, ref.AddRulesViaAdapterForTest(ctx, rules))
		require.Equal(t, casbinRows(t, ref), casbinRows(t, ours))
		require.Len(t, casbinRows(t, ours), len(rules))

		gone := []rbac.Rule{rules[1], rules[3], rules[5]}
		apply(rbac.PolicyDelta{Remove: gone})
		apply(rbac.PolicyDelta{Remove: gone[:1]}) // not there: nothing removed
		require.NoError(t, ref.RemoveRulesViaAdapterForTest(ctx, gone))
		require.Equal(t, casbinRows(t, ref), casbinRows(t, ours))
		require.Len(t, casbinRows(t, ours), len(rules)-len(gone))
	})
}
