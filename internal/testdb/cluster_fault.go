package testdb

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// Snapshot stops the cluster, copies its data directory and starts it
// again. Restore brings the copy back: everything committed after the
// snapshot is lost, as after a failover to an asynchronous standby.
func (c *Cluster) Snapshot() Snapshot {
	c.tb.Helper()
	c.mu.Lock()
	c.snaps++
	s := Snapshot{dir: filepath.Join(c.dir, fmt.Sprintf("snapshot-%d", c.snaps))}
	c.mu.Unlock()
	c.Stop()
	c.run("cp", "-a", c.data(), s.dir)
	c.Start()
	return s
}

// Restore stops the cluster, replaces its data directory with s and starts
// it again.
func (c *Cluster) Restore(s Snapshot) {
	c.tb.Helper()
	c.Stop()
	if err := os.RemoveAll(c.data()); err != nil {
		c.tb.Fatalf("testdb: restore: %v", err)
	}
	c.run("cp", "-a", s.dir, c.data())
	c.Start()
}

// admin runs fn on a short-lived connection of its own.
func (c *Cluster) admin(fn func(ctx context.Context, conn *pgx.Conn) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), clusterGoneTimeout)
	defer cancel()
	cfg, err := pgx.ParseConfig(c.DSN())
	if err != nil {
		return err
	}
	cfg.RuntimeParams["application_name"] = "testdb-cluster-admin"
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	return fn(ctx, conn)
}

// BackendPIDs returns the server processes of the sessions whose
// application_name is one of names.
func (c *Cluster) BackendPIDs(names ...string) []int {
	c.tb.Helper()
	var pids []int
	err := c.admin(func(ctx context.Context, conn *pgx.Conn) error {
		rows, err := conn.Query(ctx, `SELECT pid FROM pg_stat_activity WHERE application_name = ANY($1) ORDER BY pid`, names)
		if err != nil {
			return err
		}
		pids, err = pgx.CollectRows(rows, pgx.RowTo[int])
		return err
	})
	if err != nil {
		c.tb.Fatalf("testdb: backends of %v: %v", names, err)
	}
	return pids
}

// Terminate ends, in one statement, every session whose application_name
// is one of names (pg_terminate_backend), waits until they are gone and
// returns how many there were. A session stopped with Pause ends only once
// resumed.
func (c *Cluster) Terminate(names ...string) int {
	c.tb.Helper()
	var pids []int
	err := c.admin(func(ctx context.Context, conn *pgx.Conn) error {
		rows, err := conn.Query(ctx, `WITH s AS MATERIALIZED (SELECT pid FROM pg_stat_activity WHERE application_name = ANY($1))
			SELECT pid FROM s WHERE pg_terminate_backend(pid)`, names)
		if err != nil {
			return err
		}
		pids, err = pgx.CollectRows(rows, pgx.RowTo[int])
		return err
	})
	if err != nil {
		c.tb.Fatalf("testdb: terminate %v: %v", names, err)
	}
	deadline := time.Now().Add(clusterGoneTimeout)
	for {
		// A pool may already have new sessions under the same names:
		// wait for the terminated ones only.
		var left int
		err := c.admin(func(ctx context.Context, conn *pgx.Conn) error {
			return conn.QueryRow(ctx, `SELECT COUNT(*) FROM pg_stat_activity WHERE pid = ANY($1)`, pids).Scan(&left)
		})
		if err == nil && left == 0 {
			return len(pids)
		}
		if time.Now().After(deadline) {
			c.tb.Fatalf("testdb: sessions %v of %v not gone after %v (err %v)", pids, names, clusterGoneTimeout, err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Pause stops a backend process with SIGSTOP: its socket stays open and it
// answers nothing, as a hung connection. Resume, Stop, Restart and the
// test's end resume it.
func (c *Cluster) Pause(pid int) {
	c.tb.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		c.tb.Fatalf("testdb: SIGSTOP %d: %v", pid, err)
	}
	c.paused[pid] = true
}

// Resume continues a backend stopped with Pause.
func (c *Cluster) Resume(pid int) {
	c.tb.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.paused, pid)
	if err := syscall.Kill(pid, syscall.SIGCONT); err != nil && err != syscall.ESRCH {
		c.tb.Fatalf("testdb: SIGCONT %d: %v", pid, err)
	}
}

func (c *Cluster) resumeAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for pid := range c.paused {
		_ = syscall.Kill(pid, syscall.SIGCONT)
		delete(c.paused, pid)
	}
}
