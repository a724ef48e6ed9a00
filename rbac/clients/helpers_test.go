package clients_test

import (
	"context"
	"testing"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/clients"
	"github.com/billingrbac/billingrbac/store"
)

var fastHash = rbac.HashParams{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

type env struct {
	t     testing.TB
	ctx   context.Context
	dsn   string
	st    *store.Store
	staff *rbac.Service
	svc   *clients.Service
	boot  rbac.BootstrapResult
	admin clients.Actor // full-access staff
}

func newEnv(t testing.TB, b testdb.Backend) *env {
	t.Helper()
	ctx := context.Background()
	dsn := testdb.DSN(t, b)
	st := testdb.Open(t, dsn)
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	staff, err := rbac.New(ctx, st, rbac.Options{Accounts: rbac.AccountOptions{HashParams: fastHash}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = staff.Close() })
	boot, err := staff.Bootstrap(ctx, rbac.BootstrapOptions{})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := clients.New(ctx, st.ClientStore(), staff, clients.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, ctx: ctx, dsn: dsn, st: st, staff: staff, svc: svc, boot: boot, admin: clients.ByStaff(boot.Admin.ID)}
}

// staffIn creates a staff member in the given departments.
func (e *env) staffIn(login string, depts ...rbac.DepartmentID) rbac.StaffID {
	e.t.Helper()
	s, err := e.staff.CreateStaff(e.ctx, e.boot.Admin.ID, rbac.NewStaff{
		Login: login, FullName: rbac.Text(language.English, login), Departments: depts})
	if err != nil {
		e.t.Fatalf("create staff %q: %v", login, err)
	}
	return s.ID
}

// client creates a client account; its first user's login is login.
func (e *env) client(login string) clients.Client {
	e.t.Helper()
	c, err := e.svc.CreateClient(e.ctx, e.admin, clients.NewClient{
		Name: "Client " + login, FirstUser: clients.NewUser{Login: login, Name: "Owner " + login}})
	if err != nil {
		e.t.Fatalf("create client %q: %v", login, err)
	}
	return c
}

func (e *env) user(actor clients.Actor, c clients.ClientID, login string, roles ...clients.RoleID) clients.User {
	e.t.Helper()
	u, err := e.svc.CreateUser(e.ctx, actor, c, clients.NewUser{Login: login, Name: "User " + login, Roles: roles})
	if err != nil {
		e.t.Fatalf("create user %q: %v", login, err)
	}
	return u
}

func (e *env) role(actor clients.Actor, c clients.ClientID, name string, perms ...clients.Permission) clients.Role {
	e.t.Helper()
	r, err := e.svc.CreateRole(e.ctx, actor, c, clients.NewRole{Name: name})
	if err != nil {
		e.t.Fatalf("create role %q: %v", name, err)
	}
	if len(perms) > 0 {
		r, err = e.svc.UpdateRole(e.ctx, actor, r.ID, clients.RoleUpdate{Permissions: &perms})
		if err != nil {
			e.t.Fatalf("set permissions of role %q: %v", name, err)
		}
	}
	return r
}

// reopen returns a new Service loaded from the same database.
func (e *env) reopen() *clients.Service {
	e.t.Helper()
	svc, err := clients.New(e.ctx, e.st.ClientStore(), e.staff, clients.Options{})
	if err != nil {
		e.t.Fatal(err)
	}
	return svc
}

func svcOf(id clients.ClientID) clients.Resource {
	return clients.Resource{Kind: clients.KindService, ID: 100 + int64(id), Owner: id}
}
