package rbac_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
)

// An edit screen's save is one change: profile, departments and direct
// grants together, or nothing when any part is refused.
func TestUpdateStaffInOneChange(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e := newEnv(t, b)
		finance := e.dept("Finance", pReports)
		billing := e.dept("Billing", pInvoicesView)
		john := e.staff("john", e.boot.Sales.ID)
		require.NoError(t, e.svc.Grant(e.ctx, e.admin, john, pPayments, pInvoicesSend))

		v := e.svc.Version()
		phone := "+14155552671"
		depts := []rbac.DepartmentID{billing, finance}
		grants := []rbac.Permission{pInvoicesSend, pSettingsEdit}
		st, err := e.svc.UpdateStaff(e.ctx, e.admin, john, rbac.StaffUpdate{Phone: &phone, Departments: &depts, Grants: &grants})
		require.NoError(t, err)
		assert.Equal(t, v+1, e.svc.Version(), "one change")
		assert.ElementsMatch(t, depts, st.Departments)
		got, err := e.svc.StaffMember(e.ctx, john)
		require.NoError(t, err)
		assert.ElementsMatch(t, depts, got.Departments)
		assert.Equal(t, phone, got.Phone)
		e.can(john, pReports, true)
		e.can(john, pSettingsEdit, true)
		e.can(john, pPayments, false) // the grant went, and Sales with it
		e.can(john, pClientsView, false)

		// A manager holding less: the whole save is refused, nothing of it
		// stays, not even the profile field that alone would pass.
		mgrs := e.dept("Managers", pStaffEdit, pInvoicesView, pInvoicesSend, pSettingsEdit)
		hanna := e.staff("hanna", mgrs)
		v = e.svc.Version()
		email := "john@example.com"
		more := []rbac.DepartmentID{billing, finance, e.boot.Sales.ID}
		_, err = e.svc.UpdateStaff(e.ctx, hanna, john, rbac.StaffUpdate{Email: &email, Departments: &more})
		var de *rbac.DeniedError
		require.ErrorAs(t, err, &de)
		assert.Equal(t, rbac.DenialWouldGive, de.Code(), "%v", err)
		assert.Equal(t, v, e.svc.Version(), "a refused save commits nothing")
		got, err = e.svc.StaffMember(e.ctx, john)
		require.NoError(t, err)
		assert.Empty(t, got.Email, "not even the profile field that alone would pass")
		assert.ElementsMatch(t, depts, got.Departments)

		// Taking away direct grants she holds herself is hers to do.
		none := []rbac.Permission{}
		_, err = e.svc.UpdateStaff(e.ctx, hanna, john, rbac.StaffUpdate{Grants: &none})
		require.NoError(t, err)
		assert.Equal(t, v+1, e.svc.Version())
		e.can(john, pSettingsEdit, false)
		e.can(john, pReports, true) // inherited from Finance: untouched

		// Bad input is refused before anything is read.
		bad := []rbac.DepartmentID{billing, billing}
		unknown := []rbac.Permission{rbac.Perm("nosuch", "view")}
		_, err = e.svc.UpdateStaff(e.ctx, e.admin, john, rbac.StaffUpdate{Departments: &bad})
		var ve *rbac.ValidationError
		require.ErrorAs(t, err, &ve)
		assert.True(t, ve.Has("departments", "unique"), "%v", err)
		_, err = e.svc.UpdateStaff(e.ctx, e.admin, john, rbac.StaffUpdate{Grants: &unknown})
		require.ErrorAs(t, err, &ve)
		assert.True(t, ve.Has("permissions[0]", "unknown"), "%v", err)
		gone := []rbac.DepartmentID{9999}
		_, err = e.svc.UpdateStaff(e.ctx, e.admin, john, rbac.StaffUpdate{Departments: &gone})
		require.ErrorIs(t, err, rbac.ErrNotFound)
	})
}
