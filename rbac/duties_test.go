package rbac_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
)

// refusedForDuties asserts a *DutiesError naming staff and that nothing
// was committed (the version did not move).
func (e *env) refusedForDuties(err error, staff rbac.StaffID, v int64) {
	e.t.Helper()
	require.ErrorIs(e.t, err, rbac.ErrConflictOfDuties)
	var de *rbac.DutiesError
	require.ErrorAs(e.t, err, &de)
	assert.Equal(e.t, staff, de.Staff)
	assert.Equal(e.t, v, e.svc.Version(), "a refused change commits nothing")
}

// TestDutiesPermissions: with invoices:view and payments:view declared in
// conflict, no path gives one person both: a grant, a department gaining
// a permission (refused whole when one member of several would combine
// them, and nothing changes for the others), a disabled department
// switched back on. Full access stays outside. Who already combined them
// is listed, and may still be changed otherwise.
func TestDutiesPermissions(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e := newAccountEnv(t, b, rbac.AccountOptions{})
		billing := e.dept("Billing", pInvoicesView)
		ops := e.dept("Ops", pReports)
		cash := e.dept("Cashiers", pPayments)
		kate := e.staff("kate", billing, ops)
		bob := e.staff("bob", ops)
		sam := e.staff("sam", billing)
		require.NoError(t, e.svc.Grant(e.ctx, e.admin, sam, pPayments)) // before the declaration
		// dave combines both only once Night is switched back on.
		night := e.dept("Night", pPayments)
		dave := e.staff("dave", billing, night)
		off, on := rbac.StatusDisabled, rbac.StatusActive
		_, err := e.svc.UpdateDepartment(e.ctx, e.admin, night, rbac.DepartmentUpdate{Status: &off})
		require.NoError(t, err)

		c := rbac.PermissionConflict(pPayments, pInvoicesView, "bills and collects")
		require.NoError(t, e.svc.DeclareConflict(e.ctx, e.admin, c))
		got, err := e.svc.DutyConflicts(e.ctx)
		require.NoError(t, err)
		require.Len(t, got, 1)
		assert.Equal(t, [2]rbac.Permission{pInvoicesView, pPayments}, got[0].Permissions, "stored in order")
		assert.Equal(t, "bills and collects", got[0].Why)
		vs, err := e.svc.DutyViolations(e.ctx)
		require.NoError(t, err)
		require.Len(t, vs, 1)
		assert.Equal(t, []rbac.StaffID{sam}, vs[0].Staff, "the violation that predates the declaration")

		v := e.svc.Version()
		e.refusedForDuties(e.svc.Grant(e.ctx, e.admin, kate, pPayments), kate, v)
		e.refusedForDuties(e.svc.AddToDepartment(e.ctx, e.admin, kate, cash), kate, v)
		// Ops gaining payments:view: bob alone would be fine, kate would
		// combine: refused, and bob does not get it either.
		e.refusedForDuties(e.svc.EnablePermissions(e.ctx, e.admin, ops, pPayments), kate, v)
		e.can(bob, pPayments, false)
		_, err = e.svc.CreateStaff(e.ctx, e.admin, rbac.NewStaff{Login: "new", FullName: rbac.Text(language.English, "N"),
			Departments: []rbac.DepartmentID{billing, cash}})
		require.ErrorIs(t, err, rbac.ErrConflictOfDuties)
		assert.Equal(t, v, e.svc.Version())

		// A temporary grant counts as what it will give: one that starts
		// tomorrow is refused today.
		tomorrow := time.Now().Add(24 * time.Hour)
		e.refusedForDuties(e.svc.GrantTemporary(e.ctx, e.admin, kate,
			rbac.Window{From: tomorrow, Until: tomorrow.Add(time.Hour)}, pPayments), kate, v)

		// Joining a disabled department counts what it gives once
		// switched back on.
		require.NoError(t, e.svc.AddToDepartment(e.ctx, e.admin, bob, cash))
		_, err = e.svc.UpdateDepartment(e.ctx, e.admin, cash, rbac.DepartmentUpdate{Status: &off})
		require.NoError(t, err)
		v = e.svc.Version()
		e.refusedForDuties(e.svc.AddToDepartment(e.ctx, e.admin, bob, billing), bob, v)
		// Switching back on a department whose member combined both only
		// while it was off (dave, from before the declaration) is refused.
		_, err = e.svc.UpdateDepartment(e.ctx, e.admin, night, rbac.DepartmentUpdate{Status: &on})
		e.refusedForDuties(err, dave, v)

		// sam, an existing violation, can still be changed otherwise, and
		// may lose a side.
		require.NoError(t, e.svc.Grant(e.ctx, e.admin, sam, pReports))
		require.NoError(t, e.svc.Revoke(e.ctx, e.admin, sam, pPayments))
		// Full access is outside separation of duties, but what a
		// full-access account stores is not: a grant that would combine
		// once full access is taken away is refused; taking it away is not.
		yes, no := true, false
		_, err = e.svc.UpdateStaff(e.ctx, e.admin, kate, rbac.StaffUpdate{FullAccess: &yes})
		require.NoError(t, err)
		v = e.svc.Version()
		e.refusedForDuties(e.svc.Grant(e.ctx, e.admin, kate, pPayments), kate, v)
		_, err = e.svc.UpdateStaff(e.ctx, e.admin, kate, rbac.StaffUpdate{FullAccess: &no})
		require.NoError(t, err)

		// Withdrawn, the grant goes through.
		require.NoError(t, e.svc.RemoveConflict(e.ctx, e.admin, rbac.PermissionConflict(pInvoicesView, pPayments, "")))
		require.ErrorIs(t, e.svc.RemoveConflict(e.ctx, e.admin, c), rbac.ErrNotFound)
		require.NoError(t, e.svc.Grant(e.ctx, e.admin, bob, pPayments))
		assert.Len(t, e.changesOf(rbac.OpDutyConflict), 2)
	})
}

// TestDutiesDepartments: with Billing and Audit declared in conflict, no
// one joins both (whatever they hold), on any path; a refused department
// change affecting one member changes nothing.
func TestDutiesDepartments(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e := newAccountEnv(t, b, rbac.AccountOptions{})
		billing := e.dept("Billing", pInvoicesView)
		audit := e.dept("Audit")
		kate := e.staff("kate", billing)
		require.NoError(t, e.svc.DeclareConflict(e.ctx, e.admin, rbac.DepartmentConflict(audit, billing, "")))

		v := e.svc.Version()
		e.refusedForDuties(e.svc.AddToDepartment(e.ctx, e.admin, kate, audit), kate, v)
		_, err := e.svc.CreateStaff(e.ctx, e.admin, rbac.NewStaff{Login: "new", FullName: rbac.Text(language.English, "N"),
			Departments: []rbac.DepartmentID{audit, billing}})
		require.ErrorIs(t, err, rbac.ErrConflictOfDuties)
		assert.Equal(t, v, e.svc.Version())
		st, err := e.svc.StaffMember(e.ctx, kate)
		require.NoError(t, err)
		assert.Equal(t, []rbac.DepartmentID{billing}, st.Departments)

		// Deleting a department withdraws its conflicts.
		require.NoError(t, e.svc.DeleteDepartment(e.ctx, e.admin, audit))
		got, err := e.svc.DutyConflicts(e.ctx)
		require.NoError(t, err)
		assert.Empty(t, got)
	})
}

// TestDutiesDeclaration: declaring needs settings:edit; bad declarations
// name the field; a pair is declared once, in either order.
func TestDutiesDeclaration(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e := newAccountEnv(t, b, rbac.AccountOptions{})
		helen := e.staff("helen", e.dept("HR", pStaffEdit))
		c := rbac.PermissionConflict(pInvoicesView, pPayments, "")
		require.ErrorIs(t, e.svc.DeclareConflict(e.ctx, helen, c), rbac.ErrPermissionDenied)
		for _, tc := range []struct {
			c    rbac.DutyConflict
			want []string
		}{
			{rbac.DutyConflict{}, []string{"permissions/required"}},
			{rbac.PermissionConflict(pPayments, pPayments, ""), []string{"permissions/distinct"}},
			{rbac.PermissionConflict(rbac.Perm("nosuch", rbac.ActView), pPayments, ""), []string{"permissions[0]/catalog"}},
			{rbac.DepartmentConflict(0, 3, ""), []string{"departments[0]/required"}},
			{rbac.DutyConflict{Permissions: c.Permissions, Departments: [2]rbac.DepartmentID{1, 2}}, []string{"permissions/required"}},
		} {
			assert.Equal(t, tc.want, fieldRules(t, e.svc.DeclareConflict(e.ctx, e.admin, tc.c)), tc.c)
		}
		require.ErrorIs(t, e.svc.DeclareConflict(e.ctx, e.admin, rbac.DepartmentConflict(9998, 9999, "")), rbac.ErrNotFound)
		require.NoError(t, e.svc.DeclareConflict(e.ctx, e.admin, c))
		require.ErrorIs(t, e.svc.DeclareConflict(e.ctx, e.admin, rbac.PermissionConflict(pPayments, pInvoicesView, "")), rbac.ErrConflict)
	})
}
