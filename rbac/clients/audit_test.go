package clients_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/clients"
)

type logged struct {
	op     rbac.Operation
	staff  rbac.StaffID
	cuser  clients.ClientUserID
	target string
}

func clientLog(t *testing.T, e *env, q rbac.ChangeQuery) []logged {
	t.Helper()
	q.Domain = rbac.DomainClients
	chs, err := e.staff.AuditLog(e.ctx, e.boot.Admin.ID, q)
	require.NoError(t, err)
	out := make([]logged, len(chs))
	for i, c := range chs {
		require.Equal(t, rbac.DomainClients, c.Domain)
		out[i] = logged{c.Op, c.Actor, clients.ClientUserID(c.ClientUser), c.Target}
	}
	return out
}

// TestEveryClientChangeIsAudited: every client operation that changes
// something is in the action log with its actor (staff member or client
// user) and target, queryable by domain, actor and target, page by page;
// a refused or failed operation records nothing.
func TestEveryClientChangeIsAudited(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e := newEnv(t, b)
		admin := e.boot.Admin.ID
		var want []logged
		staff := func(op rbac.Operation, target string) { want = append(want, logged{op, admin, 0, target}) }

		c, err := e.svc.CreateClient(e.ctx, e.admin, clients.NewClient{Name: "Acme", FirstUser: clients.NewUser{Login: "acme", Name: "Ann"}})
		require.NoError(t, err)
		staff(clients.OpClientCreate, "client:"+c.ID.String())
		owner := clients.ByUser(c.FirstUser)
		byOwner := func(op rbac.Operation, target string) {
			want = append(want, logged{op, rbac.SystemActor, c.FirstUser, target})
		}
		name := "Acme Ltd"
		_, err = e.svc.UpdateClient(e.ctx, e.admin, c.ID, clients.ClientUpdate{Name: &name})
		require.NoError(t, err)
		staff(clients.OpClientUpdate, "client:"+c.ID.String())
		r, err := e.svc.CreateRole(e.ctx, owner, c.ID, clients.NewRole{Name: "Accountant"})
		require.NoError(t, err)
		byOwner(clients.OpRoleCreate, "crole:"+r.ID.String())
		perms := []clients.Permission{clients.Perm(clients.SectionFinance, clients.View)}
		_, err = e.svc.UpdateRole(e.ctx, owner, r.ID, clients.RoleUpdate{Permissions: &perms})
		require.NoError(t, err)
		byOwner(clients.OpRoleUpdate, "crole:"+r.ID.String())
		u, err := e.svc.CreateUser(e.ctx, owner, c.ID, clients.NewUser{Login: "bob", Name: "Bob"})
		require.NoError(t, err)
		byOwner(clients.OpUserCreate, "cuser:"+u.ID.String())
		bob := "Robert"
		_, err = e.svc.UpdateUser(e.ctx, owner, u.ID, clients.UserUpdate{Name: &bob})
		require.NoError(t, err)
		byOwner(clients.OpUserUpdate, "cuser:"+u.ID.String())
		require.NoError(t, e.svc.AssignRole(e.ctx, e.admin, u.ID, r.ID))
		staff(clients.OpRoleAssign, "cuser:"+u.ID.String())
		require.NoError(t, e.svc.UnassignRole(e.ctx, owner, u.ID, r.ID))
		byOwner(clients.OpRoleUnassign, "cuser:"+u.ID.String())
		require.NoError(t, e.svc.DeleteUser(e.ctx, owner, u.ID))
		byOwner(clients.OpUserDelete, "cuser:"+u.ID.String())
		require.NoError(t, e.svc.DeleteRole(e.ctx, e.admin, r.ID))
		staff(clients.OpRoleDelete, "crole:"+r.ID.String())
		require.Equal(t, want, clientLog(t, e, rbac.ChangeQuery{}))

		// Refused, failed or empty operations record nothing.
		nobody := clients.ByStaff(e.staffIn("nobody"))
		r2, err := e.svc.CreateRole(e.ctx, owner, c.ID, clients.NewRole{Name: "R2"})
		require.NoError(t, err)
		byOwner(clients.OpRoleCreate, "crole:"+r2.ID.String())
		u2 := e.user(owner, c.ID, "carl")
		byOwner(clients.OpUserCreate, "cuser:"+u2.ID.String())
		before := len(clientLog(t, e, rbac.ChangeQuery{}))
		_, err = e.svc.UpdateClient(e.ctx, nobody, c.ID, clients.ClientUpdate{Name: &name})
		require.ErrorIs(t, err, rbac.ErrPermissionDenied)
		_, err = e.svc.CreateRole(e.ctx, clients.ByUser(u2.ID), c.ID, clients.NewRole{Name: "R3"})
		require.ErrorIs(t, err, rbac.ErrPermissionDenied)
		_, err = e.svc.CreateUser(e.ctx, owner, c.ID, clients.NewUser{Login: "carl", Name: "Twin"})
		require.ErrorIs(t, err, rbac.ErrConflict)
		require.ErrorIs(t, e.svc.DeleteUser(e.ctx, owner, c.FirstUser), clients.ErrFirstUser)
		require.NoError(t, e.svc.UnassignRole(e.ctx, owner, u2.ID, r2.ID)) // holds nothing: no change
		require.Len(t, clientLog(t, e, rbac.ChangeQuery{}), before)

		// Filters and pages.
		var mine []logged
		for _, l := range want {
			if l.cuser == c.FirstUser {
				mine = append(mine, l)
			}
		}
		require.Equal(t, mine, clientLog(t, e, rbac.ChangeQuery{ClientUser: int64(c.FirstUser)}))
		require.Equal(t, want[:2], clientLog(t, e, rbac.ChangeQuery{Target: "client:" + c.ID.String()}))
		var paged []logged
		var after int64
		for {
			q := rbac.ChangeQuery{Domain: rbac.DomainClients, AfterVersion: after, Limit: 3}
			chs, err := e.staff.AuditLog(e.ctx, admin, q)
			require.NoError(t, err)
			if len(chs) == 0 {
				break
			}
			for _, ch := range chs {
				paged = append(paged, logged{ch.Op, ch.Actor, clients.ClientUserID(ch.ClientUser), ch.Target})
			}
			after = chs[len(chs)-1].Version
		}
		require.Equal(t, want, paged)
		_, err = e.staff.AuditLog(e.ctx, admin, rbac.ChangeQuery{Limit: rbac.MaxAuditPage + 1})
		require.ErrorIs(t, err, rbac.ErrInvalid)
		_, err = e.staff.AuditLog(e.ctx, nobody.Staff, rbac.ChangeQuery{})
		require.ErrorIs(t, err, rbac.ErrPermissionDenied)
	})
}
