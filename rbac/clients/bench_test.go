package clients_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/billingrbac/billingrbac/internal/policy"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/clients"
	"github.com/billingrbac/billingrbac/store"
)

// stateStore serves a generated state to clients.New; benchmarks only
// read, so the other methods are never called.
type stateStore struct {
	clients.Store
	st clients.State
}

func (s stateStore) ClientTx(rbac.Tx) (clients.Tx, error) { return stateTx{st: s.st}, nil }

type stateTx struct {
	clients.Tx
	st clients.State
}

func (s stateTx) Load() (clients.State, error) { return s.st, nil }

// noStaff is a staff Service with no staff at all, on a private in-memory
// database.
func noStaff(b *testing.B) *rbac.Service {
	st, err := store.Open(context.Background(), ":memory:")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = st.Close() })
	if err := st.Migrate(context.Background()); err != nil {
		b.Fatal(err)
	}
	svc, err := rbac.New(context.Background(), st, rbac.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = svc.Close() })
	return svc
}

// benchState: n clients, each with a first user, two roles (services
// view+modify; finance view) and two users holding one role each.
func benchState(n int) clients.State {
	var st clients.State
	uid, rid := clients.ClientUserID(0), clients.RoleID(0)
	for i := 1; i <= n; i++ {
		c := clients.ClientID(i)
		st.Clients = append(st.Clients, c)
		uid++
		st.Users = append(st.Users, clients.UserRef{ID: uid, Client: c})
		st.Rules = append(st.Rules, clients.FirstUserRule(c, uid))
		r1, r2 := rid+1, rid+2
		rid += 2
		st.Roles = append(st.Roles, clients.RoleRef{ID: r1, Client: c}, clients.RoleRef{ID: r2, Client: c})
		st.Rules = append(st.Rules,
			clients.PermissionRule(c, r1, clients.Perm(clients.SectionServices, clients.View)),
			clients.PermissionRule(c, r1, clients.Perm(clients.SectionServices, clients.Modify)),
			clients.PermissionRule(c, r2, clients.Perm(clients.SectionFinance, clients.View)))
		for _, r := range []clients.RoleID{r1, r2} {
			uid++
			st.Users = append(st.Users, clients.UserRef{ID: uid, Client: c})
			st.Rules = append(st.Rules, clients.AssignmentRule(c, uid, r))
		}
	}
	return st
}

const benchClients = 1000

func benchService(b *testing.B) (*clients.Service, clients.State) {
	st := benchState(benchClients)
	svc, err := clients.New(context.Background(), stateStore{st: st}, noStaff(b), clients.Options{})
	if err != nil {
		b.Fatal(err)
	}
	return svc, st
}

// User 2 is client 1's user holding the services role.
var (
	benchOwn   = clients.Resource{Kind: clients.KindService, ID: 1, Owner: 1}
	benchOther = clients.Resource{Kind: clients.KindService, ID: 2, Owner: 500}
)

func BenchmarkCanAllowed(b *testing.B) {
	svc, _ := benchService(b)
	b.ReportAllocs()
	for b.Loop() {
		if !svc.Can(2, clients.Modify, benchOwn) {
			b.Fatal("denied")
		}
	}
}

func BenchmarkCanOtherClient(b *testing.B) {
	svc, _ := benchService(b)
	b.ReportAllocs()
	for b.Loop() {
		if svc.Can(2, clients.Modify, benchOther) {
			b.Fatal("allowed")
		}
	}
}

func BenchmarkUserFilter(b *testing.B) {
	svc, _ := benchService(b)
	b.ReportAllocs()
	for b.Loop() {
		if svc.UserFilter(2, clients.KindService).Owner != 1 {
			b.Fatal("no filter")
		}
	}
}

// BenchmarkCasbinEnforceContext is the plain-Casbin baseline: the same
// policy, m2 through EnforceContext("2").
func BenchmarkCasbinEnforceContext(b *testing.B) {
	_, st := benchService(b)
	e, err := policy.NewEnforcer(nil)
	if err != nil {
		b.Fatal(err)
	}
	if err := policy.AddClientRules(e, st.Rules); err != nil {
		b.Fatal(err)
	}
	p := clients.Perm(clients.SectionServices, clients.Modify)
	b.ReportAllocs()
	for b.Loop() {
		if ok, err := policy.EnforceClient(e, 2, 1, p); err != nil || !ok {
			b.Fatal("denied", err)
		}
	}
}

func BenchmarkLoadIndex(b *testing.B) {
	st := benchState(benchClients)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := clients.New(context.Background(), stateStore{st: st}, noStaff(b), clients.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAssignRoleSQLite is one committed client change on the
// embedded SQLite file: transaction, version row, casbin_rule row, index
// update. Alternates assign and unassign.
func BenchmarkAssignRoleSQLite(b *testing.B) {
	e := newEnv(b, "sqlite")
	c := e.client("alice")
	owner := clients.ByUser(c.FirstUser)
	r := e.role(owner, c.ID, "R", clients.Perm(clients.SectionServices, clients.View))
	u := e.user(owner, c.ID, "bob")
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		var err error
		if i%2 == 0 {
			err = e.svc.AssignRole(e.ctx, owner, u.ID, r.ID)
		} else {
			err = e.svc.UnassignRole(e.ctx, owner, u.ID, r.ID)
		}
		if err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// writeBenchUsers are the scales of the in-memory write benchmarks, in
// client users (three per client account of benchState).
var writeBenchUsers = []int{1_000, 100_000, 1_000_000}

// writeBench loads benchState with about users client users plus one more
// account whose role (the last role ID) has ten members, and returns the
// service, a full-access staff actor and that account's ID and role.
func writeBench(b *testing.B, users int) (*clients.Service, clients.Actor, clients.ClientID, clients.RoleID) {
	st := benchState(users / 3)
	c := clients.ClientID(len(st.Clients) + 1)
	r := clients.RoleID(len(st.Roles) + 1)
	uid := clients.ClientUserID(len(st.Users))
	st.Clients = append(st.Clients, c)
	st.Roles = append(st.Roles, clients.RoleRef{ID: r, Client: c})
	st.Rules = append(st.Rules, clients.PermissionRule(c, r, clients.Perm(clients.SectionServices, clients.View)))
	for range 10 {
		uid++
		st.Users = append(st.Users, clients.UserRef{ID: uid, Client: c})
		st.Rules = append(st.Rules, clients.AssignmentRule(c, uid, r))
	}
	staff := noStaff(b)
	boot, err := staff.Bootstrap(context.Background(), rbac.BootstrapOptions{})
	if err != nil {
		b.Fatal(err)
	}
	svc, err := clients.New(context.Background(), stateStore{st: st}, staff, clients.Options{})
	if err != nil {
		b.Fatal(err)
	}
	return svc, clients.ByStaff(boot.Admin.ID), c, r
}

// benchWrites runs the in-memory part of a client write (stage, effect,
// authorization, applying the own commit) at each scale, alternating the
// change d returns and its inverse.
func benchWrites(b *testing.B, d func(c clients.ClientID, r clients.RoleID) clients.Delta) {
	for _, n := range writeBenchUsers {
		b.Run(fmt.Sprintf("users=%d", n), func(b *testing.B) {
			svc, admin, c, r := writeBench(b, n)
			add := d(c, r)
			undo := clients.Delta{Add: add.Remove, Remove: add.Add}
			b.ReportAllocs()
			b.ResetTimer()
			i := 0
			for b.Loop() {
				step := add
				if i%2 == 1 {
					step = undo
				}
				if err := clients.WriteInMemory(svc, admin, step); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// BenchmarkWriteAssignRole: one role assignment (user 3 of client 1 given
// client 1's first role, then taken from it).
func BenchmarkWriteAssignRole(b *testing.B) {
	benchWrites(b, func(clients.ClientID, clients.RoleID) clients.Delta {
		return clients.Delta{Add: []clients.Rule{clients.AssignmentRule(1, 3, 1)}}
	})
}

// BenchmarkWriteDisableClient: one client account (client 1, three users)
// switched off, then on.
func BenchmarkWriteDisableClient(b *testing.B) {
	benchWrites(b, func(clients.ClientID, clients.RoleID) clients.Delta {
		return clients.Delta{Add: []clients.Rule{clients.ClientDisabledRule(1)}}
	})
}

// BenchmarkWriteRolePermission: a permission given to (then taken from) a
// role with ten members.
func BenchmarkWriteRolePermission(b *testing.B) {
	benchWrites(b, func(c clients.ClientID, r clients.RoleID) clients.Delta {
		return clients.Delta{Add: []clients.Rule{clients.PermissionRule(c, r, clients.Perm(clients.SectionSupport, clients.Add))}}
	})
}

// BenchmarkCanAtScale: Can on 8,192 requests spread over all client users
// (each on a service of the user's own account, modify: allowed for the
// first user and the services role, denied for the finance role), at each
// scale of the write benchmarks. heap-B/user is the heap the loaded index
// keeps per client user.
func BenchmarkCanAtScale(b *testing.B) {
	for _, n := range writeBenchUsers {
		b.Run(fmt.Sprintf("users=%d", n), func(b *testing.B) {
			st := benchState(n / 3)
			staff := noStaff(b)
			var m0, m1 runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&m0)
			svc, err := clients.New(context.Background(), stateStore{st: st}, staff, clients.Options{})
			if err != nil {
				b.Fatal(err)
			}
			runtime.GC()
			runtime.ReadMemStats(&m1)
			rng := rand.New(rand.NewPCG(1, 2))
			type req struct {
				u   clients.ClientUserID
				res clients.Resource
			}
			reqs := make([]req, 8192)
			for i := range reqs {
				u := clients.ClientUserID(1 + rng.IntN(len(st.Users)))
				c := clients.ClientID((int(u)-1)/3 + 1)
				reqs[i] = req{u, clients.Resource{Kind: clients.KindService, ID: int64(c), Owner: c}}
			}
			b.ReportAllocs()
			b.ResetTimer()
			allowed, i := 0, 0
			for b.Loop() {
				q := reqs[i&(len(reqs)-1)]
				if svc.Can(q.u, clients.Modify, q.res) {
					allowed++
				}
				i++
			}
			if allowed == 0 {
				b.Fatal("nothing allowed")
			}
			runtime.KeepAlive(svc)
			b.ReportMetric(float64(int64(m1.HeapAlloc)-int64(m0.HeapAlloc))/float64(len(st.Users)), "heap-B/user")
		})
	}
}
