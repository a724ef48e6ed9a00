package rbactest

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/store"
)

// fastHash keeps bootstrapping quick; a test instance's passwords protect
// nothing.
var fastHash = rbac.HashParams{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// Instance is a working billingrbac instance on a private in-memory SQLite
// database, built from a Fixture.
type Instance struct {
	Service *rbac.Service
	Store   *store.Store
	// Admin is the bootstrapped full-access account ("admin"), which
	// applied the fixture.
	Admin rbac.StaffID

	staff  map[string]rbac.StaffID
	logins map[rbac.StaffID]string
	depts  map[string]rbac.DepartmentID
	names  map[rbac.DepartmentID]string
}

// New builds an instance from f and closes it when the test ends. It
// stops the test (Fatalf) when the fixture cannot be applied.
func New(tb testing.TB, f Fixture) *Instance {
	tb.Helper()
	in, err := Build(context.Background(), f, rbac.Options{})
	if err != nil {
		tb.Fatalf("rbactest: %v", err)
		return nil
	}
	tb.Cleanup(func() { _ = in.Close() })
	return in
}

// Build builds an instance from f with the given service options (a
// Catalog with application functions, a DecisionLog...). The caller closes
// it. Errors: the fixture's *rbac.ValidationError (rbac.ErrInvalid), or
// the rbac error of the change that failed, naming the fixture entry.
func Build(ctx context.Context, f Fixture, opts rbac.Options) (*Instance, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, ":memory:")
	if err != nil {
		return nil, err
	}
	if err := st.Migrate(ctx); err != nil {
		_ = st.Close()
		return nil, err
	}
	svc, err := rbac.New(ctx, st, opts)
	if err != nil {
		_ = st.Close()
		return nil, err
	}
	in := &Instance{Service: svc, Store: st,
		staff: map[string]rbac.StaffID{}, logins: map[rbac.StaffID]string{},
		depts: map[string]rbac.DepartmentID{}, names: map[rbac.DepartmentID]string{}}
	if err := in.apply(ctx, f); err != nil {
		_ = in.Close()
		return nil, err
	}
	return in, nil
}

func (in *Instance) apply(ctx context.Context, f Fixture) error {
	svc := in.Service
	boot, err := svc.Bootstrap(ctx, rbac.BootstrapOptions{HashParams: fastHash})
	if err != nil {
		return fmt.Errorf("bootstrap: %w", err)
	}
	in.Admin = boot.Admin.ID
	in.addStaff(boot.Admin.Login, boot.Admin.ID)
	in.addDept(defaultSales, boot.Sales.ID)
	in.addDept(defaultSupport, boot.Support.ID)
	admin := boot.Admin.ID
	for i, fd := range f.Departments {
		where := fmt.Sprintf("departments[%d] %q", i, fd.Name)
		perms, _ := parsePerms(fd.Permissions) // checked by Validate
		id, exists := in.depts[fd.Name]
		if !exists {
			d, err := svc.CreateDepartment(ctx, admin, rbac.NewDepartment{
				Name: rbac.Text(language.English, fd.Name), AcceptsClientRequests: fd.AcceptsClientRequests})
			if err != nil {
				return fmt.Errorf("%s: %w", where, err)
			}
			id = d.ID
			in.addDept(fd.Name, id)
		} else if fd.AcceptsClientRequests {
			v := true
			if _, err := svc.UpdateDepartment(ctx, admin, id, rbac.DepartmentUpdate{AcceptsClientRequests: &v}); err != nil {
				return fmt.Errorf("%s: %w", where, err)
			}
		}
		if exists && fd.Permissions != nil {
			var drop []rbac.Permission
			for _, p := range svc.DepartmentPermissions(id) {
				if !slices.Contains(perms, p) {
					drop = append(drop, p)
				}
			}
			if len(drop) > 0 {
				if err := svc.DisablePermissions(ctx, admin, id, drop...); err != nil {
					return fmt.Errorf("%s: %w", where, err)
				}
			}
		}
		if len(perms) > 0 {
			if err := svc.EnablePermissions(ctx, admin, id, perms...); err != nil {
				return fmt.Errorf("%s: %w", where, err)
			}
		}
		if fd.Disabled {
			st := rbac.StatusDisabled
			if _, err := svc.UpdateDepartment(ctx, admin, id, rbac.DepartmentUpdate{Status: &st}); err != nil {
				return fmt.Errorf("%s: %w", where, err)
			}
		}
	}
	for i, fs := range f.Staff {
		where := fmt.Sprintf("staff[%d] %q", i, fs.Login)
		name := fs.Name
		if name == "" {
			name = fs.Login
		}
		ns := rbac.NewStaff{Login: fs.Login, FullName: rbac.Text(language.English, name), FullAccess: fs.FullAccess}
		for _, d := range fs.Departments {
			ns.Departments = append(ns.Departments, in.depts[d])
		}
		if fs.Disabled {
			ns.Status = rbac.StatusDisabled
		}
		st, err := svc.CreateStaff(ctx, admin, ns)
		if err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		in.addStaff(st.Login, st.ID)
		if perms, _ := parsePerms(fs.Grants); len(perms) > 0 {
			if err := svc.Grant(ctx, admin, st.ID, perms...); err != nil {
				return fmt.Errorf("%s: %w", where, err)
			}
		}
	}
	return nil
}

func (in *Instance) addStaff(login string, id rbac.StaffID) {
	in.staff[login] = id
	in.logins[id] = login
}

func (in *Instance) addDept(name string, id rbac.DepartmentID) {
	in.depts[name] = id
	in.names[id] = name
}

func parsePerms(ss []string) ([]rbac.Permission, error) {
	out := make([]rbac.Permission, 0, len(ss))
	for _, s := range ss {
		p, err := rbac.ParsePermission(s)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// StaffID returns the ID of the staff member with login, or 0 (denied
// everything) when the fixture has no such login.
func (in *Instance) StaffID(login string) rbac.StaffID { return in.staff[login] }

// DepartmentID returns the ID of the department named name in English, or
// 0 when there is none.
func (in *Instance) DepartmentID(name string) rbac.DepartmentID { return in.depts[name] }

// Close closes the service and its database.
func (in *Instance) Close() error {
	err := in.Service.Close()
	if cerr := in.Store.Close(); err == nil {
		err = cerr
	}
	return err
}
