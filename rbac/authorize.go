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
// itself. In rules, each enforced once:
//  1. the actor is an active staff member (a disabled one changes nothing;
//     one the decisions do not know, holding nothing, moves nobody's
//     access);
//  2. nobody changes their own privileges: no rule about the actor is
//     added or removed and the actor's effective access does not move;
//  3. every direct or department grant added or removed names a
//     permission the actor holds;
//  4. every permission anyone gains is held by the actor;
//  5. anything of a full-access account (before or after the change: its
//     row, its grants, memberships or flags) is changed only by a
//     full-access actor, so only full access gives, takes or controls
//     full access;
//  6. control is power: a change that sets an account's sign-in (its
//     password, login, e-mail or phone, a new account, an account
//     switched back on) needs the actor to hold every permission the
//     account holds, whatever the disabled flags of the account and its
//     departments say;
//  7. the last active full-access account stays (implied by 2 and 5;
//     kept as the last line of defence).
//
// Full access holds every permission, so a full-access actor passes 3, 4
// and 6.

func denied(op string, actor StaffID, code DenialCode, format string, args ...any) error {
	return &DeniedError{Op: op, Actor: actor, code: code, Reason: fmt.Sprintf(format, args...)}
}

// authorize checks that actor is an existing, active staff member holding
// need: whether the actor may use an operation at all.
func (w *txn) authorize(op string, actor StaffID, need Permission) error {
	if actor == SystemActor {
		return denied(op, actor, DenialNoActor, "no acting staff member")
	}
	if err := w.staffRow(actor); err != nil {
		if errors.Is(err, ErrNotFound) {
			return denied(op, actor, DenialNoActor, "acting staff member %s does not exist", actor)
		}
		return err
	}
	if e := w.snap.staffEntry(actor); e != nil && e.disabled {
		return denied(op, actor, DenialActorDisabled, "acting staff member %s is disabled", w.who(actor))
	}
	if !w.snap.can(actor, need) {
		return &DeniedError{Op: op, Actor: actor, Missing: need,
			Reason: fmt.Sprintf("%s lacks %s", w.who(actor), need)}
	}
	return nil
}

// staffRow checks, inside the write's lock, that staff member id has a
// row: ErrNotFound (wrapped) when not. The index answers when it holds
// rules of id, without a statement: the flow adds a rule about a staff
// member only once the row is known to exist in the same lock, removes
// every rule of an account with its row (DeleteStaff), and w.snap is the
// index caught up to the locked version, so a staff member with rules in
// it has a row as surely as a read would say (a row deleted by SQL behind
// the flow's back is as invisible to Can). A staff member the index holds
// nothing of is read.
func (w *txn) staffRow(id StaffID) error {
	if e := w.snap.staffEntry(id); e != nil && !e.empty() {
		return nil
	}
	_, err := w.tx.StaffMember(id)
	return err
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
		if w.change.Op == OpSignInLock && w.delta.Empty() && eff.Empty() && len(w.written) == 0 {
			return nil // a record of what sign-in did by itself, moving nothing
		}
		return denied(op, actor, DenialNoActor, "no acting staff member")
	}
	switch f := rowFlags(before, actor); {
	case f&hotDisabled != 0:
		return denied(op, actor, DenialActorDisabled, "acting staff member %s is disabled", w.who(actor))
	case f&hotPresent == 0 && !(w.delta.Empty() && eff.Empty()):
		// Holding nothing, the actor moves nobody's access.
		return denied(op, actor, DenialMissingPermission, "%s holds no permissions", w.who(actor))
	}
	actorFull := activeFullFlags(rowFlags(before, actor)) == 1
	holds := func(p Permission) bool { return actorFull || before.can(actor, p) }
	fullDenied := func(target StaffID, what string) error {
		return &DeniedError{Op: op, Actor: actor, Target: target, FullAccess: true,
			Reason: fmt.Sprintf("only a full-access account may %s (%s)", what, w.who(target))}
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

	// Grants stored: held by the actor.
	for _, rs := range [][]Rule{w.delta.Add, w.delta.Remove} {
		for _, r := range rs {
			if r.Kind == RuleGrant && !holds(r.Permission) {
				return &DeniedError{Op: op, Actor: actor, Missing: r.Permission, Target: r.Subject.Staff, code: DenialWouldGive,
					Reason: fmt.Sprintf("%s cannot give or take %s (on %s) without holding it", w.who(actor), r.Permission, w.whom(r.Subject))}
			}
		}
	}

	// Gains: held by the actor.
	for _, se := range eff.Staff {
		for _, p := range se.Gained {
			if !holds(p) {
				return &DeniedError{Op: op, Actor: actor, Missing: p, Target: se.Staff,
					Reason: fmt.Sprintf("the change would give %s %s, which %s does not hold", w.who(se.Staff), p, w.who(actor))}
			}
		}
	}

	if !actorFull {
		// Full-access accounts: changed only by full access.
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
					return fullDenied(r.Subject.Staff, "give, take or change full access")
				}
			}
		}
		// Control is power.
		for _, id := range eff.Control {
			var missing *Permission
			after.potential(id).each(func(p permID) {
				if missing == nil && !holds(after.perms[p]) {
					missing = &after.perms[p]
				}
			})
			if missing != nil {
				return &DeniedError{Op: op, Actor: actor, Target: id, Control: true, Missing: *missing,
					Reason: fmt.Sprintf("the change would give %s control of the account of %s, which holds %s", w.who(actor), w.who(id), *missing)}
			}
		}
	}

	// Separation of duties: nobody is given both sides of a conflict.
	if err := w.checkDuties(after, eff); err != nil {
		return err
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
