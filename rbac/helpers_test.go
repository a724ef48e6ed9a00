package rbac_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/store"
)

// fast hashing keeps tests quick; production uses DefaultHashParams.
var fastHash = rbac.HashParams{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

type env struct {
	t     *testing.T
	ctx   context.Context
	dsn   string
	st    *store.Store
	svc   *rbac.Service
	boot  rbac.BootstrapResult
	admin rbac.StaffID
}

// newEnv opens a fresh database on backend b, migrates it, bootstraps it
// and returns the service.
func newEnv(t *testing.T, b testdb.Backend) *env {
	t.Helper()
	ctx := context.Background()
	dsn := testdb.DSN(t, b)
	st := testdb.Open(t, dsn)
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	svc, err := rbac.New(ctx, st, rbac.Options{Accounts: rbac.AccountOptions{HashParams: fastHash}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = svc.Close() })
	boot, err := svc.Bootstrap(ctx, rbac.BootstrapOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, ctx: ctx, dsn: dsn, st: st, svc: svc, boot: boot, admin: boot.Admin.ID}
}

func (e *env) dept(name string, perms ...rbac.Permission) rbac.DepartmentID {
	e.t.Helper()
	d, err := e.svc.CreateDepartment(e.ctx, e.admin, rbac.NewDepartment{Name: rbac.Text(language.English, name)})
	if err != nil {
		e.t.Fatalf("create department %q: %v", name, err)
	}
	if len(perms) > 0 {
		if err := e.svc.EnablePermissions(e.ctx, e.admin, d.ID, perms...); err != nil {
			e.t.Fatalf("enable on %q: %v", name, err)
		}
	}
	return d.ID
}

func (e *env) staff(login string, depts ...rbac.DepartmentID) rbac.StaffID {
	e.t.Helper()
	s, err := e.svc.CreateStaff(e.ctx, e.admin, rbac.NewStaff{
		Login: login, FullName: rbac.Text(language.English, login), Departments: depts})
	if err != nil {
		e.t.Fatalf("create staff %q: %v", login, err)
	}
	return s.ID
}

func (e *env) can(id rbac.StaffID, p rbac.Permission, want bool) {
	e.t.Helper()
	if got := e.svc.Can(id, p); got != want {
		e.t.Errorf("Can(%s, %s) = %v, want %v: %s", id, p, got, want, e.svc.Explain(id, p))
	}
}

var (
	pInvoicesSend = rbac.Perm(rbac.FuncInvoices, rbac.ActSend)
	pInvoicesView = rbac.Perm(rbac.FuncInvoices, rbac.ActView)
	pReports      = rbac.Perm(rbac.FuncReports, rbac.ActView)
	pSettingsEdit = rbac.Perm(rbac.FuncSettings, rbac.ActEdit)
	pTickets      = rbac.Perm(rbac.FuncSupport, rbac.ActReply)
	pServicesView = rbac.Perm(rbac.FuncServices, rbac.ActView)
	pClientsView  = rbac.Perm(rbac.FuncClients, rbac.ActView)
	pPayments     = rbac.Perm(rbac.FuncPayments, rbac.ActView)
	pStaffEdit    = rbac.Perm(rbac.FuncStaff, rbac.ActEdit)
	pStaffAdd     = rbac.Perm(rbac.FuncStaff, rbac.ActAdd)
	pDeptEdit     = rbac.Perm(rbac.FuncDepartments, rbac.ActEdit)
)

// bootWithAnn starts a Service on st, bootstraps it and creates staff
// member "ann" (in no department); the Service is closed with the test.
func bootWithAnn(t *testing.T, st rbac.Store) (*rbac.Service, rbac.BootstrapResult, rbac.Staff) {
	t.Helper()
	ctx := context.Background()
	svc, err := rbac.New(ctx, st, rbac.Options{Accounts: rbac.AccountOptions{HashParams: fastHash}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = svc.Close() })
	boot, err := svc.Bootstrap(ctx, rbac.BootstrapOptions{})
	require.NoError(t, err)
	ann, err := svc.CreateStaff(ctx, boot.Admin.ID, rbac.NewStaff{Login: "ann", FullName: rbac.Text(language.English, "Ann")})
	require.NoError(t, err)
	return svc, boot, ann
}
