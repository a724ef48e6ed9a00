package clients_test

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/clients"
	"github.com/billingrbac/billingrbac/store"
)

// clientInstance is one application instance on dsn: its own pool and
// listener, its staff and client services.
func clientInstance(t *testing.T, dsn, name string) (*rbac.Service, *clients.Service) {
	t.Helper()
	ctx := context.Background()
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	q := u.Query()
	q.Set("application_name", name+"-pool")
	u.RawQuery = q.Encode()
	st := testdb.OpenWith(t, u.String(), store.Options{ListenerName: name + "-listener", ListenerPing: 250 * time.Millisecond})
	// The periodic catch-up is off: the listener's recovery alone must
	// bring the change.
	staff, err := rbac.New(ctx, st, rbac.Options{SyncInterval: -1, Accounts: rbac.AccountOptions{HashParams: fastHash}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = staff.Close() })
	cl, err := clients.New(ctx, st.ClientStore(), staff, clients.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = cl.Close() })
	return staff, cl
}

// TestClientRevocationAfterRestart: the server restarts and, as soon as it
// is back, a client user loses access on instance A (role unassigned, user
// disabled, user deleted, account disabled); instance B denies it within
// the documented bound (docs/instances.md, "Faults"), by itself: nothing
// writes to B or calls its Sync.
func TestClientRevocationAfterRestart(t *testing.T) {
	c := testdb.NewCluster(t)
	ctx := context.Background()
	dsn := c.NewDSN(t)
	require.NoError(t, testdb.Open(t, dsn).Migrate(ctx))
	aStaff, a := clientInstance(t, dsn, "a")
	boot, err := aStaff.Bootstrap(ctx, rbac.BootstrapOptions{})
	require.NoError(t, err)
	admin := clients.ByStaff(boot.Admin.ID)
	_, b := clientInstance(t, dsn, "b")

	disabled := rbac.StatusDisabled
	revocations := []struct {
		name   string
		revoke func(acct clients.ClientID, u clients.ClientUserID, r clients.RoleID) error
	}{
		{"role unassigned", func(_ clients.ClientID, u clients.ClientUserID, r clients.RoleID) error {
			return a.UnassignRole(ctx, admin, u, r)
		}},
		{"user disabled", func(_ clients.ClientID, u clients.ClientUserID, _ clients.RoleID) error {
			_, err := a.UpdateUser(ctx, admin, u, clients.UserUpdate{Status: &disabled})
			return err
		}},
		{"user deleted", func(_ clients.ClientID, u clients.ClientUserID, _ clients.RoleID) error {
			return a.DeleteUser(ctx, admin, u)
		}},
		{"account disabled", func(acct clients.ClientID, _ clients.ClientUserID, _ clients.RoleID) error {
			_, err := a.UpdateClient(ctx, admin, acct, clients.ClientUpdate{Status: &disabled})
			return err
		}},
	}
	// MaxReconnectDelay, then the catch-up retried at most 2 s apart, and
	// a second for the catch-up itself on a loaded machine.
	bound := store.MaxReconnectDelay + 2*time.Second + time.Second
	var took []time.Duration
	// Every kind of revocation at least once.
	for round := range max(testdb.FaultRounds(t), len(revocations)) {
		rv := revocations[round%len(revocations)]
		acct, err := a.CreateClient(ctx, admin, clients.NewClient{Name: fmt.Sprintf("Client %d", round),
			FirstUser: clients.NewUser{Login: fmt.Sprintf("owner%d", round), Name: "Owner"}})
		require.NoError(t, err)
		role, err := a.CreateRole(ctx, admin, acct.ID, clients.NewRole{Name: "Viewer"})
		require.NoError(t, err)
		perms := []clients.Permission{clients.Perm(clients.SectionServices, clients.View)}
		_, err = a.UpdateRole(ctx, admin, role.ID, clients.RoleUpdate{Permissions: &perms})
		require.NoError(t, err)
		bob, err := a.CreateUser(ctx, admin, acct.ID, clients.NewUser{Login: fmt.Sprintf("bob%d", round), Name: "Bob",
			Roles: []clients.RoleID{role.ID}})
		require.NoError(t, err)
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		require.NoError(t, b.WaitFor(wctx, a.Version()))
		cancel()
		res := svcOf(acct.ID)
		require.True(t, b.Can(bob.ID, clients.View, res), "B does not see bob's role")

		c.Restart()
		require.NoError(t, rv.revoke(acct.ID, bob.ID, role.ID), "%s: A's first write after the restart", rv.name)
		committed := time.Now()
		for b.Can(bob.ID, clients.View, res) {
			if time.Since(committed) > bound {
				t.Fatalf("%s: B still allows a client user revoked on A %v ago (bound %v; A at version %d, B at %d)",
					rv.name, time.Since(committed).Round(time.Millisecond), bound, a.Version(), b.Version())
			}
			time.Sleep(time.Millisecond)
		}
		took = append(took, time.Since(committed))
		t.Logf("round %d, %s: denied on B %v after the commit on A", round, rv.name, took[round].Round(time.Millisecond))
	}
	slices.Sort(took)
	t.Logf("restart, client revocation on A → denied on B: min %v, median %v, max %v over %d rounds (bound %v)",
		took[0].Round(time.Millisecond), took[len(took)/2].Round(time.Millisecond), took[len(took)-1].Round(time.Millisecond), len(took), bound)
}
