package rbac_test

import (
	"fmt"
	"reflect"
	"slices"

	"github.com/billingrbac/billingrbac/rbac"
)

// violation checks one committed step of the explorer against the
// invariant, from the states before and after alone (stored rules and
// rows, and the explorer's own evaluation of the rules). It returns "" or
// what was broken.
func violation(before, after exState, o exOp) string {
	a, ok := before.access[o.actor]
	if !ok {
		return "an actor that does not exist changed something"
	}
	actor := before.ids[o.actor]
	switch {
	case a.disabled:
		return "a disabled actor changed something"
	case o.need != (rbac.Permission{}) && !a.can(o.need):
		return fmt.Sprintf("the actor lacks %s, which the operation needs", o.need)
	}
	holds := a.can
	added, removed := ruleDiff(before.rules, after.rules), ruleDiff(after.rules, before.rules)

	// Nobody changes their own access.
	if aa, ok := after.access[o.actor]; !ok || !sameAccess(a, aa) {
		return "the actor's own access changed"
	}
	for _, r := range append(slices.Clone(added), removed...) {
		if r.Subject.Staff == actor {
			return "a rule about the actor changed: " + r.String()
		}
	}

	// Stored grants and the full-access flag.
	for _, r := range append(slices.Clone(added), removed...) {
		if r.Kind == rbac.RuleGrant && !holds(r.Permission) {
			return fmt.Sprintf("a grant of %s the actor does not hold was added or removed (%s)", r.Permission, r)
		}
		if r.Kind == rbac.RuleFlag && r.Flag == rbac.FlagFullAccess && !a.full {
			return "the full-access flag changed without full access: " + r.String()
		}
	}

	for _, l := range exLogins {
		b, inB := before.access[l]
		f, inA := after.access[l]
		// Gains: every permission gained is held by the actor.
		if inA {
			if f.full && !(inB && b.full) && !a.full {
				return l + " gained full access from an actor without it"
			}
			for p := range f.perms {
				if f.can(p) && !(inB && b.can(p)) && !holds(p) {
					return fmt.Sprintf("%s gained %s, which the actor does not hold", l, p)
				}
			}
			// A temporary rule that opens later is a gain too.
			for p := range f.pending {
				if !f.disabled && !(inB && (b.can(p) || b.pending[p])) && !holds(p) {
					return fmt.Sprintf("%s will gain %s, which the actor does not hold", l, p)
				}
			}
		}
		if inB && b.full && !(inA && f.full) && !a.full {
			return l + " lost full access to an actor without it"
		}
		if l == o.actor {
			continue
		}
		// A full-access account is changed only by full access.
		fullAccount := inB && b.fullFlag || inA && f.fullFlag
		if fullAccount && !a.full && (rowChanged(before, after, l) || rulesAbout(added, removed, before.ids[l], after.ids[l])) {
			return "full-access account " + l + " changed by an actor without full access"
		}
		// Control is power.
		if inA && gainsControl(before, after, l) {
			if f.fullFlag && !a.full {
				return "the actor gained control of full-access account " + l
			}
			for p := range f.potential {
				if !holds(p) {
					return fmt.Sprintf("the actor gained control of %s, which holds %s", l, p)
				}
			}
		}
	}

	// Separation of duties: nobody comes to combine both sides of a
	// conflict declared before and after the step (full access aside).
	for _, c := range after.conflicts() {
		if !slices.ContainsFunc(before.conflicts(), c.Same) {
			continue
		}
		for _, l := range exLogins {
			if after.combines(l, c, false) && !before.combines(l, c, true) {
				return fmt.Sprintf("%s came to combine %s", l, c)
			}
		}
	}

	// The last active full-access account stays.
	if activeFull(before) > 0 && activeFull(after) == 0 {
		return "no active full-access account is left"
	}
	return ""
}

func ruleDiff(a, b []rbac.Rule) []rbac.Rule {
	var out []rbac.Rule
	for _, r := range b {
		if !slices.Contains(a, r) {
			out = append(out, r)
		}
	}
	return out
}

// sameAccess compares effective access: everything for an active
// full-access account, whatever its grants.
func sameAccess(a, b exAccess) bool {
	if a.full && b.full && a.fullFlag == b.fullFlag && a.disabled == b.disabled {
		return true
	}
	if a.full != b.full || a.disabled != b.disabled || a.fullFlag != b.fullFlag || len(a.perms) != len(b.perms) {
		return false
	}
	for p := range a.perms {
		if !b.perms[p] {
			return false
		}
	}
	return true
}

func rulesAbout(added, removed []rbac.Rule, ids ...rbac.StaffID) bool {
	for _, r := range append(slices.Clone(added), removed...) {
		if r.Subject.Staff != 0 && slices.Contains(ids, r.Subject.Staff) {
			return true
		}
	}
	return false
}

// signIn is what lets someone sign in as an account or receive its
// password.
var signIn = []string{"login", "email", "phone", "password_hash"}

func rowChanged(before, after exState, login string) bool {
	rb, rA := before.staff[int64(before.ids[login])], after.staff[int64(after.ids[login])]
	if (rb == nil) != (rA == nil) {
		return true
	}
	for k, v := range rb {
		if k != "updated_at" && rA[k] != v {
			return true
		}
	}
	return false
}

// gainsControl: the account is new, a sign-in field changed, it was
// switched back on, or what guards its sign-in beyond the password
// changed: its second factor, its sign-in policy or one of its
// departments', it left a department that has a policy, or its sign-in
// lock was cleared (the change log's last entry says so: clearing an
// empty lock writes no other row).
func gainsControl(before, after exState, login string) bool {
	id := after.ids[login]
	rb, rA := before.staff[int64(before.ids[login])], after.staff[int64(id)]
	if rA == nil {
		return false
	}
	if rb == nil {
		return true
	}
	for _, k := range signIn {
		if rb[k] != rA[k] {
			return true
		}
	}
	if !reflect.DeepEqual(before.rows["billingrbac_staff_totp"][int64(id)], after.rows["billingrbac_staff_totp"][int64(id)]) ||
		before.policyOf("staff_id", int64(id)) != after.policyOf("staff_id", int64(id)) {
		return true
	}
	for _, r := range after.rules {
		if r.Kind == rbac.RuleMember && r.Subject.Staff == id &&
			before.policyOf("department_id", int64(r.Department)) != after.policyOf("department_id", int64(r.Department)) {
			return true
		}
	}
	for _, r := range before.rules { // left a department with a policy: as if it were lifted
		if r.Kind == rbac.RuleMember && r.Subject.Staff == before.ids[login] && !slices.Contains(after.rules, r) &&
			before.policyOf("department_id", int64(r.Department)) != "-" {
			return true
		}
	}
	if after.version > before.version && after.lastOp == rbac.OpSignInUnlock && after.lastTarget == rbac.StaffSubject(id).String() {
		return true
	}
	return before.access[login].disabled && !after.access[login].disabled
}

// combines reports whether login holds both sides of c in w: both
// permissions or membership of both departments. Full access is outside
// separation of duties: an active full-access account combines a
// permission pair only when full counts (it held both before a step
// that demotes it back to what it held: nothing new is combined), never
// after a step (gaining full access is not refused).
func (w exState) combines(login string, c rbac.DutyConflict, full bool) bool {
	id, ok := w.ids[login]
	if !ok {
		return false
	}
	if c.IsDepartments() {
		return slices.Contains(w.rules, rbac.MemberRule(id, c.Departments[0])) &&
			slices.Contains(w.rules, rbac.MemberRule(id, c.Departments[1]))
	}
	a := w.access[login]
	if a.full {
		return full
	}
	return a.can(c.Permissions[0]) && a.can(c.Permissions[1])
}

func activeFull(w exState) int {
	n := 0
	for _, a := range w.access {
		if a.full {
			n++
		}
	}
	return n
}
