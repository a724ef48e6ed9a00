package clients_test

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/billingrbac/billingrbac/internal/explore"
	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/clients"
)

// TestExploreClientAuthorization explores, breadth-first, every state a
// small client universe reaches by every client-domain operation of every
// actor, and checks after each step the invariant, computed here from the
// stored rows and rules before and after (not from the library's effect
// code):
//
//	a change gives no client user a right the actor does not hold (a
//	client user: in its own account; a staff member: through the staff
//	counterparts of the right), gives the actor control of no client user
//	stronger than itself, never reaches another client from a client
//	user, never changes a client actor's own access, never touches a first
//	user or the account from the client side, and a refused change
//	changes nothing (rows, rules, decisions).
//
// The universe: client A with its first user alice, bob (role Accountant:
// finance:view) and carol (role Viewer: services:view, disabled); client
// Z, disabled, with its first user zed and a role Helpdesk (support:add);
// a creatable user in each (dave in A, zoe in Z), an account newco (first
// user newco) and roles "New"; five rights in play (services:view,
// services:modify, finance:view, support:add, and domains:view of a
// section no resource kind is in). Staff actors: a manager holding
// clients:add, clients:edit, services:view and services:edit (the
// counterparts of services:view and services:modify) and invoices:view
// (one of the two of finance:view), a clerk holding clients:edit only, the
// full-access admin and a disabled former manager holding everything.
// Client actors: alice, bob (not a first user) and zed (of a disabled
// account).
//
// The suite explores depth 1 with every actor, on SQLite and PostgreSQL;
// under -race and with -short with the clerk, the manager and alice.
// BILLINGRBAC_EXPLORE_DEPTH=N explores N steps deep (every actor unless
// -short).
func TestExploreClientAuthorization(t *testing.T) {
	depth := 1
	deep := os.Getenv("BILLINGRBAC_EXPLORE_DEPTH")
	if deep != "" {
		n, err := strconv.Atoi(deep)
		require.NoError(t, err)
		depth = n
	}
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		x := newClientExplorer(t, b)
		if testing.Short() || deep == "" && raceEnabled {
			x.actors = []string{"clerk", "manager", "alice"}
		}
		start := time.Now()
		x.run(depth)
		t.Logf("%s depth %d, actors %v: %d states, %d transitions (%d committed, %d refused, %d failed, %d no-ops) in %v",
			b, depth, x.actors, len(x.seen), x.steps, x.committed, x.refused, x.failed, x.noops, time.Since(start).Round(time.Millisecond))
		require.Greater(t, x.committed, 0)
		require.Greater(t, x.refused, 0)
	})
}

// The universe's names.
var (
	cxStaff     = []string{"manager", "clerk", "admin", "former"}
	cxClients   = []string{"A", "Z", "newco"}
	cxLogins    = []string{"alice", "bob", "carol", "zed", "dave", "zoe", "newco"}
	cxNewcomers = []string{"dave", "zoe"} // creatable in A and in Z
	cxRoles     = []string{"A/Accountant", "A/Viewer", "Z/Helpdesk", "A/New", "Z/New"}
	cxRights    = []clients.Permission{
		clients.Perm(clients.SectionServices, clients.View), clients.Perm(clients.SectionServices, clients.Modify),
		clients.Perm(clients.SectionFinance, clients.View), clients.Perm(clients.SectionSupport, clients.Add),
		clients.Perm(cxKindless, clients.View),
	}
	cxKindless  = clients.Section("domains")
	cxAllActors = []string{"manager", "clerk", "admin", "former", "alice", "bob", "zed"}
)

// cxOp is one client-domain call by actor, parameterized by names.
type cxOp struct {
	name  string
	actor string
	need  rbac.Permission // the staff permission a staff actor needs to use the operation at all
	do    func(x *clientExplorer, actor clients.Actor) error
}

// ops lists every operation of every actor on the universe.
func (x *clientExplorer) ops() []cxOp {
	var out []cxOp
	on, off := rbac.StatusActive, rbac.StatusDisabled
	edit, add := rbac.Perm(rbac.FuncClients, rbac.ActEdit), rbac.Perm(rbac.FuncClients, rbac.ActAdd)
	for _, a := range x.actors {
		op := func(name string, need rbac.Permission, do func(x *clientExplorer, actor clients.Actor) error) {
			out = append(out, cxOp{name: name, actor: a, need: need, do: do})
		}
		op("create client newco", add, func(x *clientExplorer, actor clients.Actor) error {
			_, err := x.e.svc.CreateClient(x.ctx, actor, clients.NewClient{Name: "newco", FirstUser: clients.NewUser{Login: "newco", Name: "N"}})
			return err
		})
		for _, c := range cxClients {
			for _, v := range []*rbac.Status{&on, &off} {
				op(fmt.Sprintf("client %s %s", c, *v), edit, func(x *clientExplorer, actor clients.Actor) error {
					_, err := x.e.svc.UpdateClient(x.ctx, actor, x.clientID(c), clients.ClientUpdate{Status: v})
					return err
				})
			}
			op("contact e-mail of "+c, edit, func(x *clientExplorer, actor clients.Actor) error {
				mail := c + "@takeover.example"
				_, err := x.e.svc.UpdateClient(x.ctx, actor, x.clientID(c), clients.ClientUpdate{Email: &mail})
				return err
			})
		}
		for i, c := range cxClients[:2] {
			login := cxNewcomers[i] // logins are unique per account; the explorer keeps them unique
			op("create "+login+" in "+c, edit, func(x *clientExplorer, actor clients.Actor) error {
				_, err := x.e.svc.CreateUser(x.ctx, actor, x.clientID(c), clients.NewUser{Login: login, Name: "D"})
				return err
			})
			for _, r := range cxRoles[:3] {
				op("create "+login+" in "+c+" with "+r, edit, func(x *clientExplorer, actor clients.Actor) error {
					_, err := x.e.svc.CreateUser(x.ctx, actor, x.clientID(c), clients.NewUser{Login: login, Name: "D", Roles: []clients.RoleID{x.roleID(r)}})
					return err
				})
			}
			op("create role New in "+c, edit, func(x *clientExplorer, actor clients.Actor) error {
				_, err := x.e.svc.CreateRole(x.ctx, actor, x.clientID(c), clients.NewRole{Name: "New"})
				return err
			})
		}
		for _, u := range cxLogins {
			op("e-mail of "+u, edit, func(x *clientExplorer, actor clients.Actor) error {
				mail := u + "@takeover.example"
				_, err := x.e.svc.UpdateUser(x.ctx, actor, x.userID(u), clients.UserUpdate{Email: &mail})
				return err
			})
			op("rename "+u, edit, func(x *clientExplorer, actor clients.Actor) error {
				name := "Renamed"
				_, err := x.e.svc.UpdateUser(x.ctx, actor, x.userID(u), clients.UserUpdate{Name: &name})
				return err
			})
			for _, v := range []*rbac.Status{&on, &off} {
				op(fmt.Sprintf("%s %s", u, *v), edit, func(x *clientExplorer, actor clients.Actor) error {
					_, err := x.e.svc.UpdateUser(x.ctx, actor, x.userID(u), clients.UserUpdate{Status: v})
					return err
				})
			}
			op("delete "+u, edit, func(x *clientExplorer, actor clients.Actor) error {
				return x.e.svc.DeleteUser(x.ctx, actor, x.userID(u))
			})
			for _, r := range cxRoles {
				op("assign "+r+" to "+u, edit, func(x *clientExplorer, actor clients.Actor) error {
					return x.e.svc.AssignRole(x.ctx, actor, x.userID(u), x.roleID(r))
				})
				op("unassign "+r+" from "+u, edit, func(x *clientExplorer, actor clients.Actor) error {
					return x.e.svc.UnassignRole(x.ctx, actor, x.userID(u), x.roleID(r))
				})
			}
		}
		for _, r := range cxRoles {
			for _, p := range cxRights {
				op(r+" +"+p.String(), edit, func(x *clientExplorer, actor clients.Actor) error {
					return x.toggle(actor, r, p, true)
				})
				op(r+" -"+p.String(), edit, func(x *clientExplorer, actor clients.Actor) error {
					return x.toggle(actor, r, p, false)
				})
			}
			op("delete role "+r, edit, func(x *clientExplorer, actor clients.Actor) error {
				return x.e.svc.DeleteRole(x.ctx, actor, x.roleID(r))
			})
		}
	}
	return out
}

// toggle switches right p of role r on or off, keeping its other rights
// (the role screen's toggle).
func (x *clientExplorer) toggle(actor clients.Actor, r string, p clients.Permission, on bool) error {
	id := x.roleID(r)
	perms := slices.Clone(x.cur.rights[r])
	if on {
		perms = append(perms, p)
	} else {
		perms = slices.DeleteFunc(perms, func(q clients.Permission) bool { return q == p })
	}
	_, err := x.e.svc.UpdateRole(x.ctx, actor, id, clients.RoleUpdate{Permissions: &perms})
	return err
}

// run explores breadth-first to depth (internal/explore).
func (x *clientExplorer) run(depth int) {
	x.seen = explore.Breadth[cxState, cxOp](clientExplorerSpace{x}, x.capture(), x.ops(), depth)
}

// clientExplorerSpace is the explorer as explore.Space.
type clientExplorerSpace struct{ *clientExplorer }

func (sp clientExplorerSpace) Key(s cxState) string                   { return s.key }
func (sp clientExplorerSpace) Restore(s cxState) cxState              { return sp.restore(s) }
func (sp clientExplorerSpace) Step(s cxState, o cxOp) (cxState, bool) { return sp.step(s, o) }

// step runs o from state s (the current one) and checks the invariant. It
// reports the state reached and whether the database moved.
func (x *clientExplorer) step(s cxState, o cxOp) (cxState, bool) {
	t := x.t
	x.steps++
	err := o.do(x, x.actor(o.actor))
	after := x.capture()
	where := fmt.Sprintf("%s by %s from %s", o.name, o.actor, s.key)
	switch {
	case errors.Is(err, rbac.ErrPermissionDenied):
		x.refused++
		if d := s.diff(after); d != "" {
			t.Fatalf("refused %s changed: %s", where, d)
		}
		return after, false
	case err != nil && !errors.Is(err, rbac.ErrNotFound) && !errors.Is(err, rbac.ErrConflict):
		t.Fatalf("%s: unexpected error %v", where, err)
	case err != nil:
		x.failed++
		if d := s.diff(after); d != "" {
			t.Fatalf("failed %s changed: %s", where, d)
		}
		return after, false
	}
	if after.version == s.version {
		x.noops++
		if d := s.diff(after); d != "" {
			t.Fatalf("no-op %s changed: %s", where, d)
		}
		return after, false
	}
	x.committed++
	if v := x.violation(s, after, o); v != "" {
		t.Fatalf("%s: %s", where, v)
	}
	return after, true
}
