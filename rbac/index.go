package rbac

import (
	"maps"
	"slices"
	"time"

	"github.com/billingrbac/billingrbac/internal/cow"
)

// The decision index. Every check is served from an immutable snapshot of
// it, published through an atomic pointer: readers take no lock and always
// see one committed version. Writers build the next snapshot with
// copy-on-write at a grain that does not grow with the installation: one
// group of 64 staff rows (and of their entries) in a chunk of 256, one
// department, one block of an ID set (or a 4,096-ID piece of its bitmap),
// and the directories above them (pvec, idset), so a grant to one person
// costs microseconds at a million staff.
//
// Each staff row carries its effective permissions (the union of its
// active departments' and its direct grants) precomputed, so a check is
// one map lookup and one bit test; a change to a department recomputes
// that for its members only. Each permission's effective holders are kept
// as an idset, updated from the same recomputation, so "who can" costs the
// answer.
//
// Temporary rules (a direct grant or membership with a Window) never enter
// the row: the row of an account holding some is marked (tempMark) and its
// chunk keeps the bits they could give (tbits), so a check reads the clock
// only when the permanent bits deny and a temporary rule could allow.

type permID = uint32
type deptSlot = uint32

// staffEntry is everything the index knows of a staff member. Checks do
// not read it: they read the flags and effective permissions kept beside
// it in its chunk. Published entries are never changed.
type staffEntry struct {
	full     bool
	disabled bool
	depts    []deptSlot // sorted by slot
	direct   bitset
	// temp holds the temporary direct grants and memberships (nil: none;
	// a pointer, to keep the entry of the many staff without small):
	// never in the row (nor in depts and direct), they are read by a check
	// only when the row denies and is marked (tempMark).
	temp *[]tempRule
}

// temps returns e's temporary rules.
func (e *staffEntry) temps() []tempRule {
	if e.temp == nil {
		return nil
	}
	return *e.temp
}

// Flags of a staff member as a check reads them.
const (
	hotPresent uint8 = 1 << iota
	hotFull
	hotDisabled
	hotTemp // the entry has temporary rules (see canTemp)
)

// tempMark is the last bit of the row of an enabled account without full
// access that has temporary rules (hotTemp): no permission takes that bit,
// so a check denied by the row's permanent bits finds the mark in the
// cache line it has just read, and only then looks further (canTemp).
const tempMark = uint64(1) << 63

// fullActive reports whether flags are those of an enabled full-access
// account.
func fullActive(flags uint8) bool {
	return flags&(hotPresent|hotFull|hotDisabled) == hotPresent|hotFull
}

const (
	chunkBits = 8
	chunkSize = 1 << chunkBits
	// denseLimit bounds the IDs kept in dense chunks; larger IDs (a
	// restarted sequence, say) go to a map so the chunk directory stays
	// small.
	denseLimit = 1 << 26
)

// staffChunk holds 256 consecutive staff IDs: their flags and, row by row,
// their effective permissions as bits (words per row: snapshot.words),
// which checks read, and their entries. A row is all ones for an active
// full-access account and all zeros for a disabled or unknown one, so the
// common check reads a single word.
type staffChunk struct {
	own   *owner
	flags [chunkSize]uint8
	// bits holds the rows in groups of groupSize (snapshot.rows points
	// at each group), each copied on its own first write (mine: the
	// groups this chunk's owner allocated), so a change to one row
	// copies 64 rows, not 256.
	bits [chunkSize / groupSize][]uint64
	mine uint8
	// ents holds the entries in groups of groupSize, each copied on its
	// own first write, so a change to one entry copies 512 bytes of them.
	ents [chunkSize / groupSize]*entryGroup
	// tbits holds, row by row, the permissions the temporary rules of the
	// marked rows (tempMark) could give, whatever their windows: a check
	// the row denies reads the clock only when tbits has the bit. Nil
	// while no row of the chunk is marked.
	tbits []uint64
}

// Rows and entries are copied in groups of a cow leaf's size.
const (
	groupBits = cow.Bits
	groupSize = cow.LeafSize
	// allGroups is staffChunk.mine with every group its owner's.
	allGroups = 1<<(chunkSize/groupSize) - 1
)

type entryGroup = cow.Leaf[owner, *staffEntry]

// entry returns the entry of row i.
func (ch *staffChunk) entry(i int) *staffEntry {
	if g := ch.ents[i/groupSize]; g != nil {
		return g.V[i%groupSize]
	}
	return nil
}

// setEntry stores e as row i's entry in ch, which o owns, copying its
// group on first write.
func (ch *staffChunk) setEntry(o *owner, i int, e *staffEntry) {
	if ch.ents[i/groupSize] == nil && e == nil {
		return
	}
	g := cow.Own(o, ch.ents[i/groupSize])
	ch.ents[i/groupSize] = g
	g.V[i%groupSize] = e
}

// farStaff is the same for one ID beyond denseLimit.
type farStaff struct {
	flags uint8
	bits  []uint64
	tbits []uint64
	entry *staffEntry
}

func (e *staffEntry) empty() bool {
	return len(e.depts) == 0 && e.direct == nil && !e.full && !e.disabled && e.temp == nil
}

type deptEntry struct {
	own      *owner
	id       DepartmentID
	perms    bitset
	members  *idset
	disabled bool
}

type snapshot struct {
	version int64

	permIDs map[Permission]permID
	perms   []Permission // by permID

	hot   pvec[*staffChunk]     // by id >> chunkBits, for ids < denseLimit
	rows  pvec[[]uint64]        // by id >> groupBits, the chunks' groups of bits: what a check reads, one load nearer
	far   map[StaffID]*farStaff // ids >= denseLimit
	words int                   // bit words per staff row: covers every permID

	deptSlots map[DepartmentID]deptSlot
	depts     pvec[*deptEntry] // by slot; nil when the department has no rules

	holders pvec[*idset] // by permID: the active staff whose row has it
	direct  pvec[*idset] // by permID: staff with a permanent direct grant of it (WhoCan's reasons)
	active  *idset       // active full-access staff: who holds what nobody else does
	temp    *idset       // staff with temporary rules (hotTemp)

	clock func() time.Time // for temporary rules; nil means time.Now

	order *orderCache // display order of perms, shared while perms does not grow
}

func newSnapshot() *snapshot {
	return &snapshot{
		permIDs:   map[Permission]permID{},
		deptSlots: map[DepartmentID]deptSlot{},
		far:       map[StaffID]*farStaff{},
		order:     &orderCache{},
	}
}

// staffEntry returns id's entry, or nil. The entry is shared: read only.
func (s *snapshot) staffEntry(id StaffID) *staffEntry {
	if uint64(id) < denseLimit {
		if ch := s.hot.At(uint64(id) >> chunkBits); ch != nil {
			return ch.entry(int(id & (chunkSize - 1)))
		}
		return nil
	}
	if f := s.far[id]; f != nil {
		return f.entry
	}
	return nil
}

func (s *snapshot) deptAt(slot deptSlot) *deptEntry { return s.depts.At(uint64(slot)) }

func (s *snapshot) dept(id DepartmentID) *deptEntry {
	slot, ok := s.deptSlots[id]
	if !ok {
		return nil
	}
	return s.deptAt(slot)
}

// eachDept calls fn for every department with rules, by slot.
func (s *snapshot) eachDept(fn func(*deptEntry)) {
	for i := range s.depts.Len() {
		if d := s.depts.At(uint64(i)); d != nil {
			fn(d)
		}
	}
}

// row returns id's flags and permission bits.
func (s *snapshot) row(id StaffID) (uint8, []uint64) {
	if uint64(id) < denseLimit {
		ch := s.hot.At(uint64(id) >> chunkBits)
		if ch == nil {
			return 0, nil
		}
		i := int(id & (chunkSize - 1))
		j := i % groupSize
		return ch.flags[i], ch.bits[i/groupSize][j*s.words : (j+1)*s.words]
	}
	if f := s.far[id]; f != nil {
		return f.flags, f.bits
	}
	return 0, nil
}

// isActive reports whether id is a known, enabled staff member.
func (s *snapshot) isActive(id StaffID) bool {
	f, _ := s.row(id)
	return f&(hotPresent|hotDisabled) == hotPresent
}

// can is the hot path: a small map lookup for the permission, two
// dependent loads (the leaf of the row directory, the row) and one bit
// test; no lock, no allocation.
func (s *snapshot) can(id StaffID, p Permission) bool {
	pid, known := s.permIDs[p]
	if uint64(id) < denseLimit {
		g := uint64(id) >> groupBits
		l := g >> cow.Bits
		if l >= uint64(len(s.rows.Dir)) {
			return false
		}
		leaf := s.rows.Dir[l]
		if leaf == nil {
			return false
		}
		bits := leaf.V[g&(cow.LeafSize-1)]
		c, i := uint64(id)>>chunkBits, int(id&(chunkSize-1))
		if !known || bits == nil { // only full access covers a permission nobody holds
			return bits != nil && fullActive(s.hot.At(c).flags[i])
		}
		j := int(id & (groupSize - 1))
		row := bits[j*s.words : (j+1)*s.words]
		if row[pid>>6]&(1<<(pid&63)) != 0 {
			return true
		}
		// Denied by the permanent rules: a temporary one may still allow.
		// The mark sits in the row's last word, in the cache line just read.
		return row[len(row)-1]&tempMark != 0 && s.canTempAt(c, i, pid)
	}
	f := s.far[id]
	if f == nil {
		return false
	}
	if !known {
		return fullActive(f.flags)
	}
	return f.bits[pid>>6]&(1<<(pid&63)) != 0 || f.bits[len(f.bits)-1]&tempMark != 0 && f.tbits[pid>>6]&(1<<(pid&63)) != 0 &&
		s.canTemp(f.entry, f.flags, pid)
}

// holdersOf returns the active staff who may perform p.
func (s *snapshot) holdersOf(p Permission) *idset {
	pid, known := s.permIDs[p]
	if !known {
		return s.active
	}
	return s.holders.At(uint64(pid))
}

// hasRule reports whether a rule with r's identity (whatever its window)
// is in the policy this snapshot was built from.
func (s *snapshot) hasRule(r Rule) bool {
	_, ok := s.storedRule(r)
	return ok
}

// storedRule returns the rule with r's identity in the policy this
// snapshot was built from, with its window, if there is one.
func (s *snapshot) storedRule(r Rule) (Rule, bool) {
	r = r.key()
	switch r.Kind {
	case RuleGrant:
		pid, ok := s.permIDs[r.Permission]
		if !ok {
			return r, false
		}
		if r.Subject.Department != 0 {
			d := s.dept(r.Subject.Department)
			return r, d != nil && d.perms.has(pid)
		}
		e := s.staffEntry(r.Subject.Staff)
		if e == nil {
			return r, false
		}
		if w, ok := e.tempWindow(false, pid); ok {
			return r.Within(w), true
		}
		return r, e.direct.has(pid)
	case RuleMember:
		d := s.dept(r.Department)
		if d == nil || !d.members.has(r.Subject.Staff) {
			return r, false
		}
		if e := s.staffEntry(r.Subject.Staff); e != nil {
			if w, ok := e.tempWindow(true, s.deptSlots[r.Department]); ok {
				return r.Within(w), true
			}
		}
		return r, true
	case RuleFlag:
		if r.Subject.Department != 0 {
			d := s.dept(r.Subject.Department)
			return r, d != nil && r.Flag == FlagDisabled && d.disabled
		}
		e := s.staffEntry(r.Subject.Staff)
		if e == nil {
			return r, false
		}
		switch r.Flag {
		case FlagFullAccess:
			return r, e.full
		case FlagDisabled:
			return r, e.disabled
		}
	}
	return r, false
}

// rulesOfStaff returns every rule naming staff member id (for deleting it).
func (s *snapshot) rulesOfStaff(id StaffID) []Rule {
	e := s.staffEntry(id)
	if e == nil {
		return nil
	}
	var out []Rule
	sub := StaffSubject(id)
	for _, slot := range e.depts {
		out = append(out, MemberRule(id, s.deptAt(slot).id))
	}
	e.direct.each(func(p permID) { out = append(out, GrantRule(sub, s.perms[p])) })
	for _, t := range e.temps() {
		if t.member {
			out = append(out, MemberRule(id, s.deptAt(t.id).id).Within(t.span.window()))
		} else {
			out = append(out, GrantRule(sub, s.perms[t.id]).Within(t.span.window()))
		}
	}
	if e.full {
		out = append(out, FlagRule(sub, FlagFullAccess))
	}
	if e.disabled {
		out = append(out, FlagRule(sub, FlagDisabled))
	}
	return out
}

// rulesOfDepartment returns every rule naming department id.
func (s *snapshot) rulesOfDepartment(id DepartmentID) []Rule {
	d := s.dept(id)
	if d == nil {
		return nil
	}
	var out []Rule
	sub := DepartmentSubject(id)
	d.perms.each(func(p permID) { out = append(out, GrantRule(sub, s.perms[p])) })
	for m := range d.members.all() {
		r, _ := s.storedRule(MemberRule(m, id))
		out = append(out, r)
	}
	if d.disabled {
		out = append(out, FlagRule(sub, FlagDisabled))
	}
	return out
}

// activeFullFlags is 1 for the flags of an active full-access account.
func activeFullFlags(f uint8) int {
	if fullActive(f) {
		return 1
	}
	return 0
}

func sortedStaff(set map[StaffID]struct{}) []StaffID {
	out := slices.Collect(maps.Keys(set))
	slices.Sort(out)
	return out
}
