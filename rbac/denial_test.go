package rbac_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
)

// Every refusal carries a code for programs and a reason for people that
// names accounts by login and departments by name, never by number.
func TestDenialCodesAndNames(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e := newEnv(t, b)
		finance := e.dept("Finance", pReports, pInvoicesView)
		hr := e.dept("People", pStaffEdit, pInvoicesView, rbac.Perm(rbac.FuncDepartments, rbac.ActEdit))
		hanna := e.staff("hanna", hr)
		john := e.staff("john", finance)
		nobody := e.staff("nobody")
		off := e.staff("offline", hr)
		disabled := rbac.StatusDisabled
		_, err := e.svc.UpdateStaff(e.ctx, e.admin, off, rbac.StaffUpdate{Status: &disabled})
		require.NoError(t, err)

		cases := []struct {
			name   string
			call   func() error
			code   rbac.DenialCode
			reason []string // substrings of the reason
		}{
			{"lacks what the operation needs", func() error { return e.svc.Grant(e.ctx, nobody, john, pInvoicesView) },
				rbac.DenialMissingPermission, []string{"nobody lacks staff:edit"}},
			{"would give what the actor lacks", func() error { return e.svc.Grant(e.ctx, hanna, john, pReports) },
				rbac.DenialWouldGive, []string{"hanna", "reports:view", "john"}},
			{"would give through a department", func() error {
				return e.svc.EnablePermissions(e.ctx, hanna, finance, pSettingsEdit)
			}, rbac.DenialWouldGive, []string{"hanna", "settings:edit", `department "Finance"`}},
			{"control of a stronger account", func() error {
				_, err := e.svc.ResetPassword(e.ctx, hanna, john)
				return err
			}, rbac.DenialControl, []string{"hanna", "john", "reports:view"}},
			{"full access only", func() error {
				_, err := e.svc.UpdateStaff(e.ctx, hanna, e.admin, rbac.StaffUpdate{FullName: rbac.Text(language.English, "x")})
				return err
			}, rbac.DenialFullAccessOnly, []string{"full-access", "(admin)"}},
			{"own privileges", func() error { return e.svc.Grant(e.ctx, hanna, hanna, pInvoicesView) },
				rbac.DenialSelfChange, []string{"own privileges"}},
			{"own password", func() error {
				_, err := e.svc.ResetPassword(e.ctx, hanna, hanna)
				return err
			}, rbac.DenialSelfChange, []string{"ChangePassword"}},
			{"disabled actor", func() error { return e.svc.Grant(e.ctx, off, john, pInvoicesView) },
				rbac.DenialActorDisabled, []string{"offline is disabled"}},
			{"no actor", func() error { return e.svc.Grant(e.ctx, rbac.SystemActor, john, pInvoicesView) },
				rbac.DenialNoActor, nil},
		}
		for _, c := range cases {
			v := e.svc.Version()
			err := c.call()
			var de *rbac.DeniedError
			require.ErrorAs(t, err, &de, c.name)
			assert.Equal(t, c.code, de.Code(), "%s: %v", c.name, err)
			for _, want := range c.reason {
				assert.Contains(t, de.Reason, want, c.name)
			}
			assert.NotRegexp(t, `(staff|staff member|department) [0-9]`, de.Reason, "%s: numbers shown to people", c.name)
			assert.Equal(t, v, e.svc.Version(), c.name)
		}

		// A refused Check: the code from its decision; Describe names.
		err = e.svc.Check(john, pSettingsEdit)
		var de *rbac.DeniedError
		require.ErrorAs(t, err, &de)
		assert.Equal(t, rbac.DenialMissingPermission, de.Code())
		var dd *rbac.DeniedError
		require.ErrorAs(t, e.svc.Check(off, pInvoicesView), &dd)
		assert.Equal(t, rbac.DenialActorDisabled, dd.Code(), "a disabled account's check, without building its explanation")
		if d, ok := dd.Decision(); assert.True(t, ok) {
			assert.True(t, d.Disabled, "the code agrees with the explanation")
		}
		d, ok := de.Decision()
		require.True(t, ok)
		assert.Equal(t, "john may not settings:edit: missing settings:edit", e.svc.Describe(e.ctx, d))
		assert.Equal(t, `john may reports:view: allowed by department "Finance"`, e.svc.Describe(e.ctx, e.svc.Explain(john, pReports)))
	})
}
