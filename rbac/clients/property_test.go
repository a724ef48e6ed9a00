package clients_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/casbin/casbin/v2"

	"github.com/billingrbac/billingrbac/internal/policy"
	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/clients"
	"github.com/billingrbac/billingrbac/store"
)

// world is a random population of clients, users and roles built through
// the Service, with the IDs the tests pick from (deleted ones included:
// decisions about them must deny).
type world struct {
	e       *env
	rng     *rand.Rand
	clients []clients.Client
	users   []clients.ClientUserID
	roles   []clients.RoleID
	perms   []clients.Permission
	n       int
	changed int // steps that committed
	refused int // steps refused with ErrPermissionDenied
}

func newWorld(e *env, seed uint64, nClients int) *world {
	w := &world{e: e, rng: rand.New(rand.NewPCG(seed, 42)), perms: e.svc.Catalog().Permissions()}
	for i := range nClients {
		c := e.client(fmt.Sprintf("owner%d", i))
		w.clients = append(w.clients, c)
		w.users = append(w.users, c.FirstUser)
	}
	return w
}

func (w *world) pickClient() clients.Client { return w.clients[w.rng.IntN(len(w.clients))] }

func (w *world) pickUser() clients.ClientUserID { return w.users[w.rng.IntN(len(w.users))] }

func (w *world) pickRole() clients.RoleID {
	if len(w.roles) == 0 {
		return 1
	}
	return w.roles[w.rng.IntN(len(w.roles))]
}

// actor is usually the right client's first user or the admin, sometimes
// another client's first user (which must be refused).
func (w *world) actor() clients.Actor {
	if w.rng.IntN(3) == 0 {
		return w.e.admin
	}
	return clients.ByUser(w.pickClient().FirstUser)
}

// step makes one random change. Refusals are expected (cross-client
// actors and roles, protected first users, deleted targets); any other
// error fails the test.
func (w *world) step(t *testing.T) {
	t.Helper()
	e, ctx := w.e, w.e.ctx
	w.n++
	var err error
	switch op := w.rng.IntN(10); op {
	case 0, 1:
		c := w.pickClient()
		var r clients.Role
		r, err = e.svc.CreateRole(ctx, w.actor(), c.ID, clients.NewRole{Name: fmt.Sprintf("role%d", w.n)})
		if err == nil {
			w.roles = append(w.roles, r.ID)
		}
	case 2:
		var ps []clients.Permission
		for _, p := range w.perms {
			if w.rng.IntN(3) == 0 {
				ps = append(ps, p)
			}
		}
		_, err = e.svc.UpdateRole(ctx, w.actor(), w.pickRole(), clients.RoleUpdate{Permissions: &ps})
	case 3, 4:
		c := w.pickClient()
		var roles []clients.RoleID
		if w.rng.IntN(2) == 0 {
			roles = []clients.RoleID{w.pickRole()}
		}
		var u clients.User
		u, err = e.svc.CreateUser(ctx, w.actor(), c.ID, clients.NewUser{Login: fmt.Sprintf("user%d", w.n), Name: "U", Roles: roles})
		if err == nil {
			w.users = append(w.users, u.ID)
		}
	case 5, 6:
		err = e.svc.AssignRole(ctx, w.actor(), w.pickUser(), w.pickRole())
	case 7:
		err = e.svc.UnassignRole(ctx, w.actor(), w.pickUser(), w.pickRole())
	case 8:
		st := rbac.Status(w.rng.IntN(2))
		if w.rng.IntN(4) == 0 {
			_, err = e.svc.UpdateClient(ctx, e.admin, w.pickClient().ID, clients.ClientUpdate{Status: &st})
		} else {
			_, err = e.svc.UpdateUser(ctx, w.actor(), w.pickUser(), clients.UserUpdate{Status: &st})
		}
	case 9:
		if w.rng.IntN(2) == 0 {
			err = e.svc.DeleteUser(ctx, w.actor(), w.pickUser())
		} else {
			err = e.svc.DeleteRole(ctx, w.actor(), w.pickRole())
		}
	}
	switch {
	case err == nil:
		w.changed++
	case errors.Is(err, rbac.ErrPermissionDenied):
		w.refused++
	case !errors.Is(err, rbac.ErrNotFound):
		t.Fatalf("step %d: unexpected error %v", w.n, err)
	}
}

var kinds = []clients.ResourceKind{clients.KindService, clients.KindInvoice, clients.KindPayment, clients.KindTicket}

// checkExplained asserts, for every user, kind, action and owner, that no
// decision lets a user act on another client's resource and that every
// allowed decision is explained by the owner and its first-user right or
// roles holding the permission, checked against the stored rows.
func (w *world) checkExplained(t *testing.T) int {
	t.Helper()
	e, ctx := w.e, w.e.ctx
	allowed := 0
	for _, uid := range w.users {
		u, err := e.svc.User(ctx, uid)
		deleted := errors.Is(err, rbac.ErrNotFound)
		if err != nil && !deleted {
			t.Fatal(err)
		}
		for _, c := range w.clients {
			for _, k := range kinds {
				for _, a := range clients.Actions() {
					res := clients.Resource{Kind: k, ID: int64(c.ID) * 10, Owner: c.ID}
					d := e.svc.Explain(uid, a, res)
					if d.Allowed != e.svc.Can(uid, a, res) {
						t.Fatalf("Can and Explain disagree: %s", d)
					}
					if !d.Allowed {
						continue
					}
					allowed++
					if deleted || u.Client != c.ID || d.Client != c.ID {
						t.Fatalf("step %d: %s: a user of client %d acts on client %d's resource", w.n, d, u.Client, c.ID)
					}
					if u.Status == rbac.StatusDisabled {
						t.Fatalf("step %d: %s: disabled user allowed", w.n, d)
					}
					switch d.Reason {
					case clients.AllowedFirstUser:
						if !u.First {
							t.Fatalf("step %d: %s: not the first user", w.n, d)
						}
					case clients.AllowedByRole:
						if len(d.Roles) == 0 {
							t.Fatalf("step %d: %s: no role named", w.n, d)
						}
						for _, rid := range d.Roles {
							r, err := e.svc.Role(ctx, rid)
							if err != nil || r.Client != c.ID || !slices.Contains(u.Roles, rid) || !slices.Contains(r.Permissions, d.Permission) {
								t.Fatalf("step %d: %s: role %s does not explain it (%+v, %v)", w.n, d, rid, r, err)
							}
						}
					default:
						t.Fatalf("step %d: allowed with reason %v", w.n, d.Reason)
					}
				}
			}
		}
	}
	return allowed
}

// TestPropertyNoCrossClient runs random change sequences (many of them
// attempts across clients) and checks every decision after each change.
func TestPropertyNoCrossClient(t *testing.T) {
	for seed := range uint64(4) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			e := newEnv(t, testdb.SQLite)
			w := newWorld(e, seed, 3)
			total := 0
			for range 80 {
				w.step(t)
				total += w.checkExplained(t)
			}
			if total == 0 || w.changed < 15 || w.refused < 5 {
				t.Fatalf("allowed decisions %d, changes %d, refusals %d: the property was not exercised", total, w.changed, w.refused)
			}
			t.Logf("%d allowed decisions checked, %d changes, %d refusals", total, w.changed, w.refused)
		})
	}
}

// storedEnforcer is the reference: Casbin over the stored policy.
func storedEnforcer(t *testing.T, st *store.Store) *casbin.Enforcer {
	return testdb.StoredEnforcer(t, st)
}

// agree compares every (user, owner, section, action) decision of svc
// with Casbin's EnforceContext("2") over the stored client policy.
func (w *world) agree(t *testing.T, svc *clients.Service, ce *casbin.Enforcer) {
	t.Helper()
	for _, uid := range w.users {
		for _, c := range w.clients {
			for _, k := range kinds {
				ki, _ := svc.Catalog().Kind(k)
				for _, a := range clients.Actions() {
					want, err := policy.EnforceClient(ce, uid, c.ID, clients.Perm(ki.Section, a))
					if err != nil {
						t.Fatal(err)
					}
					res := clients.Resource{Kind: k, Owner: c.ID}
					if got := svc.Can(uid, a, res); got != want {
						t.Fatalf("step %d: Can = %v, Casbin says %v: %s", w.n, got, want, svc.Explain(uid, a, res))
					}
				}
			}
		}
	}
}

// TestAgreementWithCasbin keeps the client index and Casbin's m2 matcher
// in agreement over random change sequences, on every backend, and a
// Service reopened on the same database agrees too.
func TestAgreementWithCasbin(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		for seed := range uint64(2) {
			e := newEnv(t, b)
			w := newWorld(e, 100+seed, 3)
			for i := range 50 {
				w.step(t)
				if i%5 == 4 {
					w.agree(t, e.svc, storedEnforcer(t, e.st))
				}
			}
			ce := storedEnforcer(t, e.st)
			w.agree(t, e.svc, ce)
			w.agree(t, e.reopen(), ce)
			p2, err1 := ce.GetNamedPolicy("p2")
			g3, err2 := ce.GetNamedGroupingPolicy("g3")
			if err1 != nil || err2 != nil || len(p2) == 0 || len(g3) == 0 {
				t.Fatal("the sequence left no client rules: nothing was compared")
			}
		}
	})
}
