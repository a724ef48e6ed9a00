package rbactest_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/rbactest"
)

// rbactest's assertions take the interface testify's assertions take, so
// anything testify reports to (a *testing.T, assert.CollectT, a mock T)
// works with both.
var (
	_ rbactest.TestingT = assert.TestingT(nil)
	_ assert.TestingT   = rbactest.TestingT(nil)
)

// TestWithTestify shows rbactest and testify side by side: require for
// preconditions, rbactest's assertions where a failure should show the
// decision's explanation, assert for everything else.
func TestWithTestify(t *testing.T) {
	in := rbactest.New(t, rbactest.Fixture{
		Departments: []rbactest.FixtureDepartment{{Name: "Billing", Permissions: []string{"invoices:view"}}},
		Staff: []rbactest.FixtureStaff{
			{Login: "john", Departments: []string{"Sales department", "Billing"}, Grants: []string{"invoices:send"}},
		},
	})
	john := in.StaffID("john")
	require.NotZero(t, john, "the fixture creates john")
	send := rbac.Perm(rbac.FuncInvoices, rbac.ActSend)

	// On failure: "want john (staff 2) allowed invoices:send, got denied:
	// john may not invoices:send: missing invoices:send; held by ...".
	rbactest.AssertCan(t, in.Service, john, send)
	rbactest.AssertCannot(t, in.Service, john, rbac.Perm(rbac.FuncSettings, rbac.ActEdit))

	var holders []rbac.StaffID
	for h := range in.Service.WhoCan(send).All() {
		holders = append(holders, h.Staff)
	}
	assert.ElementsMatch(t, []rbac.StaffID{in.Admin, john}, holders)
	assert.Equal(t, []rbac.Permission{rbac.Perm(rbac.FuncInvoices, rbac.ActView)},
		in.Service.DepartmentPermissions(in.DepartmentID("Billing")))

	// A testify collector takes rbactest's assertions too: here it
	// records the failure of a deliberately wrong one instead of failing.
	c := &assert.CollectT{}
	assert.False(t, rbactest.AssertCannot(c, in.Service, john, send))
}
