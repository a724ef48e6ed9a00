package rbac

import (
	"cmp"
	"slices"
)

// A whole WhoCan answer is computed per department, not per holder: the
// reasons of a staff member without full access or temporary rules are
// the active departments giving the permission that list them as members,
// and a direct grant, so the member sets of those departments and the
// permission's direct holders, merged in ID order, give every holder's
// reasons without reading its entry. Entries scattered over the heap cost
// a cache miss each; the sets are compact and read in order.
//
// The merge works one 65,536-ID block at a time on a table indexed by the
// low bits of the ID (code): each giving department, in ascending ID
// order, writes its index into its members' words (up to three, the
// count in the word); the direct holders and the staff whose entry must
// be read (full access, temporary rules, more than three departments)
// set a flag. The holders are then read in order, each appending its
// word's indexes to the answer. Each department's set is walked once for
// all blocks beforehand (flat, runs), as reaching a block of a set costs
// cache misses and a department has few members per block at a million
// staff.

// scanMin is the answer size from which WhoCan merges the sets, and
// scanDepts the departments per holder above which it reads the entries
// instead: finding the giving departments reads every department with
// rules, which costs more than reading a few holders' entries.
const (
	scanMin   = 16
	scanDepts = 8
)

// A code word: three 20-bit department indexes, their count, and flags.
const (
	codeSlotBits = 20
	codeSlots    = 3
	codeCount    = 60      // shift of the count of indexes
	codeDirect   = 1 << 62 // in the permission's direct holders
	codeEntry    = 1 << 63 // read the entry: full access, temporary rules, more departments
	maxGivers    = 1 << codeSlotBits
)

// scanTable is a merge's working memory, kept for the next (Service.scans):
// the code table is left all zeros.
type scanTable struct {
	code [1 << blockBits]uint64
	lows []uint16      // the holders in the block
	part []uint16      // another set's members in the block
	keys []uint64      // the holders' blocks
	flat []uint16      // the giving departments' members, low bits
	runs [][]memberRun // by block of keys: where flat holds its members
}

// memberRun is where flat holds a giving department's members in a block.
type memberRun struct{ giver, start, end uint32 }

// holdersScan is the state of one merge.
type holdersScan struct {
	s      *snapshot
	pid    permID
	givers []*deptEntry // active departments giving pid, by department ID
	out    Holders      // srcs: the givers' sources, then full access, a direct grant and temporary ones
	tmp    []Source     // an entry's reasons
	n      int          // holders written into out
}

// whoCan returns every holder of p (the active staff in h, and extra:
// ascending, disjoint from h, by temporary rules) with its reasons.
func (s *snapshot) whoCan(p Permission, h *idset, extra []StaffID, t *scanTable) Holders {
	if pid, known := s.permIDs[p]; known && h.len() >= max(scanMin, s.depts.Len()/scanDepts) {
		if out, ok := s.scanHolders(pid, h, extra, t); ok {
			return out
		}
	}
	return s.holdersByEntry(p, h, extra)
}

// scanHolders is whoCan by the merge, for any number of holders; false if
// the giving departments are too many to index in a code word.
func (s *snapshot) scanHolders(pid permID, h *idset, extra []StaffID, t *scanTable) (Holders, bool) {
	sc := &holdersScan{s: s, pid: pid}
	visits := 0
	s.eachDept(func(d *deptEntry) {
		if !d.disabled && d.members != nil && d.perms.has(pid) {
			sc.givers = append(sc.givers, d)
			visits += d.members.len()
		}
	})
	if len(sc.givers) >= maxGivers {
		return Holders{}, false
	}
	slices.SortFunc(sc.givers, func(a, b *deptEntry) int { return cmp.Compare(a.id, b.id) })
	direct := s.direct.At(uint64(pid))
	k := uint32(len(sc.givers))
	n := h.len() + len(extra)
	// Each holder but those read from their entry has at most one ref
	// per membership of a giver and one for a direct grant.
	ends := make([]uint32, n+visits+direct.len()+len(extra)+16) // end, then refs
	sc.out = Holders{
		staff: make([]StaffID, n),
		end:   ends[:n:n],
		refs:  ends[n:n],
		srcs:  make([]Source, k, k+2),
	}
	for j, d := range sc.givers {
		sc.out.srcs[j] = Source{Kind: SourceDepartment, Department: d.id}
	}
	sc.out.srcs = append(sc.out.srcs, Source{Kind: SourceFullAccess}, Source{Kind: SourceDirect})
	code := t.code[:]
	lows := t.lows
	// top bounds the words a block marked (each list is ascending), so
	// clearing the table costs the IDs in use, not the block.
	top := -1
	defer func() { clear(code[:top+1]); t.lows = lows[:0] }()
	// Each giving department's members are read once, in one walk of its
	// blocks, into flat; runs[b] lists, in department order, where block
	// b's members of each department are (a department's set is read once,
	// not once per block: at a million staff a department has a few
	// members per block, and reaching a block costs cache misses).
	t.keys = slices.AppendSeq(t.keys[:0], h.blockKeys())
	for len(t.runs) < len(t.keys) {
		t.runs = append(t.runs, nil)
	}
	runs := t.runs[:len(t.keys)]
	for b := range runs {
		runs[b] = runs[b][:0]
	}
	flat := t.flat[:0]
	for j, d := range sc.givers {
		b := 0
		flat = d.members.eachBlock(flat, func(key uint64, start, end int) {
			for b < len(t.keys) && t.keys[b] < key {
				b++
			}
			if b < len(t.keys) && t.keys[b] == key {
				runs[b] = append(runs[b], memberRun{uint32(j), uint32(start), uint32(end)})
			}
		})
	}
	t.flat = flat
	for b, key := range t.keys {
		clear(code[:top+1])
		top = -1
		for _, r := range runs[b] {
			part := flat[r.start:r.end]
			markDept(part, code, uint64(r.giver))
			top = max(top, int(part[len(part)-1]))
		}
		for _, m := range []struct {
			set  *idset
			flag uint64
		}{{direct, codeDirect}, {s.active, codeEntry}, {s.temp, codeEntry}} {
			t.part = m.set.appendBlock(key, t.part[:0])
			for _, lo := range t.part {
				code[lo] |= m.flag
			}
			if n := len(t.part); n > 0 {
				top = max(top, int(t.part[n-1]))
			}
		}
		lows = h.appendBlock(key, lows[:0])
		base := key << blockBits
		refs := sc.out.refs
		staff, end := sc.out.staff, sc.out.end
		for _, lo := range lows {
			id := StaffID(base | uint64(lo))
			c := code[lo]
			for len(extra) > 0 && extra[0] < id {
				sc.out.refs = refs
				sc.entry(extra[0])
				refs = sc.out.refs
				extra = extra[1:]
			}
			if c&codeEntry != 0 || c == 0 || cap(refs)-len(refs) < codeSlots+1 {
				sc.out.refs = refs
				sc.entry(id)
				refs = sc.out.refs
				continue
			}
			// Write every slot and the direct ref, keep what counts:
			// no branch on how many there are.
			at := len(refs)
			r := refs[at : at+codeSlots+1]
			r[0] = uint32(c & (maxGivers - 1))
			r[1] = uint32(c >> codeSlotBits & (maxGivers - 1))
			r[2] = uint32(c >> (2 * codeSlotBits) & (maxGivers - 1))
			cnt := int(c >> codeCount & 3)
			r[cnt] = k + 1
			cnt += int(c >> 62 & 1)
			refs = refs[:at+cnt]
			staff[sc.n], end[sc.n] = id, uint32(len(refs))
			sc.n++
		}
		sc.out.refs = refs
	}
	for _, id := range extra {
		sc.entry(id)
	}
	return sc.out, true
}

// markDept writes giver index j into the code word of each of lows. A
// fourth department sends the holder to its entry.
func markDept(lows []uint16, code []uint64, j uint64) {
	for _, lo := range lows {
		c := code[lo]
		n := c >> codeCount & 3
		if n == codeSlots {
			code[lo] = c | codeEntry
			continue
		}
		code[lo] = (c | j<<(n*codeSlotBits)) + 1<<codeCount
	}
}

// entry appends holder id with its reasons read from its entry, as
// Explain gives them.
func (sc *holdersScan) entry(id StaffID) {
	sc.tmp = sc.tmp[:0]
	if e := sc.s.staffEntry(id); e != nil {
		sc.tmp = sc.s.appendSources(sc.tmp, e, sc.pid, true)
	}
	k := len(sc.givers)
	for _, src := range sc.tmp {
		r := -1
		switch {
		case !src.Until.IsZero():
		case src.Kind == SourceFullAccess:
			r = k
		case src.Kind == SourceDirect:
			r = k + 1
		case src.Kind == SourceDepartment:
			if j, ok := slices.BinarySearchFunc(sc.givers, src.Department, func(d *deptEntry, id DepartmentID) int {
				return cmp.Compare(d.id, id)
			}); ok {
				r = j
			}
		}
		if r < 0 {
			r = len(sc.out.srcs)
			sc.out.srcs = append(sc.out.srcs, src)
		}
		sc.out.refs = append(sc.out.refs, uint32(r))
	}
	sc.out.staff[sc.n], sc.out.end[sc.n] = id, uint32(len(sc.out.refs))
	sc.n++
}
