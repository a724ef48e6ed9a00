package testdb

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Bounds of every wait the cluster harness makes: a step that takes longer
// fails the test instead of hanging it.
const (
	clusterStepTimeout = 60 * time.Second
	clusterGoneTimeout = 10 * time.Second
)

// Cluster is a private PostgreSQL server that one test starts for itself
// and may restart, stop, hang or roll back without disturbing any other
// test (the shared CI server must never be restarted). It is removed, with
// every process it started, when the test ends.
//
// It needs root (the server runs as the postgres user) and the server
// binaries under /usr/lib/postgresql/*/bin, as .ci/postgres.sh installs
// them. Without them the test is skipped, and under CI=true it fails.
type Cluster struct {
	tb   testing.TB
	bin  string // server binaries
	dir  string // owned by postgres: data/, snapshots, the socket, the log
	port int
	cred *syscall.Credential

	mu     sync.Mutex
	paused map[int]bool // backends stopped with SIGSTOP
	snaps  int
}

// Snapshot is a copy of a cluster's data directory (see Cluster.Snapshot).
type Snapshot struct{ dir string }

const clusterPrefix = "billingrbac-pgcluster-"

// NewCluster initializes and starts a private cluster on 127.0.0.1 and a
// free port.
func NewCluster(tb testing.TB) *Cluster {
	tb.Helper()
	c := &Cluster{tb: tb, paused: map[int]bool{}}
	c.bin = clusterBinaries()
	switch {
	case os.Geteuid() != 0:
		needCluster(tb, "a private PostgreSQL cluster needs root (the server runs as postgres)")
	case c.bin == "":
		needCluster(tb, "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin (see .ci/postgres.sh)")
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		needCluster(tb, "no postgres user: "+err.Error())
	}
	uid, _ := strconv.ParseUint(u.Uid, 10, 32)
	gid, _ := strconv.ParseUint(u.Gid, 10, 32)
	c.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	sweepClusters(c.bin)

	c.dir, err = os.MkdirTemp("", clusterPrefix)
	if err != nil {
		tb.Fatalf("testdb: cluster dir: %v", err)
	}
	tb.Cleanup(c.remove)
	// The owner's pid lets a later run remove a cluster whose test binary
	// died before its cleanup ran.
	if err := os.WriteFile(filepath.Join(c.dir, "owner"), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		tb.Fatalf("testdb: cluster owner: %v", err)
	}
	if err := os.Chown(c.dir, int(c.cred.Uid), int(c.cred.Gid)); err != nil {
		tb.Fatalf("testdb: cluster dir: %v", err)
	}
	c.postgres("initdb", "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "-N", "-D", c.data())
	conf := fmt.Sprintf("\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '%s'\n"+
		"fsync = off\nsynchronous_commit = off\nfull_page_writes = off\nmax_connections = 100\n", c.dir)
	// The free port may be taken before the server binds it: try another.
	for attempt := 1; ; attempt++ {
		c.port = freePort(tb)
		c.appendConf(conf + fmt.Sprintf("port = %d\n", c.port))
		conf = ""
		err := c.try("pg_ctl", c.pgCtlArgs("start")...)
		if err == nil {
			return c
		}
		if attempt == 3 {
			tb.Fatal(err)
		}
	}
}

// appendConf adds settings to postgresql.conf (later lines win).
func (c *Cluster) appendConf(conf string) {
	c.tb.Helper()
	f, err := os.OpenFile(filepath.Join(c.data(), "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err == nil {
		_, err = f.WriteString(conf)
		err = closeAfter(f, err)
	}
	if err != nil {
		c.tb.Fatalf("testdb: cluster config: %v", err)
	}
}

// needCluster skips the test, or fails it under CI=true, where the fault
// tests must run.
func needCluster(tb testing.TB, why string) {
	tb.Helper()
	if os.Getenv("CI") == "true" {
		tb.Fatalf("CI=true but %s: the fault tests must run in CI", why)
	}
	tb.Skip(why)
}

func clusterBinaries() string {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return versionOf(dirs[i]) < versionOf(dirs[j]) })
	for i := len(dirs) - 1; i >= 0; i-- {
		if _, err := os.Stat(filepath.Join(dirs[i], "initdb")); err == nil {
			return dirs[i]
		}
	}
	return ""
}

func versionOf(bin string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(bin)))
	return v
}

func freePort(tb testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("testdb: free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func closeAfter(f *os.File, err error) error {
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func (c *Cluster) data() string { return filepath.Join(c.dir, "data") }

// DSN returns the DSN of the cluster's postgres database. Prefer NewDSN
// for a store: it gives each use a fresh schema.
func (c *Cluster) DSN() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.port)
}

// NewDSN returns the DSN of a fresh, empty schema on the cluster.
func (c *Cluster) NewDSN(tb testing.TB) string {
	tb.Helper()
	return schemaDSN(tb, c.DSN())
}

// postgres runs one of the server's programs as the postgres user.
func (c *Cluster) postgres(prog string, args ...string) {
	c.tb.Helper()
	if err := c.try(prog, args...); err != nil {
		c.tb.Fatal(err)
	}
}

// try is postgres returning its failure, with the program's output and
// the end of the server log.
func (c *Cluster) try(prog string, args ...string) error {
	ctx, cancel := context.WithTimeout(context.Background(), clusterStepTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(c.bin, prog), args...)
	cmd.Dir = c.dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Run(); err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "log"))
		return fmt.Errorf("testdb: %s %s: %v\n%s\nserver log:\n%s", prog, strings.Join(args, " "), err, out.Bytes(), tail(log, 2000))
	}
	return nil
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

func (c *Cluster) pgCtl(args ...string) {
	c.tb.Helper()
	c.postgres("pg_ctl", c.pgCtlArgs(args...)...)
}

func (c *Cluster) pgCtlArgs(args ...string) []string {
	return append([]string{"-w", "-t", "30", "-D", c.data(), "-l", filepath.Join(c.dir, "log")}, args...)
}

// Start starts the stopped cluster and returns once it accepts
// connections.
func (c *Cluster) Start() {
	c.tb.Helper()
	c.pgCtl("start")
}

// Stop shuts the cluster down (fast mode: sessions are terminated).
// Backends stopped with Pause are resumed first.
func (c *Cluster) Stop() {
	c.tb.Helper()
	c.resumeAll()
	c.pgCtl("-m", "fast", "stop")
}

// Restart is pg_ctl restart -m fast: every session is terminated, the
// server is back when Restart returns.
func (c *Cluster) Restart() {
	c.tb.Helper()
	c.resumeAll()
	c.pgCtl("-m", "fast", "restart")
}

// run runs a program as the test's own user.
func (c *Cluster) run(prog string, args ...string) {
	c.tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), clusterStepTimeout)
	defer cancel()
	if out, err := exec.CommandContext(ctx, prog, args...).CombinedOutput(); err != nil {
		c.tb.Fatalf("testdb: %s %s: %v\n%s", prog, strings.Join(args, " "), err, out)
	}
}

// remove stops the server, whatever state the test left it in, and
// deletes its files.
func (c *Cluster) remove() {
	c.resumeAll()
	stopCluster(c.bin, c.dir, c.cred)
}

// stopCluster stops the server in dir if it runs (immediate mode: nothing
// is worth keeping) and removes dir.
func stopCluster(bin, dir string, cred *syscall.Credential) {
	data := filepath.Join(dir, "data")
	if _, err := os.Stat(filepath.Join(data, "postmaster.pid")); err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), clusterStepTimeout)
		cmd := exec.CommandContext(ctx, filepath.Join(bin, "pg_ctl"), "-w", "-t", "30", "-D", data, "-m", "immediate", "stop")
		cmd.Dir = dir
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		cmd.WaitDelay = 5 * time.Second
		_ = cmd.Run()
		cancel()
	}
	_ = os.RemoveAll(dir)
}

// sweepClusters removes the clusters of test binaries that died before
// their cleanup ran (a test timeout panics past t.Cleanup).
func sweepClusters(bin string) {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), clusterPrefix+"*"))
	for _, dir := range dirs {
		b, err := os.ReadFile(filepath.Join(dir, "owner"))
		if err != nil {
			continue
		}
		pid, err := strconv.Atoi(string(b))
		if err != nil || pid == os.Getpid() || syscall.Kill(pid, 0) == nil {
			continue
		}
		fi, err := os.Stat(dir)
		if err != nil {
			continue
		}
		st, ok := fi.Sys().(*syscall.Stat_t)
		if !ok {
			continue
		}
		stopCluster(bin, dir, &syscall.Credential{Uid: st.Uid, Gid: st.Gid})
	}
}

// EnvFaultRounds names the variable setting how many rounds each fault
// scenario runs (FaultRounds).
const EnvFaultRounds = "BILLINGRBAC_FAULT_ROUNDS"

// FaultRounds is how many rounds a fault scenario runs: $EnvFaultRounds
// when set (5 for the figures in docs/instances.md), else 3, or 1 with
// -short.
func FaultRounds(tb testing.TB) int {
	tb.Helper()
	if s := os.Getenv(EnvFaultRounds); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			tb.Fatalf("testdb: %s=%q: want a positive number", EnvFaultRounds, s)
		}
		return n
	}
	if testing.Short() {
		return 1
	}
	return 3
}
