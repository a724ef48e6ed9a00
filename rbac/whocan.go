package rbac

import (
	"cmp"
	"slices"
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
		n += len(s.direct[pid])
	}
	refs := make([]holderRef, 0, n)
	for id := range s.full {
		refs = append(refs, holderRef{id, Source{Kind: SourceFullAccess}})
	}
	for _, d := range holding {
		src := Source{Kind: SourceDepartment, Department: d.id}
		for _, id := range d.members {
			refs = append(refs, holderRef{id, src})
		}
	}
	if known {
		for id := range s.direct[pid] {
			refs = append(refs, holderRef{id, Source{Kind: SourceDirect}})
		}
	}
	slices.SortFunc(refs, func(a, b holderRef) int {
		if c := cmp.Compare(a.id, b.id); c != 0 {
			return c
		}
		return compareSource(a.src, b.src)
	})
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
