package clients_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/clients"
)

var finView = clients.Perm(clients.SectionFinance, clients.View)

// TestClientTakeoverRefused is the client domain's takeover column of the
// escalation matrix: staff holding clients:edit but not invoices:view try
// to take over a client user who sees the client's invoices, by every way
// of setting its sign-in. Each is refused with ErrPermissionDenied naming
// the user, the right and the staff counterpart missing, and changes
// nothing; each succeeds once the staff member holds the counterparts.
func TestClientTakeoverRefused(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e := newEnv(t, b)
		a := e.client("alice")
		owner := clients.ByUser(a.FirstUser)
		acct := e.role(owner, a.ID, "Accountant", finView)
		bob := e.user(owner, a.ID, "bob", acct.ID)
		ed := e.staffIn("eddie")
		require.NoError(t, e.staff.Grant(e.ctx, e.boot.Admin.ID, ed, rbac.Perm(rbac.FuncClients, rbac.ActEdit)))
		off, on := rbac.StatusDisabled, rbac.StatusActive
		_, err := e.svc.UpdateUser(e.ctx, owner, bob.ID, clients.UserUpdate{Status: &off})
		require.NoError(t, err)
		_, err = e.svc.UpdateUser(e.ctx, owner, bob.ID, clients.UserUpdate{Status: &on})
		require.NoError(t, err)
		mail := "ed@takeover.example"
		paths := []struct {
			name    string
			setup   func()
			do      func() error
			target  clients.ClientUserID
			right   clients.Permission
			missing rbac.Permission
		}{
			{"e-mail of bob", nil, func() error {
				_, err := e.svc.UpdateUser(e.ctx, clients.ByStaff(ed), bob.ID, clients.UserUpdate{Email: &mail})
				return err
			}, bob.ID, finView, rbac.Perm(rbac.FuncInvoices, rbac.ActView)},
			{"bob switched back on", func() {
				_, err := e.svc.UpdateUser(e.ctx, owner, bob.ID, clients.UserUpdate{Status: &off})
				require.NoError(t, err)
			}, func() error {
				_, err := e.svc.UpdateUser(e.ctx, clients.ByStaff(ed), bob.ID, clients.UserUpdate{Status: &on})
				return err
			}, bob.ID, finView, rbac.Perm(rbac.FuncInvoices, rbac.ActView)},
			{"a new user with the Accountant role", nil, func() error {
				_, err := e.svc.CreateUser(e.ctx, clients.ByStaff(ed), a.ID, clients.NewUser{Login: "mole", Name: "M", Roles: []clients.RoleID{acct.ID}})
				return err
			}, 0, finView, rbac.Perm(rbac.FuncInvoices, rbac.ActView)},
			{"the Accountant role given to a user ed created", func() {
				_, err := e.svc.CreateUser(e.ctx, clients.ByStaff(ed), a.ID, clients.NewUser{Login: "mole", Name: "M"})
				require.NoError(t, err)
			}, func() error {
				us, err := e.svc.Users(e.ctx, a.ID)
				require.NoError(t, err)
				return e.svc.AssignRole(e.ctx, clients.ByStaff(ed), us[len(us)-1].ID, acct.ID)
			}, 0, finView, rbac.Perm(rbac.FuncInvoices, rbac.ActView)},
			{"the account's contact e-mail (its first user's reset)", nil, func() error {
				_, err := e.svc.UpdateClient(e.ctx, clients.ByStaff(ed), a.ID, clients.ClientUpdate{Email: &mail})
				return err
			}, a.FirstUser, clients.Perm(clients.SectionServices, clients.View), rbac.Perm(rbac.FuncServices, rbac.ActView)},
		}
		for _, p := range paths {
			if p.setup != nil {
				p.setup()
			}
			before := accountsOf(t, e)
			err := p.do()
			var de *clients.DeniedError
			require.ErrorIs(t, err, rbac.ErrPermissionDenied, p.name)
			require.True(t, errors.As(err, &de), p.name)
			require.Equal(t, p.right, de.Right, p.name)
			require.Equal(t, p.missing, de.Missing, p.name)
			if p.target != 0 {
				require.Equal(t, p.target, de.Target, p.name)
			} else {
				require.NotZero(t, de.Target, p.name)
			}
			require.Equal(t, before, accountsOf(t, e), "%s changed something", p.name)
		}

		// With the counterparts of bob's rights, ed may set bob's sign-in;
		// the change log records it as control of bob.
		require.Equal(t, []rbac.Permission{rbac.Perm(rbac.FuncInvoices, rbac.ActView), rbac.Perm(rbac.FuncPayments, rbac.ActView)},
			e.svc.StaffCounterparts(finView))
		require.NoError(t, e.staff.Grant(e.ctx, e.boot.Admin.ID, ed, e.svc.StaffCounterparts(finView)...))
		_, err = e.svc.UpdateUser(e.ctx, clients.ByStaff(ed), bob.ID, clients.UserUpdate{Email: &mail})
		require.NoError(t, err)
		chs, err := e.staff.AuditLog(e.ctx, e.boot.Admin.ID, rbac.ChangeQuery{Domain: rbac.DomainClients, Target: "cuser:" + bob.ID.String()})
		require.NoError(t, err)
		last := chs[len(chs)-1]
		require.Equal(t, []clients.ClientUserID{bob.ID}, clients.ControlledUsers(last.Effect))
		require.Empty(t, last.Effect.ClientUsers)
		// The first user's sign-in needs every counterpart (or full access).
		_, err = e.svc.UpdateClient(e.ctx, clients.ByStaff(ed), a.ID, clients.ClientUpdate{Email: &mail})
		var de *clients.DeniedError
		require.True(t, errors.As(err, &de) && de.Control && de.Target == a.FirstUser, "%v", err)
		_, err = e.svc.UpdateClient(e.ctx, e.admin, a.ID, clients.ClientUpdate{Email: &mail})
		require.NoError(t, err)
	})
}

type accountState struct {
	users   []clients.User
	roles   []clients.Role
	version int64
}

// accountsOf reads every client's users and roles (with their policy) and
// the version.
func accountsOf(t *testing.T, e *env) accountState {
	t.Helper()
	var s accountState
	cs, err := e.svc.Clients(e.ctx)
	require.NoError(t, err)
	for _, c := range cs {
		us, err := e.svc.Users(e.ctx, c.ID)
		require.NoError(t, err)
		rs, err := e.svc.Roles(e.ctx, c.ID)
		require.NoError(t, err)
		for i := range us {
			us[i].CreatedAt, us[i].UpdatedAt = us[i].CreatedAt.UTC(), us[i].UpdatedAt.UTC()
		}
		for i := range rs {
			rs[i].CreatedAt, rs[i].UpdatedAt = rs[i].CreatedAt.UTC(), rs[i].UpdatedAt.UTC()
		}
		s.users = append(s.users, us...)
		s.roles = append(s.roles, rs...)
	}
	s.version = e.svc.Version()
	return s
}

// TestClientDryRun: rbac.WithDryRun works for client changes too. The plan
// receives the change with its effect (who gains which right), and nothing
// is stored or published; a refused dry run fills the plan and returns the
// refusal.
func TestClientDryRun(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e := newEnv(t, b)
		a := e.client("alice")
		owner := clients.ByUser(a.FirstUser)
		r := e.role(owner, a.ID, "Accountant")
		bob := e.user(owner, a.ID, "bob", r.ID)
		carol := e.user(owner, a.ID, "carol", r.ID)
		before := accountsOf(t, e)

		var plan rbac.Plan
		perms := []clients.Permission{finView}
		got, err := e.svc.UpdateRole(rbac.WithDryRun(e.ctx, &plan), owner, r.ID, clients.RoleUpdate{Permissions: &perms})
		require.NoError(t, err)
		require.Equal(t, perms, got.Permissions, "the dry run returns what the call would return")
		require.Equal(t, rbac.DomainClients, plan.Change.Domain)
		require.Equal(t, clients.OpRoleUpdate, plan.Change.Op)
		require.Equal(t, a.FirstUser, clients.ClientUserID(plan.Change.ClientUser))
		ues := clients.UserEffects(plan.Effect())
		require.Len(t, ues, 2)
		for i, u := range []clients.ClientUserID{bob.ID, carol.ID} {
			require.Equal(t, clients.UserEffect{User: u, Client: a.ID, Gained: perms}, ues[i])
		}
		require.Equal(t, before, accountsOf(t, e), "a dry run changed something")
		require.False(t, e.svc.Can(bob.ID, clients.View, clients.Resource{Kind: clients.KindInvoice, Owner: a.ID}))

		// A refused dry run: staff with clients:edit and no finance counterpart.
		ed := e.staffIn("eddie")
		require.NoError(t, e.staff.Grant(e.ctx, e.boot.Admin.ID, ed, rbac.Perm(rbac.FuncClients, rbac.ActEdit)))
		before = accountsOf(t, e)
		plan = rbac.Plan{}
		_, err = e.svc.UpdateRole(rbac.WithDryRun(e.ctx, &plan), clients.ByStaff(ed), r.ID, clients.RoleUpdate{Permissions: &perms})
		require.ErrorIs(t, err, rbac.ErrPermissionDenied)
		require.Len(t, clients.UserEffects(plan.Effect()), 2)
		require.Equal(t, before, accountsOf(t, e))

		// Committed for real, the change log carries the same effect.
		_, err = e.svc.UpdateRole(e.ctx, owner, r.ID, clients.RoleUpdate{Permissions: &perms})
		require.NoError(t, err)
		chs, err := e.staff.AuditLog(e.ctx, e.boot.Admin.ID, rbac.ChangeQuery{Domain: rbac.DomainClients, Target: "crole:" + r.ID.String()})
		require.NoError(t, err)
		require.Equal(t, ues, clients.UserEffects(chs[len(chs)-1].Effect))
	})
}

// TestClientActorStaysInItsAccount: a first user's change never reaches
// another client, never changes its own privileges, and never writes the
// first user or the account: each refusal names its sentinel.
func TestClientActorStaysInItsAccount(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e := newEnv(t, b)
		a, z := e.client("alice"), e.client("zed")
		owner := clients.ByUser(a.FirstUser)
		zr := e.role(clients.ByUser(z.FirstUser), z.ID, "Z role")
		zu := e.user(clients.ByUser(z.FirstUser), z.ID, "zoe")
		name, off := "X", rbac.StatusDisabled
		_, err := e.svc.UpdateRole(e.ctx, owner, zr.ID, clients.RoleUpdate{Name: &name})
		require.ErrorIs(t, err, clients.ErrCrossClient)
		_, err = e.svc.UpdateUser(e.ctx, owner, zu.ID, clients.UserUpdate{Status: &off})
		require.ErrorIs(t, err, clients.ErrCrossClient)
		_, err = e.svc.CreateUser(e.ctx, owner, z.ID, clients.NewUser{Login: "zoe", Name: "Z"})
		require.ErrorIs(t, err, clients.ErrCrossClient, "not ErrConflict: no cross-client login oracle")
		_, err = e.svc.UpdateUser(e.ctx, owner, a.FirstUser, clients.UserUpdate{Name: &name})
		require.ErrorIs(t, err, clients.ErrFirstUser)
		var de *clients.DeniedError
		require.True(t, errors.As(err, &de) && de.FirstUser && de.Target == a.FirstUser)
	})
}

// TestClientDenialCodes: every refusal of the client rules says why for
// programs, with rbac's codes where they mean the same.
func TestClientDenialCodes(t *testing.T) {
	e := newEnv(t, testdb.SQLite)
	a, z := e.client("alice"), e.client("zed")
	owner := clients.ByUser(a.FirstUser)
	acct := e.role(owner, a.ID, "Accountant", finView)
	bob := e.user(owner, a.ID, "bob", acct.ID)
	ed := clients.ByStaff(e.staffIn("eddie"))
	require.NoError(t, e.staff.Grant(e.ctx, e.boot.Admin.ID, ed.Staff, rbac.Perm(rbac.FuncClients, rbac.ActEdit)))
	mail, off := "x@example.com", rbac.StatusDisabled
	code := func(err error) rbac.DenialCode {
		var de *clients.DeniedError
		require.True(t, errors.As(err, &de), "%v", err)
		return de.Code()
	}
	_, err := e.svc.CreateClient(e.ctx, owner, clients.NewClient{Name: "X", FirstUser: clients.NewUser{Login: "xxx", Name: "X"}})
	require.Equal(t, clients.DenialStaffOnly, code(err))
	_, err = e.svc.CreateRole(e.ctx, clients.ByUser(bob.ID), a.ID, clients.NewRole{Name: "R"})
	require.Equal(t, clients.DenialNotFirstUser, code(err))
	_, err = e.svc.CreateRole(e.ctx, clients.ByUser(z.FirstUser), a.ID, clients.NewRole{Name: "R"})
	require.Equal(t, clients.DenialCrossClient, code(err))
	_, err = e.svc.UpdateUser(e.ctx, owner, a.FirstUser, clients.UserUpdate{Email: &mail})
	require.Equal(t, clients.DenialFirstUser, code(err))
	_, err = e.svc.UpdateUser(e.ctx, ed, bob.ID, clients.UserUpdate{Email: &mail})
	require.Equal(t, rbac.DenialControl, code(err))
	_, err = e.svc.CreateUser(e.ctx, ed, a.ID, clients.NewUser{Login: "mole", Name: "M", Roles: []clients.RoleID{acct.ID}})
	require.Equal(t, rbac.DenialWouldGive, code(err), "a new user gains its roles' rights")
	err = e.svc.UnassignRole(e.ctx, ed, bob.ID, acct.ID)
	require.NoError(t, err, "taking a right away needs no counterpart")
	err = e.svc.AssignRole(e.ctx, ed, bob.ID, acct.ID)
	require.Equal(t, rbac.DenialWouldGive, code(err))
	err = e.svc.AssignRole(e.ctx, clients.ByStaff(e.staffIn("nobody")), bob.ID, acct.ID)
	require.Equal(t, rbac.DenialMissingPermission, code(err))
	_, err = e.svc.UpdateClient(e.ctx, e.admin, a.ID, clients.ClientUpdate{Status: &off})
	require.NoError(t, err)
	_, err = e.svc.CreateRole(e.ctx, owner, a.ID, clients.NewRole{Name: "R"})
	require.Equal(t, rbac.DenialActorDisabled, code(err))
	_, err = e.svc.CreateRole(e.ctx, clients.Actor{}, a.ID, clients.NewRole{Name: "R"})
	require.Equal(t, rbac.DenialNoActor, code(err))
}
