package rbactest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/rbac"
)

// checkAdmin runs an administrative expectation on a fresh copy of the
// instance: for may, the call must succeed and then hold on the copy; for
// may_not, it must be refused with the expected sentinel and change
// nothing (every table row and every decision).
func (in *Instance) checkAdmin(ctx context.Context, e *Expectation) string {
	op, verb := e.May, "may"
	if op == nil {
		op, verb = e.MayNot, "may not"
	}
	what := fmt.Sprintf("%s %s %s", e.As, verb, op)
	cp, err := in.copy(ctx)
	if err != nil {
		return fmt.Sprintf("%s: %v", what, err)
	}
	defer cp.Close()
	before, err := cp.snapshot(ctx)
	if err != nil {
		return fmt.Sprintf("%s: snapshot: %v", what, err)
	}
	err = cp.do(ctx, cp.StaffID(e.As), op)
	if e.May != nil {
		if err != nil {
			return fmt.Sprintf("%s: refused: %v", what, err)
		}
		var bad []string
		for k := range e.Then {
			if msg := cp.check(ctx, &e.Then[k]); msg != "" {
				bad = append(bad, fmt.Sprintf("then[%d]: %s", k, msg))
			}
		}
		if len(bad) > 0 {
			return fmt.Sprintf("%s: done, but\n  %s", what, strings.Join(bad, "\n  "))
		}
		return ""
	}
	after, serr := cp.snapshot(ctx)
	if serr != nil {
		return fmt.Sprintf("%s: snapshot: %v", what, serr)
	}
	want := e.Error
	if want == "" {
		want = "permission denied"
	}
	switch {
	case err == nil:
		return fmt.Sprintf("%s: the call succeeded; it changed:\n  %s", what, diff(before, after))
	case !errors.Is(err, refusals[want]):
		return fmt.Sprintf("%s: refused with %v, want %s", what, err, want)
	case !slices.Equal(before, after):
		return fmt.Sprintf("%s: refused (%v), but it changed:\n  %s", what, err, diff(before, after))
	}
	return ""
}

// String describes the operation as messages show it: "grant john
// reports:view".
func (op *AdminOp) String() string {
	switch {
	case op.Grant != nil:
		return fmt.Sprintf("grant %s %s", op.Grant.Staff, strings.Join(op.Grant.Permissions, " "))
	case op.Revoke != nil:
		return fmt.Sprintf("revoke %s %s", op.Revoke.Staff, strings.Join(op.Revoke.Permissions, " "))
	case op.AddToDepartment != nil:
		return fmt.Sprintf("add %s to %q", op.AddToDepartment.Staff, op.AddToDepartment.Department)
	case op.RemoveFromDepartment != nil:
		return fmt.Sprintf("remove %s from %q", op.RemoveFromDepartment.Staff, op.RemoveFromDepartment.Department)
	case op.ResetPassword != "":
		return "reset the password of " + op.ResetPassword
	case op.UpdateStaff != nil:
		u := op.UpdateStaff
		var f []string
		for _, s := range []struct {
			name string
			v    *string
		}{{"login", u.Login}, {"name", u.Name}, {"email", u.Email}, {"phone", u.Phone}} {
			if s.v != nil {
				f = append(f, fmt.Sprintf("%s=%q", s.name, *s.v))
			}
		}
		if u.FullAccess != nil {
			f = append(f, fmt.Sprintf("full_access=%v", *u.FullAccess))
		}
		if u.Disabled != nil {
			f = append(f, fmt.Sprintf("disabled=%v", *u.Disabled))
		}
		return fmt.Sprintf("update %s %s", u.Staff, strings.Join(f, " "))
	case op.EnablePermissions != nil:
		return fmt.Sprintf("enable %s on %q", strings.Join(op.EnablePermissions.Permissions, " "), op.EnablePermissions.Department)
	case op.DisablePermissions != nil:
		return fmt.Sprintf("disable %s on %q", strings.Join(op.DisablePermissions.Permissions, " "), op.DisablePermissions.Department)
	case op.ReEnable != nil && op.ReEnable.Staff != "":
		return "re-enable " + op.ReEnable.Staff
	case op.ReEnable != nil:
		return fmt.Sprintf("re-enable %q", op.ReEnable.Department)
	}
	return "nothing"
}

// do performs op as actor through the Service.
func (in *Instance) do(ctx context.Context, actor rbac.StaffID, op *AdminOp) error {
	svc := in.Service
	perms := func(ss []string) []rbac.Permission { ps, _ := parsePerms(ss); return ps }
	active, disabled := rbac.StatusActive, rbac.StatusDisabled
	switch {
	case op.Grant != nil:
		return svc.Grant(ctx, actor, in.StaffID(op.Grant.Staff), perms(op.Grant.Permissions)...)
	case op.Revoke != nil:
		return svc.Revoke(ctx, actor, in.StaffID(op.Revoke.Staff), perms(op.Revoke.Permissions)...)
	case op.AddToDepartment != nil:
		m := op.AddToDepartment
		return svc.AddToDepartment(ctx, actor, in.StaffID(m.Staff), in.DepartmentID(m.Department))
	case op.RemoveFromDepartment != nil:
		m := op.RemoveFromDepartment
		return svc.RemoveFromDepartment(ctx, actor, in.StaffID(m.Staff), in.DepartmentID(m.Department))
	case op.ResetPassword != "":
		_, err := svc.ResetPassword(ctx, actor, in.StaffID(op.ResetPassword))
		return err
	case op.UpdateStaff != nil:
		u := op.UpdateStaff
		up := rbac.StaffUpdate{Login: u.Login, Email: u.Email, Phone: u.Phone, FullAccess: u.FullAccess}
		if u.Name != nil {
			up.FullName = rbac.Text(language.English, *u.Name)
		}
		if u.Disabled != nil {
			up.Status = &active
			if *u.Disabled {
				up.Status = &disabled
			}
		}
		_, err := svc.UpdateStaff(ctx, actor, in.StaffID(u.Staff), up)
		return err
	case op.EnablePermissions != nil:
		d := op.EnablePermissions
		return svc.EnablePermissions(ctx, actor, in.DepartmentID(d.Department), perms(d.Permissions)...)
	case op.DisablePermissions != nil:
		d := op.DisablePermissions
		return svc.DisablePermissions(ctx, actor, in.DepartmentID(d.Department), perms(d.Permissions)...)
	case op.ReEnable != nil && op.ReEnable.Staff != "":
		_, err := svc.UpdateStaff(ctx, actor, in.StaffID(op.ReEnable.Staff), rbac.StaffUpdate{Status: &active})
		return err
	case op.ReEnable != nil:
		_, err := svc.UpdateDepartment(ctx, actor, in.DepartmentID(op.ReEnable.Department), rbac.DepartmentUpdate{Status: &active})
		return err
	}
	return fmt.Errorf("rbactest: no operation: %w", rbac.ErrInvalid)
}

// snapshot renders the copy's whole state as sorted lines: every row of
// every table of its database (SQLite, or the current PostgreSQL schema), and every staff member's decisions (flags
// and effective permissions with their sources) from the Service.
func (in *Instance) snapshot(ctx context.Context) ([]string, error) {
	db := in.Store.DB().WithContext(ctx)
	list := "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
	if db.Dialector.Name() == "postgres" {
		list = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name"
	}
	var tables []string
	if err := db.Raw(list).Scan(&tables).Error; err != nil {
		return nil, err
	}
	var out []string
	for _, t := range tables {
		rows, err := db.Raw(`SELECT * FROM "` + t + `"`).Rows()
		if err != nil {
			return nil, err
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				_ = rows.Close()
				return nil, err
			}
			parts := make([]string, len(cols))
			for i, c := range cols {
				v := vals[i]
				if b, ok := v.([]byte); ok {
					v = string(b)
				}
				parts[i] = fmt.Sprintf("%s=%v", c, v)
			}
			out = append(out, "row "+t+": "+strings.Join(parts, " "))
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	all, err := in.Service.StaffMembers(ctx)
	if err != nil {
		return nil, err
	}
	for _, s := range all {
		out = append(out, fmt.Sprintf("decision %s: full access %v, status %s", s.Login, in.Service.IsFullAccess(s.ID), s.Status))
		for _, p := range in.Service.Catalog().Permissions() {
			if d := in.Service.Explain(s.ID, p); d.Allowed {
				out = append(out, fmt.Sprintf("decision %s: %s by %s", s.Login, p, reasonList(in.reasons(d))))
			}
		}
	}
	slices.Sort(out)
	return out, nil
}

// diff lists what differs between two snapshots, at most 12 lines.
func diff(before, after []string) string {
	var out []string
	for _, l := range before {
		if _, ok := slices.BinarySearch(after, l); !ok {
			out = append(out, "- "+l)
		}
	}
	for _, l := range after {
		if _, ok := slices.BinarySearch(before, l); !ok {
			out = append(out, "+ "+l)
		}
	}
	if len(out) == 0 {
		return "nothing"
	}
	if len(out) > 12 {
		out = append(out[:12], fmt.Sprintf("... and %d more", len(out)-12))
	}
	return strings.Join(out, "\n  ")
}
