package clients_test

import (
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"

	"gorm.io/gorm"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac/clients"
)

var errInjected = errors.New("injected failure")

// failAt makes the n-th SQL statement after arming fail.
type failAt struct{ n, seen atomic.Int64 }

func (f *failAt) install(t *testing.T, db *gorm.DB) {
	t.Helper()
	hook := func(db *gorm.DB) {
		if f.n.Load() > 0 && f.seen.Add(1) == f.n.Load() {
			_ = db.AddError(errInjected)
		}
	}
	testdb.SetFault(t, db, hook)
}

func (f *failAt) arm(n int64) { f.seen.Store(0); f.n.Store(n) }

// snapshotOf is everything a failed write must leave as it was: rows,
// stored rules, the version and every decision.
func snapshotOf(t *testing.T, e *env, users []clients.ClientUserID, owners []clients.ClientID) string {
	t.Helper()
	st, err := e.st.ClientStore().Load(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	var rules []string
	for _, r := range st.Rules {
		rules = append(rules, r.String())
	}
	slices.Sort(rules)
	out := fmt.Sprintf("log%d svc%d clients=%d users=%d roles=%d rules=%v\n", testdb.Count(t, e.st.DB(), "billingrbac_changes"), e.svc.Version(),
		testdb.Count(t, e.st.DB(), "billingrbac_clients"), testdb.Count(t, e.st.DB(), "billingrbac_client_users"),
		testdb.Count(t, e.st.DB(), "billingrbac_client_roles"), rules)
	for _, u := range users {
		for _, o := range owners {
			for _, k := range kinds {
				for _, a := range clients.Actions() {
					out += fmt.Sprint(e.svc.Can(u, a, clients.Resource{Kind: k, Owner: o}))
				}
			}
		}
	}
	return out
}

// TestFailedWriteChangesNothing fails each SQL statement of several
// operations in turn: a failed operation leaves neither the database nor
// the decisions changed; once no statement fails, the operation succeeds.
func TestFailedWriteChangesNothing(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e := newEnv(t, b)
		var f failAt
		f.install(t, e.st.DB())
		a, z := e.client("alice"), e.client("zed")
		owner := clients.ByUser(a.FirstUser)
		r1 := e.role(owner, a.ID, "R1", clients.Perm(clients.SectionServices, clients.View))
		r2 := e.role(owner, a.ID, "R2", clients.Perm(clients.SectionFinance, clients.Add), clients.Perm(clients.SectionSupport, clients.Delete))
		bob := e.user(owner, a.ID, "bob", r1.ID)
		users := []clients.ClientUserID{a.FirstUser, z.FirstUser, bob.ID, bob.ID + 1}
		owners := []clients.ClientID{a.ID, z.ID}
		all := e.svc.Catalog().Permissions()
		ops := []struct {
			name string
			run  func() error
		}{
			{"create user with roles", func() error {
				_, err := e.svc.CreateUser(e.ctx, owner, a.ID, clients.NewUser{Login: "carol", Name: "C", Roles: []clients.RoleID{r1.ID, r2.ID}})
				return err
			}},
			{"replace role permissions", func() error {
				_, err := e.svc.UpdateRole(e.ctx, owner, r1.ID, clients.RoleUpdate{Permissions: &all})
				return err
			}},
			{"delete role with members", func() error { return e.svc.DeleteRole(e.ctx, owner, r2.ID) }},
			{"delete user", func() error { return e.svc.DeleteUser(e.ctx, e.admin, bob.ID) }},
			{"create client", func() error {
				_, err := e.svc.CreateClient(e.ctx, e.admin, clients.NewClient{Name: "New", FirstUser: clients.NewUser{Login: "newbie", Name: "N"}})
				return err
			}},
		}
		for _, op := range ops {
			failures := 0
			for n := int64(1); ; n++ {
				before := snapshotOf(t, e, users, owners)
				f.arm(n)
				err := op.run()
				f.arm(0)
				if err == nil {
					break
				}
				if !errors.Is(err, errInjected) {
					t.Fatalf("%s, statement %d: err = %v, want the injected failure", op.name, n, err)
				}
				failures++
				if after := snapshotOf(t, e, users, owners); after != before {
					t.Fatalf("%s failed at statement %d but changed state:\nbefore %s\nafter  %s", op.name, n, before, after)
				}
				if n > 50 {
					t.Fatalf("%s never succeeded", op.name)
				}
			}
			if failures < 3 {
				t.Fatalf("%s: only %d statements failed: not exercised", op.name, failures)
			}
		}
		us, err := e.svc.Users(e.ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(us, func(u clients.User) bool { return u.Login == "carol" })
		if i < 0 || !slices.Equal(us[i].Roles, []clients.RoleID{r1.ID}) ||
			!e.svc.Can(us[i].ID, clients.Add, clients.Resource{Kind: clients.KindInvoice, Owner: a.ID}) {
			t.Fatalf("carol after the sequence: %+v", us)
		}
	})
}
