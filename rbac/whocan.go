package rbac

import (
	"cmp"
	"math/bits"
	"slices"
	"sync"
)

// holderRef is one (staff member, reason) pair found by WhoCan.
type holderRef struct {
	id  StaffID
	src Source
}

// WhoCan returns the active staff members who may perform p, by ID, each
// with every reason. It is answered from the decision index: the
// full-access set, the members of each active department holding p, and
// the direct holders of p.
func (s *Service) WhoCan(p Permission) []Holder {
	return s.snap.Load().whoCan(p)
}

func (s *snapshot) whoCan(p Permission) []Holder {
	pid, known := s.permIDs[p]
	n := len(s.full)
	var holding []*deptEntry
	if known {
		for _, d := range s.depts {
			if d != nil && !d.disabled && d.perms.has(pid) {
				holding = append(holding, d)
				n += len(d.members)
			}
		}
		if int(pid) < len(s.direct) {
			n += len(s.direct[pid])
		}
	}
	// Collect (staff, reason) pairs in reason order — full access, then
	// departments by ID, then direct grants — and sort them stably by
	// staff: each holder's reasons come out in that order.
	slices.SortFunc(holding, func(a, b *deptEntry) int { return cmp.Compare(a.id, b.id) })
	scratch := refBufs.Get().(*refScratch)
	defer refBufs.Put(scratch)
	refs := slices.Grow(scratch.refs[:0], n)
	for id := range s.full {
		refs = append(refs, holderRef{id, Source{Kind: SourceFullAccess}})
	}
	for _, d := range holding {
		src := Source{Kind: SourceDepartment, Department: d.id}
		for _, id := range d.members {
			refs = append(refs, holderRef{id, src})
		}
	}
	if known && int(pid) < len(s.direct) {
		for id := range s.direct[pid] {
			refs = append(refs, holderRef{id, Source{Kind: SourceDirect}})
		}
	}
	scratch.refs = refs // keep the grown buffers for the next call
	if cap(scratch.tmp) < len(refs) {
		scratch.tmp = make([]holderRef, len(refs))
	}
	refs = sortByStaff(refs, scratch.tmp[:len(refs)])
	// One backing array for every holder's sources: two allocations in all.
	srcs := make([]Source, 0, len(refs))
	out := make([]Holder, 0, len(refs))
	for i := 0; i < len(refs); {
		id := refs[i].id
		j := i
		for j < len(refs) && refs[j].id == id {
			j++
		}
		if s.active(id) {
			start := len(srcs)
			for _, r := range refs[i:j] {
				srcs = append(srcs, r.src)
			}
			out = append(out, Holder{Staff: id, Sources: srcs[start:len(srcs):len(srcs)]})
		}
		i = j
	}
	return out
}

// refScratch is WhoCan's scratch space (two arrays of pairs, 240 KB each
// for 10,000 pairs), recycled so that only the result is allocated per call.
type refScratch struct{ refs, tmp []holderRef }

var refBufs = sync.Pool{New: func() any { return new(refScratch) }}

// sortByStaff sorts refs stably by staff ID, using tmp (as long as refs)
// as scratch: a radix sort, 9 bits per pass, as many passes as the largest
// ID needs (two at 100,000 staff), or a comparison sort for short lists and
// very large IDs. The result is refs or tmp.
func sortByStaff(refs, tmp []holderRef) []holderRef {
	var maxID uint64
	for _, r := range refs {
		maxID = max(maxID, uint64(r.id))
	}
	if len(refs) < 64 || maxID >= 1<<36 {
		slices.SortStableFunc(refs, func(a, b holderRef) int { return cmp.Compare(a.id, b.id) })
		return refs
	}
	src, dst := refs, tmp
	for shift := uint(0); shift < uint(bits.Len64(maxID)); shift += 9 {
		var count [513]int
		for _, r := range src {
			count[(uint64(r.id)>>shift)&511+1]++
		}
		for i := 1; i < len(count); i++ {
			count[i] += count[i-1]
		}
		for _, r := range src {
			k := (uint64(r.id) >> shift) & 511
			dst[count[k]] = r
			count[k]++
		}
		src, dst = dst, src
	}
	return src
}
