package casbinsync_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/casbinsync"
	"github.com/billingrbac/billingrbac/store"
)

var fast = rbac.AccountOptions{HashParams: rbac.HashParams{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}}

var perms = []rbac.Permission{
	rbac.Perm(rbac.FuncInvoices, rbac.ActView), rbac.Perm(rbac.FuncInvoices, rbac.ActSend),
	rbac.Perm(rbac.FuncReports, rbac.ActView), rbac.Perm(rbac.FuncClients, rbac.ActView),
	rbac.Perm(rbac.FuncSettings, rbac.ActEdit),
}

// The enforcer decides what the Service decides after every change made
// on another instance (PostgreSQL) or the same one (SQLite), through
// random admin operations; EnforceEx names a rule whenever it allows.
func TestEnforcerFollowsTheService(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		ctx := context.Background()
		dsn := testdb.DSN(t, b)
		stA := testdb.OpenWith(t, dsn, store.Options{})
		require.NoError(t, stA.Migrate(ctx))
		a, err := rbac.New(ctx, stA, rbac.Options{Accounts: fast})
		require.NoError(t, err)
		defer a.Close()
		boot, err := a.Bootstrap(ctx, rbac.BootstrapOptions{})
		require.NoError(t, err)
		admin := boot.Admin.ID

		// The follower: a second instance on PostgreSQL, the same on SQLite.
		stB, bsvc := stA, a
		if b == testdb.Postgres {
			stB = testdb.OpenWith(t, dsn, store.Options{})
			bsvc, err = rbac.New(ctx, stB, rbac.Options{Accounts: fast})
			require.NoError(t, err)
			defer bsvc.Close()
		}
		e, err := casbinsync.New(ctx, bsvc, stB, casbinsync.Options{})
		require.NoError(t, err)
		defer e.Close()

		depts := []rbac.DepartmentID{boot.Sales.ID, boot.Support.ID}
		for i := range 2 {
			d, err := a.CreateDepartment(ctx, admin, rbac.NewDepartment{Name: rbac.Text(language.English, fmt.Sprintf("Dept %d", i)), Permissions: perms[i : i+2]})
			require.NoError(t, err)
			depts = append(depts, d.ID)
		}
		var staff []rbac.StaffID
		for i := range 5 {
			s, err := a.CreateStaff(ctx, admin, rbac.NewStaff{Login: fmt.Sprintf("user%d", i), FullName: rbac.Text(language.English, "U"),
				Departments: depts[i%len(depts) : i%len(depts)+1]})
			require.NoError(t, err)
			staff = append(staff, s.ID)
		}
		rng := rand.New(rand.NewPCG(1, 2))
		pick := func(n int) int { return rng.IntN(n) }
		steps := []func() error{
			func() error { return a.Grant(ctx, admin, staff[pick(len(staff))], perms[pick(len(perms))]) },
			func() error { return a.Revoke(ctx, admin, staff[pick(len(staff))], perms[pick(len(perms))]) },
			func() error { return a.AddToDepartment(ctx, admin, staff[pick(len(staff))], depts[pick(len(depts))]) },
			func() error {
				return a.RemoveFromDepartment(ctx, admin, staff[pick(len(staff))], depts[pick(len(depts))])
			},
			func() error { return a.EnablePermissions(ctx, admin, depts[pick(len(depts))], perms[pick(len(perms))]) },
			func() error {
				return a.DisablePermissions(ctx, admin, depts[pick(len(depts))], perms[pick(len(perms))])
			},
			func() error {
				st := rbac.Status(pick(2))
				_, err := a.UpdateStaff(ctx, admin, staff[pick(len(staff))], rbac.StaffUpdate{Status: &st})
				return err
			},
			func() error {
				st := rbac.Status(pick(2))
				_, err := a.UpdateDepartment(ctx, admin, depts[pick(len(depts))], rbac.DepartmentUpdate{Status: &st})
				return err
			},
			func() error {
				full := pick(2) == 0
				_, err := a.UpdateStaff(ctx, admin, staff[pick(len(staff))], rbac.StaffUpdate{FullAccess: &full})
				return err
			},
		}
		for step := range 60 {
			err := steps[pick(len(steps))]()
			if err != nil && !errors.Is(err, rbac.ErrInheritedPermission) {
				require.NoError(t, err, "step %d", step)
			}
			wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			require.NoError(t, bsvc.WaitFor(wctx, a.Version()))
			require.NoError(t, e.WaitFor(wctx, a.Version()))
			cancel()
			for _, s := range append([]rbac.StaffID{admin}, staff...) {
				for _, p := range perms {
					got, rule, err := e.Casbin().EnforceEx(casbinsync.Subject(s), string(p.Function), string(p.Action))
					require.NoError(t, err)
					require.Equal(t, bsvc.Can(s, p), got, "step %d: %s %s: %s", step, s, p, bsvc.Explain(s, p))
					if got {
						assert.NotEmpty(t, rule, "an allow names its rule")
					}
				}
			}
		}

		// Read-only: nothing written to the enforcer reaches the database.
		require.ErrorIs(t, e.Casbin().SavePolicy(), casbinsync.ErrReadOnly)
	})
}

// A temporary grant is a Casbin line while its window contains the
// present: not before it starts, and gone once it ends, without a write.
func TestEnforcerHoldsTemporaryRulesInTheirWindow(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		ctx := context.Background()
		st := testdb.New(t, b)
		svc, err := rbac.New(ctx, st, rbac.Options{Accounts: fast})
		require.NoError(t, err)
		defer svc.Close()
		boot, err := svc.Bootstrap(ctx, rbac.BootstrapOptions{})
		require.NoError(t, err)
		john, err := svc.CreateStaff(ctx, boot.Admin.ID, rbac.NewStaff{Login: "john", FullName: rbac.Text(language.English, "John")})
		require.NoError(t, err)
		send := rbac.Perm(rbac.FuncInvoices, rbac.ActSend)
		view := rbac.Perm(rbac.FuncInvoices, rbac.ActView)
		start := time.Now().Add(300 * time.Millisecond)
		w := rbac.Window{From: start, Until: start.Add(400 * time.Millisecond)}
		require.NoError(t, svc.GrantTemporary(ctx, boot.Admin.ID, john.ID, w, send))
		// One temporary rule loaded with the policy, one arriving as a change.
		e, err := casbinsync.New(ctx, svc, st, casbinsync.Options{})
		require.NoError(t, err)
		defer e.Close()
		require.NoError(t, svc.GrantTemporary(ctx, boot.Admin.ID, john.ID, w, view))
		require.NoError(t, e.WaitFor(ctx, svc.Version()))

		enforce := func(p rbac.Permission) bool {
			ok, err := e.Casbin().Enforce(casbinsync.Subject(john.ID), string(p.Function), string(p.Action))
			require.NoError(t, err)
			return ok
		}
		if time.Now().Before(start) {
			assert.False(t, enforce(send), "not yet started")
			assert.False(t, enforce(view), "not yet started")
		}
		require.Eventually(t, func() bool { return enforce(send) && enforce(view) }, 5*time.Second, 5*time.Millisecond, "started")
		require.Eventually(t, func() bool { return !enforce(send) && !enforce(view) }, 5*time.Second, 5*time.Millisecond, "ended")
		assert.False(t, svc.Can(john.ID, send), "the Service agrees once it ended")
	})
}
