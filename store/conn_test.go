package store_test

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/store"
)

// warmPool leaves st's pool with its two idle connections (database/sql's
// default) both reused just now: neither is due for pgx's ping of
// connections idle for over a second.
func warmPool(t *testing.T, st *store.Store) {
	t.Helper()
	for range 2 {
		usePool(t, st, 2)
	}
}

func usePool(t *testing.T, st *store.Store, n int) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			require.NoError(t, st.DB().Exec(`SELECT pg_sleep(0.05)`).Error)
		}()
	}
	close(start)
	wg.Wait()
}

// TestFirstWriteAfterRestart: the first write after the server restarted,
// on a pool whose connections all died, succeeds; with nothing but the
// store (no listener telling it the server went away).
func TestFirstWriteAfterRestart(t *testing.T) {
	c := testdb.NewCluster(t)
	ctx := context.Background()
	st := testdb.Open(t, c.NewDSN(t))
	require.NoError(t, st.Migrate(ctx))
	for round := range 3 {
		warmPool(t, st)
		c.Restart()
		calls := 0
		err := st.Update(ctx, func(tx rbac.Tx) error {
			calls++
			return nil
		})
		require.NoError(t, err, "round %d: first write after a restart", round)
		require.Equal(t, 1, calls, "round %d: the write ran more than once", round)
		_, err = st.Changes(ctx, rbac.ChangeQuery{})
		require.NoError(t, err, "round %d: first read after a restart", round)
	}
}

// TestNoRetryOnceBegun: a transaction that fails on a dead connection
// after BEGIN succeeded is not run again, whatever it wrote.
func TestNoRetryOnceBegun(t *testing.T) {
	for _, b := range testdb.Backends(t) {
		t.Run(string(b), func(t *testing.T) {
			ctx := context.Background()
			st := testdb.New(t, b)
			var locks atomic.Int32
			testdb.SetFault(t, st.DB(), func(db *gorm.DB) {
				if !strings.Contains(db.Statement.SQL.String(), "SET version = version + 1") {
					return
				}
				locks.Add(1)
				_ = db.AddError(&pgconn.PgError{Severity: "FATAL", Code: "57P01", Message: "terminating connection due to administrator command"})
			})
			calls := 0
			err := st.Update(ctx, func(rbac.Tx) error { calls++; return nil })
			require.Error(t, err)
			require.Equal(t, int32(1), locks.Load(), "the version lock ran again after failing inside the transaction")
			require.Equal(t, 0, calls)
		})
	}
}

func TestDeadConnClassification(t *testing.T) {
	for _, c := range []struct {
		err  error
		dead bool
	}{
		{nil, false},
		{driver.ErrBadConn, true},
		{fmt.Errorf("begin: %w", io.ErrUnexpectedEOF), true},
		{&pgconn.PgError{Severity: "FATAL", Code: "57P01"}, true},
		{&pgconn.PgError{Severity: "FATAL", Code: "57P02"}, true},
		{&pgconn.PgError{Severity: "FATAL", Code: "08006"}, true},
		{&net.OpError{Op: "read", Err: syscall.ECONNRESET}, true},
		// The server answered: the connection is alive.
		{&pgconn.PgError{Severity: "ERROR", Code: "23505"}, false},
		{&pgconn.PgError{Severity: "ERROR", Code: "40001"}, false},
		{&pgconn.PgError{Severity: "FATAL", Code: "57P03"}, false}, // starting up: retrying at once does not help
		{context.Canceled, false},
		{errors.New("store: something else"), false},
	} {
		require.Equal(t, c.dead, store.DeadConn(c.err), "%v", c.err)
	}
}
