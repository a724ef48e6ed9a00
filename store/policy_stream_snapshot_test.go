package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
)

// TestStreamPolicySnapshot: a streamed load reads one snapshot (version,
// rules and temporary rules together) while another transaction commits
// in the middle of it (PostgreSQL: SQLite's writer waits for the read),
// and it leaves the pool's one connection clean whether it ends by an
// error of its callback (then a write) or by its context cancelled mid-read: the next
// load and the next write on that connection succeed.
func TestStreamPolicySnapshot(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		ctx := context.Background()
		dsn := testdb.DSN(t, b)
		st := testdb.Open(t, dsn)
		require.NoError(t, st.Migrate(ctx))
		sqlDB, err := st.DB().DB()
		require.NoError(t, err)
		sqlDB.SetMaxOpenConns(1)
		var rules []rbac.Rule
		for s := 1; s <= 9000; s++ {
			rules = append(rules, rbac.MemberRule(rbac.StaffID(s), rbac.DepartmentID(1+s%7)))
		}
		write := func(add ...rbac.Rule) {
			require.NoError(t, st.Update(ctx, func(tx rbac.Tx) error {
				if err := tx.ApplyPolicy(rbac.PolicyDelta{Add: add}); err != nil {
					return err
				}
				return tx.RecordChange(rbac.Change{Version: tx.Version(), Op: rbac.OpStaffGrant, Policy: rbac.PolicyDelta{Add: add}})
			}))
		}
		write(rules...)
		want, wantVersion, err := st.LoadPolicy(ctx)
		require.NoError(t, err)

		if b == testdb.Postgres {
			other := testdb.Open(t, dsn)
			late := []rbac.Rule{rbac.GrantRule(rbac.StaffSubject(1), rbac.Perm("invoices", "view")),
				rbac.GrantRule(rbac.StaffSubject(2), rbac.Perm("invoices", "view")).Within(rbac.Window{Until: time.Now().Add(time.Hour).Truncate(time.Second)})}
			var got []rbac.Rule
			first := true
			version, err := st.StreamPolicy(ctx, func(rs []rbac.Rule) error {
				if first {
					first = false
					require.NoError(t, other.Update(ctx, func(tx rbac.Tx) error {
						if err := tx.ApplyPolicy(rbac.PolicyDelta{Add: late}); err != nil {
							return err
						}
						return tx.RecordChange(rbac.Change{Version: tx.Version(), Op: rbac.OpStaffGrant, Policy: rbac.PolicyDelta{Add: late}})
					}))
				}
				got = append(got, rs...)
				return nil
			})
			require.NoError(t, err)
			require.Equal(t, wantVersion, version)
			require.True(t, slices.Equal(want, got), "the rules of the version read, not of the commit in between (%d rules, want %d)", len(got), len(want))
			want, wantVersion, err = st.LoadPolicy(ctx)
			require.NoError(t, err)
			require.Subset(t, want, late)
		}

		stop := errors.New("enough")
		_, err = st.StreamPolicy(ctx, func([]rbac.Rule) error { return stop })
		require.ErrorIs(t, err, stop)
		write(rbac.MemberRule(9002, 2))
		want, wantVersion, err = st.LoadPolicy(ctx)
		require.NoError(t, err)

		cctx, cancel := context.WithCancel(ctx)
		_, err = st.StreamPolicy(cctx, func([]rbac.Rule) error {
			cancel()
			return nil
		})
		require.ErrorIs(t, err, context.Canceled)
		again, version, err := st.LoadPolicy(ctx)
		require.NoError(t, err)
		require.Equal(t, wantVersion, version)
		require.True(t, slices.Equal(want, again), "%d rules, want %d", len(again), len(want))
		extra := rbac.MemberRule(9001, 1)
		write(extra)
		again, version, err = st.LoadPolicy(ctx)
		require.NoError(t, err)
		require.Equal(t, wantVersion+1, version)
		require.ElementsMatch(t, append(want, extra), again)
	})
}
