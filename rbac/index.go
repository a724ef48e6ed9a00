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
//
// Each staff entry carries its effective permissions (the union of its
// active departments' and its direct grants) precomputed, so a check is
// one map lookup and one bit test; a change to a department recomputes
// that for its members only.

const staffShards = 256

type permID = uint32
type deptSlot = uint32

// staffEntry is everything the index knows of a staff member. Checks do
// not read it: they read the staffHot copy of its flags and effective
// permissions, kept in dense chunks indexed by ID (one cache line for most
// checks, where a map lookup costs several).
type staffEntry struct {
	full     bool
	disabled bool
	depts    []deptSlot // sorted by slot
	direct   bitset
}

// staffHot is what a check reads.
type staffHot struct {
	eff   effBits // active departments' permissions | direct grants
	flags uint8
}

const (
	hotPresent uint8 = 1 << iota
	hotFull
	hotDisabled
)

const (
	chunkBits = 10
	chunkSize = 1 << chunkBits
	// denseLimit bounds the IDs kept in dense chunks; larger IDs (a
	// restarted sequence, say) go to a map so the chunk table stays small.
	denseLimit = 1 << 26
)

type staffChunk [chunkSize]staffHot

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

	staff [staffShards]map[StaffID]staffEntry
	hot   []*staffChunk         // by id >> chunkBits, for ids < denseLimit
	far   map[StaffID]*staffHot // ids >= denseLimit

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
		far:       map[StaffID]*staffHot{},
	}
	for i := range s.staff {
		s.staff[i] = map[StaffID]staffEntry{}
	}
	return s
}

func shardOf(id StaffID) int { return int(uint64(id) % staffShards) }

// staffEntry returns a copy of id's entry, or nil. Not for the hot path.
func (s *snapshot) staffEntry(id StaffID) *staffEntry {
	e, ok := s.staff[shardOf(id)][id]
	if !ok {
		return nil
	}
	return &e
}

func (s *snapshot) dept(id DepartmentID) *deptEntry {
	slot, ok := s.deptSlots[id]
	if !ok {
		return nil
	}
	return s.depts[slot]
}

// hotEntry returns what a check needs of id, or nil.
func (s *snapshot) hotEntry(id StaffID) *staffHot {
	if uint64(id) < denseLimit {
		c := uint64(id) >> chunkBits
		if c >= uint64(len(s.hot)) || s.hot[c] == nil {
			return nil
		}
		return &s.hot[c][id&(chunkSize-1)]
	}
	return s.far[id]
}

// can is the hot path: a chunk index, one small map lookup for the
// permission and a bit test; no lock, no allocation.
func (s *snapshot) can(id StaffID, p Permission) bool {
	h := s.hotEntry(id)
	if h == nil || h.flags&(hotPresent|hotDisabled) != hotPresent {
		return false
	}
	if h.flags&hotFull != 0 {
		return true
	}
	pid, ok := s.permIDs[p]
	return ok && h.eff.has(pid)
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
// Staff entries are edited as working copies and written back, with their
// effective permissions recomputed, by finish.
type builder struct {
	base, next   *snapshot
	permsCopied  bool
	shardCopied  [staffShards]bool
	work         map[StaffID]*staffEntry // working copies of touched entries
	hotCopied    bool
	chunkCopied  map[uint64]bool
	farCopied    bool
	deptsCopied  bool
	slotsCopied  bool
	deptCopied   map[deptSlot]bool
	deptDirty    map[deptSlot]bool // permissions or status changed
	directCopied map[permID]bool
	fullCopied   bool
	directTop    bool
}

func newBuilder(base *snapshot) *builder {
	next := *base
	return &builder{
		base:         base,
		next:         &next,
		work:         map[StaffID]*staffEntry{},
		chunkCopied:  map[uint64]bool{},
		deptCopied:   map[deptSlot]bool{},
		deptDirty:    map[deptSlot]bool{},
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

// staff returns the working copy of id's entry, creating it if needed.
func (b *builder) staff(id StaffID) *staffEntry {
	if e := b.work[id]; e != nil {
		return e
	}
	e := &staffEntry{}
	if cur, ok := b.next.staff[shardOf(id)][id]; ok {
		*e = cur
		e.depts = slices.Clone(cur.depts)
	}
	b.work[id] = e
	return e
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
			b.deptDirty[b.next.deptSlots[r.Subject.Department]] = true
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
	case RuleFlag:
		if r.Subject.Department != 0 {
			if r.Flag == FlagDisabled {
				b.dept(r.Subject.Department).disabled = add
				b.deptDirty[b.next.deptSlots[r.Subject.Department]] = true
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

// finish recomputes the effective permissions of every touched staff
// member and of every member of a changed department, and writes the
// entries back into (copied) shards.
func (b *builder) finish() *snapshot {
	for slot := range b.deptDirty {
		for _, id := range b.next.depts[slot].members {
			b.staff(id)
		}
	}
	for id, e := range b.work {
		sh := shardOf(id)
		if !b.shardCopied[sh] {
			b.next.staff[sh] = maps.Clone(b.next.staff[sh])
			b.shardCopied[sh] = true
		}
		var hot staffHot
		if len(e.depts) == 0 && e.direct == nil && !e.full && !e.disabled {
			delete(b.next.staff[sh], id)
		} else {
			b.next.staff[sh][id] = *e
			hot = staffHot{eff: newEffBits(b.effective(e)), flags: hotPresent}
			if e.full {
				hot.flags |= hotFull
			}
			if e.disabled {
				hot.flags |= hotDisabled
			}
		}
		b.setHot(id, hot)
	}
	b.work = map[StaffID]*staffEntry{}
	b.deptDirty = map[deptSlot]bool{}
	return b.next
}

// setHot stores id's hot entry, copying its chunk on first write.
func (b *builder) setHot(id StaffID, h staffHot) {
	if uint64(id) >= denseLimit {
		if !b.farCopied {
			b.next.far = maps.Clone(b.next.far)
			b.farCopied = true
		}
		if h.flags == 0 {
			delete(b.next.far, id)
		} else {
			b.next.far[id] = &h
		}
		return
	}
	c := uint64(id) >> chunkBits
	if !b.hotCopied {
		b.next.hot = slices.Clone(b.next.hot)
		b.hotCopied = true
	}
	if c >= uint64(len(b.next.hot)) {
		if h.flags == 0 {
			return
		}
		b.next.hot = append(b.next.hot, make([]*staffChunk, int(c)+1-len(b.next.hot))...)
	}
	if !b.chunkCopied[c] {
		fresh := new(staffChunk)
		if old := b.next.hot[c]; old != nil {
			*fresh = *old
		}
		b.next.hot[c] = fresh
		b.chunkCopied[c] = true
	}
	b.next.hot[c][id&(chunkSize-1)] = h
}

// effective is the union of e's active departments' permissions and its
// direct grants, in a fresh bitset (published bitsets are never mutated).
func (b *builder) effective(e *staffEntry) bitset {
	n := len(e.direct)
	for _, slot := range e.depts {
		if d := b.next.depts[slot]; !d.disabled {
			n = max(n, len(d.perms))
		}
	}
	if n == 0 {
		return nil
	}
	out := make(bitset, n)
	copy(out, e.direct)
	for _, slot := range e.depts {
		if d := b.next.depts[slot]; !d.disabled {
			for i, w := range d.perms {
				out[i] |= w
			}
		}
	}
	return out
}

// buildSnapshot builds a snapshot from a whole policy.
func buildSnapshot(rules []Rule, version int64) *snapshot {
	b := newBuilder(newSnapshot())
	for _, r := range rules {
		b.apply(r, true)
	}
	next := b.finish()
	next.version = version
	return next
}
