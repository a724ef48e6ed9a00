package rbac

import (
	"context"
	"fmt"
	"math/bits"
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
// target effectively holds, and full access for a full-access target:
// the rule the change flow applies to what lets an actor sign in as the
// target.
func (s *Service) precheck(ctx context.Context, op string, actor StaffID, need Permission, control StaffID) error {
	if err := checkReason(reasonFrom(ctx)); err != nil {
		return err
	}
	if actor == SystemActor {
		return denied(op, actor, "no acting staff member")
	}
	snap := s.snap.Load()
	if e := snap.staffEntry(actor); e != nil && e.disabled {
		return denied(op, actor, "acting staff member %s is disabled", actor)
	}
	if need != (Permission{}) && !snap.can(actor, need) {
		return &DeniedError{Op: op, Actor: actor, Missing: need,
			Reason: fmt.Sprintf("staff member %s lacks %s", actor, need)}
	}
	if control == 0 || control == actor {
		return nil
	}
	af, abits := snap.row(actor)
	if af&hotFull != 0 {
		return nil
	}
	tf, tbits := snap.row(control)
	if tf&hotFull != 0 {
		return denied(op, actor, "only a full-access account may act as full-access account %s", control)
	}
	for i, w := range tbits {
		var have uint64
		if i < len(abits) {
			have = abits[i]
		}
		if miss := w &^ have; miss != 0 {
			p := snap.permAt(i, miss)
			return &DeniedError{Op: op, Actor: actor, Missing: p,
				Reason: fmt.Sprintf("staff member %s would control %s, who holds %s", actor, control, p)}
		}
	}
	return nil
}

// precheckGive refuses an actor who does not hold every permission of the
// departments given (full access excepted), from this instance's
// decisions: the rule the change flow applies to a new member.
func (s *Service) precheckGive(op string, actor StaffID, depts []DepartmentID, full bool) error {
	snap := s.snap.Load()
	af, _ := snap.row(actor)
	if af&hotFull != 0 {
		return nil
	}
	if full {
		return denied(op, actor, "only a full-access account may create a full-access account")
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
				Reason: fmt.Sprintf("staff member %s cannot give %s without holding it", actor, *missing)}
		}
	}
	return nil
}

// permAt names the lowest permission set in word i of a row's bits.
func (s *snapshot) permAt(i int, word uint64) Permission {
	pid := i*64 + bits.TrailingZeros64(word)
	if pid < len(s.perms) {
		return s.perms[pid]
	}
	return Permission{}
}
