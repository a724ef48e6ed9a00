package rbac_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
)

// takeoverWorld is the setting of the paths issue 14 found: a staff
// manager holding staff and department rights but not reports:view, a
// Finance colleague who holds it, and a disabled Audit department that
// gives it to a member who has nothing else.
type takeoverWorld struct {
	e                    *env
	manager, colleague   rbac.StaffID
	auditor              rbac.StaffID
	finance, audit, hrID rbac.DepartmentID
	watch                []rbac.StaffID
}

func newTakeoverWorld(t *testing.T, b testdb.Backend) *takeoverWorld {
	e := newEnv(t, b)
	w := &takeoverWorld{e: e}
	w.hrID = e.dept("HR", rbac.Perm(rbac.FuncStaff, rbac.ActEdit), rbac.Perm(rbac.FuncStaff, rbac.ActAdd), pDeptEdit, pInvoicesView)
	w.finance = e.dept("Finance", pReports, pInvoicesView)
	w.audit = e.dept("Audit", pReports)
	w.manager = e.staff("manager", w.hrID)
	w.colleague = e.staff("colleague", w.finance)
	w.auditor = e.staff("auditor", w.audit)
	off := rbac.StatusDisabled
	_, err := e.svc.UpdateDepartment(e.ctx, e.admin, w.audit, rbac.DepartmentUpdate{Status: &off})
	require.NoError(t, err)
	require.False(t, e.svc.Can(w.auditor, pReports))
	w.watch = []rbac.StaffID{e.admin, w.manager, w.colleague, w.auditor}
	return w
}

// refused runs do and requires ErrPermissionDenied with nothing changed.
func (w *takeoverWorld) refused(t *testing.T, do func() error) *rbac.DeniedError {
	t.Helper()
	before := captureAll(t, w.e, w.watch)
	err := do()
	require.ErrorIs(t, err, rbac.ErrPermissionDenied)
	require.Empty(t, before.diff(captureAll(t, w.e, w.watch)), "a refused change changed")
	var de *rbac.DeniedError
	require.True(t, errors.As(err, &de), "%v is not a *DeniedError", err)
	return de
}

// TestTakeoverPathsRefused reproduces the two paths of issue 14: both are
// refused with ErrPermissionDenied, name the account and the permission,
// and change nothing.
func TestTakeoverPathsRefused(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		w := newTakeoverWorld(t, b)
		e := w.e
		t.Run("reset password of a colleague holding more", func(t *testing.T) {
			de := w.refused(t, func() error {
				_, err := e.svc.ResetPassword(e.ctx, w.manager, w.colleague)
				return err
			})
			assert.Equal(t, w.colleague, de.Target)
			assert.True(t, de.Control)
			assert.Equal(t, pReports, de.Missing)
		})
		t.Run("e-mail of a colleague holding more", func(t *testing.T) {
			de := w.refused(t, func() error {
				mail := "manager+takeover@example.com"
				_, err := e.svc.UpdateStaff(e.ctx, w.manager, w.colleague, rbac.StaffUpdate{Email: &mail})
				return err
			})
			assert.Equal(t, w.colleague, de.Target)
			assert.True(t, de.Control)
			assert.Equal(t, pReports, de.Missing)
		})
		t.Run("re-enable a department holding more", func(t *testing.T) {
			on := rbac.StatusActive
			de := w.refused(t, func() error {
				_, err := e.svc.UpdateDepartment(e.ctx, w.manager, w.audit, rbac.DepartmentUpdate{Status: &on})
				return err
			})
			assert.Equal(t, w.auditor, de.Target)
			assert.False(t, de.Control)
			assert.Equal(t, pReports, de.Missing)
		})
		t.Run("password of an account whose only department is disabled", func(t *testing.T) {
			// Nothing is effective now, but whoever knows the password gets
			// reports:view the day Audit is switched back on.
			de := w.refused(t, func() error {
				_, err := e.svc.ResetPassword(e.ctx, w.manager, w.auditor)
				return err
			})
			assert.Equal(t, w.auditor, de.Target)
			assert.True(t, de.Control)
		})
		// The same manager may do all of it to an account no stronger.
		plain := e.staff("plain", w.hrID)
		_, err := e.svc.ResetPassword(e.ctx, w.manager, plain)
		require.NoError(t, err)
	})
}

// TestChangeLogRecordsEffect: every entry carries who gained and lost what.
func TestChangeLogRecordsEffect(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		w := newTakeoverWorld(t, b)
		e := w.e
		on := rbac.StatusActive
		_, err := e.svc.UpdateDepartment(e.ctx, e.admin, w.audit, rbac.DepartmentUpdate{Status: &on})
		require.NoError(t, err)
		_, err = e.svc.ResetPassword(e.ctx, e.admin, w.colleague)
		require.NoError(t, err)
		chs, err := e.svc.AuditLog(e.ctx, e.admin, rbac.ChangeQuery{AfterVersion: e.svc.Version() - 2})
		require.NoError(t, err)
		require.Len(t, chs, 2)
		assert.Equal(t, rbac.Effect{Staff: []rbac.StaffEffect{{Staff: w.auditor, Gained: []rbac.Permission{pReports}}}}, chs[0].Effect)
		assert.Equal(t, []rbac.StaffID{w.auditor}, chs[0].Effect.Gaining(pReports))
		assert.Equal(t, rbac.Effect{Control: []rbac.StaffID{w.colleague}}, chs[1].Effect)
	})
}

// TestDryRun: a planned change reports its effect, stores nothing and
// publishes nothing; a refused one reports what it would have done.
func TestDryRun(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		w := newTakeoverWorld(t, b)
		e := w.e
		for i := range 12 {
			_, err := e.svc.CreateStaff(e.ctx, e.admin, rbac.NewStaff{Login: "clerk" + string(rune('a'+i)),
				FullName: rbac.Text(language.English, "Clerk"), Departments: []rbac.DepartmentID{w.hrID}})
			require.NoError(t, err)
		}
		before := captureAll(t, e, w.watch)
		var plan rbac.Plan
		err := e.svc.EnablePermissions(rbac.WithDryRun(e.ctx, &plan), e.admin, w.hrID, pReports)
		require.NoError(t, err)
		assert.Len(t, plan.Effect().Gaining(pReports), 13, "the manager and twelve clerks")
		assert.Equal(t, rbac.OpDepartmentEnable, plan.Change.Op)
		assert.Empty(t, before.diff(captureAll(t, e, w.watch)), "a dry run changed something")
		assert.False(t, e.svc.Can(w.manager, pReports))

		var refused rbac.Plan
		on := rbac.StatusActive
		_, err = e.svc.UpdateDepartment(rbac.WithDryRun(e.ctx, &refused), w.manager, w.audit, rbac.DepartmentUpdate{Status: &on})
		require.ErrorIs(t, err, rbac.ErrPermissionDenied)
		assert.Equal(t, []rbac.StaffID{w.auditor}, refused.Effect().Gaining(pReports))
		assert.Empty(t, before.diff(captureAll(t, e, w.watch)))

		var none rbac.Plan
		require.NoError(t, e.svc.Grant(rbac.WithDryRun(e.ctx, &none), e.admin, w.colleague, pReports)) // already held through Finance
		assert.True(t, none.Effect().Empty())
	})
}
