package rbac_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/store"
)

// requirePostgres skips a test of the optimistic path (PostgreSQL only).
func requirePostgres(t *testing.T) {
	t.Helper()
	if !slicesContains(testdb.Backends(t), testdb.Postgres) {
		t.Skip("needs PostgreSQL (set " + testdb.EnvPostgres + ")")
	}
}

// peer is another Service on e's database, with its own pool and
// listener.
func peer(t *testing.T, e *env) *rbac.Service {
	t.Helper()
	svc, err := rbac.New(e.ctx, testdb.Open(t, e.dsn), rbac.Options{Accounts: rbac.AccountOptions{HashParams: fastHash}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = svc.Close() })
	return svc
}

// checkLog asserts the invariants every write must keep: the change log
// has no gap or duplicate, the policy guard counted no foreign write
// since foreign0, and every instance, caught up, is at the log's head and
// decides as a Service loaded afresh from the database.
func checkLog(t *testing.T, e *env, foreign0 int64, staff []rbac.StaffID, perms []rbac.Permission, svcs ...*rbac.Service) []rbac.Change {
	t.Helper()
	ctx := e.ctx
	foreign, err := e.st.ForeignPolicyWrites(ctx)
	require.NoError(t, err)
	require.Equal(t, foreign0, foreign, "a library write was counted as a foreign write")
	chs, err := e.st.Changes(ctx, rbac.ChangeQuery{Limit: 100000})
	require.NoError(t, err)
	for i, c := range chs {
		require.Equal(t, int64(i+1), c.Version, "the change log has a gap or a duplicate")
	}
	v, h, err := e.st.LogHead(ctx)
	require.NoError(t, err)
	require.Equal(t, int64(len(chs)), v)
	fresh := peer(t, e)
	for _, s := range svcs {
		require.NoError(t, s.Sync(ctx))
		require.Equal(t, v, s.Version())
		require.Equal(t, h, chs[len(chs)-1].Hash)
		for _, id := range staff {
			for _, p := range perms {
				require.Equal(t, fresh.Can(id, p), s.Can(id, p), "instance disagrees with the database on %s %s", id, p)
			}
		}
	}
	return chs
}

// TestOptimisticRevocationRace: an actor's right is revoked on one
// instance while the actor writes through another, concurrently, many
// times. Whatever the interleaving, no change by the actor may commit
// after the change that took its right away (invariant: the locked path,
// caught up, would have refused it).
func TestOptimisticRevocationRace(t *testing.T) {
	requirePostgres(t)
	e := newEnv(t, testdb.Postgres)
	ctx := e.ctx
	hr := e.dept("HR", pStaffEdit, pPayments)
	mgr := e.staff("manager", hr)
	other := e.staff("other", e.dept("Desk"))
	b := peer(t, e)
	foreign0, err := e.st.ForeignPolicyWrites(ctx)
	require.NoError(t, err)

	const rounds = 40
	for round := range rounds {
		waitFor(t, b, e.svc.Version())
		var wg sync.WaitGroup
		wg.Add(2)
		go func() {
			defer wg.Done()
			require.NoError(t, e.svc.RemoveFromDepartment(ctx, e.admin, mgr, hr))
		}()
		go func() {
			defer wg.Done()
			// The manager's writes, as fast as B takes them, until one
			// is refused.
			for i := 0; ; i++ {
				var err error
				if b.Can(other, pPayments) {
					err = b.Revoke(ctx, mgr, other, pPayments)
				} else {
					err = b.Grant(ctx, mgr, other, pPayments)
				}
				if errors.Is(err, rbac.ErrPermissionDenied) {
					return
				}
				require.NoError(t, err, "round %d write %d", round, i)
			}
		}()
		wg.Wait()
		require.NoError(t, e.svc.AddToDepartment(ctx, e.admin, mgr, hr))
	}

	chs := checkLog(t, e, foreign0, []rbac.StaffID{mgr, other}, []rbac.Permission{pPayments, pStaffEdit}, e.svc, b)
	member := true
	for _, c := range chs {
		switch {
		case c.Op == rbac.OpStaffLeave && c.Actor == e.admin:
			member = false
		case c.Op == rbac.OpStaffJoin && c.Actor == e.admin:
			member = true
		case c.Actor == mgr:
			require.True(t, member, "change %d (%s) by the manager committed after the manager left HR", c.Version, c.Op)
		}
	}
}

// TestOptimisticConcurrentInstances: three instances write at once, every
// write on the optimistic path first; afterwards the log is gap-free, no
// write counted as foreign, and every instance decides as the database
// says.
func TestOptimisticConcurrentInstances(t *testing.T) {
	requirePostgres(t)
	e := newEnv(t, testdb.Postgres)
	ctx := e.ctx
	perms := []rbac.Permission{pPayments, pReports, pClientsView, pInvoicesView}
	sales := e.dept("Sales", pInvoicesView)
	var staff []rbac.StaffID
	for i := range 4 {
		staff = append(staff, e.staff(fmt.Sprintf("staff%d", i)))
	}
	svcs := []*rbac.Service{e.svc, peer(t, e), peer(t, e)}
	foreign0, err := e.st.ForeignPolicyWrites(ctx)
	require.NoError(t, err)

	var wg sync.WaitGroup
	for w, svc := range svcs {
		for g := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 40 {
					id := staff[(w+g+i)%len(staff)]
					p := perms[(w*3+g+i)%len(perms)]
					var err error
					switch i % 4 {
					case 0, 1:
						if svc.Can(id, p) {
							err = svc.Revoke(ctx, e.admin, id, p)
						} else {
							err = svc.Grant(ctx, e.admin, id, p)
						}
					case 2:
						err = svc.AddToDepartment(ctx, e.admin, id, sales)
					case 3:
						err = svc.RemoveFromDepartment(ctx, e.admin, id, sales)
					}
					if errors.Is(err, rbac.ErrNotFound) || errors.Is(err, rbac.ErrInheritedPermission) {
						err = nil // decided on another instance's change
					}
					require.NoError(t, err)
				}
			}()
		}
	}
	wg.Wait()
	checkLog(t, e, foreign0, staff, perms, svcs...)
}

// handNotifier is a Notifier whose notifications the test delivers itself
// (notify), when it chooses.
type handNotifier struct{ listening chan func(int64) }

func (n handNotifier) Listen(ctx context.Context, notify func(int64)) error {
	select {
	case n.listening <- notify:
	default:
	}
	<-ctx.Done()
	return ctx.Err()
}

// hookedStore is a store whose optimistic attempts run duringAttempt after
// the staging function (before the statement is sent), whose Update
// fails while failUpdate is set (as one that timed out waiting for the
// version lock), and whose notifications the test delivers.
type hookedStore struct {
	*store.Store
	notifier      handNotifier
	duringAttempt func()
	failUpdate    atomic.Bool
}

func (s *hookedStore) Notifier() rbac.Notifier { return s.notifier }

func (s *hookedStore) Attempt(ctx context.Context, version int64, prev string, fn func(rbac.Tx) error) error {
	return s.Store.Attempt(ctx, version, prev, func(tx rbac.Tx) error {
		err := fn(tx)
		if h := s.duringAttempt; h != nil {
			s.duringAttempt = nil
			h()
		}
		return err
	})
}

var errLockTimeout = errors.New("test: timed out waiting for the version lock")

func (s *hookedStore) Update(ctx context.Context, fn func(rbac.Tx) error) error {
	if s.failUpdate.Load() {
		return errLockTimeout
	}
	return s.Store.Update(ctx, fn)
}

// TestOptimisticStaleAttemptKeepsNotifications: while an optimistic
// attempt is in flight the instance takes the notification of the
// version it appended for its own and drops it. When the attempt turns
// out stale (another instance committed that version: here a
// revocation) and the locked path then fails before catching up, the
// instance must still catch up by itself: otherwise it goes on allowing
// the revoked permission until some later notification, however long
// that takes (no periodic catch-up here, as with SyncInterval -1).
func TestOptimisticStaleAttemptKeepsNotifications(t *testing.T) {
	requirePostgres(t)
	e := newEnv(t, testdb.Postgres)
	ctx := e.ctx
	john := e.staff("john", e.dept("Desk"))
	require.NoError(t, e.svc.Grant(ctx, e.admin, john, pPayments))
	hs := &hookedStore{Store: testdb.Open(t, e.dsn), notifier: handNotifier{listening: make(chan func(int64), 1)}}
	b, err := rbac.New(ctx, hs, rbac.Options{Accounts: rbac.AccountOptions{HashParams: fastHash}, SyncInterval: -1})
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	notify := <-hs.notifier.listening
	require.True(t, b.Can(john, pPayments))

	hs.duringAttempt = func() {
		// Another instance revokes and its notification reaches B while
		// B's attempt is in flight.
		require.NoError(t, e.svc.Revoke(ctx, e.admin, john, pPayments))
		notify(e.svc.Version())
		hs.failUpdate.Store(true)
	}
	err = b.Grant(ctx, e.admin, john, pReports)
	require.ErrorIs(t, err, errLockTimeout)
	hs.failUpdate.Store(false)

	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	require.NoError(t, b.WaitFor(wctx, e.svc.Version()), "the instance dropped the notification of a revocation")
	require.False(t, b.Can(john, pPayments))
}

// killSessions terminates every session named name and waits until
// they are gone.
func killSessions(t *testing.T, e *env, name string) {
	t.Helper()
	var pids []int64
	require.NoError(t, e.st.DB().Raw(`SELECT pid FROM pg_stat_activity WHERE application_name = ?`, name).Scan(&pids).Error)
	require.NoError(t, e.st.DB().Exec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid IN ?`, pids).Error)
	require.NotEmpty(t, pids, "no session named %s", name)
	require.Eventually(t, func() bool {
		var n int64
		require.NoError(t, e.st.DB().Raw(`SELECT COUNT(*) FROM pg_stat_activity WHERE pid IN ?`, pids).Scan(&n).Error)
		return n == 0
	}, 10*time.Second, time.Millisecond)
}

// TestOptimisticFirstWriteAfterPoolKilled: the first write after the
// server dropped the pool's connections (a restart, a pooler, an
// idle-session killer) succeeds, as it did on the locked path, whose
// BEGIN on a dead connection is begun again (store.begin). The
// optimistic statement is its own commit: sent on a connection the
// server had already terminated, it fails with 57P01 although the server
// never ran it.
func TestOptimisticFirstWriteAfterPoolKilled(t *testing.T) {
	requirePostgres(t)
	e := newEnv(t, testdb.Postgres)
	ctx := e.ctx
	john := e.staff("john", e.dept("Desk"))
	name := uniqueName("opt-")
	u, err := url.Parse(e.dsn)
	require.NoError(t, err)
	q := u.Query()
	q.Set("application_name", name)
	u.RawQuery = q.Encode()
	st := testdb.OpenWith(t, u.String(), store.Options{ListenerName: name + "-listener"})
	b, err := rbac.New(ctx, st, rbac.Options{Accounts: rbac.AccountOptions{HashParams: fastHash}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	for round, p := range []rbac.Permission{pPayments, pReports, pClientsView} {
		require.NoError(t, b.Revoke(ctx, e.admin, john, pInvoicesView)) // the pool's connection just used
		killSessions(t, e, name)
		require.NoError(t, b.Grant(ctx, e.admin, john, p), "round %d: the first write after the pool's connections were killed", round)
		require.True(t, b.Can(john, p))
	}
	chs, err := e.st.Changes(ctx, rbac.ChangeQuery{Op: rbac.OpStaffGrant, Limit: 100})
	require.NoError(t, err)
	require.Len(t, chs, 3, "a grant is missing from the log or was committed twice")
}
