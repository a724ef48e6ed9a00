package rbac

import (
	"cmp"
	"slices"
)

// Effect is what a change does to access: for every staff member whose
// effective permissions or flags it changes, what they gain and lose; and
// the accounts whose sign-in it sets (their password, login, e-mail or
// phone, a new account, an account switched back on), which the acting
// staff member could then act as. Every change-log entry carries its
// effect, and a dry run (WithDryRun) returns it without committing.
type Effect struct {
	// Staff lists the staff members whose effective access changes, by ID.
	Staff []StaffEffect `json:"staff,omitempty"`
	// Control lists, by ID, the accounts other than the actor's whose
	// sign-in the change sets.
	Control []StaffID `json:"control,omitempty"`
	// ClientUsers and ClientControl are the same for the client domain
	// (package clients): the client users whose effective rights in their
	// account or flags change, and those whose sign-in the change sets.
	ClientUsers   []ClientUserEffect `json:"client_users,omitempty"`
	ClientControl []int64            `json:"client_control,omitempty"` // clients.ClientUserID
}

// StaffEffect is the change of one staff member's effective access.
type StaffEffect struct {
	Staff  StaffID `json:"staff"`
	Before Access  `json:"before"`
	After  Access  `json:"after"`
	// Gained and Lost are the permissions the member holds after and not
	// before, and before and not after, in catalog order. A member who
	// gains full access gains every catalog permission they lacked (and
	// any function registered later); one who loses it, every one they do
	// not keep.
	Gained []Permission `json:"gained,omitempty"`
	Lost   []Permission `json:"lost,omitempty"`
}

// Access is a staff member's flags as the policy holds them.
type Access struct {
	FullAccess bool `json:"full_access,omitempty"` // the flag, whatever the status
	Disabled   bool `json:"disabled,omitempty"`
}

// fullActive reports whether the flags give full access now.
func (a Access) fullActive() bool { return a.FullAccess && !a.Disabled }

// GainsFullAccess reports whether the member has active full access after
// the change and not before.
func (e StaffEffect) GainsFullAccess() bool { return e.After.fullActive() && !e.Before.fullActive() }

// LosesFullAccess reports whether the member had active full access before
// the change and not after.
func (e StaffEffect) LosesFullAccess() bool { return e.Before.fullActive() && !e.After.fullActive() }

// Gaining returns the staff members who gain p, by ID: what an admin
// screen shows as "this gives 12 people reports:view".
func (e Effect) Gaining(p Permission) []StaffID {
	var out []StaffID
	for _, se := range e.Staff {
		if slices.Contains(se.Gained, p) {
			out = append(out, se.Staff)
		}
	}
	return out
}

// Losing returns the staff members who lose p, by ID.
func (e Effect) Losing(p Permission) []StaffID {
	var out []StaffID
	for _, se := range e.Staff {
		if slices.Contains(se.Lost, p) {
			out = append(out, se.Staff)
		}
	}
	return out
}

// Empty reports whether the change moves nobody's access or sign-in.
func (e Effect) Empty() bool {
	return len(e.Staff) == 0 && len(e.Control) == 0 && len(e.ClientUsers) == 0 && len(e.ClientControl) == 0
}

// effectOf computes the effect of the staged delta and the snapshot the
// decisions will be served from once it commits. Only the staff the delta
// names and the members of the departments it changes are compared: the
// cost follows the change, not the installation.
func (w *txn) effectOf() (*snapshot, Effect) {
	before := w.snap
	b := newBuilder(before)
	b.applyDelta(w.delta)
	after := b.finish()

	affected := map[StaffID]struct{}{}
	depts := map[DepartmentID]struct{}{}
	for _, rs := range [][]Rule{w.delta.Remove, w.delta.Add} {
		for _, r := range rs {
			if r.Subject.Staff != 0 {
				affected[r.Subject.Staff] = struct{}{}
			} else if r.Kind != RuleMember {
				depts[r.Subject.Department] = struct{}{}
			}
		}
	}
	for d := range depts {
		for _, snap := range []*snapshot{before, after} {
			if de := snap.dept(d); de != nil {
				for m := range de.members.all() {
					affected[m] = struct{}{}
				}
			}
		}
	}
	var eff Effect
	ids := sortedStaff(affected)
	var universe []Permission // catalog ∪ policy permissions, built when needed
	now := before.nowNano()
	for _, id := range ids {
		// Rows with what temporary rules give until they end: a temporary
		// gain is a gain, now or when its window opens.
		fb, bb := before.grantedRow(id, now)
		fa, ba := after.grantedRow(id, now)
		se := StaffEffect{Staff: id, Before: accessOf(before, id), After: accessOf(after, id)}
		switch fullB, fullA := activeFullFlags(fb) == 1, activeFullFlags(fa) == 1; {
		case fullB && fullA:
		case fullA || fullB:
			if universe == nil {
				universe = w.universe(after)
			}
			for _, p := range universe {
				hb, ha := fullB || before.can(id, p), fullA || after.can(id, p)
				if ha && !hb {
					se.Gained = append(se.Gained, p)
				} else if hb && !ha {
					se.Lost = append(se.Lost, p)
				}
			}
		default:
			se.Gained = w.permsOf(after, diffBits(ba, bb))
			se.Lost = w.permsOf(after, diffBits(bb, ba))
		}
		if se.Before != se.After || len(se.Gained)+len(se.Lost) > 0 {
			eff.Staff = append(eff.Staff, se)
		}
	}
	control := map[StaffID]struct{}{}
	for id := range w.control {
		control[id] = struct{}{}
	}
	for _, r := range w.delta.Remove { // switched back on: its sign-in works again
		if r.Kind == RuleFlag && r.Flag == FlagDisabled && r.Subject.Staff != 0 {
			control[r.Subject.Staff] = struct{}{}
		}
	}
	delete(control, w.change.Actor)
	eff.Control = sortedStaff(control)
	return after, eff
}

func accessOf(s *snapshot, id StaffID) Access {
	f, _ := s.row(id)
	return Access{FullAccess: f&hotFull != 0, Disabled: f&hotDisabled != 0}
}

// diffBits returns a &^ b as a fresh bitset.
func diffBits(a, b []uint64) bitset {
	var out bitset
	for i, w := range a {
		if i < len(b) {
			w &^= b[i]
		}
		if w != 0 {
			if out == nil {
				out = make(bitset, len(a))
			}
			out[i] = w
		}
	}
	return out
}

// permsOf lists the permissions of set, which indexes snap.perms, in
// catalog order (then those the catalog does not list, by index). The
// ranks are computed once per change and snapshot, so listing the gains
// of thousands of staff (a department change, an import) sorts integers.
func (w *txn) permsOf(snap *snapshot, set bitset) []Permission {
	var ids []permID
	set.each(func(id permID) { ids = append(ids, id) })
	if len(ids) > 1 {
		rank := w.ranks(snap)
		slices.SortStableFunc(ids, func(a, b permID) int { return cmp.Compare(rank[a], rank[b]) })
	}
	out := make([]Permission, len(ids))
	for i, id := range ids {
		out[i] = snap.perms[id]
	}
	return out
}

// ranks returns each permission of snap's catalog position (1-based; those
// the catalog does not list after them), by permID.
func (w *txn) ranks(snap *snapshot) []int {
	if w.rankSnap == snap && len(w.rank) == len(snap.perms) {
		return w.rank
	}
	order := map[Permission]int{}
	for i, p := range w.s.catalog.Permissions() {
		order[p] = i + 1
	}
	rank := make([]int, len(snap.perms))
	for id, p := range snap.perms {
		if r, ok := order[p]; ok {
			rank[id] = r
		} else {
			rank[id] = len(order) + 1
		}
	}
	w.rank, w.rankSnap = rank, snap
	return rank
}

// universe lists every catalog permission and every permission the policy
// names, in catalog order.
func (w *txn) universe(snap *snapshot) []Permission {
	out := slices.Clone(w.s.catalog.Permissions())
	for _, p := range snap.perms {
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// potential returns the permissions id holds in snap whatever the disabled
// flags of the account and its departments say: what whoever signs in as
// the account gets once it, or a department of it, is switched back on,
// temporary rules that have not ended included.
func (s *snapshot) potential(id StaffID) bitset {
	e := s.staffEntry(id)
	if e == nil {
		return nil
	}
	out := slices.Clone(e.direct)
	slots := slices.Clone(e.depts)
	now := s.nowNano()
	for _, t := range e.temps() {
		switch {
		case now >= t.span.until:
		case t.member:
			slots = append(slots, t.id)
		default:
			if int(t.id>>6) >= len(out) {
				out = append(out, make(bitset, int(t.id>>6)+1-len(out))...)
			}
			out[t.id>>6] |= 1 << (t.id & 63)
		}
	}
	for _, slot := range slots {
		for i, w := range s.deptAt(slot).perms {
			if i >= len(out) {
				out = append(out, make(bitset, i+1-len(out))...)
			}
			out[i] |= w
		}
	}
	return out
}
