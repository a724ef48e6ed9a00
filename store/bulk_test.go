package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/store"
)

// casbinRows returns casbin_rule as stored, NULLs told apart from ”.
func casbinRows(t *testing.T, st *store.Store) []string {
	t.Helper()
	rows, err := st.DB().Raw(`SELECT ptype, v0, v1, v2, v3, v4, v5 FROM billingrbac_casbin_rule ORDER BY id`).Rows()
	require.NoError(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v [7]*string
		require.NoError(t, rows.Scan(&v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6]))
		s := ""
		for _, p := range v {
			if p == nil {
				s += "|NULL"
			} else {
				s += "|'" + *p + "'"
			}
		}
		out = append(out, s)
	}
	require.NoError(t, rows.Err())
	return out
}

// TestInsertLinesMatchesAdapter: the store's multi-row INSERT of rules
// (every write's additions) stores exactly the rows gorm-adapter's
// AddPolicies stores, so the adapter, Casbin tooling and the fast loader
// read them alike; more rules than one chunk holds.
func TestInsertLinesMatchesAdapter(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		ctx := context.Background()
		rules := []rbac.Rule{
			rbac.GrantRule(rbac.DepartmentSubject(1), rbac.Perm("invoices", "view")),
			rbac.FlagRule(rbac.StaffSubject(3), rbac.FlagFullAccess),
			rbac.FlagRule(rbac.DepartmentSubject(1), rbac.FlagDisabled),
		}
		for i := range 2500 {
			rules = append(rules, rbac.MemberRule(rbac.StaffID(10+i), rbac.DepartmentID(1+i%7)),
				rbac.GrantRule(rbac.StaffSubject(rbac.StaffID(10+i)), rbac.Perm("tickets", rbac.Action(fmt.Sprintf("a%d", i%3)))))
		}
		ours, ref := testdb.New(t, b), testdb.New(t, b)
		require.NoError(t, ours.Update(ctx, func(tx rbac.Tx) error { return tx.ApplyPolicy(rbac.PolicyDelta{Add: rules}) }))
		require.NoError(t, ref.AddRulesViaAdapterForTest(ctx, rules))
		got, want := casbinRows(t, ours), casbinRows(t, ref)
		require.Len(t, got, len(rules))
		require.Equal(t, want, got)
	})
}

// TestCreateStaffBatch: many rows in chunks, IDs matched to logins, hashes
// stored, a taken login refused with ErrConflict and nothing of the
// transaction kept.
func TestCreateStaffBatch(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		ctx := context.Background()
		st := testdb.New(t, b)
		staff := make([]rbac.Staff, 1203)
		hashes := make([]string, len(staff))
		for i := range staff {
			staff[i] = rbac.Staff{Login: fmt.Sprintf("u%05d", i), Email: fmt.Sprintf("u%d@example.com", i),
				FullName: rbac.Text(language.English, fmt.Sprintf(`Name "%d", {a,b} \ back\slash 'q' NULL`, i))}
			if i%2 == 0 {
				hashes[i] = fmt.Sprintf("hash-%d", i)
			}
		}
		require.NoError(t, st.Update(ctx, func(tx rbac.Tx) error {
			return tx.(rbac.BulkTx).CreateStaffBatch(staff, hashes)
		}))
		for i, s := range staff {
			got, err := st.StaffByLogin(ctx, s.Login)
			require.NoError(t, err)
			require.Equal(t, s.ID, got.ID, "login %s", s.Login)
			require.Equal(t, s.FullName, got.FullName)
			require.Equal(t, s.Email, got.Email)
			id, hash, err := st.PasswordHash(ctx, s.Login)
			require.NoError(t, err)
			require.Equal(t, s.ID, id)
			require.Equal(t, hashes[i], hash)
		}
		require.NoError(t, st.Update(ctx, func(tx rbac.Tx) error {
			bt := tx.(rbac.BulkTx)
			ids, err := bt.StaffIDsByLogin([]string{"u00007", "nobody", "u01202"})
			require.NoError(t, err)
			require.Equal(t, map[string]rbac.StaffID{"u00007": staff[7].ID, "u01202": staff[1202].ID}, ids)
			ids, err = bt.StaffIDsByEmail([]string{"U5@Example.com", "none@example.com"})
			require.NoError(t, err)
			require.Equal(t, map[string]rbac.StaffID{"u5@example.com": staff[5].ID}, ids)
			return nil
		}))
		before, err := st.StaffMembers(ctx)
		require.NoError(t, err)
		err = st.Update(ctx, func(tx rbac.Tx) error {
			return tx.(rbac.BulkTx).CreateStaffBatch([]rbac.Staff{{Login: "fresh"}, {Login: "u00003"}}, []string{"", ""})
		})
		require.ErrorIs(t, err, rbac.ErrConflict)
		after, err := st.StaffMembers(ctx)
		require.NoError(t, err)
		require.Len(t, after, len(before))
	})
}

// TestLoadPolicyParsesAsFromLine: rows written behind the library's back
// (other line types, names the catalog does not know, subjects of either
// kind) load as gorm-adapter's LoadPolicy reads them, and a line
// policy.FromLine refuses (a staff ID with a leading zero) makes the load
// fail, as it did before the in-place parser.
func TestLoadPolicyParsesAsFromLine(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		ctx := context.Background()
		st := testdb.New(t, b)
		insert := func(vals ...string) {
			t.Helper()
			v := append(vals, "", "", "", "", "", "")[:7]
			require.NoError(t, st.DB().Exec(`INSERT INTO billingrbac_casbin_rule (ptype, v0, v1, v2, v3, v4, v5) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				v[0], v[1], v[2], v[3], v[4], v[5], v[6]).Error)
		}
		insert("g", "staff:5", "dept:2")
		insert("g", "staff:123456789012345678", "dept:99")
		insert("p", "dept:2", "invoices", "view")
		insert("p", "staff:9", "fn_x", "act-y")
		insert("p", "staff:10", "fn_x", "act-y")
		insert("g2", "dept:2", "disabled")
		insert("g2", "staff:5", "full-access")
		insert("p2", "crole:2", "client:1", "services", "view") // another domain's line
		rules, _, err := st.LoadPolicy(ctx)
		require.NoError(t, err)
		ref, err := st.LoadPolicyViaAdapterForTest(ctx)
		require.NoError(t, err)
		require.Len(t, rules, 7)
		require.ElementsMatch(t, ref, rules)

		for _, bad := range [][]string{{"g", "staff:07", "dept:1"}, {"g", "staff:5", "dept:1", "extra"}, {"g2", "staff:5", "admin"}, {"p", "staff:0", "a", "b"}} {
			insert(bad...)
			_, _, err := st.LoadPolicy(ctx)
			require.ErrorIs(t, err, rbac.ErrInvalid, "%v", bad)
			require.NoError(t, st.DB().Exec(`DELETE FROM billingrbac_casbin_rule WHERE ptype = ? AND v0 = ? AND v1 = ?`, bad[0], bad[1], bad[2]).Error)
		}
		rules, _, err = st.LoadPolicy(ctx)
		require.NoError(t, err)
		require.ElementsMatch(t, ref, rules)
	})
}
