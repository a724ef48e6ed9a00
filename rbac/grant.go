package rbac

import (
	"context"
)

// Grant gives staff member id direct grants of perms, on top of what their
// departments give. The actor needs staff:edit, must hold every permission
// given, may not grant to themselves and, for a full-access account, must
// have full access. Granting what is already granted directly is a no-op.
// A permission granted temporarily (GrantTemporary) becomes permanent.
// Errors: ErrInvalid (unknown permission), ErrNotFound, ErrPermissionDenied.
func (s *Service) Grant(ctx context.Context, actor, id StaffID, perms ...Permission) error {
	return s.grant(ctx, actor, id, perms, true, Window{})
}

// GrantTemporary gives staff member id direct grants of perms that count
// only during w: from w.From (zero: now) until w.Until, exclusive. At
// w.Until every instance denies them without a further change (see
// Window); Explain and EffectivePermissions show "until". Granting again
// replaces the window, Grant makes the grant permanent and Revoke takes it
// away. Same authorization as Grant: a temporary gain is a gain. The
// change log records the window with the rule. Errors: ErrInvalid (unknown
// permission; window.until missing, not after window.from or not in the
// future), ErrNotFound, ErrPermissionDenied.
func (s *Service) GrantTemporary(ctx context.Context, actor, id StaffID, w Window, perms ...Permission) error {
	var fe fieldErrors
	w.check(&fe, "window", s.now())
	if err := fe.err("grant"); err != nil {
		return err
	}
	return s.grant(ctx, actor, id, perms, true, w)
}

// Revoke takes direct grants from staff member id. A permission the person
// holds only through departments cannot be revoked on the person: Revoke
// then fails with an *InheritedError (ErrInheritedPermission) naming the
// departments, and nothing changes. Revoking what is not held is a no-op.
// Same authorization as Grant.
func (s *Service) Revoke(ctx context.Context, actor, id StaffID, perms ...Permission) error {
	return s.grant(ctx, actor, id, perms, false, Window{})
}

func (s *Service) grant(ctx context.Context, actor, id StaffID, perms []Permission, on bool, win Window) error {
	op, kind := "grant", OpStaffGrant
	if !on {
		op, kind = "revoke", OpStaffRevoke
	}
	var fe fieldErrors
	perms = s.catalog.check(&fe, "permissions", perms)
	if err := fe.err(op); err != nil {
		return err
	}
	_, err := s.writeRules(ctx, func(w *txn) error {
		if err := w.staffPrivilegeChange(op, actor, id); err != nil {
			return err
		}
		sub := StaffSubject(id)
		for _, p := range perms {
			r := GrantRule(sub, p).Within(win)
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
