package rbac

import (
	"context"
	"fmt"
	"slices"
)

// OpDepartmentPermissions records a department's permission set replaced
// as a whole (SetDepartmentPermissions).
const OpDepartmentPermissions Operation = "department.permissions"

// SetDepartmentPermissions makes perms the whole permission set of
// department id, in one change: what perms lacks is taken away and what it
// adds is given, so an admin screen's grid of checkboxes is saved at once
// (its members never see a half-saved grid). An empty perms takes every
// permission away. The change log entry holds the set before and after.
//
// The rules are those of EnablePermissions and DisablePermissions together:
// the actor needs departments:edit and must hold every permission added or
// taken away, and the change may not move the actor's own access (through
// a department they belong to). Setting the set the department already holds is a no-op.
// Errors: ErrInvalid (an unknown permission, or more permissions than the
// catalog holds and MaxPermissionsPerCall), ErrNotFound,
// ErrPermissionDenied.
func (s *Service) SetDepartmentPermissions(ctx context.Context, actor StaffID, id DepartmentID, perms ...Permission) error {
	const op = "set department permissions"
	want, err := s.permissionSet(op, perms)
	if err != nil {
		return err
	}
	_, err = s.writeRules(ctx, func(w *txn) error {
		if err := w.authorize(op, actor, Perm(FuncDepartments, ActEdit)); err != nil {
			return err
		}
		if _, err := w.tx.Department(id); err != nil {
			return fmt.Errorf("%s %s: %w", op, id, err)
		}
		before := w.deptPerms(id)
		var moved []Permission // added or taken away
		for _, p := range want {
			if !slices.Contains(before, p) {
				moved = append(moved, p)
			}
		}
		for _, p := range before {
			if !slices.Contains(want, p) {
				moved = append(moved, p)
			}
		}
		if len(moved) == 0 {
			return nil
		}
		sub := DepartmentSubject(id)
		for _, p := range before {
			if !slices.Contains(want, p) {
				w.remove(GrantRule(sub, p))
			}
		}
		for _, p := range want {
			w.add(GrantRule(sub, p))
		}
		w.record(actor, OpDepartmentPermissions, sub.String(), before, want)
		return nil
	})
	return err
}

// permissionSet checks a whole permission set: bounded before it is read
// (by the catalog's size, so a full set always fits, and at least
// MaxPermissionsPerCall), every entry in the catalog, duplicates dropped.
// The set comes back in catalog order.
func (s *Service) permissionSet(op string, perms []Permission) ([]Permission, error) {
	var fe fieldErrors
	all := s.catalog.Permissions()
	if limit := max(MaxPermissionsPerCall, len(all)); len(perms) > limit {
		fe.add("permissions", "max_count", "at most %d permissions, not %d", limit, len(perms))
		return nil, fe.err(op)
	}
	for i, p := range perms {
		if !s.catalog.Has(p) {
			fe.add(fmt.Sprintf("permissions[%d]", i), "unknown", "%s is not a registered function and action", p)
		}
	}
	if err := fe.err(op); err != nil {
		return nil, err
	}
	out := make([]Permission, 0, len(perms))
	for _, p := range all {
		if slices.Contains(perms, p) {
			out = append(out, p)
		}
	}
	return out, nil
}
