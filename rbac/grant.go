package rbac

import (
	"context"
)

// Grant gives staff member id direct grants of perms, on top of what their
// departments give. The actor needs staff:edit, must hold every permission
// given, may not grant to themselves and, for a full-access account, must
// have full access. Granting what is already granted directly is a no-op.
// Errors: ErrInvalid (unknown permission), ErrNotFound, ErrPermissionDenied.
func (s *Service) Grant(ctx context.Context, actor, id StaffID, perms ...Permission) error {
	return s.grant(ctx, actor, id, perms, true)
}

// Revoke takes direct grants from staff member id. A permission the person
// holds only through departments cannot be revoked on the person: Revoke
// then fails with an *InheritedError (ErrInheritedPermission) naming the
// departments, and nothing changes. Revoking what is not held is a no-op.
// Same authorization as Grant.
func (s *Service) Revoke(ctx context.Context, actor, id StaffID, perms ...Permission) error {
	return s.grant(ctx, actor, id, perms, false)
}

func (s *Service) grant(ctx context.Context, actor, id StaffID, perms []Permission, on bool) error {
	op, kind := "grant", OpStaffGrant
	if !on {
		op, kind = "revoke", OpStaffRevoke
	}
	var fe fieldErrors
	perms = s.catalog.check(&fe, "permissions", perms)
	if err := fe.err(op); err != nil {
		return err
	}
	_, err := s.write(ctx, func(w *txn) error {
		if err := w.staffPrivilegeChange(op, actor, id); err != nil {
			return err
		}
		sub := StaffSubject(id)
		for _, p := range perms {
			r := GrantRule(sub, p)
			if on {
				w.add(r)
				continue
			}
			if !w.has(r) {
				if depts := w.snap.departmentsGiving(id, p); len(depts) > 0 {
					names := make([]string, len(depts))
					for i, d := range depts {
						names[i] = w.whom(DepartmentSubject(d))
					}
					return &InheritedError{Staff: id, Permission: p, Departments: depts, Login: w.who(id), DepartmentNames: names}
				}
			}
			w.remove(r)
		}
		if w.delta.Empty() {
			return nil
		}
		w.record(actor, kind, sub.String(), nil, perms)
		return nil
	})
	return err
}
