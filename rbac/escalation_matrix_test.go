package rbac_test

import (
	"errors"
	"image/color"
	"testing"
	"time"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
)

// TestEscalationMatrix runs every administrative operation of the Service
// as every kind of actor that must be refused: no rights at all, partial
// rights (staff:add and some billing rights, but not what the operation
// needs or gives), a disabled full-access account, a staff manager
// changing their own privileges, a staff manager without full access
// touching a full-access account, the system actor and an unknown ID.
// Each attempt returns ErrPermissionDenied and leaves every table and
// every in-memory decision as it was.
func TestEscalationMatrix(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e := newEnv(t, b)
		sales, support := e.boot.Sales.ID, e.boot.Support.ID
		yes := true
		st := rbac.StatusDisabled

		none := e.staff("nobody")
		partial := e.staff("partial", e.dept("Front desk", pStaffAdd, pInvoicesView, pTickets))
		all := e.svc.Catalog().Permissions()
		var mgmt []rbac.Permission
		for _, p := range all {
			if p.Function == rbac.FuncStaff || p.Function == rbac.FuncDepartments || p == pReports || p == pPayments || p == pInvoicesSend {
				mgmt = append(mgmt, p)
			}
		}
		manager := e.staff("manager", e.dept("HR", mgmt...), sales)
		dis, err := e.svc.CreateStaff(e.ctx, e.admin, rbac.NewStaff{Login: "disabled", FullName: rbac.Text(language.English, "D"), FullAccess: true})
		mustNoErr(t, err)
		_, err = e.svc.UpdateStaff(e.ctx, e.admin, dis.ID, rbac.StaffUpdate{Status: &st})
		mustNoErr(t, err)
		root2, err := e.svc.CreateStaff(e.ctx, e.admin, rbac.NewStaff{Login: "root2", FullName: rbac.Text(language.English, "R"), FullAccess: true})
		mustNoErr(t, err)
		victim := e.staff("victim", sales)
		mustNoErr(t, e.svc.Grant(e.ctx, e.admin, victim, pPayments))
		mustNoErr(t, e.svc.Grant(e.ctx, e.admin, root2.ID, pPayments))
		mustNoErr(t, e.svc.Grant(e.ctx, e.admin, manager, pPayments)) // also from HR: revoking it is a self change
		pic := encodePNG(t, solidImage(96, 96, color.RGBA{R: 200, A: 255}))
		for _, id := range []rbac.StaffID{victim, manager, root2.ID} {
			_, err := e.svc.SetAvatar(e.ctx, e.admin, id, pic)
			mustNoErr(t, err)
		}
		sch, err := e.svc.CreateSchedule(e.ctx, e.admin, supportHours())
		mustNoErr(t, err)
		target := e.dept("Target", pInvoicesView)
		mustNoErr(t, e.svc.AddToDepartment(e.ctx, e.admin, root2.ID, target)) // something for "leave department" to take

		// An operation is run by actor on target staff member s (ignored by
		// operations that take none).
		type op struct {
			name   string
			onStaf bool // takes a target staff member: self and full-access columns apply
			do     func(actor, s rbac.StaffID) error
			selfOK bool // allowed on oneself (own e-mail, own avatar): not an escalation
		}
		ops := []op{
			{"create department", false, func(a, _ rbac.StaffID) error {
				_, err := e.svc.CreateDepartment(e.ctx, a, rbac.NewDepartment{Name: rbac.Text(language.English, "Escalated")})
				return err
			}, false},
			{"rename department", false, func(a, _ rbac.StaffID) error {
				_, err := e.svc.UpdateDepartment(e.ctx, a, target, rbac.DepartmentUpdate{Name: rbac.Text(language.English, "Renamed")})
				return err
			}, false},
			{"disable department", false, func(a, _ rbac.StaffID) error {
				_, err := e.svc.UpdateDepartment(e.ctx, a, support, rbac.DepartmentUpdate{Status: &st})
				return err
			}, false},
			{"delete department", false, func(a, _ rbac.StaffID) error { return e.svc.DeleteDepartment(e.ctx, a, target) }, false},
			{"enable permissions beyond own", false, func(a, _ rbac.StaffID) error {
				return e.svc.EnablePermissions(e.ctx, a, target, pSettingsEdit)
			}, false},
			{"disable permissions", false, func(a, _ rbac.StaffID) error {
				return e.svc.DisablePermissions(e.ctx, a, target, pInvoicesView)
			}, false},
			{"create schedule", false, func(a, _ rbac.StaffID) error {
				s := supportHours()
				s.Name = "Escalated hours"
				_, err := e.svc.CreateSchedule(e.ctx, a, s)
				return err
			}, false},
			{"update schedule", false, func(a, _ rbac.StaffID) error {
				s := supportHours()
				s.Zone = "UTC"
				_, err := e.svc.UpdateSchedule(e.ctx, a, sch.ID, s)
				return err
			}, false},
			{"delete schedule", false, func(a, _ rbac.StaffID) error { return e.svc.DeleteSchedule(e.ctx, a, sch.ID) }, false},
			{"set department hours", false, func(a, _ rbac.StaffID) error {
				_, err := e.svc.SetDepartmentHours(e.ctx, a, support, sch.ID, 4*time.Hour)
				return err
			}, false},
			{"create staff in a department with rights beyond own", false, func(a, _ rbac.StaffID) error {
				_, err := e.svc.CreateStaff(e.ctx, a, rbac.NewStaff{Login: "sneak", FullName: rbac.Text(language.English, "S"),
					Departments: []rbac.DepartmentID{support}})
				return err
			}, false},
			{"create full-access staff", false, func(a, _ rbac.StaffID) error {
				_, err := e.svc.CreateStaff(e.ctx, a, rbac.NewStaff{Login: "sneak2", FullName: rbac.Text(language.English, "S"), FullAccess: true})
				return err
			}, false},
			{"read audit log", false, func(a, _ rbac.StaffID) error {
				_, err := e.svc.AuditLog(e.ctx, a, rbac.ChangeQuery{})
				return err
			}, false},
			{"edit e-mail", true, func(a, s rbac.StaffID) error {
				email := "attacker@example.com"
				_, err := e.svc.UpdateStaff(e.ctx, a, s, rbac.StaffUpdate{Email: &email})
				return err
			}, true},
			{"give full access", true, func(a, s rbac.StaffID) error {
				_, err := e.svc.UpdateStaff(e.ctx, a, s, rbac.StaffUpdate{FullAccess: &yes})
				if s == root2.ID {
					no := false // root2 already has it: take it away instead
					_, err = e.svc.UpdateStaff(e.ctx, a, s, rbac.StaffUpdate{FullAccess: &no})
				}
				return err
			}, false},
			{"disable staff", true, func(a, s rbac.StaffID) error {
				_, err := e.svc.UpdateStaff(e.ctx, a, s, rbac.StaffUpdate{Status: &st})
				return err
			}, false},
			{"delete staff", true, func(a, s rbac.StaffID) error { return e.svc.DeleteStaff(e.ctx, a, s) }, false},
			{"join department", true, func(a, s rbac.StaffID) error { return e.svc.AddToDepartment(e.ctx, a, s, support) }, false},
			{"leave department", true, func(a, s rbac.StaffID) error {
				if !e.svc.IsMember(s, sales) {
					return e.svc.RemoveFromDepartment(e.ctx, a, s, target)
				}
				return e.svc.RemoveFromDepartment(e.ctx, a, s, sales)
			}, false},
			{"grant", true, func(a, s rbac.StaffID) error { return e.svc.Grant(e.ctx, a, s, pReports) }, false},
			{"revoke", true, func(a, s rbac.StaffID) error { return e.svc.Revoke(e.ctx, a, s, pPayments) }, false},
			{"reset password", true, func(a, s rbac.StaffID) error {
				_, err := e.svc.ResetPassword(e.ctx, a, s)
				return err
			}, false},
			{"set avatar", true, func(a, s rbac.StaffID) error {
				_, err := e.svc.SetAvatar(e.ctx, a, s, pic)
				return err
			}, true},
			{"remove avatar", true, func(a, s rbac.StaffID) error {
				return e.svc.RemoveAvatar(e.ctx, a, s)
			}, true},
		}
		type actor struct {
			name     string
			id       rbac.StaffID
			target   rbac.StaffID
			staffOps bool // only operations on a staff member apply
		}
		actors := []actor{
			{"no rights", none, victim, false},
			{"partial rights", partial, victim, false},
			{"disabled full access", dis.ID, victim, false},
			{"system actor", rbac.SystemActor, victim, false},
			{"unknown actor", 424242, victim, false},
			{"self", manager, manager, true},
			{"non-full-access on full-access target", manager, root2.ID, true},
		}
		watch := []rbac.StaffID{e.admin, none, partial, manager, dis.ID, root2.ID, victim}
		n := 0
		// Every attempt is refused, so the state never moves: one capture
		// before all of them, one after each.
		before := captureAll(t, e, watch)
		for _, a := range actors {
			for _, o := range ops {
				if a.staffOps && !o.onStaf || a.id == a.target && o.selfOK {
					continue
				}
				t.Run(a.name+"/"+o.name, func(t *testing.T) {
					err := o.do(a.id, a.target)
					if !errors.Is(err, rbac.ErrPermissionDenied) {
						t.Fatalf("err = %v, want ErrPermissionDenied", err)
					}
					if d := before.diff(captureAll(t, e, watch)); d != "" {
						t.Fatalf("a refused change changed: %s", d)
					}
				})
				n++
			}
		}
		if n < 100 {
			t.Fatalf("only %d cases", n)
		}
		// The fixture is sound: the admin may do what everyone above was
		// refused (spot check), so the refusals were about the actor.
		mustNoErr(t, e.svc.Grant(e.ctx, e.admin, victim, pReports))
		mustNoErr(t, e.svc.EnablePermissions(e.ctx, e.admin, target, pSettingsEdit))
	})
}

// TestEscalationMatrixTakeover is the matrix's takeover column: a staff
// manager holding every staff and department right but not reports:view
// tries every way to act as, or switch on, an account that holds
// reports:view (control is power). Each is refused with
// ErrPermissionDenied naming the account and the permission, and changes
// nothing; the same manager then does each of them to an account it
// dominates.
func TestEscalationMatrixTakeover(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e := newEnv(t, b)
		var mgmt []rbac.Permission
		for _, p := range e.svc.Catalog().Permissions() {
			if p.Function == rbac.FuncStaff || p.Function == rbac.FuncDepartments {
				mgmt = append(mgmt, p)
			}
		}
		manager := e.staff("manager", e.dept("HR", mgmt...))
		finance := e.dept("Finance", pReports)
		audit := e.dept("Audit", pReports)
		off, on := rbac.StatusDisabled, rbac.StatusActive
		_, err := e.svc.UpdateDepartment(e.ctx, e.admin, audit, rbac.DepartmentUpdate{Status: &off})
		mustNoErr(t, err)
		colleague := e.staff("colleague", finance)
		auditor := e.staff("auditor", audit) // reports:view suspended with Audit
		leaver := e.staff("leaver", finance)
		_, err = e.svc.UpdateStaff(e.ctx, e.admin, leaver, rbac.StaffUpdate{Status: &off})
		mustNoErr(t, err)
		plain := e.staff("plain") // holds nothing: the manager dominates it
		_, err = e.svc.UpdateStaff(e.ctx, e.admin, plain, rbac.StaffUpdate{Status: &off})
		mustNoErr(t, err)

		str := func(s string) *string { return &s }
		cases := []struct {
			name   string
			target rbac.StaffID // the account that would be taken over
			do     func(target rbac.StaffID) error
		}{
			{"reset password", colleague, func(s rbac.StaffID) error { _, err := e.svc.ResetPassword(e.ctx, manager, s); return err }},
			{"change e-mail", colleague, func(s rbac.StaffID) error {
				_, err := e.svc.UpdateStaff(e.ctx, manager, s, rbac.StaffUpdate{Email: str("takeover@example.com")})
				return err
			}},
			{"change login", colleague, func(s rbac.StaffID) error {
				_, err := e.svc.UpdateStaff(e.ctx, manager, s, rbac.StaffUpdate{Login: str("takeover")})
				return err
			}},
			{"change phone", colleague, func(s rbac.StaffID) error {
				_, err := e.svc.UpdateStaff(e.ctx, manager, s, rbac.StaffUpdate{Phone: str("+14155550100")})
				return err
			}},
			{"link an external subject (sign-in by SSO)", colleague, func(s rbac.StaffID) error {
				sub := rbac.ExternalSubject("oidc|takeover-" + s.String())
				_, err := e.svc.UpdateStaff(e.ctx, manager, s, rbac.StaffUpdate{Subject: &sub})
				return err
			}},
			{"reset password of an account whose department is disabled", auditor, func(s rbac.StaffID) error {
				_, err := e.svc.ResetPassword(e.ctx, manager, s)
				return err
			}},
			{"switch a disabled account back on", leaver, func(s rbac.StaffID) error {
				_, err := e.svc.UpdateStaff(e.ctx, manager, s, rbac.StaffUpdate{Status: &on})
				return err
			}},
			{"switch a disabled department back on", auditor, func(rbac.StaffID) error {
				_, err := e.svc.UpdateDepartment(e.ctx, manager, audit, rbac.DepartmentUpdate{Status: &on})
				return err
			}},
		}
		watch := []rbac.StaffID{e.admin, manager, colleague, auditor, leaver, plain}
		before := captureAll(t, e, watch)
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				err := c.do(c.target)
				var de *rbac.DeniedError
				if !errors.As(err, &de) || !errors.Is(err, rbac.ErrPermissionDenied) {
					t.Fatalf("err = %v, want a *DeniedError", err)
				}
				if de.Target != c.target || de.Missing != pReports {
					t.Errorf("refusal names staff %s and %q, want %s and %s", de.Target, de.Missing, c.target, pReports)
				}
				if d := before.diff(captureAll(t, e, watch)); d != "" {
					t.Fatalf("a refused change changed: %s", d)
				}
			})
		}
		// The refusals were about the target: on an account holding no more
		// than the manager, every one of them goes through.
		for _, c := range cases[:5] {
			mustNoErr(t, c.do(plain), c.name)
		}
		_, err = e.svc.UpdateStaff(e.ctx, manager, plain, rbac.StaffUpdate{Status: &on})
		mustNoErr(t, err)
	})
}
