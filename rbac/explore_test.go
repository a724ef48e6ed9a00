package rbac_test

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"net/netip"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/internal/explore"
	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
)

// TestExploreAuthorization explores, breadth-first, every state a small
// universe reaches by every administrative operation of every actor, and
// checks after each step the invariant, computed here from decisions and
// stored rows before and after (not from the library's effect code):
//
//	a change gives nobody a permission the actor does not hold, gives the
//	actor control of no account stronger than itself, never changes the
//	actor's own access, and a refused change changes nothing.
//
// The universe: the bootstrap admin (full access) and four staff
// members: a manager in HR (staff:edit, staff:add, departments:edit), a
// colleague in Finance (reports:view, invoices:view) with a password, an
// auditor in the disabled Audit (reports:view), a disabled former manager
// in HR and Audit; four permissions in play (staff:edit, departments:edit,
// reports:view, invoices:view); full-access and disabled flags, e-mails,
// passwords, avatars, and one login that may be created; what guards
// sign-in beyond the password (second factors on the admin and the
// colleague, to remove; staff and department sign-in policies, to set
// and lift; sign-in locks, to clear) and separation of duties (three
// declared conflicts, one of which Finance already violates, to declare
// and withdraw). The oracle adds: a step that removes a second factor,
// changes a sign-in policy (of the account or of one of its departments)
// or clears a lock gives control of the account; nobody comes to combine
// both sides of a conflict declared before and after the step. States are
// deduplicated on a canonical form (by login and department name, so IDs
// do not matter).
//
// The suite explores depth 1 on SQLite with every actor; on PostgreSQL,
// under -race and with -short, with the two actors that hold less than
// everything (the manager and the disabled former manager: the admin's
// steps are the states the others start from, the others hold no admin
// right). BILLINGRBAC_EXPLORE_DEPTH=N explores N steps deep, with every
// actor unless -short (see BENCHMARKS.md).
func TestExploreAuthorization(t *testing.T) {
	depth := 1
	if v := os.Getenv("BILLINGRBAC_EXPLORE_DEPTH"); v != "" {
		n, err := strconv.Atoi(v)
		require.NoError(t, err)
		depth = n
	}
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		x := newExplorer(t, b)
		if testing.Short() || os.Getenv("BILLINGRBAC_EXPLORE_DEPTH") == "" && (b == testdb.Postgres || raceEnabled) {
			x.actors = []string{"manager", "former"}
		}
		start := time.Now()
		x.run(depth)
		t.Logf("%s depth %d, actors %v: %d states, %d transitions (%d committed, %d refused, %d no-ops) in %v",
			b, depth, x.actorsOr(), len(x.seen), x.steps, x.committed, x.refused, x.noops, time.Since(start).Round(time.Millisecond))
		require.Greater(t, x.committed, 0)
		require.Greater(t, x.refused, 0)
	})
}

func (x *explorer) actorsOr() []string {
	if x.actors == nil {
		return exActors
	}
	return x.actors
}

// exPolicy is the sign-in policy the explorer sets: an allow-list and a
// second factor required.
var exPolicy = rbac.SignInPolicy{RequireSecondFactor: true, Networks: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}

// universe names.
var (
	exPerms  = []rbac.Permission{pStaffEdit, pDeptEdit, pReports, pInvoicesView}
	exDepts  = []string{"HR", "Finance", "Audit", "Reports"}
	exLogins = []string{"admin", "manager", "colleague", "auditor", "former", "newcomer"}
	exActors = exLogins[:5]
)

type explorer struct {
	t      *testing.T
	e      *env
	ctx    context.Context
	seen   map[string]bool
	cur    exState  // the state last captured
	actors []string // who acts (default: exActors)
	pic    []byte   // an avatar

	steps, committed, refused, noops int
}

func newExplorer(t *testing.T, b testdb.Backend) *explorer {
	ctx := context.Background()
	dsn := testdb.DSN(t, b)
	st := testdb.Open(t, dsn)
	require.NoError(t, st.Migrate(ctx))
	svc, err := rbac.New(ctx, st, rbac.Options{Accounts: rbac.AccountOptions{HashParams: fastHash}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = svc.Close() })
	boot, err := svc.Bootstrap(ctx, rbac.BootstrapOptions{})
	require.NoError(t, err)
	e := &env{t: t, ctx: ctx, dsn: dsn, st: st, svc: svc, boot: boot, admin: boot.Admin.ID}
	hr := e.dept("HR", pStaffEdit, pStaffAdd, pDeptEdit)
	fin := e.dept("Finance", pReports, pInvoicesView)
	audit := e.dept("Audit", pReports)
	e.dept("Reports", pReports) // one side of the declared conflict alone: joins to it are refused only by the effect

	off := rbac.StatusDisabled
	_, err = svc.UpdateDepartment(ctx, e.admin, audit, rbac.DepartmentUpdate{Status: &off})
	require.NoError(t, err)
	e.staff("manager", hr)
	colleague := e.staff("colleague", fin)
	e.staff("auditor", audit)
	former := e.staff("former", hr, audit)
	_, err = svc.UpdateStaff(ctx, e.admin, former, rbac.StaffUpdate{Status: &off})
	require.NoError(t, err)
	_, err = svc.ResetPassword(ctx, e.admin, colleague)
	require.NoError(t, err)
	// Issue 18: conflicts of duties declared (colleague's Finance holds
	// both reports:view and invoices:view from before: an existing
	// violation the exploration must not add to), and confirmed second
	// factors on the admin and the colleague (rows written directly:
	// their secrets do not matter here, and without recovery codes every
	// table the operations write keeps an integer key to restore by).
	require.NoError(t, svc.DeclareConflict(ctx, e.admin, rbac.PermissionConflict(pStaffEdit, pReports, "")))
	require.NoError(t, svc.DeclareConflict(ctx, e.admin, rbac.PermissionConflict(pReports, pInvoicesView, "")))
	require.NoError(t, svc.DeclareConflict(ctx, e.admin, rbac.DepartmentConflict(hr, fin, "")))
	for _, id := range []rbac.StaffID{e.admin, colleague} {
		require.NoError(t, st.DB().Exec(`INSERT INTO billingrbac_staff_totp (staff_id, secret, confirmed, last_step, created_at) VALUES (?, 'plain:JBSWY3DPEHPK3PXP', TRUE, 0, 0)`, int64(id)).Error)
	}
	pic := encodePNG(t, solidImage(96, 96, color.RGBA{G: 200, A: 255}))
	return &explorer{t: t, e: e, ctx: ctx, seen: map[string]bool{}, pic: pic}
}

// op is one administrative call by actor, parameterized by names.
type exOp struct {
	name  string
	actor string
	need  rbac.Permission // what the actor must hold to use the operation at all (zero: nothing)
	do    func(x *explorer, actor rbac.StaffID) error
}

// ops lists every operation of every actor on the universe.
func (x *explorer) ops() []exOp {
	var out []exOp
	yes, no := true, false
	on, off := rbac.StatusActive, rbac.StatusDisabled
	actors := x.actors
	if actors == nil {
		actors = exActors
	}
	for _, a := range actors {
		add := func(name string, need rbac.Permission, do func(x *explorer, actor rbac.StaffID) error) {
			out = append(out, exOp{name: name, actor: a, need: need, do: do})
		}
		for _, s := range exLogins {
			for _, p := range exPerms {
				add("grant "+s+" "+p.String(), pStaffEdit, func(x *explorer, actor rbac.StaffID) error { return x.e.svc.Grant(x.ctx, actor, x.staffID(s), p) })
				add("revoke "+s+" "+p.String(), pStaffEdit, func(x *explorer, actor rbac.StaffID) error { return x.e.svc.Revoke(x.ctx, actor, x.staffID(s), p) })
				// Issue 18: temporary access, counting now or only later.
				add("grant "+s+" "+p.String()+" for an hour", pStaffEdit, func(x *explorer, actor rbac.StaffID) error {
					return x.e.svc.GrantTemporary(x.ctx, actor, x.staffID(s), rbac.Until(time.Now().Add(time.Hour)), p)
				})
			}
			add("grant "+s+" reports:view from tomorrow", pStaffEdit, func(x *explorer, actor rbac.StaffID) error {
				from := time.Now().Add(24 * time.Hour)
				return x.e.svc.GrantTemporary(x.ctx, actor, x.staffID(s), rbac.Window{From: from, Until: from.Add(time.Hour)}, pReports)
			})
			for _, d := range exDepts {
				add("add "+s+" to "+d, pStaffEdit, func(x *explorer, actor rbac.StaffID) error {
					return x.e.svc.AddToDepartment(x.ctx, actor, x.staffID(s), x.deptID(d))
				})
				add("add "+s+" to "+d+" for an hour", pStaffEdit, func(x *explorer, actor rbac.StaffID) error {
					return x.e.svc.AddToDepartment(x.ctx, actor, x.staffID(s), x.deptID(d), rbac.Until(time.Now().Add(time.Hour)))
				})
				add("add "+s+" to "+d+" from tomorrow", pStaffEdit, func(x *explorer, actor rbac.StaffID) error {
					from := time.Now().Add(24 * time.Hour)
					return x.e.svc.AddToDepartment(x.ctx, actor, x.staffID(s), x.deptID(d), rbac.Window{From: from, Until: from.Add(time.Hour)})
				})
				add("remove "+s+" from "+d, pStaffEdit, func(x *explorer, actor rbac.StaffID) error {
					return x.e.svc.RemoveFromDepartment(x.ctx, actor, x.staffID(s), x.deptID(d))
				})
			}
			for _, v := range []*bool{&yes, &no} {
				add(fmt.Sprintf("full access %s %t", s, *v), pStaffEdit, func(x *explorer, actor rbac.StaffID) error {
					_, err := x.e.svc.UpdateStaff(x.ctx, actor, x.staffID(s), rbac.StaffUpdate{FullAccess: v})
					return err
				})
			}
			for _, v := range []*rbac.Status{&on, &off} {
				add(fmt.Sprintf("status %s %s", s, *v), pStaffEdit, func(x *explorer, actor rbac.StaffID) error {
					_, err := x.e.svc.UpdateStaff(x.ctx, actor, x.staffID(s), rbac.StaffUpdate{Status: v})
					return err
				})
			}
			add("e-mail "+s, pStaffEdit, func(x *explorer, actor rbac.StaffID) error {
				mail := s + "@takeover.example"
				_, err := x.e.svc.UpdateStaff(x.ctx, actor, x.staffID(s), rbac.StaffUpdate{Email: &mail})
				return err
			})
			add("reset password "+s, pStaffEdit, func(x *explorer, actor rbac.StaffID) error {
				_, err := x.e.svc.ResetPassword(x.ctx, actor, x.staffID(s))
				return err
			})
			add("delete "+s, rbac.Perm(rbac.FuncStaff, rbac.ActDelete), func(x *explorer, actor rbac.StaffID) error {
				return x.e.svc.DeleteStaff(x.ctx, actor, x.staffID(s))
			})
			// Issue 18: what lets someone sign in as the account.
			need := pStaffEdit
			if s == a {
				need = rbac.Permission{} // one's own second factor
			}
			add("remove second factor of "+s, need, func(x *explorer, actor rbac.StaffID) error {
				return x.e.svc.RemoveTOTP(x.ctx, actor, x.staffID(s))
			})
			add("allow-list "+s, pStaffEdit, func(x *explorer, actor rbac.StaffID) error {
				return x.e.svc.SetSignInPolicy(x.ctx, actor, rbac.StaffSubject(x.staffID(s)), exPolicy)
			})
			add("lift allow-list of "+s, pStaffEdit, func(x *explorer, actor rbac.StaffID) error {
				return x.e.svc.SetSignInPolicy(x.ctx, actor, rbac.StaffSubject(x.staffID(s)), rbac.SignInPolicy{})
			})
			add("clear sign-in lock of "+s, pStaffEdit, func(x *explorer, actor rbac.StaffID) error {
				return x.e.svc.ClearSignInLock(x.ctx, actor, x.staffID(s))
			})
		}
		for _, d := range exDepts {
			for _, p := range exPerms {
				add("enable "+d+" "+p.String(), pDeptEdit, func(x *explorer, actor rbac.StaffID) error {
					return x.e.svc.EnablePermissions(x.ctx, actor, x.deptID(d), p)
				})
				add("disable "+d+" "+p.String(), pDeptEdit, func(x *explorer, actor rbac.StaffID) error {
					return x.e.svc.DisablePermissions(x.ctx, actor, x.deptID(d), p)
				})
			}
			for _, v := range []*rbac.Status{&on, &off} {
				add(fmt.Sprintf("department %s %s", d, *v), pDeptEdit, func(x *explorer, actor rbac.StaffID) error {
					_, err := x.e.svc.UpdateDepartment(x.ctx, actor, x.deptID(d), rbac.DepartmentUpdate{Status: v})
					return err
				})
			}
			add("sign-in policy of "+d, pDeptEdit, func(x *explorer, actor rbac.StaffID) error {
				return x.e.svc.SetSignInPolicy(x.ctx, actor, rbac.DepartmentSubject(x.deptID(d)), exPolicy)
			})
			add("lift sign-in policy of "+d, pDeptEdit, func(x *explorer, actor rbac.StaffID) error {
				return x.e.svc.SetSignInPolicy(x.ctx, actor, rbac.DepartmentSubject(x.deptID(d)), rbac.SignInPolicy{})
			})
			add("delete department "+d, rbac.Perm(rbac.FuncDepartments, rbac.ActDelete), func(x *explorer, actor rbac.StaffID) error {
				return x.e.svc.DeleteDepartment(x.ctx, actor, x.deptID(d))
			})
			add("create newcomer in "+d, pStaffAdd, func(x *explorer, actor rbac.StaffID) error {
				_, err := x.e.svc.CreateStaff(x.ctx, actor, rbac.NewStaff{Login: "newcomer", FullName: rbac.Text(language.English, "N"),
					Departments: []rbac.DepartmentID{x.deptID(d)}})
				return err
			})
		}
		for _, c := range []struct {
			name string
			c    func(x *explorer) rbac.DutyConflict
		}{
			{"staff:edit+reports:view", func(*explorer) rbac.DutyConflict { return rbac.PermissionConflict(pStaffEdit, pReports, "") }},
			{"departments:edit+invoices:view", func(*explorer) rbac.DutyConflict {
				return rbac.PermissionConflict(pDeptEdit, pInvoicesView, "")
			}},
			{"HR+Finance", func(x *explorer) rbac.DutyConflict {
				return rbac.DepartmentConflict(x.deptID("HR"), x.deptID("Finance"), "")
			}},
		} {
			add("declare conflict "+c.name, pSettingsEdit, func(x *explorer, actor rbac.StaffID) error {
				return x.e.svc.DeclareConflict(x.ctx, actor, c.c(x))
			})
			add("remove conflict "+c.name, pSettingsEdit, func(x *explorer, actor rbac.StaffID) error {
				return x.e.svc.RemoveConflict(x.ctx, actor, c.c(x))
			})
		}
		add("set own avatar", rbac.Permission{}, func(x *explorer, actor rbac.StaffID) error {
			_, err := x.e.svc.SetAvatar(x.ctx, actor, actor, x.pic)
			return err
		})
		add("create full-access newcomer", pStaffAdd, func(x *explorer, actor rbac.StaffID) error {
			_, err := x.e.svc.CreateStaff(x.ctx, actor, rbac.NewStaff{Login: "newcomer", FullName: rbac.Text(language.English, "N"), FullAccess: true})
			return err
		})
	}
	return out
}

// run explores breadth-first to depth (internal/explore).
func (x *explorer) run(depth int) {
	x.seen = explore.Breadth[exState, exOp](explorerSpace{x}, x.capture(), x.ops(), depth)
}

// explorerSpace is the explorer as explore.Space.
type explorerSpace struct{ *explorer }

func (sp explorerSpace) Key(s exState) string                   { return s.key }
func (sp explorerSpace) Restore(s exState) exState              { return sp.restore(s) }
func (sp explorerSpace) Step(s exState, o exOp) (exState, bool) { return sp.step(s, o) }

// step runs o from state s (the current one) and checks the invariant. It
// reports the state reached and whether the database moved.
func (x *explorer) step(s exState, o exOp) (exState, bool) {
	t := x.t
	x.steps++
	actor := s.ids[o.actor]
	if actor == 0 {
		actor = 999999 // a deleted actor keeps trying
	}
	err := o.do(x, actor)
	after := x.capture()
	ctx := fmt.Sprintf("%s by %s from %s", o.name, o.actor, s.key)
	switch {
	case errors.Is(err, rbac.ErrPermissionDenied):
		x.refused++
		if d := s.diff(after); d != "" {
			t.Fatalf("refused %s changed: %s", ctx, d)
		}
		return after, false
	case errors.Is(err, rbac.ErrConflictOfDuties):
		x.refused++
		if d := s.diff(after); d != "" {
			t.Fatalf("refused %s changed: %s", ctx, d)
		}
		return after, false
	case err != nil && !errors.Is(err, rbac.ErrNotFound) && !errors.Is(err, rbac.ErrInheritedPermission) && !errors.Is(err, rbac.ErrConflict):
		t.Fatalf("%s: unexpected error %v", ctx, err)
	case err != nil:
		if d := s.diff(after); d != "" {
			t.Fatalf("failed %s changed: %s", ctx, d)
		}
		return after, false
	}
	if after.version == s.version {
		x.noops++
		if d := s.diff(after); d != "" {
			t.Fatalf("no-op %s changed: %s", ctx, d)
		}
		return after, false
	}
	x.committed++
	if v := violation(s, after, o); v != "" {
		t.Fatalf("%s: %s", ctx, v)
	}
	return after, true
}
