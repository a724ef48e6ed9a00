package rbac_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/store"
)

// Fault tests: two instances, A and B, on a private PostgreSQL cluster that
// the test restarts, kills, hangs and rolls back. In each fault a
// permission is revoked on A, and B must deny it within the documented
// bound (docs/instances.md, "Faults") by itself: nothing writes to B or
// calls its Sync. Each scenario runs testdb.FaultRounds rounds and logs
// the times from the commit on A to the first denial on B.

// Test settings, shorter than the defaults so that the suite stays quick;
// the bounds below are the documented formulas with these values.
const (
	faultPing = 250 * time.Millisecond // store.Options.ListenerPing
	// catchUpRetry is the engine's largest delay between retries of a
	// failed catch-up (internal/engine's maxBackoff).
	catchUpRetry = 2 * time.Second
	// catchUpAllowance is the time one catch-up may take on a loaded
	// 2-core CI machine under -race.
	catchUpAllowance = time.Second
)

// logBuffer collects what the instances log; shown when a test fails.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// faultEnv is A and B on one fresh schema of the cluster, John in Sales,
// and the names of B's sessions.
type faultEnv struct {
	c           *testdb.Cluster
	a, b        *rbac.Service
	admin, john rbac.StaffID
	bListener   string
	bPool       string
	bound       time.Duration // of the scenario
}

// faultInstance opens one instance whose pool and listener sessions carry
// the given names.
func faultInstance(t *testing.T, dsn, name string, sc faultScenario, log *slog.Logger) *rbac.Service {
	t.Helper()
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	q := u.Query()
	q.Set("application_name", name+"-pool")
	u.RawQuery = q.Encode()
	st := testdb.OpenWith(t, u.String(), store.Options{ListenerName: name + "-listener",
		ListenerPing: sc.ping, EventLog: log.With("instance", name)})
	svc, err := rbac.New(context.Background(), st, rbac.Options{SyncInterval: sc.sync, MaxStaleness: sc.maxStale, CatchUpTimeout: sc.catchUp, Logger: log.With("instance", name),
		Accounts: rbac.AccountOptions{HashParams: fastHash}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = svc.Close() })
	return svc
}

func newFaultEnv(t *testing.T, c *testdb.Cluster, sc faultScenario) *faultEnv {
	t.Helper()
	ctx := context.Background()
	dsn := c.NewDSN(t)
	require.NoError(t, testdb.Open(t, dsn).Migrate(ctx))
	logs := &logBuffer{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("instances' log:\n%s", logs)
		}
	})
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	aName, bName := uniqueName("a-"), uniqueName("b-")
	e := &faultEnv{c: c, bListener: bName + "-listener", bPool: bName + "-pool", bound: sc.bound}
	e.a = faultInstance(t, dsn, aName, sc, log)
	boot, err := e.a.Bootstrap(ctx, rbac.BootstrapOptions{})
	require.NoError(t, err)
	e.admin = boot.Admin.ID
	john, err := e.a.CreateStaff(ctx, e.admin, rbac.NewStaff{Login: "john", FullName: rbac.Text(language.English, "John"),
		Departments: []rbac.DepartmentID{boot.Sales.ID}})
	require.NoError(t, err)
	e.john = john.ID
	e.b = faultInstance(t, dsn, bName, sc, log)
	waitFor(t, e.b, e.a.Version())
	return e
}

// grant grants p to John on A and waits until B allows it.
func (e *faultEnv) grant(t *testing.T, p rbac.Permission) {
	t.Helper()
	require.NoError(t, e.a.Grant(context.Background(), e.admin, e.john, p))
	waitFor(t, e.b, e.a.Version())
	require.True(t, e.b.Can(e.john, p), "B does not see the grant")
}

// revoke revokes p from John on A, right away (the first write after the
// fault), and returns when it committed.
func (e *faultEnv) revoke(t *testing.T, p rbac.Permission) time.Time {
	t.Helper()
	require.NoError(t, e.a.Revoke(context.Background(), e.admin, e.john, p), "A's first write after the fault")
	return time.Now()
}

// deniedOnB polls B's decision until it denies p and returns how long
// that took from committed; past the scenario's bound the test fails.
func (e *faultEnv) deniedOnB(t *testing.T, p rbac.Permission, committed time.Time) time.Duration {
	t.Helper()
	bound := e.bound
	for e.b.Can(e.john, p) {
		if time.Since(committed) > bound {
			t.Fatalf("B still allows a permission revoked on A %v ago (bound %v; A at version %d, B at %d)",
				time.Since(committed).Round(time.Millisecond), bound, e.a.Version(), e.b.Version())
		}
		time.Sleep(time.Millisecond)
	}
	return time.Since(committed)
}

// faultScenario is one fault, injected once per round.
type faultScenario struct {
	name string
	// sync is rbac.Options.SyncInterval: off (-1) where the scenario
	// shows that the listener's own recovery suffices; ping is
	// store.Options.ListenerPing.
	sync, ping time.Duration
	maxStale   time.Duration // rbac.Options.MaxStaleness
	catchUp    time.Duration // rbac.Options.CatchUpTimeout
	// bound is the documented bound with these settings.
	bound time.Duration
	round func(t *testing.T, e *faultEnv) time.Duration
}

var faultScenarios = []faultScenario{
	{
		// The server restarts; the revocation is A's first write once it
		// is back (its pool is dead: the store begins again once). B's
		// listener reconnects (≤ MaxReconnectDelay) and catches up,
		// retrying on its dead pool.
		name: "restart with a racing revocation", sync: -1, ping: faultPing,
		bound: store.MaxReconnectDelay + catchUpRetry + catchUpAllowance,
		round: func(t *testing.T, e *faultEnv) time.Duration {
			e.grant(t, pInvoicesSend)
			e.c.Restart()
			at := e.revoke(t, pInvoicesSend)
			return e.deniedOnB(t, pInvoicesSend, at)
		},
	},
	{
		// A failover or an idle-session killer ends B's listener and pool
		// sessions together.
		name: "listener and pool terminated together", sync: -1, ping: faultPing,
		bound: store.MaxReconnectDelay + catchUpRetry + catchUpAllowance,
		round: func(t *testing.T, e *faultEnv) time.Duration {
			e.grant(t, pInvoicesSend)
			n := e.c.Terminate(e.bListener, e.bPool)
			require.GreaterOrEqual(t, n, 2, "terminated %d of B's sessions, want its listener and at least one pooled", n)
			at := e.revoke(t, pInvoicesSend)
			return e.deniedOnB(t, pInvoicesSend, at)
		},
	},
	{
		// B's listener session hangs (its backend stopped): the socket
		// stays open and nothing arrives. The liveness ping replaces it
		// within 2×ListenerPing.
		name: "listener hung", sync: -1, ping: faultPing,
		bound: 2*faultPing + store.ReconnectDelay + catchUpRetry + catchUpAllowance,
		round: func(t *testing.T, e *faultEnv) time.Duration {
			e.grant(t, pInvoicesSend)
			pids := e.c.BackendPIDs(e.bListener)
			require.Len(t, pids, 1)
			e.c.Pause(pids[0])
			at := e.revoke(t, pInvoicesSend)
			took := e.deniedOnB(t, pInvoicesSend, at)
			e.c.Resume(pids[0])
			require.Eventually(t, func() bool { return !slices.Contains(e.c.BackendPIDs(e.bListener), pids[0]) },
				10*time.Second, 5*time.Millisecond, "the hung listener's backend did not go once resumed")
			return took
		},
	},
	{
		// The database loses committed changes (a failover to an
		// asynchronous standby, a point-in-time restore), and A then
		// commits a different change under the lost version number. B
		// applied the lost change: only the change's identity (the hash
		// chain) tells it that its history is not the database's.
		name: "rollback of the log", sync: -1, ping: faultPing,
		bound: store.MaxReconnectDelay + catchUpRetry + catchUpAllowance,
		round: func(t *testing.T, e *faultEnv) time.Duration {
			e.grant(t, pInvoicesSend)
			snap := e.c.Snapshot()
			e.grant(t, pReports) // lost below
			lost := e.a.Version()
			e.c.Restore(snap)
			at := e.revoke(t, pInvoicesSend)
			require.Equal(t, lost, e.a.Version(), "the revocation did not take the lost version number")
			took := e.deniedOnB(t, pInvoicesSend, at)
			require.False(t, e.b.Can(e.john, pReports), "B still allows what the lost change granted")
			require.Equal(t, e.a.Version(), e.b.Version())
			return took
		},
	},
	{
		// B's pooled sessions hang (their backends stopped): a catch-up
		// on one waits for an answer that never comes. Each background
		// catch-up is abandoned after CatchUpTimeout (doubling while they
		// time out) and retried, on the pool's other idle connection (at
		// most two idle: database/sql's default) and then on a new one.
		name: "pool hung", sync: -1, ping: faultPing, catchUp: time.Second,
		bound: 3*time.Second + catchUpRetry + catchUpAllowance,
		round: func(t *testing.T, e *faultEnv) time.Duration {
			e.grant(t, pInvoicesSend)
			pids := e.c.BackendPIDs(e.bPool)
			require.NotEmpty(t, pids)
			for _, pid := range pids {
				e.c.Pause(pid)
			}
			took := e.deniedOnB(t, pInvoicesSend, e.revoke(t, pInvoicesSend))
			for _, pid := range pids {
				e.c.Resume(pid)
			}
			return took
		},
	},
	{
		// The safety net alone: B's listener hangs and its liveness ping
		// is far off (a minute: default settings scaled), so only the
		// periodic catch-up (SyncInterval) brings the revocation.
		name: "lost notification, periodic catch-up", sync: 500 * time.Millisecond, ping: time.Minute,
		bound: 500*time.Millisecond + catchUpRetry + catchUpAllowance,
		round: func(t *testing.T, e *faultEnv) time.Duration {
			e.grant(t, pInvoicesSend)
			pids := e.c.BackendPIDs(e.bListener)
			require.Len(t, pids, 1)
			e.c.Pause(pids[0])
			defer e.c.Resume(pids[0])
			return e.deniedOnB(t, pInvoicesSend, e.revoke(t, pInvoicesSend))
		},
	},
}

// TestFaults runs every fault scenario on one private cluster, each on a
// fresh schema with its own A and B.
func TestFaults(t *testing.T) {
	c := testdb.NewCluster(t)
	// Whatever the faults did to them, closed instances leave no
	// goroutine behind (the listener's sessions included).
	before := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, before) })
	for _, sc := range faultScenarios {
		t.Run(sc.name, func(t *testing.T) {
			e := newFaultEnv(t, c, sc)
			var took []time.Duration
			for range testdb.FaultRounds(t) {
				took = append(took, sc.round(t, e))
			}
			slices.Sort(took)
			t.Logf("%s: commit on A → denied on B: min %v, median %v, max %v over %d rounds (bound %v)", sc.name,
				took[0].Round(time.Millisecond), took[len(took)/2].Round(time.Millisecond),
				took[len(took)-1].Round(time.Millisecond), len(took), sc.bound)
		})
	}
}

// TestOutageFailsClosed: with MaxStaleness set, an instance that cannot
// reach the database (the server stopped) denies every check once it has
// not confirmed for MaxStaleness that it is current, and answers again
// once the server is back: a real outage, not an injected error.
func TestOutageFailsClosed(t *testing.T) {
	c := testdb.NewCluster(t)
	const maxStale = time.Second
	// The watchdog looks every MaxStaleness/8; the periodic catch-up runs
	// every MaxStaleness/2 and the listener reconnects within
	// MaxReconnectDelay.
	closedBound := maxStale + maxStale/8 + catchUpAllowance
	openBound := min(maxStale/2, store.MaxReconnectDelay) + catchUpAllowance
	e := newFaultEnv(t, c, faultScenario{ping: faultPing, maxStale: maxStale})
	e.grant(t, pInvoicesSend)
	var closing, opening []time.Duration
	for range testdb.FaultRounds(t) {
		require.True(t, e.b.Can(e.john, pInvoicesSend))
		e.c.Stop()
		stopped := time.Now()
		for e.b.Can(e.john, pInvoicesSend) {
			require.Less(t, time.Since(stopped), closedBound, "B still answers from a state it cannot confirm (lag %v)", e.b.Lag())
			time.Sleep(time.Millisecond)
		}
		closing = append(closing, time.Since(stopped))
		require.True(t, e.b.Explain(e.john, pInvoicesSend).Stale)
		e.c.Start()
		started := time.Now()
		for !e.b.Can(e.john, pInvoicesSend) {
			require.Less(t, time.Since(started), openBound, "B does not answer again after the server is back (lag %v)", e.b.Lag())
			time.Sleep(time.Millisecond)
		}
		opening = append(opening, time.Since(started))
	}
	report := func(what string, ds []time.Duration, bound time.Duration) {
		slices.Sort(ds)
		t.Logf("%s: min %v, median %v, max %v over %d rounds (bound %v)", what, ds[0].Round(time.Millisecond),
			ds[len(ds)/2].Round(time.Millisecond), ds[len(ds)-1].Round(time.Millisecond), len(ds), bound)
	}
	report("server stopped → B fails closed", closing, closedBound)
	report("server started → B answers again", opening, openBound)
}
