package rbac

import (
	"errors"
	"fmt"
)

// Authorization has two parts.
//
// Each administrative operation first checks that the actor may use it at
// all (authorize: an existing, active staff member holding the
// operation's permission, such as staff:edit). That check is cheap and
// runs before anything expensive.
//
// Then every write, whatever the operation, passes one check on the
// effect of the staged change (authorizeEffect, called by write before
// commit). The invariant it keeps: a change gives nobody more than the
// actor holds, and gives the actor control of no account stronger than
// itself. In rules:
//   - every permission anyone gains must be held by the actor, and every
//     direct or department grant added or removed names a permission the
//     actor holds; gaining or losing full access, or changing the
//     full-access flag, needs full access;
//   - control is power: a change that sets an account's sign-in (its
//     password, login, e-mail or phone, a new account, an account switched
//     back on) needs the actor to hold every permission the account holds,
//     whatever the disabled flags say, and full access for a full-access
//     account; changing anything of a full-access account (its row, its
//     grants, memberships or flags) needs full access;
//   - nobody changes their own privileges: no rule about the actor is
//     added or removed and the actor's effective access does not move;
//   - the last active full-access account stays.
// Full access holds every permission, so a full-access actor passes the
// first two rules.

func denied(op string, actor StaffID, format string, args ...any) error {
	return &DeniedError{Op: op, Actor: actor, Reason: fmt.Sprintf(format, args...)}
}

// authorize checks that actor is an existing, active staff member holding
// need: whether the actor may use an operation at all.
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

// authorizeEffect is the one check every write passes: see the rules
// above. before is the locked version's snapshot, after the one the change
// would publish.
func (w *txn) authorizeEffect(after *snapshot, eff Effect) error {
	before, actor, op := w.snap, w.change.Actor, string(w.change.Op)
	if actor == SystemActor {
		if w.change.Op == OpBootstrap {
			return nil
		}
		return denied(op, actor, "no acting staff member")
	}
	switch f := rowFlags(before, actor); {
	case f&hotDisabled != 0:
		return denied(op, actor, "acting staff member %s is disabled", actor)
	case f&hotPresent == 0 && !(w.delta.Empty() && eff.Empty()):
		// Holding nothing, the actor moves nobody's access.
		return denied(op, actor, "staff member %s holds no permissions", actor)
	}
	actorFull := activeFullFlags(rowFlags(before, actor)) == 1
	holds := func(p Permission) bool { return actorFull || before.can(actor, p) }
	fullDenied := func(target StaffID, what string) error {
		return &DeniedError{Op: op, Actor: actor, Target: target, FullAccess: true,
			Reason: fmt.Sprintf("only a full-access account may %s (staff member %s)", what, target)}
	}

	// Nobody changes their own privileges.
	for _, rs := range [][]Rule{w.delta.Add, w.delta.Remove} {
		for _, r := range rs {
			if r.Subject.Staff == actor {
				return &DeniedError{Op: op, Actor: actor, Target: actor,
					Reason: "staff members cannot change their own privileges"}
			}
		}
	}
	for _, se := range eff.Staff {
		if se.Staff == actor {
			return &DeniedError{Op: op, Actor: actor, Target: actor,
				Reason: "staff members cannot change their own privileges"}
		}
	}

	// What is stored: grants the actor holds, the full-access flag only by
	// full access.
	for _, rs := range [][]Rule{w.delta.Add, w.delta.Remove} {
		for _, r := range rs {
			switch {
			case r.Kind == RuleGrant && !holds(r.Permission):
				return &DeniedError{Op: op, Actor: actor, Missing: r.Permission, Target: r.Subject.Staff,
					Reason: fmt.Sprintf("staff member %s cannot give or take %s (on %s) without holding it", actor, r.Permission, r.Subject)}
			case r.Kind == RuleFlag && r.Flag == FlagFullAccess && !actorFull:
				return fullDenied(r.Subject.Staff, "give or take full access")
			}
		}
	}

	// What is effective: every gain held by the actor.
	for _, se := range eff.Staff {
		if (se.GainsFullAccess() || se.LosesFullAccess()) && !actorFull {
			return fullDenied(se.Staff, "give or take full access")
		}
		for _, p := range se.Gained {
			if !holds(p) {
				return &DeniedError{Op: op, Actor: actor, Missing: p, Target: se.Staff,
					Reason: fmt.Sprintf("the change would give staff member %s %s, which staff member %s does not hold", se.Staff, p, actor)}
			}
		}
	}

	// Control is power.
	if !actorFull {
		fullAccount := func(id StaffID) bool {
			return rowFlags(before, id)&hotFull != 0 || rowFlags(after, id)&hotFull != 0
		}
		for id := range w.written {
			if fullAccount(id) {
				return fullDenied(id, "change a full-access account")
			}
		}
		for _, rs := range [][]Rule{w.delta.Add, w.delta.Remove} {
			for _, r := range rs {
				if r.Subject.Staff != 0 && fullAccount(r.Subject.Staff) {
					return fullDenied(r.Subject.Staff, "change a full-access account")
				}
			}
		}
		for _, id := range eff.Control {
			if rowFlags(after, id)&hotFull != 0 {
				return &DeniedError{Op: op, Actor: actor, Target: id, Control: true, FullAccess: true,
					Reason: fmt.Sprintf("the change would give staff member %s control of full-access account %s", actor, id)}
			}
			var missing *Permission
			after.potential(id).each(func(p permID) {
				if missing == nil && !holds(after.perms[p]) {
					missing = &after.perms[p]
				}
			})
			if missing != nil {
				return &DeniedError{Op: op, Actor: actor, Target: id, Control: true, Missing: *missing,
					Reason: fmt.Sprintf("the change would give staff member %s control of account %s, which holds %s", actor, id, *missing)}
			}
		}
	}

	if lastFullAccessGone(before, after) {
		return &DeniedError{Op: op, Actor: actor,
			Reason: "the last active full-access account cannot be deleted, disabled or lose full access", last: true}
	}
	return nil
}

// lastFullAccessGone reports whether a change leaves no active full-access
// account where there was one. The rules above already imply it (only a
// full-access actor takes full access, never its own); it stays as the
// last line of defence, counted from the index in O(1).
func lastFullAccessGone(before, after *snapshot) bool {
	return before.active.len() > 0 && after.active.len() == 0
}

func rowFlags(s *snapshot, id StaffID) uint8 {
	f, _ := s.row(id)
	return f
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
