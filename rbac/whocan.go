package rbac

import (
	"iter"
	"time"
)

// WhoCan returns the active staff members who may perform p, ascending by
// ID, each with every reason: full access, then departments by ID, then a
// direct grant (see Holders). It is answered from the decision index,
// where each permission keeps its holders and each department its members
// as compressed ID sets: a large answer is merged from those sets, one
// department at a time, and keeps each distinct reason once, so it costs
// the size of the answer, not of the staff, and a few bytes a holder. For
// a count, a page or the IDs alone, WhoCanCount, WhoCanPage and WhoCanIDs
// cost less. Staff holding p by a temporary rule (see Window) are
// included while it counts: they are checked one by one against the
// clock, at a cost that grows with the staff having temporary rules.
func (s *Service) WhoCan(p Permission) Holders {
	snap := s.snap.Load()
	h := snap.holdersOf(p)
	t, _ := s.scans.Get().(*scanTable)
	if t == nil {
		t = new(scanTable)
	}
	defer s.scans.Put(t)
	return snap.whoCan(p, h, snap.tempHolders(p, h), t)
}

// WhoCanCount returns how many active staff members may perform p:
// WhoCan(p).Len() without building the answer (a read of one counter, and
// a check of each staff member with temporary rules).
func (s *Service) WhoCanCount(p Permission) int {
	snap := s.snap.Load()
	h := snap.holdersOf(p)
	return h.len() + len(snap.tempHolders(p, h))
}

// WhoCanIDs yields the IDs of the active staff members who may perform p,
// ascending, from the decisions current when it is called (later changes
// do not show). It allocates nothing per ID; stop early by returning false
// from the loop body. To collect them, size the slice with WhoCanCount:
//
//	ids := slices.AppendSeq(make([]rbac.StaffID, 0, svc.WhoCanCount(p)), svc.WhoCanIDs(p))
func (s *Service) WhoCanIDs(p Permission) iter.Seq[StaffID] {
	snap := s.snap.Load()
	h := snap.holdersOf(p)
	extra := snap.tempHolders(p, h)
	return func(yield func(StaffID) bool) {
		for id := range h.all() {
			for len(extra) > 0 && extra[0] < id {
				if !yield(extra[0]) {
					return
				}
				extra = extra[1:]
			}
			if !yield(id) {
				return
			}
		}
		for _, id := range extra {
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
	extra := snap.tempHolders(p, h)
	return snap.explainHolders(p, h, extra, after, min(limit, h.len()+len(extra)))
}

// tempHolders returns, ascending, the staff who hold p now by a temporary
// rule only (not in h, the holders by their rows).
func (s *snapshot) tempHolders(p Permission, h *idset) []StaffID {
	pid, known := s.permIDs[p]
	if !known || s.temp.len() == 0 {
		return nil
	}
	var out []StaffID
	for id := range s.temp.all() {
		if h.has(id) {
			continue
		}
		if f, _ := s.row(id); s.canTemp(s.staffEntry(id), f, pid) {
			out = append(out, id)
		}
	}
	return out
}

// explainHolders returns up to limit members of h and extra (ascending,
// disjoint from h) above after with their reasons for p, in two
// allocations (the holders and one backing array for all their sources).
func (s *snapshot) explainHolders(p Permission, h *idset, extra []StaffID, after StaffID, limit int) []Holder {
	if limit == 0 {
		return nil
	}
	pid, known := s.permIDs[p]
	out := make([]Holder, 0, limit)
	srcs := make([]Source, 0, limit+limit/2+8)
	eachHolder(h, extra, after, func(id StaffID) bool {
		start := len(srcs)
		if e := s.staffEntry(id); e != nil {
			srcs = s.appendSources(srcs, e, pid, known)
		}
		out = append(out, Holder{Staff: id, Sources: srcs[start:len(srcs):len(srcs)]})
		return len(out) < limit
	})
	return out
}

// holdersByEntry returns every member of h and extra (ascending, disjoint
// from h) with its reasons for p read from its entry: the answer for a
// few holders, in four allocations.
func (s *snapshot) holdersByEntry(p Permission, h *idset, extra []StaffID) Holders {
	n := h.len() + len(extra)
	if n == 0 {
		return Holders{}
	}
	pid, known := s.permIDs[p]
	out := Holders{staff: make([]StaffID, 0, n), end: make([]uint32, 0, n), srcs: make([]Source, 0, n+n/2+8)}
	eachHolder(h, extra, 0, func(id StaffID) bool {
		if e := s.staffEntry(id); e != nil {
			out.srcs = s.appendSources(out.srcs, e, pid, known)
		}
		out.staff = append(out.staff, id)
		out.end = append(out.end, uint32(len(out.srcs)))
		return true
	})
	return out
}

// eachHolder calls visit for the members of h and extra (ascending,
// disjoint from h) above after, ascending, until it returns false.
func eachHolder(h *idset, extra []StaffID, after StaffID, visit func(StaffID) bool) {
	for len(extra) > 0 && extra[0] <= after {
		extra = extra[1:]
	}
	merged := func(id StaffID) bool {
		for len(extra) > 0 && extra[0] < id {
			if !visit(extra[0]) {
				return false
			}
			extra = extra[1:]
		}
		return visit(id)
	}
	if after == 0 && h.has(0) && !merged(0) {
		return
	}
	done := false
	h.after(after, func(id StaffID) bool {
		done = !merged(id)
		return !done
	})
	for _, id := range extra {
		if done || !visit(id) {
			return
		}
	}
}

// appendSources appends why entry e holds permission pid (known: pid is in
// the snapshot), ignoring whether e is disabled: full access, then
// departments by ID, then a direct grant. Temporary rules count while
// their window holds at the snapshot's clock, their Source saying until
// when.
func (s *snapshot) appendSources(dst []Source, e *staffEntry, pid permID, known bool) []Source {
	if e.full {
		dst = append(dst, Source{Kind: SourceFullAccess})
	}
	if !known {
		return dst
	}
	start := len(dst)
	sortIn := func() {
		for i := len(dst) - 1; i > start && dst[i-1].Department > dst[i].Department; i-- {
			dst[i-1], dst[i] = dst[i], dst[i-1] // a staff member has few departments
		}
	}
	for _, slot := range e.depts {
		d := s.deptAt(slot)
		if d.disabled || !d.perms.has(pid) {
			continue
		}
		dst = append(dst, Source{Kind: SourceDepartment, Department: d.id})
		sortIn()
	}
	direct := e.direct.has(pid)
	var until time.Time
	if e.temp != nil {
		now, read := int64(0), false
		for _, t := range *e.temp {
			if !s.gives(t, pid) {
				continue
			}
			if !read {
				now, read = s.nowNano(), true
			}
			if !t.span.contains(now) {
				continue
			}
			if !t.member {
				direct, until = true, t.span.window().Until
				continue
			}
			dst = append(dst, Source{Kind: SourceDepartment, Department: s.deptAt(t.id).id, Until: t.span.window().Until})
			sortIn()
		}
	}
	if direct {
		dst = append(dst, Source{Kind: SourceDirect, Until: until})
	}
	return dst
}
