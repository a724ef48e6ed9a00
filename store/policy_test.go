package store_test

import (
	"context"
	"slices"
	"testing"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
)

// TestFastLoadMatchesAdapter: the store's direct reader returns exactly
// the rules gorm-adapter's LoadPolicy finds, whatever the mix of lines.
func TestFastLoadMatchesAdapter(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		ctx := context.Background()
		st := testdb.New(t, b)
		rules := []rbac.Rule{
			rbac.GrantRule(rbac.DepartmentSubject(1), rbac.Perm("invoices", "view")),
			rbac.GrantRule(rbac.StaffSubject(2), rbac.Perm("invoices", "send")),
			rbac.MemberRule(2, 1),
			rbac.FlagRule(rbac.StaffSubject(3), rbac.FlagFullAccess),
			rbac.FlagRule(rbac.StaffSubject(4), rbac.FlagDisabled),
			rbac.FlagRule(rbac.DepartmentSubject(1), rbac.FlagDisabled),
		}
		err := st.Update(ctx, func(tx rbac.Tx) error {
			if err := tx.ApplyPolicy(rbac.PolicyDelta{Add: rules}); err != nil {
				return err
			}
			return tx.RecordChange(rbac.Change{Version: tx.Version(), Op: rbac.OpBootstrap, Policy: rbac.PolicyDelta{Add: rules}})
		})
		if err != nil {
			t.Fatal(err)
		}
		fast, version, err := st.LoadPolicy(ctx)
		if err != nil {
			t.Fatal(err)
		}
		ref, err := st.LoadPolicyViaAdapterForTest(ctx)
		if err != nil {
			t.Fatal(err)
		}
		key := func(r rbac.Rule) string { return r.String() }
		sortRules := func(rs []rbac.Rule) []string {
			out := make([]string, len(rs))
			for i, r := range rs {
				out[i] = key(r)
			}
			slices.Sort(out)
			return out
		}
		if got, want := sortRules(fast), sortRules(ref); !slices.Equal(got, want) || len(got) != len(rules) {
			t.Fatalf("direct reader %v\nadapter       %v", got, want)
		}
		if version != 1 {
			t.Fatalf("version %d, want 1", version)
		}
	})
}
