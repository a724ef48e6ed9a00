package rbac

import (
	"maps"
	"slices"
	"time"
)

// builder derives the next snapshot from a base. Everything it creates
// carries its owner token and is changed in place; everything it reaches
// from the base is copied on first write (see idset and pvec), so the base
// and every published snapshot stay untouched for their readers. A builder
// is used once: finish publishes what it built.
type builder struct {
	base, next *snapshot
	own        *owner

	permsCopied bool
	farCopied   bool
	slotsCopied bool

	work workSet // working copies of touched entries
	// joined holds, while a whole policy is built (fresh), the members
	// each department gains, added to its set in one merge by finish.
	fresh     bool
	joined    map[deptSlot][]StaffID
	deptDirty map[deptSlot]bool // permissions or status changed
	gain      [][]StaffID       // by permID: new holders, ascending (finish)
	loss      [][]StaffID       // by permID: former holders, ascending
}

func newBuilder(base *snapshot) *builder {
	next := *base
	return &builder{
		base:      base,
		next:      &next,
		own:       new(owner),
		deptDirty: map[deptSlot]bool{},
	}
}

func (b *builder) perm(p Permission) permID {
	if id, ok := b.next.permIDs[p]; ok {
		return id
	}
	if !b.permsCopied {
		b.next.permIDs = maps.Clone(b.next.permIDs)
		b.next.perms = slices.Clone(b.next.perms)
		b.next.order = &orderCache{}
		b.permsCopied = true
	}
	id := permID(len(b.next.perms))
	b.next.permIDs[p] = id
	b.next.perms = append(b.next.perms, p)
	if int(id) >= b.next.words*64-1 { // the last bit of a row is tempMark
		b.widen()
	}
	// Before this change nobody but full access held p: start its holders
	// there, and finish moves them to the new state with every row it
	// recomputes (see holdersDiff).
	b.next.holders.Set(b.own, uint64(id), b.base.active)
	return id
}

// setDirect records whether id has a permanent direct grant of pid in
// the per-permission sets WhoCan reads its reasons from.
func (b *builder) setDirect(pid permID, id StaffID, has bool) {
	cur := b.next.direct.At(uint64(pid))
	var next *idset
	if has {
		next = cur.with(b.own, id)
	} else {
		next = cur.without(b.own, id)
	}
	if next != cur {
		b.next.direct.Set(b.own, uint64(pid), next)
	}
}

// staff returns the working copy of id's entry, creating it if needed.
func (b *builder) staff(id StaffID) *staffEntry {
	if e := b.work.get(id); e != nil {
		return e
	}
	e := b.work.add(id)
	if cur := b.next.staffEntry(id); cur != nil {
		*e = *cur
		e.depts = slices.Clone(cur.depts)
		if cur.temp != nil {
			ts := slices.Clone(*cur.temp)
			e.temp = &ts
		}
	}
	return e
}

// dept returns the builder's own copy of the department entry, creating
// it if needed, and its slot.
func (b *builder) dept(id DepartmentID) (*deptEntry, deptSlot) {
	slot, ok := b.next.deptSlots[id]
	if !ok {
		if !b.slotsCopied {
			b.next.deptSlots = maps.Clone(b.next.deptSlots)
			b.slotsCopied = true
		}
		slot = deptSlot(b.next.depts.Len())
		b.next.deptSlots[id] = slot
	}
	d := b.next.deptAt(slot)
	switch {
	case d == nil:
		d = &deptEntry{own: b.own, id: id}
		b.next.depts.Set(b.own, uint64(slot), d)
	case d.own != b.own:
		c := *d
		c.own = b.own
		d = &c
		b.next.depts.Set(b.own, uint64(slot), d)
	}
	return d, slot
}

// apply adds (add=true) or removes one rule. Applying a rule that is
// already in (or absent from) the policy is a no-op, as in Casbin. A rule
// is identified without its window: adding one replaces the same rule
// with another window, removing one removes it whatever its window.
func (b *builder) apply(r Rule, add bool) {
	w := r.Window
	if !add {
		w = Window{}
	}
	switch r.Kind {
	case RuleGrant:
		pid := b.perm(r.Permission)
		if r.Subject.Department != 0 {
			d, slot := b.dept(r.Subject.Department)
			if add {
				d.perms = d.perms.with(pid)
			} else {
				d.perms = d.perms.without(pid)
			}
			b.deptDirty[slot] = true
			return
		}
		id := r.Subject.Staff
		e := b.staff(id)
		e.setTemp(false, pid, w)
		if add {
			if w.IsZero() {
				e.direct = e.direct.with(pid)
			} else {
				e.direct = e.direct.without(pid)
			}
		} else {
			e.direct = e.direct.without(pid)
		}
		b.setDirect(pid, id, e.direct.has(pid))
	case RuleMember:
		id := r.Subject.Staff
		d, slot := b.dept(r.Department)
		e := b.staff(id)
		i, found := slices.BinarySearch(e.depts, slot)
		e.setTemp(true, slot, w)
		switch {
		case add && !w.IsZero(): // temporary: a member, but not in the row
			b.addMember(d, slot, id)
			if found {
				e.depts = slices.Delete(e.depts, i, i+1)
			}
		case add:
			b.addMember(d, slot, id)
			if !found {
				e.depts = slices.Insert(e.depts, i, slot)
			}
		default:
			d.members = d.members.without(b.own, id)
			if found {
				e.depts = slices.Delete(e.depts, i, i+1)
			}
		}
	case RuleFlag:
		if r.Subject.Department != 0 {
			if r.Flag == FlagDisabled {
				d, slot := b.dept(r.Subject.Department)
				d.disabled = add
				b.deptDirty[slot] = true
			}
			return
		}
		id := r.Subject.Staff
		e := b.staff(id)
		switch r.Flag {
		case FlagFullAccess:
			e.full = add
		case FlagDisabled:
			e.disabled = add
		}
	}
}

// addMember makes id a member of d (at slot).
func (b *builder) addMember(d *deptEntry, slot deptSlot, id StaffID) {
	if !b.fresh {
		d.members = d.members.with(b.own, id)
		return
	}
	if b.joined == nil {
		b.joined = map[deptSlot][]StaffID{}
	}
	b.joined[slot] = append(b.joined[slot], id)
}

// join adds the members gathered in joined to their departments.
func (b *builder) join() {
	for slot, ids := range b.joined {
		if !slices.IsSorted(ids) {
			slices.Sort(ids)
		}
		ids = slices.Compact(ids)
		// The builder's own entry (addMember came after dept), with no
		// members yet: in a fresh build every one arrives here.
		d := b.next.deptAt(slot)
		d.members = idsetFromSorted(b.own, ids)
	}
	b.joined = nil
}

func (b *builder) applyDelta(d PolicyDelta) {
	for _, r := range d.Remove {
		b.apply(r, false)
	}
	for _, r := range d.Add {
		b.apply(r, true)
	}
}

// newFreshBuilder returns a builder of a whole policy, from nothing.
func newFreshBuilder(clock func() time.Time) *builder {
	base := newSnapshot()
	base.clock = clock
	b := newBuilder(base)
	b.fresh = true
	return b
}

// buildSnapshot builds a snapshot from a whole policy.
func buildSnapshot(rules []Rule, version int64, clock func() time.Time) *snapshot {
	b := newFreshBuilder(clock)
	for _, r := range rules {
		b.apply(r, true)
	}
	next := b.finish()
	next.version = version
	return next
}
