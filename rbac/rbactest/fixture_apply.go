package rbactest

import (
	"context"
	"fmt"
	"slices"
	"time"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/clients"
)

// apply makes every change of f through the services, as the
// bootstrapped admin, so it is validated and authorized like production
// changes. Errors name the fixture entry ("staff[2] \"john\": ...").
func (in *Instance) apply(ctx context.Context, f Fixture) error {
	if err := in.load(ctx); err != nil {
		return err
	}
	svc, admin := in.Service, in.Admin
	schedules := map[string]rbac.ScheduleID{}
	for i, fs := range f.Schedules {
		st, err := svc.CreateSchedule(ctx, admin, fs.schedule())
		if err != nil {
			return fmt.Errorf("schedules[%d] %q: %w", i, fs.Name, err)
		}
		schedules[fs.Name] = st.ID
	}
	for i, fd := range f.Departments {
		if err := in.applyDepartment(ctx, fd, schedules); err != nil {
			return fmt.Errorf("departments[%d] %q: %w", i, fd.Name, err)
		}
	}
	for i, fs := range f.Staff {
		if err := in.applyStaff(ctx, fs); err != nil {
			return fmt.Errorf("staff[%d] %q: %w", i, fs.Login, err)
		}
	}
	for i, fc := range f.Clients {
		if err := in.applyClient(ctx, fc); err != nil {
			return fmt.Errorf("clients[%d] %q: %w", i, fc.Name, err)
		}
	}
	return nil
}

func (in *Instance) applyDepartment(ctx context.Context, fd FixtureDepartment, schedules map[string]rbac.ScheduleID) error {
	svc, admin := in.Service, in.Admin
	perms, _ := parsePerms(fd.Permissions) // checked by Validate
	var lang language.Tag
	if fd.TaskLanguage != "" {
		lang, _ = language.Parse(fd.TaskLanguage)
	}
	id, exists := in.depts[fd.Name]
	if !exists {
		d, err := svc.CreateDepartment(ctx, admin, rbac.NewDepartment{
			Name: rbac.Text(language.English, fd.Name), AcceptsClientRequests: fd.AcceptsClientRequests, TaskLanguage: lang})
		if err != nil {
			return err
		}
		id = d.ID
		in.depts[fd.Name], in.names[id] = id, fd.Name
	} else {
		var up rbac.DepartmentUpdate
		if fd.AcceptsClientRequests {
			up.AcceptsClientRequests = &fd.AcceptsClientRequests
		}
		if fd.TaskLanguage != "" {
			up.TaskLanguage = &lang
		}
		if up.AcceptsClientRequests != nil || up.TaskLanguage != nil {
			if _, err := svc.UpdateDepartment(ctx, admin, id, up); err != nil {
				return err
			}
		}
		if fd.Permissions != nil {
			var drop []rbac.Permission
			for _, p := range svc.DepartmentPermissions(id) {
				if !slices.Contains(perms, p) {
					drop = append(drop, p)
				}
			}
			if len(drop) > 0 {
				if err := svc.DisablePermissions(ctx, admin, id, drop...); err != nil {
					return err
				}
			}
		}
	}
	if len(perms) > 0 {
		if err := svc.EnablePermissions(ctx, admin, id, perms...); err != nil {
			return err
		}
	}
	if fd.Schedule != "" || fd.ResponseTarget != "" {
		target, _ := time.ParseDuration(fd.ResponseTarget) // checked by Validate; "" is 0
		sch := rbac.AlwaysOpenSchedule
		if fd.Schedule != "" {
			sch = schedules[fd.Schedule]
		}
		if _, err := svc.SetDepartmentHours(ctx, admin, id, sch, target); err != nil {
			return err
		}
	}
	if fd.Disabled {
		st := rbac.StatusDisabled
		if _, err := svc.UpdateDepartment(ctx, admin, id, rbac.DepartmentUpdate{Status: &st}); err != nil {
			return err
		}
	}
	return nil
}

func (in *Instance) applyStaff(ctx context.Context, fs FixtureStaff) error {
	name := fs.Name
	if name == "" {
		name = fs.Login
	}
	ns := rbac.NewStaff{Login: fs.Login, FullName: rbac.Text(language.English, name), Email: fs.Email,
		Phone: fs.Phone, Password: fs.Password, FullAccess: fs.FullAccess}
	for _, d := range fs.Departments {
		ns.Departments = append(ns.Departments, in.depts[d])
	}
	if fs.Disabled {
		ns.Status = rbac.StatusDisabled
	}
	st, err := in.Service.CreateStaff(ctx, in.Admin, ns)
	if err != nil {
		return err
	}
	in.staff[st.Login], in.logins[st.ID] = st.ID, st.Login
	if perms, _ := parsePerms(fs.Grants); len(perms) > 0 {
		return in.Service.Grant(ctx, in.Admin, st.ID, perms...)
	}
	return nil
}

func (in *Instance) applyClient(ctx context.Context, fc FixtureClient) error {
	cs, admin := in.Clients, clients.ByStaff(in.Admin)
	first := clientUser(fc.FirstUser)
	nc := clients.NewClient{Name: fc.Name, Email: fc.Email, FirstUser: first}
	if fc.Disabled {
		nc.Status = rbac.StatusDisabled
	}
	c, err := cs.CreateClient(ctx, admin, nc)
	if err != nil {
		return err
	}
	roles := map[string]clients.RoleID{}
	for j, fr := range fc.Roles {
		r, err := cs.CreateRole(ctx, admin, c.ID, clients.NewRole{Name: fr.Name})
		if err != nil {
			return fmt.Errorf("roles[%d] %q: %w", j, fr.Name, err)
		}
		roles[fr.Name] = r.ID
		if len(fr.Permissions) == 0 {
			continue
		}
		perms := make([]clients.Permission, 0, len(fr.Permissions))
		for _, s := range fr.Permissions {
			p, _ := clients.ParsePermission(s) // checked by Validate
			perms = append(perms, p)
		}
		if _, err := cs.UpdateRole(ctx, admin, r.ID, clients.RoleUpdate{Permissions: &perms}); err != nil {
			return fmt.Errorf("roles[%d] %q: %w", j, fr.Name, err)
		}
	}
	for j, fu := range fc.Users {
		nu := clientUser(fu)
		for _, r := range fu.Roles {
			nu.Roles = append(nu.Roles, roles[r])
		}
		if _, err := cs.CreateUser(ctx, admin, c.ID, nu); err != nil {
			return fmt.Errorf("users[%d] %q: %w", j, fu.Login, err)
		}
	}
	return nil
}

func clientUser(fu FixtureClientUser) clients.NewUser {
	name := fu.Name
	if name == "" {
		name = fu.Login
	}
	nu := clients.NewUser{Login: fu.Login, Name: name, Email: fu.Email}
	if fu.Disabled {
		nu.Status = rbac.StatusDisabled
	}
	return nu
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
