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

const staffShards = 1024

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

// Flags of a staff member as a check reads them.
const (
	hotPresent uint8 = 1 << iota
	hotFull
	hotDisabled
)

const (
	chunkBits = 8
	chunkSize = 1 << chunkBits
	// denseLimit bounds the IDs kept in dense chunks; larger IDs (a
	// restarted sequence, say) go to a map so the chunk table stays small.
	denseLimit = 1 << 26
)

// staffChunk holds what checks read for 256 consecutive staff IDs: their
// flags and, row by row, their effective permissions as bits (words per
// row: snapshot.words). A row is all ones for an active full-access
// account and all zeros for a disabled or unknown one, so the common check
// reads a single word.
type staffChunk struct {
	flags [chunkSize]uint8
	bits  []uint64
}

// farStaff is the same for one ID beyond denseLimit.
type farStaff struct {
	flags uint8
	bits  []uint64
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

	staff [staffShards]map[StaffID]staffEntry
	hot   []*staffChunk         // by id >> chunkBits, for ids < denseLimit
	far   map[StaffID]*farStaff // ids >= denseLimit
	words int                   // bit words per staff row: covers every permID

	deptSlots map[DepartmentID]deptSlot
	depts     []*deptEntry // by slot; nil when the department has no rules

	direct []map[StaffID]struct{} // by permID: who holds it directly (nil: nobody)
	full   map[StaffID]struct{}   // who has the full-access flag

	activeFull int // staff with full access who are not disabled
}

func newSnapshot() *snapshot {
	s := &snapshot{
		permIDs:   map[Permission]permID{},
		deptSlots: map[DepartmentID]deptSlot{},
		full:      map[StaffID]struct{}{},
		far:       map[StaffID]*farStaff{},
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

// row returns id's flags and permission bits.
func (s *snapshot) row(id StaffID) (uint8, []uint64) {
	if uint64(id) < denseLimit {
		c := uint64(id) >> chunkBits
		if c >= uint64(len(s.hot)) || s.hot[c] == nil {
			return 0, nil
		}
		ch := s.hot[c]
		i := int(id & (chunkSize - 1))
		return ch.flags[i], ch.bits[i*s.words : (i+1)*s.words]
	}
	if f := s.far[id]; f != nil {
		return f.flags, f.bits
	}
	return 0, nil
}

// active reports whether id is a known, enabled staff member.
func (s *snapshot) active(id StaffID) bool {
	f, _ := s.row(id)
	return f&(hotPresent|hotDisabled) == hotPresent
}

// can is the hot path: a chunk index, a small map lookup for the
// permission and one bit test; no lock, no allocation.
func (s *snapshot) can(id StaffID, p Permission) bool {
	pid, known := s.permIDs[p]
	if uint64(id) < denseLimit {
		c := uint64(id) >> chunkBits
		if c >= uint64(len(s.hot)) {
			return false
		}
		ch := s.hot[c]
		if ch == nil {
			return false
		}
		i := int(id & (chunkSize - 1))
		if !known { // only full access covers a permission nobody holds
			return ch.flags[i]&(hotPresent|hotFull|hotDisabled) == hotPresent|hotFull
		}
		return ch.bits[i*s.words+int(pid>>6)]&(1<<(pid&63)) != 0
	}
	f := s.far[id]
	if f == nil {
		return false
	}
	if !known {
		return f.flags&(hotPresent|hotFull|hotDisabled) == hotPresent|hotFull
	}
	return f.bits[pid>>6]&(1<<(pid&63)) != 0
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
	relaid       bool // rows widened in this builder
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
	if int(id>>6) >= b.next.words {
		b.widen()
	}
	return id
}

// widen gives every staff row room for more permissions: rarely (once per
// 64 new permissions), at the cost of copying every row.
func (b *builder) widen() {
	old := b.next.words
	words := old + 4
	fill := func(flags uint8, row []uint64) []uint64 {
		out := make([]uint64, words)
		copy(out, row)
		if flags&(hotPresent|hotFull|hotDisabled) == hotPresent|hotFull {
			for i := old; i < words; i++ {
				out[i] = ^uint64(0)
			}
		}
		return out
	}
	hot := make([]*staffChunk, len(b.next.hot))
	for c, ch := range b.next.hot {
		if ch == nil {
			continue
		}
		n := &staffChunk{flags: ch.flags, bits: make([]uint64, 0, chunkSize*words)}
		for i := range chunkSize {
			n.bits = append(n.bits, fill(ch.flags[i], ch.bits[i*old:(i+1)*old])...)
		}
		hot[c] = n
		b.chunkCopied[uint64(c)] = true
	}
	b.next.hot, b.hotCopied = hot, true
	far := make(map[StaffID]*farStaff, len(b.next.far))
	for id, f := range b.next.far {
		far[id] = &farStaff{flags: f.flags, bits: fill(f.flags, f.bits)}
	}
	b.next.far, b.farCopied = far, true
	b.next.words = words
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
		b.next.direct = slices.Clone(b.next.direct)
		b.directTop = true
	}
	if int(p) >= len(b.next.direct) {
		b.next.direct = append(b.next.direct, make([]map[StaffID]struct{}, int(p)+1-len(b.next.direct))...)
	}
	set := b.next.direct[p]
	if !b.directCopied[p] || set == nil {
		// A set emptied earlier in this builder is nil again: recreate it.
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
				b.next.direct[pid] = nil
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
		var flags uint8
		var eff bitset
		old, _ := b.next.row(id)
		b.next.activeFull -= activeFullFlags(old)
		if len(e.depts) == 0 && e.direct == nil && !e.full && !e.disabled {
			delete(b.next.staff[sh], id)
		} else {
			b.next.staff[sh][id] = *e
			flags = hotPresent
			if e.full {
				flags |= hotFull
			}
			if e.disabled {
				flags |= hotDisabled
			}
			eff = b.effective(e)
		}
		b.next.activeFull += activeFullFlags(flags)
		b.setRow(id, flags, eff)
	}
	b.work = map[StaffID]*staffEntry{}
	b.deptDirty = map[deptSlot]bool{}
	return b.next
}

// activeFullFlags is 1 for the flags of an active full-access account.
func activeFullFlags(f uint8) int {
	if f&(hotPresent|hotFull|hotDisabled) == hotPresent|hotFull {
		return 1
	}
	return 0
}

// setRow stores id's flags and effective permissions as a check reads
// them, copying its chunk on first write.
func (b *builder) setRow(id StaffID, flags uint8, eff bitset) {
	words := b.next.words
	fillRow := func(row []uint64) {
		switch {
		case flags&(hotPresent|hotDisabled) != hotPresent:
			clear(row)
		case flags&hotFull != 0:
			for i := range row {
				row[i] = ^uint64(0)
			}
		default:
			clear(row)
			copy(row, eff)
		}
	}
	if uint64(id) >= denseLimit {
		if !b.farCopied {
			b.next.far = maps.Clone(b.next.far)
			b.farCopied = true
		}
		if flags == 0 {
			delete(b.next.far, id)
			return
		}
		f := &farStaff{flags: flags, bits: make([]uint64, words)}
		fillRow(f.bits)
		b.next.far[id] = f
		return
	}
	c := uint64(id) >> chunkBits
	if !b.hotCopied {
		b.next.hot = slices.Clone(b.next.hot)
		b.hotCopied = true
	}
	if c >= uint64(len(b.next.hot)) {
		if flags == 0 {
			return
		}
		b.next.hot = append(b.next.hot, make([]*staffChunk, int(c)+1-len(b.next.hot))...)
	}
	if !b.chunkCopied[c] {
		fresh := &staffChunk{bits: make([]uint64, chunkSize*words)}
		if old := b.next.hot[c]; old != nil {
			fresh.flags = old.flags
			copy(fresh.bits, old.bits)
		}
		b.next.hot[c] = fresh
		b.chunkCopied[c] = true
	}
	ch := b.next.hot[c]
	i := int(id & (chunkSize - 1))
	ch.flags[i] = flags
	fillRow(ch.bits[i*words : (i+1)*words])
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
