package rbac_test

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/text/language"
	"gorm.io/gorm"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
)

// faults injects one fault at the n-th SQL statement after arming: either
// the statement fails (errInjected) or the write's context is cancelled
// just before it runs.
type faults struct {
	mu     sync.Mutex
	n      int64
	seen   int64
	cancel context.CancelFunc // nil: fail the statement
	fired  atomic.Bool
}

func (f *faults) install(t *testing.T, db *gorm.DB) {
	t.Helper()
	hook := func(db *gorm.DB) {
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.n == 0 || db.Statement.Context == nil || db.Statement.Context.Value(faultKey{}) == nil {
			return // not the write under test (the listener's catch-up reads, fixtures)
		}
		if f.seen++; f.seen != f.n {
			return
		}
		f.fired.Store(true)
		if f.cancel != nil {
			f.cancel()
			return
		}
		_ = db.AddError(errInjected)
	}
	testdb.SetFault(t, db, hook)
}

func (f *faults) arm(n int64, cancel context.CancelFunc) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n, f.seen, f.cancel = n, 0, cancel
	f.fired.Store(false)
}

// faultKey marks the context of the write under test: only its statements
// count.
type faultKey struct{}

// writePath is one write of the Service, run with ctx; i makes names
// unique across attempts.
type writePath struct {
	name string
	do   func(ctx context.Context, i int) error
}

// everyWritePath returns every administrative write of the Service on e,
// each built so that it succeeds once (deletions of fixtures made here).
func everyWritePath(t *testing.T, e *env) []writePath {
	t.Helper()
	sales, support := e.boot.Sales.ID, e.boot.Support.ID
	d := e.dept("Billing", pInvoicesView, pReports)
	doomedDept := e.dept("Doomed", pReports)
	victim := e.staff("victim", sales)
	doomed := e.staff("doomed", d, support)
	mustNoErr(t, e.svc.Grant(e.ctx, e.admin, doomed, pPayments))
	pw := "correct horse battery staple 1"
	person := e.person("person", pw)
	pic := encodePNG(t, solidImage(96, 96, color.RGBA{G: 200, A: 255}))
	_, err := e.svc.SetAvatar(e.ctx, e.admin, victim, pic)
	mustNoErr(t, err)
	sch, err := e.svc.CreateSchedule(e.ctx, e.admin, supportHours())
	mustNoErr(t, err)
	doomedSch := supportHours()
	doomedSch.Name = "Doomed hours"
	doomedSchStored, err := e.svc.CreateSchedule(e.ctx, e.admin, doomedSch)
	mustNoErr(t, err)
	yes := true
	disabled := rbac.StatusDisabled
	return []writePath{
		{"create department", func(ctx context.Context, i int) error {
			_, err := e.svc.CreateDepartment(ctx, e.admin, rbac.NewDepartment{Name: rbac.Text(language.English, fmt.Sprint("New ", i))})
			return err
		}},
		{"update department", func(ctx context.Context, i int) error {
			_, err := e.svc.UpdateDepartment(ctx, e.admin, d, rbac.DepartmentUpdate{Name: rbac.Text(language.German, fmt.Sprint("Abrechnung ", i)), Status: &disabled})
			return err
		}},
		{"enable permissions", func(ctx context.Context, _ int) error {
			return e.svc.EnablePermissions(ctx, e.admin, d, pSettingsEdit, pPayments)
		}},
		{"disable permissions", func(ctx context.Context, _ int) error {
			return e.svc.DisablePermissions(ctx, e.admin, d, pInvoicesView, pReports)
		}},
		{"delete department with members and rights", func(ctx context.Context, _ int) error {
			return e.svc.DeleteDepartment(ctx, e.admin, doomedDept)
		}},
		{"create staff with password and departments", func(ctx context.Context, i int) error {
			_, err := e.svc.CreateStaff(ctx, e.admin, rbac.NewStaff{Login: fmt.Sprint("new", i), FullName: rbac.Text(language.English, "New"),
				Departments: []rbac.DepartmentID{sales, support}, Password: "another long passphrase 2"})
			return err
		}},
		{"update staff", func(ctx context.Context, i int) error {
			email := fmt.Sprintf("v%d@example.com", i)
			_, err := e.svc.UpdateStaff(ctx, e.admin, victim, rbac.StaffUpdate{Email: &email, FullAccess: &yes})
			return err
		}},
		{"join", func(ctx context.Context, _ int) error { return e.svc.AddToDepartment(ctx, e.admin, victim, support) }},
		{"leave", func(ctx context.Context, _ int) error { return e.svc.RemoveFromDepartment(ctx, e.admin, victim, sales) }},
		{"grant", func(ctx context.Context, _ int) error {
			return e.svc.Grant(ctx, e.admin, person.ID, pReports, pInvoicesSend)
		}},
		{"revoke", func(ctx context.Context, _ int) error {
			return e.svc.Revoke(ctx, e.admin, person.ID, pReports, pInvoicesSend)
		}},
		{"reset password", func(ctx context.Context, _ int) error {
			_, err := e.svc.ResetPassword(ctx, e.admin, victim)
			return err
		}},
		{"change password", func(ctx context.Context, _ int) error {
			return e.svc.ChangePassword(ctx, person.ID, pw, "a different long passphrase 3")
		}},
		{"set avatar", func(ctx context.Context, _ int) error {
			_, err := e.svc.SetAvatar(ctx, person.ID, person.ID, pic)
			return err
		}},
		{"remove avatar", func(ctx context.Context, _ int) error { return e.svc.RemoveAvatar(ctx, e.admin, victim) }},
		{"create schedule", func(ctx context.Context, i int) error {
			s := supportHours()
			s.Name = fmt.Sprint("Hours ", i)
			_, err := e.svc.CreateSchedule(ctx, e.admin, s)
			return err
		}},
		{"update schedule", func(ctx context.Context, _ int) error {
			s := supportHours()
			s.Zone = "Asia/Tokyo"
			_, err := e.svc.UpdateSchedule(ctx, e.admin, sch.ID, s)
			return err
		}},
		{"set department hours", func(ctx context.Context, _ int) error {
			_, err := e.svc.SetDepartmentHours(ctx, e.admin, support, sch.ID, 8*time.Hour)
			return err
		}},
		{"delete schedule", func(ctx context.Context, _ int) error {
			return e.svc.DeleteSchedule(ctx, e.admin, doomedSchStored.ID)
		}},
		{"delete staff with grants and departments", func(ctx context.Context, _ int) error {
			return e.svc.DeleteStaff(ctx, e.admin, doomed)
		}},
	}
}

// TestFailureInjectionEveryWritePath fails each SQL statement of every
// write path in turn: every failed call leaves every table and the
// in-memory decisions exactly as before, and each write eventually
// succeeds once past its last statement, leaving decisions that agree with
// Casbin.
func TestFailureInjectionEveryWritePath(t *testing.T) { runFaults(t, "fail") }

// TestCancelMidWriteEveryWritePath cancels the context of every write path
// just before each of its SQL statements in turn (from inside a GORM
// callback): the call fails with context.Canceled and leaves every table
// and the decisions as they were.
func TestCancelMidWriteEveryWritePath(t *testing.T) { runFaults(t, "cancel") }

func runFaults(t *testing.T, mode string) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e := newAccountEnv(t, b, rbac.AccountOptions{})
		paths := everyWritePath(t, e)
		f := &faults{}
		f.install(t, e.st.DB())
		var watch []rbac.StaffID
		for id := e.admin; id < e.admin+12; id++ { // every fixture, whatever IDs the backend skipped
			watch = append(watch, id)
		}
		// A failed attempt changes nothing, so the state after it is
		// the state before the next one: one capture per attempt.
		before := captureAll(t, e, watch)
		for _, w := range paths {
			t.Run(w.name, func(t *testing.T) {
				for n := int64(1); ; n++ {
					if n > 300 {
						t.Fatal("write never succeeded")
					}
					ctx, cancel := context.WithCancel(context.WithValue(e.ctx, faultKey{}, true))
					if mode == "fail" {
						f.arm(n, nil)
					} else {
						f.arm(n, cancel)
					}
					err := w.do(ctx, int(n))
					fired := f.fired.Load()
					f.arm(0, nil)
					cancel()
					if err == nil {
						if fired && mode == "fail" {
							t.Fatalf("statement %d failed but the write reported success", n)
						}
						after := captureAll(t, e, watch)
						if d := before.diff(after); d == "" {
							t.Fatalf("write succeeded after %d statements but changed nothing", n)
						}
						before = after
						all, err := e.svc.StaffMembers(e.ctx)
						mustNoErr(t, err)
						ids := []rbac.StaffID{424242}
						for _, s := range all {
							ids = append(ids, s.ID)
						}
						agree(t, e.svc, storedEnforcer(t, e.st), ids, e.svc.Catalog().Permissions())
						t.Logf("%d statements, each failing left no trace", n-1)
						return
					}
					want := errInjected
					if mode == "cancel" {
						want = context.Canceled
					}
					if !errors.Is(err, want) {
						t.Fatalf("statement %d: err = %v, want %v", n, err, want)
					}
					if d := before.diff(captureAll(t, e, watch)); d != "" {
						t.Fatalf("%s at statement %d changed: %s (err %v)", mode, n, d, err)
					}
				}
			})
		}
	})
}

// TestFailureInjectionBootstrap: bootstrap, the first write on a fresh
// database, fails cleanly at each statement and then succeeds.
func TestFailureInjectionBootstrap(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		st := testdb.New(t, b)
		ctx := context.Background()
		svc, err := rbac.New(ctx, st, rbac.Options{Accounts: rbac.AccountOptions{HashParams: fastHash}})
		mustNoErr(t, err)
		defer svc.Close()
		e := &env{t: t, ctx: ctx, st: st, svc: svc}
		f := &faults{}
		f.install(t, st.DB())
		for n := int64(1); ; n++ {
			if n > 100 {
				t.Fatal("bootstrap never succeeded")
			}
			before := captureAll(t, e, []rbac.StaffID{1})
			f.arm(n, nil)
			res, err := svc.Bootstrap(context.WithValue(ctx, faultKey{}, true), rbac.BootstrapOptions{})
			f.arm(0, nil)
			if err == nil {
				if !res.Created || !svc.Can(res.Admin.ID, pSettingsEdit) {
					t.Fatalf("bootstrap result %+v", res)
				}
				agree(t, svc, storedEnforcer(t, st), []rbac.StaffID{res.Admin.ID}, svc.Catalog().Permissions())
				return
			}
			if !errors.Is(err, errInjected) {
				t.Fatalf("statement %d: %v", n, err)
			}
			if d := before.diff(captureAll(t, e, []rbac.StaffID{1})); d != "" {
				t.Fatalf("failure at statement %d changed: %s", n, d)
			}
		}
	})
}
