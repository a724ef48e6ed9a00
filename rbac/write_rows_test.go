package rbac_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
)

// TestWriteStaffRows: a write about a staff member (as its actor or its
// target) goes ahead only if the account has a row, whether the decision
// index answers (the account holds rules) or the row is read (it holds
// none); a refused write changes nothing.
func TestWriteStaffRows(t *testing.T) {
	for _, be := range testdb.Backends(t) {
		t.Run(string(be), func(t *testing.T) {
			e := newEnv(t, be)
			d := e.dept("Billing", pInvoicesView, pStaffEdit)
			holder := e.staff("holder", d) // rules in the index
			bare := e.staff("bare")        // a row, no rules
			gone := e.staff("gone", d)
			require.NoError(t, e.svc.DeleteStaff(e.ctx, e.admin, gone))

			refused := func(err error, want error) {
				t.Helper()
				v := e.svc.Version()
				require.ErrorIs(t, err, want)
				require.Equal(t, v, e.svc.Version(), "a refused write committed a change")
			}
			// Targets.
			refused(e.svc.Grant(e.ctx, e.admin, 424242, pInvoicesSend), rbac.ErrNotFound)
			refused(e.svc.Grant(e.ctx, e.admin, gone, pInvoicesSend), rbac.ErrNotFound)
			refused(e.svc.AddToDepartment(e.ctx, e.admin, gone, d), rbac.ErrNotFound)
			require.NoError(t, e.svc.Grant(e.ctx, e.admin, bare, pInvoicesSend))
			require.NoError(t, e.svc.Grant(e.ctx, e.admin, holder, pInvoicesSend))
			e.can(bare, pInvoicesSend, true)
			e.can(holder, pInvoicesSend, true)
			// Actors.
			for _, actor := range []rbac.StaffID{gone, 424242} {
				err := e.svc.Grant(e.ctx, actor, bare, pInvoicesView)
				refused(err, rbac.ErrPermissionDenied)
				var de *rbac.DeniedError
				require.True(t, errors.As(err, &de))
				require.Equal(t, rbac.DenialNoActor, de.Code(), "actor %s: %v", actor, err)
			}
			require.NoError(t, e.svc.Revoke(e.ctx, holder, bare, pInvoicesSend), "holder holds staff:edit and invoices:send")
			e.can(bare, pInvoicesSend, false)
		})
	}
}
