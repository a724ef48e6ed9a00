package rbac_test

import (
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"

	"golang.org/x/text/language"
	"gorm.io/gorm"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
)

var errInjected = errors.New("injected failure")

// failAt makes the n-th SQL statement (counting from 1) after arming fail.
type failAt struct {
	n, seen atomic.Int64
}

func (f *failAt) install(t *testing.T, db *gorm.DB) {
	t.Helper()
	hook := func(db *gorm.DB) {
		if f.n.Load() > 0 && f.seen.Add(1) == f.n.Load() {
			_ = db.AddError(errInjected)
		}
	}
	testdb.SetFault(t, db, hook)
}

func (f *failAt) arm(n int64) { f.seen.Store(0); f.n.Store(n) }

// state is everything a failed write must leave as it was.
type state struct {
	rules     []string
	staff     int64
	depts     int64
	changes   int64
	version   int64
	decisions []bool
}

func capture(t *testing.T, e *env, ids []rbac.StaffID) state {
	t.Helper()
	rules, version, err := e.st.LoadPolicy(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	s := state{version: version,
		staff: testdb.Count(t, e.st.DB(), "billingrbac_staff"), depts: testdb.Count(t, e.st.DB(), "billingrbac_departments"),
		changes: testdb.Count(t, e.st.DB(), "billingrbac_changes")}
	for _, r := range rules {
		s.rules = append(s.rules, r.String())
	}
	slices.Sort(s.rules)
	for _, id := range ids {
		for _, p := range e.svc.Catalog().Permissions() {
			s.decisions = append(s.decisions, e.svc.Can(id, p))
		}
	}
	return s
}

func (a state) equal(b state) bool {
	return slices.Equal(a.rules, b.rules) && a.staff == b.staff && a.depts == b.depts &&
		a.changes == b.changes && a.version == b.version && slices.Equal(a.decisions, b.decisions)
}

// TestFailureLeavesNothing fails each statement of multi-row writes in turn:
// every failure leaves the database and the decisions exactly as before,
// and the write eventually succeeds once past its last statement.
func TestFailureLeavesNothing(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e := newEnv(t, b)
		d3 := e.dept("Billing", pInvoicesView, pReports)
		depts := []rbac.DepartmentID{e.boot.Sales.ID, e.boot.Support.ID, d3}
		victim := e.staff("victim", e.boot.Sales.ID)
		f := &failAt{}
		f.install(t, e.st.DB())

		writes := []struct {
			name string
			do   func(i int) error
		}{
			{"create staff with three departments", func(i int) error {
				_, err := e.svc.CreateStaff(e.ctx, e.admin, rbac.NewStaff{Login: fmt.Sprintf("new%d", i),
					FullName: rbac.Text(language.English, "New"), Departments: depts})
				return err
			}},
			{"delete department with members", func(int) error { return e.svc.DeleteDepartment(e.ctx, e.admin, d3) }},
			{"grant two permissions", func(int) error {
				return e.svc.Grant(e.ctx, e.admin, victim, pInvoicesSend, pReports)
			}},
			{"delete staff", func(int) error { return e.svc.DeleteStaff(e.ctx, e.admin, victim) }},
		}
		watch := []rbac.StaffID{e.admin, victim, victim + 1, victim + 2}
		for _, w := range writes {
			t.Run(w.name, func(t *testing.T) {
				for n := int64(1); ; n++ {
					if n > 200 {
						t.Fatal("write never succeeded")
					}
					before := capture(t, e, watch)
					f.arm(n)
					err := w.do(int(n))
					f.arm(0)
					if err == nil {
						if after := capture(t, e, watch); after.equal(before) {
							t.Fatalf("write succeeded at statement %d but changed nothing", n)
						}
						t.Logf("%s: %d statements failed one by one, then it succeeded", w.name, n-1)
						return
					}
					if !errors.Is(err, errInjected) {
						t.Fatalf("statement %d: err = %v, want the injected failure", n, err)
					}
					if after := capture(t, e, watch); !after.equal(before) {
						t.Fatalf("failure at statement %d changed state:\nbefore %+v\nafter  %+v", n, before, after)
					}
				}
			})
		}
	})
}
