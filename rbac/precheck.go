package rbac

import (
	"context"
	"fmt"
)

// precheck refuses, from this instance's decisions and before any hashing
// or decoding, an actor who cannot do the operation at all, so that a
// refused call costs a few map lookups instead of 19 MiB of Argon2id or a
// decoded image. It only ever refuses: the change flow's authorization
// stays the authority and checks again everything precheck lets through
// (against the policy as of the locked version, which may be newer).
//
// The actor must be a staff member who is not disabled and holds need
// (need zero: no permission is needed, as for one's own avatar), and the
// change reason attached to ctx must be acceptable. With a
// control target (0: none), the actor must hold every permission the
// target holds, through disabled departments too, and full access for a
// full-access target: the rule the change flow applies (authorizeEffect,
// "control is power") to what lets an actor sign in as the target.
func (s *Service) precheck(ctx context.Context, op string, actor StaffID, need Permission, control StaffID) error {
	if err := checkReason(reasonFrom(ctx)); err != nil {
		return err
	}
	if actor == SystemActor {
		return denied(op, actor, DenialNoActor, "no acting staff member")
	}
	snap := s.snap.Load()
	if e := snap.staffEntry(actor); e != nil && e.disabled {
		return denied(op, actor, DenialActorDisabled, "acting staff member %s is disabled", s.who(ctx, actor))
	}
	if need != (Permission{}) && !snap.can(actor, need) {
		return &DeniedError{Op: op, Actor: actor, Missing: need,
			Reason: fmt.Sprintf("%s lacks %s", s.who(ctx, actor), need)}
	}
	if control == 0 || control == actor {
		return nil
	}
	if rowFlags(snap, actor)&hotFull != 0 {
		return nil
	}
	if rowFlags(snap, control)&hotFull != 0 {
		return &DeniedError{Op: op, Actor: actor, Target: control, Control: true, FullAccess: true,
			Reason: fmt.Sprintf("%s may not take control of the full-access account of %s", s.who(ctx, actor), s.who(ctx, control))}
	}
	var missing *Permission
	snap.potential(control).each(func(p permID) {
		if missing == nil && !snap.can(actor, snap.perms[p]) {
			missing = &snap.perms[p]
		}
	})
	if missing != nil {
		return &DeniedError{Op: op, Actor: actor, Target: control, Control: true, Missing: *missing,
			Reason: fmt.Sprintf("%s may not take control of the account of %s, which holds %s", s.who(ctx, actor), s.who(ctx, control), *missing)}
	}
	return nil
}

// precheckGive refuses an actor who does not hold every permission of the
// departments given (full access excepted), from this instance's
// decisions: the rule the change flow applies to a new member.
func (s *Service) precheckGive(ctx context.Context, op string, actor StaffID, depts []DepartmentID, full bool) error {
	snap := s.snap.Load()
	af, _ := snap.row(actor)
	if af&hotFull != 0 {
		return nil
	}
	if full {
		return denied(op, actor, DenialFullAccessOnly, "only a full-access account may create a full-access account")
	}
	for _, d := range depts {
		de := snap.dept(d)
		if de == nil {
			continue
		}
		var missing *Permission
		de.perms.each(func(p permID) {
			if missing == nil && !snap.can(actor, snap.perms[p]) {
				missing = &snap.perms[p]
			}
		})
		if missing != nil {
			return &DeniedError{Op: op, Actor: actor, Missing: *missing,
				Reason: fmt.Sprintf("%s cannot give %s without holding it", s.who(ctx, actor), *missing)}
		}
	}
	return nil
}
