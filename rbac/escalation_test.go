package rbac_test

import (
	"errors"
	"testing"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
)

// TestEscalationRefused: every refused administrative change returns
// ErrPermissionDenied and changes nothing.
func TestEscalationRefused(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e := newEnv(t, b)
		sales, support := e.boot.Sales.ID, e.boot.Support.ID
		// A staff manager: may add and edit staff, holds Sales' rights.
		hr := e.dept("HR", pStaffAdd, pStaffEdit, pDeptEdit, pPayments, pClientsView)
		mgr := e.staff("manager", hr, sales)
		plain := e.staff("plain", sales)
		other := e.staff("other")
		second := e.staff("second")
		yes, no := true, false
		disabled := rbac.StatusDisabled
		watch := []rbac.StaffID{e.admin, mgr, plain, other, second}

		cases := []struct {
			name string
			do   func() error
			last bool
		}{
			{"no staff rights: grant", func() error { return e.svc.Grant(e.ctx, plain, other, pPayments) }, false},
			{"no department rights: create department", func() error {
				_, err := e.svc.CreateDepartment(e.ctx, plain, rbac.NewDepartment{Name: rbac.Text(language.English, "X")})
				return err
			}, false},
			{"grant beyond own rights", func() error { return e.svc.Grant(e.ctx, mgr, other, pReports) }, false},
			{"self grant", func() error { return e.svc.Grant(e.ctx, mgr, mgr, pPayments) }, false},
			{"self join department", func() error { return e.svc.AddToDepartment(e.ctx, mgr, mgr, support) }, false},
			{"add someone to a department with rights the actor lacks", func() error {
				return e.svc.AddToDepartment(e.ctx, mgr, other, support)
			}, false},
			{"create staff in a department with rights the actor lacks", func() error {
				_, err := e.svc.CreateStaff(e.ctx, mgr, rbac.NewStaff{Login: "sneaky", FullName: rbac.Text(language.English, "S"), Departments: []rbac.DepartmentID{support}})
				return err
			}, false},
			{"create a full-access account without full access", func() error {
				_, err := e.svc.CreateStaff(e.ctx, mgr, rbac.NewStaff{Login: "root2", FullName: rbac.Text(language.English, "R"), FullAccess: true})
				return err
			}, false},
			{"give full access without full access", func() error {
				_, err := e.svc.UpdateStaff(e.ctx, mgr, other, rbac.StaffUpdate{FullAccess: &yes})
				return err
			}, false},
			{"edit a full-access account without full access", func() error {
				email := "evil@example.com"
				_, err := e.svc.UpdateStaff(e.ctx, mgr, e.admin, rbac.StaffUpdate{Email: &email})
				return err
			}, false},
			{"change own department's permissions", func() error {
				return e.svc.DisablePermissions(e.ctx, mgr, hr, pStaffAdd) // held through HR only
			}, false},
			{"admin removes own full access", func() error {
				_, err := e.svc.UpdateStaff(e.ctx, e.admin, e.admin, rbac.StaffUpdate{FullAccess: &no})
				return err
			}, false},
			{"admin deletes self", func() error { return e.svc.DeleteStaff(e.ctx, e.admin, e.admin) }, false},
			{"unknown actor", func() error { return e.svc.Grant(e.ctx, 424242, other, pPayments) }, false},
			{"system actor", func() error { return e.svc.Grant(e.ctx, rbac.SystemActor, other, pPayments) }, false},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				before := capture(t, e, watch)
				err := c.do()
				if !errors.Is(err, rbac.ErrPermissionDenied) {
					t.Fatalf("err = %v, want ErrPermissionDenied", err)
				}
				if after := capture(t, e, watch); !after.equal(before) {
					t.Fatal("a refused change changed state")
				}
			})
		}

		t.Run("disabled actor", func(t *testing.T) {
			if _, err := e.svc.UpdateStaff(e.ctx, e.admin, mgr, rbac.StaffUpdate{Status: &disabled}); err != nil {
				t.Fatal(err)
			}
			before := capture(t, e, watch)
			if err := e.svc.Grant(e.ctx, mgr, other, pPayments); !errors.Is(err, rbac.ErrPermissionDenied) {
				t.Fatalf("err = %v", err)
			}
			if !capture(t, e, watch).equal(before) {
				t.Fatal("changed state")
			}
		})

	})
}

// TestLastFullAccess: the last active full-access account cannot be
// deleted, disabled or demoted by anyone. Self-changes are refused, a
// non-full-access actor may not touch it, and a disabled one may not act;
// the ErrLastFullAccess guard in the write path backs this up (see
// TestLastFullAccessGuard in the internal tests).
func TestLastFullAccess(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e := newEnv(t, b)
		no := false
		disabled := rbac.StatusDisabled
		ops := e.dept("Ops", pStaffEdit, rbac.Perm(rbac.FuncStaff, rbac.ActDelete))
		mgr := e.staff("mgr", ops)
		attempts := map[string]func() error{
			"self delete": func() error { return e.svc.DeleteStaff(e.ctx, e.admin, e.admin) },
			"self demote": func() error {
				_, err := e.svc.UpdateStaff(e.ctx, e.admin, e.admin, rbac.StaffUpdate{FullAccess: &no})
				return err
			},
			"self disable": func() error {
				_, err := e.svc.UpdateStaff(e.ctx, e.admin, e.admin, rbac.StaffUpdate{Status: &disabled})
				return err
			},
			"delete by a staff manager": func() error { return e.svc.DeleteStaff(e.ctx, mgr, e.admin) },
			"disable by a staff manager": func() error {
				_, err := e.svc.UpdateStaff(e.ctx, mgr, e.admin, rbac.StaffUpdate{Status: &disabled})
				return err
			},
		}
		for name, do := range attempts {
			if err := do(); !errors.Is(err, rbac.ErrPermissionDenied) {
				t.Errorf("%s: err = %v, want ErrPermissionDenied", name, err)
			}
		}
		e.can(e.admin, pSettingsEdit, true)
	})
}
