package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/store"
)

// TestLockAfterContention: a write that waits for the version lock while
// another one commits (two instances writing at once) sees what that one
// committed: the hash it chains to is the committed change's, and the
// conflicts of duties its effect check applies include the one just
// declared. On PostgreSQL a statement's subqueries read the snapshot
// taken before it waited for the row lock, so whatever the lock
// statement returns besides the row must be read again when it waited.
// (SQLite: a writer waits at BEGIN, before any read.)
func TestLockAfterContention(t *testing.T) {
	ctx := context.Background()
	dsn := testdb.DSN(t, testdb.Postgres)
	a := testdb.Open(t, dsn)
	require.NoError(t, a.Migrate(ctx))
	b := testdb.Open(t, dsn)
	admin := testdb.Open(t, dsn)
	conflict := rbac.DutyConflict{Permissions: [2]rbac.Permission{rbac.Perm("invoices", "edit"), rbac.Perm("payments", "edit")}, Why: "four eyes"}

	// A first change, so that the chain has a head.
	require.NoError(t, a.Update(ctx, func(tx rbac.Tx) error {
		return tx.RecordChange(rbac.Change{Version: tx.Version(), Op: rbac.OpBootstrap, Hash: "h1"})
	}))

	type seen struct {
		version int64
		prev    string
		duties  []rbac.DutyConflict
		err     error
	}
	got := make(chan seen, 1)
	errRollback := errors.New("rollback")
	require.NoError(t, a.Update(ctx, func(tx rbac.Tx) error {
		if err := tx.(rbac.DutiesTx).AddDutyConflict(conflict); err != nil {
			return err
		}
		if err := tx.RecordChange(rbac.Change{Version: tx.Version(), Op: rbac.OpDutyConflict, Hash: "h2"}); err != nil {
			return err
		}
		pid, err := store.BackendPIDForTest(tx)
		if err != nil {
			return err
		}
		go func() {
			var s seen
			s.err = b.Update(ctx, func(tx rbac.Tx) error {
				s.version, s.prev = tx.Version(), tx.PrevHash()
				var err error
				if s.duties, err = tx.(rbac.DutiesTx).DutyConflicts(); err != nil {
					return err
				}
				return errRollback
			})
			got <- s
		}()
		// Commit only once the other write waits for this one's lock.
		for deadline := time.Now().Add(30 * time.Second); ; {
			var waiting int
			if err := admin.DB().Raw(`SELECT count(*) FROM pg_stat_activity WHERE ? = ANY(pg_blocking_pids(pid))`, pid).Scan(&waiting).Error; err != nil {
				return err
			}
			if waiting > 0 {
				return nil
			}
			if time.Now().After(deadline) {
				return errors.New("the second write never waited for the lock")
			}
			time.Sleep(5 * time.Millisecond)
		}
	}))
	s := <-got
	require.ErrorIs(t, s.err, errRollback)
	assert.EqualValues(t, 3, s.version)
	assert.Equal(t, "h2", s.prev, "the hash of the change committed while it waited")
	assert.Equal(t, []rbac.DutyConflict{conflict}, s.duties, "the conflict declared while it waited")
}
