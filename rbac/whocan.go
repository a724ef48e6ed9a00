package rbac

import "iter"

// WhoCan returns the active staff members who may perform p, ascending by
// ID, each with every reason: full access, then departments by ID, then a
// direct grant. It is answered from the decision index, where each
// permission keeps its holders as a compressed ID set, so it costs the
// size of the answer, not of the staff. For a count, a page or the IDs
// alone, WhoCanCount, WhoCanPage and WhoCanIDs cost less.
func (s *Service) WhoCan(p Permission) []Holder {
	snap := s.snap.Load()
	h := snap.holdersOf(p)
	return snap.explainHolders(p, h, 0, h.len())
}

// WhoCanCount returns how many active staff members may perform p:
// len(WhoCan(p)) without building the answer (a read of one counter).
func (s *Service) WhoCanCount(p Permission) int {
	return s.snap.Load().holdersOf(p).len()
}

// WhoCanIDs yields the IDs of the active staff members who may perform p,
// ascending, from the decisions current when it is called (later changes
// do not show). It allocates nothing per ID; stop early by returning false
// from the loop body. To collect them, size the slice with WhoCanCount:
//
//	ids := slices.AppendSeq(make([]rbac.StaffID, 0, svc.WhoCanCount(p)), svc.WhoCanIDs(p))
func (s *Service) WhoCanIDs(p Permission) iter.Seq[StaffID] {
	h := s.snap.Load().holdersOf(p)
	return func(yield func(StaffID) bool) {
		for id := range h.all() {
			if !yield(id) {
				return
			}
		}
	}
}

// WhoCanPage returns up to limit holders of p with an ID greater than
// after, ascending, each with its reasons as in WhoCan: pass 0 for the
// first page and the last Staff of a page for the next. A page shorter
// than limit is the last (a full page may be followed by an empty one).
// Each page reads the decisions current when it is called: a staff member
// who holds p throughout appears exactly once across the pages, whatever
// changes in between. A limit below 1 gives an empty page.
func (s *Service) WhoCanPage(p Permission, after StaffID, limit int) []Holder {
	if limit < 1 {
		return nil
	}
	snap := s.snap.Load()
	h := snap.holdersOf(p)
	return snap.explainHolders(p, h, after, min(limit, h.len()))
}

// explainHolders returns up to limit members of h above after with their
// reasons for p, in two allocations (the holders and one backing array
// for all their sources).
func (s *snapshot) explainHolders(p Permission, h *idset, after StaffID, limit int) []Holder {
	if limit == 0 {
		return nil
	}
	pid, known := s.permIDs[p]
	out := make([]Holder, 0, limit)
	srcs := make([]Source, 0, limit+limit/2+8)
	visit := func(id StaffID) bool {
		start := len(srcs)
		if e := s.staffEntry(id); e != nil {
			srcs = s.appendSources(srcs, e, pid, known)
		}
		out = append(out, Holder{Staff: id, Sources: srcs[start:len(srcs):len(srcs)]})
		return len(out) < limit
	}
	if after == 0 && h.has(0) && !visit(0) {
		return out
	}
	h.after(after, visit)
	return out
}

// appendSources appends why entry e holds permission pid (known: pid is in
// the snapshot), ignoring whether e is disabled: full access, then
// departments by ID, then a direct grant.
func (s *snapshot) appendSources(dst []Source, e *staffEntry, pid permID, known bool) []Source {
	if e.full {
		dst = append(dst, Source{Kind: SourceFullAccess})
	}
	if !known {
		return dst
	}
	start := len(dst)
	for _, slot := range e.depts {
		d := s.deptAt(slot)
		if d.disabled || !d.perms.has(pid) {
			continue
		}
		dst = append(dst, Source{Kind: SourceDepartment, Department: d.id})
		for i := len(dst) - 1; i > start && dst[i-1].Department > dst[i].Department; i-- {
			dst[i-1], dst[i] = dst[i], dst[i-1] // a staff member has few departments
		}
	}
	if e.direct.has(pid) {
		dst = append(dst, Source{Kind: SourceDirect})
	}
	return dst
}
