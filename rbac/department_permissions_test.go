package rbac_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
)

func TestSetDepartmentPermissions(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e := newEnv(t, b)
		billing := e.dept("Billing", pInvoicesView, pReports)
		ann := e.staff("ann", billing)

		// One change adds and takes away: one version, one log entry.
		v := e.svc.Version()
		require.NoError(t, e.svc.SetDepartmentPermissions(e.ctx, e.admin, billing, pInvoicesSend, pInvoicesView, pInvoicesView))
		assert.Equal(t, v+1, e.svc.Version())
		assert.Equal(t, []rbac.Permission{pInvoicesView, pInvoicesSend}, e.svc.DepartmentPermissions(billing))
		e.can(ann, pInvoicesSend, true)
		e.can(ann, pReports, false)
		log, err := e.svc.AuditLog(e.ctx, e.admin, rbac.ChangeQuery{AfterVersion: v})
		require.NoError(t, err)
		require.Len(t, log, 1)
		assert.Equal(t, rbac.OpDepartmentPermissions, log[0].Op)
		var before, after []rbac.Permission
		require.NoError(t, json.Unmarshal(log[0].Before, &before))
		require.NoError(t, json.Unmarshal(log[0].After, &after))
		assert.Equal(t, []rbac.Permission{pInvoicesView, pReports}, before)
		assert.Equal(t, []rbac.Permission{pInvoicesView, pInvoicesSend}, after)
		assert.Len(t, log[0].Policy.Add, 1)
		assert.Len(t, log[0].Policy.Remove, 1)

		// The same set again changes nothing.
		require.NoError(t, e.svc.SetDepartmentPermissions(e.ctx, e.admin, billing, pInvoicesSend, pInvoicesView))
		assert.Equal(t, v+1, e.svc.Version())

		// Refusals change nothing: an unknown permission, a manager who
		// lacks what would be taken away, a manager of their own department.
		managers := e.dept("Managers", pDeptEdit)
		mgr := e.staff("mgr", managers)
		v = e.svc.Version()
		err = e.svc.SetDepartmentPermissions(e.ctx, e.admin, billing, rbac.Perm("nosuch", "view"))
		var ve *rbac.ValidationError
		require.ErrorAs(t, err, &ve)
		assert.True(t, ve.Has("permissions[0]", "unknown"), "%v", err)

		err = e.svc.SetDepartmentPermissions(e.ctx, mgr, billing, pInvoicesView)
		var de *rbac.DeniedError
		require.ErrorAs(t, err, &de)
		assert.Equal(t, pInvoicesSend, de.Missing)
		err = e.svc.SetDepartmentPermissions(e.ctx, mgr, managers, pDeptEdit, pInvoicesView)
		require.ErrorIs(t, err, rbac.ErrPermissionDenied)
		err = e.svc.SetDepartmentPermissions(e.ctx, e.admin, 9999)
		require.ErrorIs(t, err, rbac.ErrNotFound)
		assert.Equal(t, v, e.svc.Version(), "a refused call commits nothing")
		assert.Equal(t, []rbac.Permission{pInvoicesView, pInvoicesSend}, e.svc.DepartmentPermissions(billing))

		// An empty set takes everything away.
		require.NoError(t, e.svc.SetDepartmentPermissions(e.ctx, e.admin, billing))
		assert.Empty(t, e.svc.DepartmentPermissions(billing))
		e.can(ann, pInvoicesView, false)

		// Bounded before anything is read.
		many := make([]rbac.Permission, max(rbac.MaxPermissionsPerCall, len(e.svc.Catalog().Permissions()))+1)
		err = e.svc.SetDepartmentPermissions(e.ctx, e.admin, billing, many...)
		require.ErrorAs(t, err, &ve)
		assert.True(t, ve.Has("permissions", "max_count"), "%v", err)
		assert.False(t, errors.Is(err, rbac.ErrNotFound))
	})
}
