package store_test

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
)

// TestAttempt: an optimistic write (Attempt) commits its rules and its
// entry when the database is at the version it was staged on, and writes
// nothing when the database moved (ErrHeadMoved: another version, or the
// same version with another hash). On PostgreSQL, where it holds no lock,
// it writes nothing either when the caller asked the Tx for a row write,
// even if it swallowed the refusal and recorded the change anyway
// (ErrNeedsLock); on SQLite, where it holds the lock, the row write is
// committed with the change. None of it counts as a foreign write.
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

		withRow := func(tx rbac.Tx) error {
			_ = tx.CreateDepartment(&rbac.Department{Name: rbac.Text(language.English, "X")}) // a refusal swallowed
			return write(tx)
		}
		if b == testdb.Postgres {
			require.ErrorIs(t, st.Attempt(ctx, 0, "", withRow), rbac.ErrNeedsLock)
			unchanged("a row write")
			require.NoError(t, st.Attempt(ctx, 0, "", write))
		} else {
			require.NoError(t, st.Attempt(ctx, 0, "", withRow))
			deps, err := st.Departments(ctx)
			require.NoError(t, err)
			assert.Len(t, deps, 1, "SQLite's Attempt holds the lock: the row is written with the change")
		}
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

// TestAttemptSessionEndedByServer: the optimistic statement is its own
// commit, so when the server ends the session (FATAL 57P01: a restart, a
// killed backend) with the statement sent, Attempt tells what happened
// from the change log instead of failing with an unknown outcome: the
// entry is there (it committed before the session ended) and Attempt
// succeeds, or it is not, and since the session's backend is gone it
// never will be: Attempt returns ErrNeedsLock and the locked path writes
// it once.
func TestAttemptSessionEndedByServer(t *testing.T) {
	if !slices.Contains(testdb.Backends(t), testdb.Postgres) {
		t.Skip("needs PostgreSQL (set " + testdb.EnvPostgres + ")")
	}
	grant := rbac.GrantRule(rbac.StaffSubject(7), rbac.Perm("invoices", "view"))
	write := func(tx rbac.Tx) error {
		if err := tx.ApplyPolicy(rbac.PolicyDelta{Add: []rbac.Rule{grant}}); err != nil {
			return err
		}
		return tx.RecordChange(rbac.Change{Version: tx.Version(), Op: rbac.OpStaffGrant, Hash: "h1"})
	}
	for _, committed := range []bool{true, false} {
		t.Run(fmt.Sprintf("committed=%v", committed), func(t *testing.T) {
			ctx := context.Background()
			st := testdb.New(t, testdb.Postgres)
			var once atomic.Bool
			st.SetExecFaultForTest(func(send func() error) error {
				if !once.CompareAndSwap(false, true) {
					return send()
				}
				if committed { // the statement ran; its answer was lost
					require.NoError(t, send())
				}
				return &pgconn.PgError{Severity: "FATAL", Code: "57P01", Message: "terminating connection due to administrator command"}
			})
			err := st.Attempt(ctx, 0, "", write)
			v, h, herr := st.LogHead(ctx)
			require.NoError(t, herr)
			rules, _, lerr := st.LoadPolicy(ctx)
			require.NoError(t, lerr)
			if committed {
				require.NoError(t, err, "a committed write reported failed")
				assert.Equal(t, int64(1), v)
				assert.Equal(t, "h1", h)
				assert.Equal(t, []rbac.Rule{grant}, rules)
				return
			}
			require.ErrorIs(t, err, rbac.ErrNeedsLock, "a write the server never ran reported failed")
			assert.Equal(t, int64(0), v)
			assert.Empty(t, rules)
		})
	}
}
