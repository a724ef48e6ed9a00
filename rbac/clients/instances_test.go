package clients_test

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/clients"
	"github.com/billingrbac/billingrbac/store"
)

// node is one application instance: its own pool and listener, its staff
// Service and the client Service attached to it.
type node struct {
	st    *store.Store
	staff *rbac.Service
	cs    *clients.Service
	name  string // the listener's application_name
}

func startNode(t testing.TB, dsn string) *node {
	t.Helper()
	var b [4]byte
	_, _ = crand.Read(b[:])
	n := &node{name: "node-" + hex.EncodeToString(b[:])}
	n.st = testdb.OpenWith(t, dsn, store.Options{ListenerName: n.name})
	var err error
	n.staff, err = rbac.New(context.Background(), n.st, rbac.Options{Accounts: rbac.AccountOptions{HashParams: fastHash}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = n.staff.Close() })
	n.cs, err = clients.New(context.Background(), n.st.ClientStore(), n.staff, clients.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = n.cs.Close() })
	return n
}

// waitApplied waits until n has applied version v, through its listener
// only: the test makes no write and no Sync on n.
func waitApplied(t testing.TB, n *node, v int64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	require.NoError(t, n.cs.WaitFor(ctx, v), "instance at %d, want %d", n.cs.Version(), v)
}

// killListener terminates n's listening connection and waits until it is
// gone, so what A commits next reaches n only through the reconnection's
// catch-up.
func killListener(t *testing.T, via *store.Store, n *node) {
	t.Helper()
	var killed int64
	require.NoError(t, via.DB().Raw(`SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = ?`, n.name).Scan(&killed).Error)
	require.EqualValues(t, 1, killed, "listener connections terminated")
	require.Eventually(t, func() bool {
		var left int64
		_ = via.DB().Raw(`SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = ? AND pid <> pg_backend_pid()`, n.name).Scan(&left).Error
		return left == 0
	}, 10*time.Second, time.Millisecond)
}

// TestClientRevocationsReachOtherInstances: every way of taking a client
// user's access away on instance A (unassign its role, disable it, delete
// it, disable its client) is denied on instance B once B reports A's
// version, without any write or Sync on B; and the same after B's
// listening connection was terminated.
func TestClientRevocationsReachOtherInstances(t *testing.T) {
	if !slices.Contains(testdb.Backends(t), testdb.Postgres) {
		t.Skip("needs PostgreSQL (set " + testdb.EnvPostgres + ")")
	}
	ctx := context.Background()
	dsn := testdb.DSN(t, testdb.Postgres)
	require.NoError(t, testdb.Open(t, dsn).Migrate(ctx))
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	a := startNode(t, dsn)
	boot, err := a.staff.Bootstrap(ctx, rbac.BootstrapOptions{})
	require.NoError(t, err)
	b := startNode(t, dsn)
	admin := clients.ByStaff(boot.Admin.ID)
	view := clients.Perm(clients.SectionServices, clients.View)

	for _, round := range []string{"listening", "after the listener was terminated"} {
		t.Run(round, func(t *testing.T) {
			c, err := a.cs.CreateClient(ctx, admin, clients.NewClient{Name: "Acme " + round,
				FirstUser: clients.NewUser{Login: "owner" + loginSuffix(round), Name: "Owner"}})
			require.NoError(t, err)
			owner := clients.ByUser(c.FirstUser)
			role, err := a.cs.CreateRole(ctx, owner, c.ID, clients.NewRole{Name: "Viewer"})
			require.NoError(t, err)
			perms := []clients.Permission{view}
			_, err = a.cs.UpdateRole(ctx, owner, role.ID, clients.RoleUpdate{Permissions: &perms})
			require.NoError(t, err)
			res := clients.Resource{Kind: clients.KindService, ID: 1, Owner: c.ID}
			users := map[string]clients.ClientUserID{}
			for _, name := range []string{"unassigned", "disabled", "deleted", "client-disabled"} {
				u, err := a.cs.CreateUser(ctx, owner, c.ID, clients.NewUser{Login: name + loginSuffix(round), Name: name,
					Roles: []clients.RoleID{role.ID}})
				require.NoError(t, err)
				users[name] = u.ID
			}
			waitApplied(t, b, a.cs.Version())
			for name, u := range users {
				require.True(t, b.cs.Can(u, clients.View, res), "B denies %s before any revocation", name)
			}
			if round != "listening" {
				killListener(t, a.st, b)
			}
			off := rbac.StatusDisabled
			revoke := []struct {
				user string
				do   func() error
			}{
				{"unassigned", func() error { return a.cs.UnassignRole(ctx, owner, users["unassigned"], role.ID) }},
				{"disabled", func() error {
					_, err := a.cs.UpdateUser(ctx, owner, users["disabled"], clients.UserUpdate{Status: &off})
					return err
				}},
				{"deleted", func() error { return a.cs.DeleteUser(ctx, owner, users["deleted"]) }},
				{"client-disabled", func() error {
					_, err := a.cs.UpdateClient(ctx, admin, c.ID, clients.ClientUpdate{Status: &off})
					return err
				}},
			}
			for _, r := range revoke {
				require.NoError(t, r.do(), r.user)
				require.False(t, a.cs.Can(users[r.user], clients.View, res), "A allows %s after the revocation", r.user)
				waitApplied(t, b, a.cs.Version())
				require.False(t, b.cs.Can(users[r.user], clients.View, res), "B allows %s after the revocation", r.user)
			}
			require.False(t, b.cs.Can(c.FirstUser, clients.View, res), "B allows the first user of a disabled client")
		})
	}
	for _, n := range []*node{a, b} {
		require.NoError(t, n.cs.Close())
		require.NoError(t, n.staff.Close())
		require.NoError(t, n.st.Close())
	}
}

func loginSuffix(round string) string {
	if round == "listening" {
		return "1"
	}
	return "2"
}

// TestCloseLeavesNoGoroutines: a client Service attached to an rbac.Service
// adds no goroutine of its own; closing both (and the store) leaves none,
// and a closed client Service refuses writes and waits.
func TestCloseLeavesNoGoroutines(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		dsn := testdb.DSN(t, b)
		defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
		ctx := context.Background()
		st, err := store.Open(ctx, dsn)
		require.NoError(t, err)
		require.NoError(t, st.Migrate(ctx))
		staff, err := rbac.New(ctx, st, rbac.Options{Accounts: rbac.AccountOptions{HashParams: fastHash}})
		require.NoError(t, err)
		boot, err := staff.Bootstrap(ctx, rbac.BootstrapOptions{})
		require.NoError(t, err)
		cs, err := clients.New(ctx, st.ClientStore(), staff, clients.Options{})
		require.NoError(t, err)
		c, err := cs.CreateClient(ctx, clients.ByStaff(boot.Admin.ID), clients.NewClient{Name: "A",
			FirstUser: clients.NewUser{Login: "alice", Name: "A"}})
		require.NoError(t, err)
		require.NoError(t, cs.WaitFor(ctx, cs.Version()))
		require.NoError(t, cs.Close())
		_, err = cs.CreateRole(ctx, clients.ByUser(c.FirstUser), c.ID, clients.NewRole{Name: "R"})
		require.ErrorIs(t, err, rbac.ErrClosed)
		require.ErrorIs(t, cs.WaitFor(ctx, cs.Version()+1), rbac.ErrClosed)
		require.True(t, cs.Can(c.FirstUser, clients.View, clients.Resource{Kind: clients.KindService, Owner: c.ID}),
			"checks keep answering after Close")
		require.NoError(t, staff.Close())
		_, err = clients.New(ctx, st.ClientStore(), staff, clients.Options{})
		require.ErrorIs(t, err, rbac.ErrClosed)
		require.NoError(t, st.Close())
	})
}

// TestStaleStaffActorIsCaughtUpBeforeAuthorizing: a staff member disabled
// on instance A cannot administer clients or take tasks on instance B even
// before B heard of it: every write catches up every domain inside the
// lock, before it authorizes. (On SQLite nothing listens, so B is stale
// until its write.)
func TestStaleStaffActorIsCaughtUpBeforeAuthorizing(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		ctx := context.Background()
		dsn := testdb.DSN(t, b)
		require.NoError(t, testdb.Open(t, dsn).Migrate(ctx))
		a := startNode(t, dsn)
		boot, err := a.staff.Bootstrap(ctx, rbac.BootstrapOptions{})
		require.NoError(t, err)
		mgr, err := a.staff.CreateStaff(ctx, boot.Admin.ID, rbac.NewStaff{Login: "manager",
			FullName: rbac.Text(language.English, "M")})
		require.NoError(t, err)
		require.NoError(t, a.staff.Grant(ctx, boot.Admin.ID, mgr.ID, rbac.Perm(rbac.FuncClients, rbac.ActAdd)))
		bn := startNode(t, dsn) // loads the grant
		require.True(t, bn.staff.Can(mgr.ID, rbac.Perm(rbac.FuncClients, rbac.ActAdd)))
		off := rbac.StatusDisabled
		_, err = a.staff.UpdateStaff(ctx, boot.Admin.ID, mgr.ID, rbac.StaffUpdate{Status: &off})
		require.NoError(t, err)
		if b == testdb.SQLite {
			require.True(t, bn.staff.Can(mgr.ID, rbac.Perm(rbac.FuncClients, rbac.ActAdd)), "B is stale")
		}
		_, err = bn.cs.CreateClient(ctx, clients.ByStaff(mgr.ID), clients.NewClient{Name: "X",
			FirstUser: clients.NewUser{Login: "xowner", Name: "X"}})
		require.ErrorIs(t, err, rbac.ErrPermissionDenied)
		require.False(t, bn.staff.Can(mgr.ID, rbac.Perm(rbac.FuncClients, rbac.ActAdd)), "B caught up")
	})
}
