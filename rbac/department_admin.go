package rbac

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// CreateDepartment creates a department, in one change with the
// permissions of in.Permissions (none: it starts with nothing). The actor
// needs departments:add and must hold every permission it gives. Errors:
// ErrInvalid (a bad field or an unknown permission), ErrConflict (a name
// already used by another department in the same language),
// ErrPermissionDenied.
func (s *Service) CreateDepartment(ctx context.Context, actor StaffID, in NewDepartment) (Department, error) {
	const op = "create department"
	if err := in.Validate(); err != nil {
		return Department{}, err
	}
	perms, err := s.permissionSet(op, in.Permissions)
	if err != nil {
		return Department{}, err
	}
	d := Department{
		Name:                  in.Name,
		AcceptsClientRequests: in.AcceptsClientRequests,
		TaskLanguage:          in.TaskLanguage,
		SortOrder:             in.SortOrder,
	}
	if d.TaskLanguage.IsRoot() {
		d.TaskLanguage = s.lang
	}
	_, err = s.write(ctx, func(w *txn) error {
		if err := w.authorize(op, actor, Perm(FuncDepartments, ActAdd)); err != nil {
			return err
		}
		if err := w.uniqueDepartmentName(op, 0, d.Name); err != nil {
			return err
		}
		if err := w.tx.CreateDepartment(&d); err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		for _, p := range perms {
			w.add(GrantRule(DepartmentSubject(d.ID), p))
		}
		w.record(actor, OpDepartmentCreate, DepartmentSubject(d.ID).String(), nil, d)
		return nil
	})
	return d, err
}

// uniqueDepartmentName refuses a name another department uses in the same
// language (compared case-insensitively).
func (w *txn) uniqueDepartmentName(op string, self DepartmentID, name LocalizedText) error {
	all, err := w.tx.Departments()
	if err != nil {
		return err
	}
	for _, o := range all {
		if o.ID == self {
			continue
		}
		for tag, v := range name {
			if ov, ok := o.Name[tag]; ok && strings.EqualFold(ov, v) {
				return fmt.Errorf("%s: name %q (%s) is used by department %s: %w", op, v, tag, o.ID, ErrConflict)
			}
		}
	}
	return nil
}

// UpdateDepartment changes a department's name, flags, sort order or status.
// The actor needs departments:edit; switching a department back on needs
// every permission it gives its members, and a status change may not move
// the actor's own access. A disabled department grants nothing to its
// members, receives no client requests and no tasks. Errors:
// ErrInvalid, ErrNotFound, ErrConflict, ErrPermissionDenied.
func (s *Service) UpdateDepartment(ctx context.Context, actor StaffID, id DepartmentID, in DepartmentUpdate) (Department, error) {
	const op = "update department"
	if err := in.Validate(); err != nil {
		return Department{}, err
	}
	var out Department
	_, err := s.write(ctx, func(w *txn) error {
		if err := w.authorize(op, actor, Perm(FuncDepartments, ActEdit)); err != nil {
			return err
		}
		d, err := w.tx.Department(id)
		if err != nil {
			return fmt.Errorf("%s %s: %w", op, id, err)
		}
		d.Status = w.deptStatus(id)
		before := d
		if in.Name != nil {
			if err := w.uniqueDepartmentName(op, id, in.Name); err != nil {
				return err
			}
			d.Name = in.Name
		}
		if in.AcceptsClientRequests != nil {
			d.AcceptsClientRequests = *in.AcceptsClientRequests
		}
		if in.TaskLanguage != nil {
			d.TaskLanguage = *in.TaskLanguage
		}
		if in.SortOrder != nil {
			d.SortOrder = *in.SortOrder
		}
		if in.Status != nil {
			d.Status = *in.Status
			w.setFlag(DepartmentSubject(id), FlagDisabled, d.Status == StatusDisabled)
		}
		if err := w.tx.UpdateDepartment(&d); err != nil {
			return fmt.Errorf("%s %s: %w", op, id, err)
		}
		w.record(actor, OpDepartmentUpdate, DepartmentSubject(id).String(), before, d)
		out = d
		return nil
	})
	return out, err
}

func (w *txn) deptStatus(id DepartmentID) Status {
	if w.has(FlagRule(DepartmentSubject(id), FlagDisabled)) {
		return StatusDisabled
	}
	return StatusActive
}

// DeleteDepartment deletes a department together with its permissions and
// memberships: its former members keep their other departments and direct
// grants and lose what only this department gave them. Staff records are
// not deleted. The actor needs departments:delete and every permission the
// department holds (its grants go with it), and the actor's own access may
// not move. Errors: ErrNotFound, ErrPermissionDenied.
func (s *Service) DeleteDepartment(ctx context.Context, actor StaffID, id DepartmentID) error {
	const op = "delete department"
	_, err := s.write(ctx, func(w *txn) error {
		if err := w.authorize(op, actor, Perm(FuncDepartments, ActDelete)); err != nil {
			return err
		}
		d, err := w.tx.Department(id)
		if err != nil {
			return fmt.Errorf("%s %s: %w", op, id, err)
		}
		d.Status = w.deptStatus(id)
		for _, r := range w.snap.rulesOfDepartment(id) {
			w.remove(r)
		}
		if err := w.tx.DeleteDepartment(id); err != nil {
			return fmt.Errorf("%s %s: %w", op, id, err)
		}
		if err := w.deleteDepartmentHours(id); err != nil { // hours: its schedule assignment goes too
			return fmt.Errorf("%s %s: %w", op, id, err)
		}
		w.record(actor, OpDepartmentDelete, DepartmentSubject(id).String(), d, nil)
		return nil
	})
	return err
}

// EnablePermissions gives department id the permissions. The actor needs
// departments:edit and must hold every permission given, and the change may
// not move the actor's own access (see the rules in package doc: the effect
// of every change is authorized). Enabling what is
// already enabled is a no-op. Errors: ErrInvalid (unknown permission),
// ErrNotFound, ErrPermissionDenied.
func (s *Service) EnablePermissions(ctx context.Context, actor StaffID, id DepartmentID, perms ...Permission) error {
	return s.setDepartmentPermissions(ctx, actor, id, perms, true)
}

// DisablePermissions takes the permissions from department id; its members
// lose them unless another source gives them. Same rules and errors as
// EnablePermissions.
func (s *Service) DisablePermissions(ctx context.Context, actor StaffID, id DepartmentID, perms ...Permission) error {
	return s.setDepartmentPermissions(ctx, actor, id, perms, false)
}

func (s *Service) setDepartmentPermissions(ctx context.Context, actor StaffID, id DepartmentID, perms []Permission, on bool) error {
	op, kind := "enable permissions", OpDepartmentEnable
	if !on {
		op, kind = "disable permissions", OpDepartmentDisable
	}
	var fe fieldErrors
	perms = s.catalog.check(&fe, "permissions", perms)
	if err := fe.err(op); err != nil {
		return err
	}
	_, err := s.write(ctx, func(w *txn) error {
		if err := w.authorize(op, actor, Perm(FuncDepartments, ActEdit)); err != nil {
			return err
		}
		if _, err := w.tx.Department(id); err != nil {
			return fmt.Errorf("%s %s: %w", op, id, err)
		}
		before := w.deptPerms(id)
		sub := DepartmentSubject(id)
		for _, p := range perms {
			if on {
				w.add(GrantRule(sub, p))
			} else {
				w.remove(GrantRule(sub, p))
			}
		}
		if w.delta.Empty() {
			return nil
		}
		w.record(actor, kind, sub.String(), before, perms)
		return nil
	})
	return err
}

// Department returns a department. Its status comes from this instance's
// decisions. Errors: ErrNotFound.
func (s *Service) Department(ctx context.Context, id DepartmentID) (Department, error) {
	d, err := s.store.Department(ctx, id)
	if err != nil {
		return Department{}, fmt.Errorf("department %s: %w", id, err)
	}
	s.fillDepartment(s.snap.Load(), &d)
	return d, nil
}

// Departments lists the departments by sort order, then ID.
func (s *Service) Departments(ctx context.Context) ([]Department, error) {
	ds, err := s.store.Departments(ctx)
	if err != nil {
		return nil, fmt.Errorf("departments: %w", err)
	}
	snap := s.snap.Load()
	for i := range ds {
		s.fillDepartment(snap, &ds[i])
	}
	slices.SortStableFunc(ds, func(a, b Department) int {
		if a.SortOrder != b.SortOrder {
			return a.SortOrder - b.SortOrder
		}
		return int(a.ID - b.ID)
	})
	return ds, nil
}

func (s *Service) fillDepartment(snap *snapshot, d *Department) {
	if de := snap.dept(d.ID); de != nil && de.disabled {
		d.Status = StatusDisabled
	}
}

// DepartmentPermissions returns what department id holds, in catalog order
// (then any permission the catalog does not list).
func (s *Service) DepartmentPermissions(id DepartmentID) []Permission {
	snap := s.snap.Load()
	de := snap.dept(id)
	if de == nil {
		return nil
	}
	return s.ordered(snap, de.perms)
}

// DepartmentMembers returns the staff members of department id, by ID.
func (s *Service) DepartmentMembers(id DepartmentID) []StaffID {
	de := s.snap.Load().dept(id)
	if de == nil {
		return nil
	}
	return de.members.appendTo(nil)
}

// ordered lists the permissions of a bitset in catalog order.
func (s *Service) ordered(snap *snapshot, set bitset) []Permission {
	var out []Permission
	seen := map[permID]bool{}
	for _, p := range s.catalog.Permissions() {
		if id, ok := snap.permIDs[p]; ok && set.has(id) {
			out = append(out, p)
			seen[id] = true
		}
	}
	set.each(func(id permID) {
		if !seen[id] {
			out = append(out, snap.perms[id])
		}
	})
	return out
}
