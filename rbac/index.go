package rbac

import (
	"maps"
	"slices"
)

// The decision index. Every check is served from an immutable snapshot of
// it, published through an atomic pointer: readers take no lock and always
// see one committed version. Writers build the next snapshot by copying only
// what a change touches (one shard of staff, one department, one reverse
// set), so a grant to one person costs microseconds at 100,000 staff.

const staffShards = 256

type permID = uint32
type deptSlot = uint32

type staffEntry struct {
	depts    []deptSlot // sorted by slot
	direct   bitset
	full     bool
	disabled bool
}

func (e *staffEntry) empty() bool {
	return len(e.depts) == 0 && e.direct == nil && !e.full && !e.disabled
}

type deptEntry struct {
	id       DepartmentID
	perms    bitset
	members  []StaffID // sorted
	disabled bool
}

type snapshot struct {
	version int64

	permIDs map[Permission]permID
	perms   []Permission // by permID

	staff [staffShards]map[StaffID]*staffEntry

	deptSlots map[DepartmentID]deptSlot
	depts     []*deptEntry // by slot; nil when the department has no rules

	direct map[permID]map[StaffID]struct{} // who holds a permission directly
	full   map[StaffID]struct{}            // who has the full-access flag
}

func newSnapshot() *snapshot {
	s := &snapshot{
		permIDs:   map[Permission]permID{},
		deptSlots: map[DepartmentID]deptSlot{},
		direct:    map[permID]map[StaffID]struct{}{},
		full:      map[StaffID]struct{}{},
	}
	for i := range s.staff {
		s.staff[i] = map[StaffID]*staffEntry{}
	}
	return s
}

func shardOf(id StaffID) int { return int(uint64(id) % staffShards) }

func (s *snapshot) staffEntry(id StaffID) *staffEntry { return s.staff[shardOf(id)][id] }

func (s *snapshot) dept(id DepartmentID) *deptEntry {
	slot, ok := s.deptSlots[id]
	if !ok {
		return nil
	}
	return s.depts[slot]
}

// can is the hot path: a few map and slice lookups, no allocation.
func (s *snapshot) can(id StaffID, p Permission) bool {
	e := s.staff[uint64(id)%staffShards][id]
	if e == nil || e.disabled {
		return false
	}
	if e.full {
		return true
	}
	pid, ok := s.permIDs[p]
	if !ok {
		return false
	}
	if e.direct.has(pid) {
		return true
	}
	for _, slot := range e.depts {
		d := s.depts[slot]
		if !d.disabled && d.perms.has(pid) {
			return true
		}
	}
	return false
}

// hasRule reports whether r is in the policy this snapshot was built from.
func (s *snapshot) hasRule(r Rule) bool {
	switch r.Kind {
	case RuleGrant:
		pid, ok := s.permIDs[r.Permission]
		if !ok {
			return false
		}
		if r.Subject.Department != 0 {
			d := s.dept(r.Subject.Department)
			return d != nil && d.perms.has(pid)
		}
		e := s.staffEntry(r.Subject.Staff)
		return e != nil && e.direct.has(pid)
	case RuleMember:
		d := s.dept(r.Department)
		if d == nil {
			return false
		}
		_, ok := slices.BinarySearch(d.members, r.Subject.Staff)
		return ok
	case RuleFlag:
		if r.Subject.Department != 0 {
			d := s.dept(r.Subject.Department)
			return d != nil && r.Flag == FlagDisabled && d.disabled
		}
		e := s.staffEntry(r.Subject.Staff)
		if e == nil {
			return false
		}
		switch r.Flag {
		case FlagFullAccess:
			return e.full
		case FlagDisabled:
			return e.disabled
		}
	}
	return false
}

// rules returns every rule of the snapshot (for a full comparison in tests
// and for deleting a subject).
func (s *snapshot) rulesOfStaff(id StaffID) []Rule {
	e := s.staffEntry(id)
	if e == nil {
		return nil
	}
	var out []Rule
	sub := StaffSubject(id)
	for _, slot := range e.depts {
		out = append(out, MemberRule(id, s.depts[slot].id))
	}
	e.direct.each(func(p permID) { out = append(out, GrantRule(sub, s.perms[p])) })
	if e.full {
		out = append(out, FlagRule(sub, FlagFullAccess))
	}
	if e.disabled {
		out = append(out, FlagRule(sub, FlagDisabled))
	}
	return out
}

func (s *snapshot) rulesOfDepartment(id DepartmentID) []Rule {
	d := s.dept(id)
	if d == nil {
		return nil
	}
	var out []Rule
	sub := DepartmentSubject(id)
	d.perms.each(func(p permID) { out = append(out, GrantRule(sub, s.perms[p])) })
	for _, m := range d.members {
		out = append(out, MemberRule(m, id))
	}
	if d.disabled {
		out = append(out, FlagRule(sub, FlagDisabled))
	}
	return out
}

func sortedStaff(set map[StaffID]struct{}) []StaffID {
	out := slices.Collect(maps.Keys(set))
	slices.Sort(out)
	return out
}

// builder derives the next snapshot from a base, copying on first write.
type builder struct {
	base, next   *snapshot
	permsCopied  bool
	shardCopied  [staffShards]bool
	staffCopied  map[StaffID]bool
	deptsCopied  bool
	slotsCopied  bool
	deptCopied   map[deptSlot]bool
	directCopied map[permID]bool
	fullCopied   bool
	directTop    bool
}

func newBuilder(base *snapshot) *builder {
	next := *base
	return &builder{
		base:         base,
		next:         &next,
		staffCopied:  map[StaffID]bool{},
		deptCopied:   map[deptSlot]bool{},
		directCopied: map[permID]bool{},
	}
}

func (b *builder) perm(p Permission) permID {
	if id, ok := b.next.permIDs[p]; ok {
		return id
	}
	if !b.permsCopied {
		b.next.permIDs = maps.Clone(b.next.permIDs)
		b.next.perms = slices.Clone(b.next.perms)
		b.permsCopied = true
	}
	id := permID(len(b.next.perms))
	b.next.permIDs[p] = id
	b.next.perms = append(b.next.perms, p)
	return id
}

// staff returns a private copy of the entry for id, creating it if needed.
func (b *builder) staff(id StaffID) *staffEntry {
	sh := shardOf(id)
	if !b.shardCopied[sh] {
		b.next.staff[sh] = maps.Clone(b.next.staff[sh])
		b.shardCopied[sh] = true
	}
	e := b.next.staff[sh][id]
	if e == nil {
		e = &staffEntry{}
		b.next.staff[sh][id] = e
		b.staffCopied[id] = true
	} else if !b.staffCopied[id] {
		c := *e
		c.depts = slices.Clone(e.depts)
		e = &c
		b.next.staff[sh][id] = e
		b.staffCopied[id] = true
	}
	return e
}

func (b *builder) dropIfEmpty(id StaffID, e *staffEntry) {
	if e.empty() {
		delete(b.next.staff[shardOf(id)], id)
	}
}

// dept returns a private copy of the department entry, creating it if needed.
func (b *builder) dept(id DepartmentID) *deptEntry {
	slot, ok := b.next.deptSlots[id]
	if !b.deptsCopied {
		b.next.depts = slices.Clone(b.next.depts)
		b.deptsCopied = true
	}
	if !ok {
		if !b.slotsCopied {
			b.next.deptSlots = maps.Clone(b.next.deptSlots)
			b.slotsCopied = true
		}
		slot = deptSlot(len(b.next.depts))
		b.next.deptSlots[id] = slot
		b.next.depts = append(b.next.depts, nil)
	}
	d := b.next.depts[slot]
	switch {
	case d == nil:
		d = &deptEntry{id: id}
		b.next.depts[slot] = d
		b.deptCopied[slot] = true
	case !b.deptCopied[slot]:
		c := *d
		c.members = slices.Clone(d.members)
		d = &c
		b.next.depts[slot] = d
		b.deptCopied[slot] = true
	}
	return d
}

func (b *builder) directSet(p permID) map[StaffID]struct{} {
	if !b.directTop {
		b.next.direct = maps.Clone(b.next.direct)
		b.directTop = true
	}
	set := b.next.direct[p]
	if !b.directCopied[p] {
		set = maps.Clone(set)
		if set == nil {
			set = map[StaffID]struct{}{}
		}
		b.next.direct[p] = set
		b.directCopied[p] = true
	}
	return set
}

func (b *builder) fullSet() map[StaffID]struct{} {
	if !b.fullCopied {
		b.next.full = maps.Clone(b.next.full)
		b.fullCopied = true
	}
	return b.next.full
}

// apply adds (add=true) or removes one rule. Applying a rule that is
// already in (or absent from) the policy is a no-op, as in Casbin.
func (b *builder) apply(r Rule, add bool) {
	switch r.Kind {
	case RuleGrant:
		pid := b.perm(r.Permission)
		if r.Subject.Department != 0 {
			d := b.dept(r.Subject.Department)
			if add {
				d.perms = d.perms.with(pid)
			} else {
				d.perms = d.perms.without(pid)
			}
			return
		}
		id := r.Subject.Staff
		e := b.staff(id)
		set := b.directSet(pid)
		if add {
			e.direct = e.direct.with(pid)
			set[id] = struct{}{}
		} else {
			e.direct = e.direct.without(pid)
			delete(set, id)
			if len(set) == 0 {
				delete(b.next.direct, pid)
			}
		}
		b.dropIfEmpty(id, e)
	case RuleMember:
		id := r.Subject.Staff
		d := b.dept(r.Department)
		slot := b.next.deptSlots[r.Department]
		e := b.staff(id)
		i, found := slices.BinarySearch(e.depts, slot)
		j, isMember := slices.BinarySearch(d.members, id)
		if add {
			if !isMember {
				d.members = slices.Insert(d.members, j, id)
			}
			if !found {
				e.depts = slices.Insert(e.depts, i, slot)
			}
		} else {
			if isMember {
				d.members = slices.Delete(d.members, j, j+1)
			}
			if found {
				e.depts = slices.Delete(e.depts, i, i+1)
			}
		}
		b.dropIfEmpty(id, e)
	case RuleFlag:
		if r.Subject.Department != 0 {
			if r.Flag == FlagDisabled {
				b.dept(r.Subject.Department).disabled = add
			}
			return
		}
		id := r.Subject.Staff
		e := b.staff(id)
		switch r.Flag {
		case FlagFullAccess:
			e.full = add
			if add {
				b.fullSet()[id] = struct{}{}
			} else {
				delete(b.fullSet(), id)
			}
		case FlagDisabled:
			e.disabled = add
		}
		b.dropIfEmpty(id, e)
	}
}

func (b *builder) applyDelta(d PolicyDelta) {
	for _, r := range d.Remove {
		b.apply(r, false)
	}
	for _, r := range d.Add {
		b.apply(r, true)
	}
}

// buildSnapshot builds a snapshot from a whole policy.
func buildSnapshot(rules []Rule, version int64) *snapshot {
	b := newBuilder(newSnapshot())
	for _, r := range rules {
		b.apply(r, true)
	}
	b.next.version = version
	return b.next
}
