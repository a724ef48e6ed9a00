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

// TestCommitNotifies: appending a change announces its version on the
// store's channel when, and only when, the transaction commits. A
// rolled-back attempt at a version announces nothing: the notification
// after the first commit is the second commit's, never the rolled-back
// attempt's.
func TestCommitNotifies(t *testing.T) {
	if !slices.Contains(testdb.Backends(t), testdb.Postgres) {
		t.Skip("needs PostgreSQL (set " + testdb.EnvPostgres + ")")
	}
	ctx := context.Background()
	st := testdb.Open(t, testdb.DSN(t, testdb.Postgres))
	require.NoError(t, st.Migrate(ctx))
	got := make(chan int64, 16)
	lctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- st.Notifier().Listen(lctx, func(v int64) { got <- v }) }()
	t.Cleanup(func() { stop(); require.NoError(t, <-done) })
	next := func() int64 {
		t.Helper()
		select {
		case v := <-got:
			return v
		case <-time.After(10 * time.Second):
			t.Fatal("no notification within 10 s")
			return 0
		}
	}
	require.Equal(t, int64(0), next(), "connected")
	errAbort := errors.New("abort")
	write := func(abort bool) int64 {
		var v int64
		err := st.Update(ctx, func(tx rbac.Tx) error {
			v = tx.Version()
			if err := tx.RecordChange(rbac.Change{Version: v, Domain: rbac.DomainStaff, Op: rbac.OpStaffGrant,
				Target: "staff:1", At: time.Now(), Hash: "h"}); err != nil {
				return err
			}
			if abort {
				return errAbort
			}
			return nil
		})
		if abort {
			require.ErrorIs(t, err, errAbort)
		} else {
			require.NoError(t, err)
		}
		return v
	}
	v1 := write(false)
	require.Equal(t, v1, next())
	rolledBack := write(true)
	v2 := write(false)
	require.Equal(t, rolledBack, v2, "the rolled-back version is taken again")
	v3 := write(false)
	require.Equal(t, v2, next())
	require.Equal(t, v3, next(), "a notification of the rolled-back attempt arrived")
}
