package rbac_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
)

// The product's own rules, on every backend.
func TestProductRules(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e := newEnv(t, b)
		sales, support := e.boot.Sales.ID, e.boot.Support.ID

		t.Run("new department can do nothing", func(t *testing.T) {
			d := e.dept("Billing")
			if got := e.svc.DepartmentPermissions(d); len(got) != 0 {
				t.Fatalf("new department holds %v", got)
			}
			s := e.staff("newbie", d)
			for _, p := range e.svc.Catalog().Permissions() {
				e.can(s, p, false)
			}
		})

		t.Run("technical support works tickets services clients, not reports or settings", func(t *testing.T) {
			s := e.staff("tech", support)
			e.can(s, pTickets, true)
			e.can(s, pServicesView, true)
			e.can(s, pClientsView, true)
			e.can(s, pReports, false)
			e.can(s, pSettingsEdit, false)
			e.can(s, pInvoicesView, false)
		})

		t.Run("john gets invoices only through his direct grant and keeps sales rights", func(t *testing.T) {
			john := e.staff("john", sales)
			e.can(john, pInvoicesSend, false)
			if err := e.svc.Grant(e.ctx, e.admin, john, pInvoicesSend); err != nil {
				t.Fatal(err)
			}
			e.can(john, pInvoicesSend, true)
			e.can(john, pPayments, true)
			d := e.svc.Explain(john, pInvoicesSend)
			if !d.Allowed || !slices.Equal(d.Sources, []rbac.Source{{Kind: rbac.SourceDirect}}) {
				t.Fatalf("explain = %+v", d)
			}
			d = e.svc.Explain(john, pPayments)
			if !slices.Equal(d.Sources, []rbac.Source{{Kind: rbac.SourceDepartment, Department: sales}}) {
				t.Fatalf("payments sources = %+v", d.Sources)
			}
			eff := e.svc.EffectivePermissions(john)
			for _, ep := range eff {
				if ep.Editable != (ep.Permission == pInvoicesSend) {
					t.Errorf("%s editable = %v", ep.Permission, ep.Editable)
				}
			}
		})

		t.Run("union across departments", func(t *testing.T) {
			s := e.staff("both", sales, support)
			e.can(s, pPayments, true) // sales only
			e.can(s, pTickets, true)  // support only
			srcs := e.svc.Explain(s, pServicesView).Sources
			if len(srcs) != 2 {
				t.Fatalf("services:view sources = %v, want both departments", srcs)
			}
		})

		t.Run("revoking an inherited right fails naming the department", func(t *testing.T) {
			s := e.staff("inh", sales)
			err := e.svc.Revoke(e.ctx, e.admin, s, pPayments)
			var ie *rbac.InheritedError
			if !errors.Is(err, rbac.ErrInheritedPermission) || !errors.As(err, &ie) {
				t.Fatalf("err = %v", err)
			}
			if !slices.Equal(ie.Departments, []rbac.DepartmentID{sales}) {
				t.Fatalf("departments = %v", ie.Departments)
			}
			e.can(s, pPayments, true)
		})

		t.Run("full access covers a function registered later", func(t *testing.T) {
			p := rbac.Perm("domains", "transfer")
			e.can(e.admin, p, true)
			if err := e.svc.Catalog().Register("domains", "Domains", "transfer"); err != nil {
				t.Fatal(err)
			}
			e.can(e.admin, p, true)
			s := e.staff("nodomains", sales)
			e.can(s, p, false)
		})

		t.Run("disabled staff are denied everything", func(t *testing.T) {
			s := e.staff("gone", sales)
			if err := e.svc.Grant(e.ctx, e.admin, s, pInvoicesSend); err != nil {
				t.Fatal(err)
			}
			dis := rbac.StatusDisabled
			if _, err := e.svc.UpdateStaff(e.ctx, e.admin, s, rbac.StaffUpdate{Status: &dis}); err != nil {
				t.Fatal(err)
			}
			e.can(s, pPayments, false)
			e.can(s, pInvoicesSend, false)
			if d := e.svc.Explain(s, pPayments); !d.Disabled || d.Allowed {
				t.Fatalf("explain = %+v", d)
			}
		})

		t.Run("disabled department grants nothing", func(t *testing.T) {
			d := e.dept("Temp", pReports)
			s := e.staff("temp", d)
			e.can(s, pReports, true)
			dis := rbac.StatusDisabled
			if _, err := e.svc.UpdateDepartment(e.ctx, e.admin, d, rbac.DepartmentUpdate{Status: &dis}); err != nil {
				t.Fatal(err)
			}
			e.can(s, pReports, false)
			if st, _ := e.svc.StaffMember(e.ctx, s); st.Status != rbac.StatusActive {
				t.Fatalf("member status = %v, want active", st.Status)
			}
		})

		t.Run("deny explains the missing permission and departments that hold it", func(t *testing.T) {
			s := e.staff("lacks")
			d := e.svc.Explain(s, pPayments)
			if d.Allowed || !slices.Contains(d.WouldGrant, sales) {
				t.Fatalf("explain = %+v", d)
			}
			err := e.svc.Check(s, pPayments)
			var de *rbac.DeniedError
			if !errors.Is(err, rbac.ErrPermissionDenied) || !errors.As(err, &de) || de.Missing != pPayments {
				t.Fatalf("check = %v", err)
			}
		})
	})
}
