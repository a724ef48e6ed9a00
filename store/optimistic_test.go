package store_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
)

// TestAttempt: an optimistic write (Attempt) commits its rules and its
// entry in one statement when the database is at the version it was
// staged on, and writes nothing otherwise: not when the database moved
// (ErrHeadMoved), not when the caller asked the Tx for a row write, even
// if it swallowed the refusal and recorded the change anyway
// (ErrNeedsLock), and not on SQLite (ErrNeedsLock at once). None of it
// counts as a foreign write.
func TestAttempt(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		ctx := context.Background()
		st := testdb.New(t, b)
		grant := rbac.GrantRule(rbac.StaffSubject(7), rbac.Perm("invoices", "view"))
		write := func(tx rbac.Tx) error {
			if err := tx.ApplyPolicy(rbac.PolicyDelta{Add: []rbac.Rule{grant}}); err != nil {
				return err
			}
			return tx.RecordChange(rbac.Change{Version: tx.Version(), Op: rbac.OpStaffGrant, Hash: "h1"})
		}
		if b == testdb.SQLite {
			called := false
			err := st.Attempt(ctx, 0, "", func(rbac.Tx) error { called = true; return nil })
			require.ErrorIs(t, err, rbac.ErrNeedsLock)
			require.False(t, called, "SQLite staged an optimistic write")
			return
		}
		unchanged := func(msg string) {
			t.Helper()
			v, _, err := st.LogHead(ctx)
			require.NoError(t, err)
			assert.Equal(t, int64(0), v, msg+": the version moved")
			rules, _, err := st.LoadPolicy(ctx)
			require.NoError(t, err)
			assert.Empty(t, rules, msg+": a rule was written")
			deps, err := st.Departments(ctx)
			require.NoError(t, err)
			assert.Empty(t, deps, msg+": a row was written")
		}

		require.ErrorIs(t, st.Attempt(ctx, 1, "", write), rbac.ErrHeadMoved, "staged on a version the database does not have")
		unchanged("stale version")
		require.ErrorIs(t, st.Attempt(ctx, 0, "not the head's hash", write), rbac.ErrHeadMoved)
		unchanged("stale hash")

		err := st.Attempt(ctx, 0, "", func(tx rbac.Tx) error {
			_ = tx.CreateDepartment(&rbac.Department{Name: rbac.Text(language.English, "X")}) // refusal swallowed
			return write(tx)
		})
		require.ErrorIs(t, err, rbac.ErrNeedsLock)
		unchanged("a row write")

		require.NoError(t, st.Attempt(ctx, 0, "", write))
		v, h, err := st.LogHead(ctx)
		require.NoError(t, err)
		assert.Equal(t, int64(1), v)
		assert.Equal(t, "h1", h)
		rules, _, err := st.LoadPolicy(ctx)
		require.NoError(t, err)
		assert.Equal(t, []rbac.Rule{grant}, rules)
		n, err := st.ForeignPolicyWrites(ctx)
		require.NoError(t, err)
		assert.Zero(t, n, "the library's writes counted as foreign")
	})
}
