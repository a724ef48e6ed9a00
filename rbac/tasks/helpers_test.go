package tasks_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/tasks"
	"github.com/billingrbac/billingrbac/store"
)

var fastHash = rbac.HashParams{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

type env struct {
	t     testing.TB
	ctx   context.Context
	st    *store.Store
	svc   *rbac.Service
	ts    *tasks.Service
	admin rbac.StaffID
	sales rbac.DepartmentID
	supp  rbac.DepartmentID

	mu      sync.Mutex
	missing []tasks.Missing
}

// newEnv returns a bootstrapped rbac service and a task service on a fresh
// database of backend b. Sales and Technical support get every tasks right.
func newEnv(t testing.TB, b testdb.Backend, opts tasks.Options) *env {
	t.Helper()
	ctx := context.Background()
	st := testdb.New(t, b)
	svc, err := rbac.New(ctx, st, rbac.Options{Accounts: rbac.AccountOptions{HashParams: fastHash}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = svc.Close() })
	boot, err := svc.Bootstrap(ctx, rbac.BootstrapOptions{})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, ctx: ctx, st: st, svc: svc, admin: boot.Admin.ID, sales: boot.Sales.ID, supp: boot.Support.ID}
	for _, d := range []rbac.DepartmentID{e.sales, e.supp} {
		if err := svc.EnablePermissions(ctx, e.admin, d, tasks.PermView, tasks.PermTake, tasks.PermClose, tasks.PermCancel); err != nil {
			t.Fatal(err)
		}
	}
	if opts.Now == nil {
		c := &clock{t: time.Date(2026, 3, 5, 9, 0, 0, 0, time.UTC)}
		opts.Now = c.Now
	}
	if opts.OnMissing == nil {
		opts.OnMissing = func(_ tasks.Task, m tasks.Missing) {
			e.mu.Lock()
			e.missing = append(e.missing, m)
			e.mu.Unlock()
		}
	}
	e.ts, err = tasks.New(svc, st, opts)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) dept(name string, lang language.Tag) rbac.DepartmentID {
	e.t.Helper()
	d, err := e.svc.CreateDepartment(e.ctx, e.admin, rbac.NewDepartment{Name: rbac.Text(language.English, name), TaskLanguage: lang})
	if err != nil {
		e.t.Fatalf("create department %q: %v", name, err)
	}
	if err := e.svc.EnablePermissions(e.ctx, e.admin, d.ID, tasks.PermView, tasks.PermTake, tasks.PermClose, tasks.PermCancel); err != nil {
		e.t.Fatal(err)
	}
	return d.ID
}

func (e *env) staff(login string, depts ...rbac.DepartmentID) rbac.StaffID {
	e.t.Helper()
	s, err := e.svc.CreateStaff(e.ctx, e.admin, rbac.NewStaff{Login: login, FullName: rbac.Text(language.English, login), Departments: depts})
	if err != nil {
		e.t.Fatalf("create staff %q: %v", login, err)
	}
	return s.ID
}

func (e *env) setLanguage(d rbac.DepartmentID, tag language.Tag) {
	e.t.Helper()
	if _, err := e.svc.UpdateDepartment(e.ctx, e.admin, d, rbac.DepartmentUpdate{TaskLanguage: &tag}); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) disable(d rbac.DepartmentID) {
	e.t.Helper()
	off := rbac.StatusDisabled
	if _, err := e.svc.UpdateDepartment(e.ctx, e.admin, d, rbac.DepartmentUpdate{Status: &off}); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) generate(in tasks.NewTask) tasks.Task {
	e.t.Helper()
	t, err := e.ts.Generate(e.ctx, in)
	if err != nil {
		e.t.Fatalf("generate %+v: %v", in, err)
	}
	return t
}

func (e *env) takeMissing() []tasks.Missing {
	e.mu.Lock()
	defer e.mu.Unlock()
	m := e.missing
	e.missing = nil
	return m
}

// suspend returns a manual suspend task for service name, optionally in
// department d.
func suspend(name string, d rbac.DepartmentID) tasks.NewTask {
	return tasks.NewTask{Kind: tasks.KindManual, Operation: tasks.OpSuspend, Department: d,
		Service: tasks.ServiceRef{ID: 1, Name: name, ProductType: "vds", Tariff: "VPS-2"},
		Client:  tasks.ClientRef{ID: 7, Name: "Acme Ltd"}}
}

func isDenied(err error) bool { return errors.Is(err, rbac.ErrPermissionDenied) }
