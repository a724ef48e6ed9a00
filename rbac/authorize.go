package rbac

import (
	"errors"
	"fmt"
)

// Administrative operations are themselves permissions: managing
// departments needs the departments function's rights, managing staff the
// staff function's. On top of that:
//   - nobody gives a permission they do not hold (full access excepted),
//     directly or by putting someone in a department;
//   - nobody changes their own privileges;
//   - only a full-access actor touches a full-access account or gives
//     full access;
//   - the last active full-access account stays (checked in write).

func denied(op string, actor StaffID, format string, args ...any) error {
	return &DeniedError{Op: op, Actor: actor, Reason: fmt.Sprintf(format, args...)}
}

// authorize checks that actor is an existing, active staff member holding
// need.
func (w *txn) authorize(op string, actor StaffID, need Permission) error {
	if actor == SystemActor {
		return denied(op, actor, "no acting staff member")
	}
	if _, err := w.tx.StaffMember(actor); err != nil {
		if errors.Is(err, ErrNotFound) {
			return denied(op, actor, "acting staff member %s does not exist", actor)
		}
		return err
	}
	if e := w.snap.staffEntry(actor); e != nil && e.disabled {
		return denied(op, actor, "acting staff member %s is disabled", actor)
	}
	if !w.snap.can(actor, need) {
		return &DeniedError{Op: op, Actor: actor, Missing: need,
			Reason: fmt.Sprintf("staff member %s lacks %s", actor, need)}
	}
	return nil
}

func (w *txn) isFull(id StaffID) bool {
	e := w.snap.staffEntry(id)
	return e != nil && e.full
}

// mayGive checks that actor holds every permission in perms.
func (w *txn) mayGive(op string, actor StaffID, perms []Permission) error {
	if w.isFull(actor) {
		return nil
	}
	for _, p := range perms {
		if !w.snap.can(actor, p) {
			return &DeniedError{Op: op, Actor: actor, Missing: p,
				Reason: fmt.Sprintf("staff member %s cannot give %s without holding it", actor, p)}
		}
	}
	return nil
}

// notSelf refuses a change of the actor's own privileges.
func (w *txn) notSelf(op string, actor, target StaffID) error {
	if actor == target {
		return denied(op, actor, "staff members cannot change their own privileges")
	}
	return nil
}

// mayTouch refuses a non-full-access actor acting on a full-access account.
func (w *txn) mayTouch(op string, actor, target StaffID) error {
	if w.isFull(target) && !w.isFull(actor) {
		return denied(op, actor, "only a full-access account may change full-access account %s", target)
	}
	return nil
}

// deptPerms returns the permissions department d holds now.
func (w *txn) deptPerms(d DepartmentID) []Permission {
	de := w.snap.dept(d)
	if de == nil {
		return nil
	}
	var out []Permission
	de.perms.each(func(p permID) { out = append(out, w.snap.perms[p]) })
	return out
}

// memberOf reports whether staff id is in department d now.
func (w *txn) memberOf(id StaffID, d DepartmentID) bool {
	return w.snap.hasRule(MemberRule(id, d))
}
