package rbac_test

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
	"github.com/billingrbac/billingrbac/store"
)

// storedEnforcer is the reference: Casbin over the stored policy.
func storedEnforcer(t *testing.T, st *store.Store) *casbin.Enforcer {
	return testdb.StoredEnforcer(t, st)
}

// agree checks every (staff, permission) decision of svc against Casbin on
// the stored policy, and WhoCan against the brute-force answer.
func agree(t *testing.T, svc *rbac.Service, e *casbin.Enforcer, staff []rbac.StaffID, perms []rbac.Permission) {
	t.Helper()
	for _, p := range perms {
		var brute []rbac.StaffID
		for _, s := range staff {
			want, err := policy.Enforce(e, s, p)
			if err != nil {
				t.Fatal(err)
			}
			if got := svc.Can(s, p); got != want {
				t.Fatalf("Can(%s, %s) = %v, Casbin says %v; %s", s, p, got, want, svc.Explain(s, p))
			}
			if d := svc.Explain(s, p); d.Allowed != want {
				t.Fatalf("Explain(%s, %s).Allowed = %v, Casbin says %v", s, p, d.Allowed, want)
			}
			if want {
				brute = append(brute, s)
			}
		}
		var who []rbac.StaffID
		for h := range svc.WhoCan(p).All() {
			who = append(who, h.Staff)
			if want := svc.Explain(h.Staff, p).Sources; len(h.Sources) == 0 || !slices.Equal(h.Sources, want) {
				t.Fatalf("WhoCan(%s): %s has reasons %v, Explain says %v", p, h.Staff, h.Sources, want)
			}
		}
		if !slices.Equal(who, brute) {
			t.Fatalf("WhoCan(%s) = %v, brute force %v", p, who, brute)
		}
		if n := svc.WhoCanCount(p); n != len(brute) {
			t.Fatalf("WhoCanCount(%s) = %d, brute force %d", p, n, len(brute))
		}
		if ids := slices.Collect(svc.WhoCanIDs(p)); !slices.Equal(ids, brute) {
			t.Fatalf("WhoCanIDs(%s) = %v, brute force %v", p, ids, brute)
		}
		var paged []rbac.StaffID
		for after := rbac.StaffID(0); ; {
			page := svc.WhoCanPage(p, after, 2)
			for _, h := range page {
				paged = append(paged, h.Staff)
			}
			if len(page) < 2 {
				break
			}
			after = page[len(page)-1].Staff
		}
		if !slices.Equal(paged, brute) {
			t.Fatalf("WhoCanPage(%s) pages = %v, brute force %v", p, paged, brute)
		}
	}
	for _, s := range staff {
		var held []rbac.Permission
		for _, ep := range svc.EffectivePermissions(s) {
			held = append(held, ep.Permission)
			if want := svc.Explain(s, ep.Permission); !want.Allowed || !slices.Equal(ep.Sources, want.Sources) {
				t.Fatalf("EffectivePermissions(%s): %s with %v, Explain says %s", s, ep.Permission, ep.Sources, want)
			}
		}
		for _, p := range perms {
			if svc.Can(s, p) && !slices.Contains(held, p) && svc.Catalog().Has(p) {
				t.Fatalf("EffectivePermissions(%s) lacks %s, which it may perform", s, p)
			}
		}
	}
}

// TestAgreementWithCasbin runs random change sequences through the Service
// and, after every change, compares every decision with Casbin's Enforce
// over the stored policy; at the end a new Service opened on the same
// database must agree too.
func TestAgreementWithCasbin(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		seeds := []uint64{1, 2, 3}
		steps := 60
		if testing.Short() {
			seeds, steps = seeds[:1], 25
		}
		for _, seed := range seeds {
			t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
				runAgreement(t, b, seed, steps)
			})
		}
	})
}

func runAgreement(t *testing.T, b testdb.Backend, seed uint64, steps int) {
	runAgreementWith(t, b, seed, steps, nil)
}

// runAgreementWith is runAgreement; with tmp set, grants and memberships
// are also given for a window around tmp's edges, and decisions are
// compared at each edge, one nanosecond before and after it, with Casbin
// over the rules counting at that instant (policy.At).
func runAgreementWith(t *testing.T, b testdb.Backend, seed uint64, steps int, tmp *agreementClock) {
	e := newEnv(t, b)
	if tmp != nil {
		e, tmp.clk = newClockEnv(t, b)
		tmp.clk.set(tmp.start)
	}
	rng := rand.New(rand.NewPCG(seed, seed*7919))
	perms := []rbac.Permission{pInvoicesSend, pInvoicesView, pReports, pSettingsEdit, pTickets, pServicesView, pPayments}
	depts := []rbac.DepartmentID{e.boot.Sales.ID, e.boot.Support.ID}
	staff := []rbac.StaffID{e.admin}
	pick := func(n int) int { return rng.IntN(n) }
	somePerms := func() []rbac.Permission {
		var out []rbac.Permission
		for _, p := range perms {
			if rng.IntN(3) == 0 {
				out = append(out, p)
			}
		}
		if len(out) == 0 {
			out = append(out, perms[pick(len(perms))])
		}
		return out
	}
	yes := func() bool { return rng.IntN(2) == 0 }
	for step := 0; step < steps; step++ {
		var err error
		var what string
		switch op := pick(12); {
		case op == 0 || len(depts) < 3:
			what = "create department"
			var d rbac.DepartmentID
			d = e.dept(fmt.Sprintf("d%d-%d", seed, step))
			depts = append(depts, d)
		case op <= 2 || len(staff) < 4:
			what = "create staff"
			var in []rbac.DepartmentID
			for _, d := range depts {
				if rng.IntN(4) == 0 {
					in = append(in, d)
				}
			}
			var s rbac.Staff
			s, err = e.svc.CreateStaff(e.ctx, e.admin, rbac.NewStaff{Login: fmt.Sprintf("s%d-%d", seed, step),
				FullName: rbac.Text(e.svc.DefaultLanguage(), "x"), Departments: in, FullAccess: rng.IntN(8) == 0})
			if err == nil {
				staff = append(staff, s.ID)
			}
		case op == 3:
			what = "enable/disable permissions"
			d := depts[pick(len(depts))]
			if yes() {
				err = e.svc.EnablePermissions(e.ctx, e.admin, d, somePerms()...)
			} else {
				err = e.svc.DisablePermissions(e.ctx, e.admin, d, somePerms()...)
			}
		case op == 4:
			what = "join/leave"
			s, d := staff[pick(len(staff))], depts[pick(len(depts))]
			switch {
			case tmp != nil && yes():
				err = e.svc.AddToDepartment(e.ctx, e.admin, s, d, tmp.window(rng))
			case yes():
				err = e.svc.AddToDepartment(e.ctx, e.admin, s, d)
			default:
				err = e.svc.RemoveFromDepartment(e.ctx, e.admin, s, d)
			}
		case op == 5 || op == 6:
			what = "grant/revoke"
			s := staff[pick(len(staff))]
			switch {
			case tmp != nil && yes():
				err = e.svc.GrantTemporary(e.ctx, e.admin, s, tmp.window(rng), somePerms()...)
			case yes():
				err = e.svc.Grant(e.ctx, e.admin, s, somePerms()...)
			default:
				err = e.svc.Revoke(e.ctx, e.admin, s, somePerms()...)
			}
		case op == 7:
			what = "toggle full access / status"
			s := staff[pick(len(staff))]
			full, st := yes(), rbac.Status(pick(2))
			if yes() {
				_, err = e.svc.UpdateStaff(e.ctx, e.admin, s, rbac.StaffUpdate{FullAccess: &full})
			} else {
				_, err = e.svc.UpdateStaff(e.ctx, e.admin, s, rbac.StaffUpdate{Status: &st})
			}
		case op == 8:
			what = "toggle department status"
			st := rbac.Status(pick(2))
			_, err = e.svc.UpdateDepartment(e.ctx, e.admin, depts[pick(len(depts))], rbac.DepartmentUpdate{Status: &st})
		case op == 9:
			what = "delete staff"
			i := pick(len(staff))
			if err = e.svc.DeleteStaff(e.ctx, e.admin, staff[i]); err == nil {
				staff = slices.Delete(staff, i, i+1)
			}
		case op == 10:
			what = "delete department"
			i := pick(len(depts))
			if err = e.svc.DeleteDepartment(e.ctx, e.admin, depts[i]); err == nil {
				depts = slices.Delete(depts, i, i+1)
			}
		default:
			what = "check only"
		}
		// Refusals are part of the game (own privileges, inherited
		// revocations); anything else is a bug.
		if err != nil && !errors.Is(err, rbac.ErrPermissionDenied) && !errors.Is(err, rbac.ErrInheritedPermission) {
			t.Fatalf("step %d %s: %v", step, what, err)
		}
		if tmp != nil {
			tmp.agree(t, e, append(staff, 9999), perms)
			continue
		}
		agree(t, e.svc, storedEnforcer(t, e.st), append(staff, 9999), perms)
	}
	if tmp != nil {
		return
	}
	// A new process on the same database decides the same.
	other, err := rbac.New(e.ctx, e.st, rbac.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	ce := storedEnforcer(t, e.st)
	agree(t, other, ce, staff, perms)
	if other.Version() != e.svc.Version() {
		t.Fatalf("reopened at version %d, want %d", other.Version(), e.svc.Version())
	}
}
