package testdb_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/billingrbac/billingrbac/internal/testdb"
)

func connect(t *testing.T, c *testdb.Cluster, name string) *pgx.Conn {
	t.Helper()
	cfg, err := pgx.ParseConfig(c.DSN())
	require.NoError(t, err)
	cfg.RuntimeParams["application_name"] = name
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}

func count(t *testing.T, c *testdb.Cluster) int {
	t.Helper()
	var n int
	conn := connect(t, c, "count")
	require.NoError(t, conn.QueryRow(context.Background(), `SELECT COUNT(*) FROM marks`).Scan(&n))
	return n
}

// TestCluster: every fault the harness offers does what it says on a real
// server.
func TestCluster(t *testing.T) {
	c := testdb.NewCluster(t)
	ctx := context.Background()
	conn := connect(t, c, "probe")
	_, err := conn.Exec(ctx, `CREATE TABLE marks (n int)`)
	require.NoError(t, err)

	pids := c.BackendPIDs("probe")
	require.Len(t, pids, 1)

	// A paused backend answers nothing until resumed.
	c.Pause(pids[0])
	short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	err = conn.Ping(short)
	cancel()
	require.Error(t, err, "a SIGSTOPped backend answered a ping")
	c.Resume(pids[0])

	// Terminate ends the named sessions and only them.
	a, b := connect(t, c, "victim-a"), connect(t, c, "victim-b")
	keep := connect(t, c, "bystander")
	require.Equal(t, 2, c.Terminate("victim-a", "victim-b"))
	require.Empty(t, c.BackendPIDs("victim-a", "victim-b"))
	require.Error(t, a.Ping(ctx))
	require.Error(t, b.Ping(ctx))
	require.NoError(t, keep.Ping(ctx))

	// Restart ends every session; the server is back at once.
	c.Restart()
	require.Error(t, keep.Ping(ctx), "a session survived the restart")
	require.Equal(t, 0, count(t, c))

	// Restore loses what was committed after the snapshot.
	conn = connect(t, c, "writer")
	_, err = conn.Exec(ctx, `INSERT INTO marks VALUES (1)`)
	require.NoError(t, err)
	snap := c.Snapshot()
	conn = connect(t, c, "writer")
	_, err = conn.Exec(ctx, `INSERT INTO marks VALUES (2)`)
	require.NoError(t, err)
	require.Equal(t, 2, count(t, c))
	c.Restore(snap)
	require.Equal(t, 1, count(t, c))

	// Stop and Start.
	c.Stop()
	_, err = pgx.Connect(ctx, c.DSN())
	require.Error(t, err, "connected to a stopped cluster")
	c.Start()
	require.Equal(t, 1, count(t, c))

	// A fresh schema per NewDSN.
	require.NotEqual(t, c.NewDSN(t), c.NewDSN(t))
}
