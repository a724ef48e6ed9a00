package rbac_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
)

func TestCreateDepartmentWithPermissions(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e := newEnv(t, b)
		v := e.svc.Version()
		d, err := e.svc.CreateDepartment(e.ctx, e.admin, rbac.NewDepartment{
			Name:        rbac.Text(language.English, "Billing"),
			Permissions: []rbac.Permission{pReports, pInvoicesView, pInvoicesView},
		})
		require.NoError(t, err)
		assert.Equal(t, v+1, e.svc.Version(), "created with its permissions in one change")
		assert.Equal(t, []rbac.Permission{pInvoicesView, pReports}, e.svc.DepartmentPermissions(d.ID))
		log, err := e.svc.AuditLog(e.ctx, e.admin, rbac.ChangeQuery{AfterVersion: v})
		require.NoError(t, err)
		require.Len(t, log, 1)
		assert.Equal(t, rbac.OpDepartmentCreate, log[0].Op)
		assert.Len(t, log[0].Policy.Add, 2)
		ann := e.staff("ann", d.ID)
		e.can(ann, pReports, true)

		// A creator may give only what it holds: refused whole, nothing stored.
		creators := e.dept("Creators", rbac.Perm(rbac.FuncDepartments, rbac.ActAdd), pInvoicesView)
		hr := e.staff("hanna", creators)
		before, err := e.svc.Departments(e.ctx)
		require.NoError(t, err)
		v = e.svc.Version()
		_, err = e.svc.CreateDepartment(e.ctx, hr, rbac.NewDepartment{
			Name: rbac.Text(language.English, "Audit"), Permissions: []rbac.Permission{pInvoicesView, pReports}})
		var de *rbac.DeniedError
		require.ErrorAs(t, err, &de)
		assert.Equal(t, pReports, de.Missing)
		_, err = e.svc.CreateDepartment(e.ctx, e.admin, rbac.NewDepartment{
			Name: rbac.Text(language.English, "Audit"), Permissions: []rbac.Permission{rbac.Perm("nosuch", "view")}})
		var ve *rbac.ValidationError
		require.ErrorAs(t, err, &ve)
		assert.True(t, ve.Has("permissions[0]", "unknown"), "%v", err)
		after, err := e.svc.Departments(e.ctx)
		require.NoError(t, err)
		assert.Equal(t, v, e.svc.Version(), "a refused call commits nothing")
		assert.Len(t, after, len(before), "no department half created")

		// What it holds it may give.
		audit, err := e.svc.CreateDepartment(e.ctx, hr, rbac.NewDepartment{
			Name: rbac.Text(language.English, "Audit"), Permissions: []rbac.Permission{pInvoicesView}})
		require.NoError(t, err)
		assert.Equal(t, []rbac.Permission{pInvoicesView}, e.svc.DepartmentPermissions(audit.ID))
	})
}
