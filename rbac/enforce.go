package rbac

import (
	"fmt"
	"slices"
)

// Can reports whether staff member id may perform p. It is answered from
// the in-memory decision index without locks or allocation. Unknown and
// disabled staff are denied; full access allows every permission, including
// those of functions registered later.
func (s *Service) Can(id StaffID, p Permission) bool {
	snap := s.snap.Load()
	ok := snap.can(id, p)
	if s.dlog != nil {
		s.logDecision("can", snap, id, p, ok, nil)
	}
	return ok
}

// Check is Can returning an error: nil when allowed, otherwise a
// *DeniedError naming the missing permission (ErrPermissionDenied).
func (s *Service) Check(id StaffID, p Permission) error {
	snap := s.snap.Load()
	if snap.can(id, p) {
		if s.dlog != nil {
			s.logDecision("check", snap, id, p, true, nil)
		}
		return nil
	}
	d := s.explain(snap, id, p)
	if s.dlog != nil {
		s.logDecision("check", snap, id, p, false, &d)
	}
	return &DeniedError{Op: "check", Actor: id, Missing: p, Reason: d.String()}
}

// Explain returns the decision for id and p with every source that allows
// it, or, on a deny, the missing permission and the departments that hold
// it.
func (s *Service) Explain(id StaffID, p Permission) Decision {
	snap := s.snap.Load()
	d := s.explain(snap, id, p)
	if s.dlog != nil {
		s.logDecision("explain", snap, id, p, d.Allowed, &d)
	}
	return d
}

func (s *Service) explain(snap *snapshot, id StaffID, p Permission) Decision {
	d := Decision{Staff: id, Permission: p}
	e := snap.staffEntry(id)
	if e != nil {
		d.Sources = snap.sources(e, p)
		d.Disabled = e.disabled
		d.Allowed = !e.disabled && len(d.Sources) > 0
	}
	if !d.Allowed {
		d.Sources = nil
		d.WouldGrant = snap.departmentsHolding(p)
	}
	return d
}

// sources lists why entry e holds p, ignoring whether e is disabled.
func (s *snapshot) sources(e *staffEntry, p Permission) []Source {
	var out []Source
	if e.full {
		out = append(out, Source{Kind: SourceFullAccess})
	}
	pid, ok := s.permIDs[p]
	if !ok {
		return out
	}
	for _, slot := range e.depts {
		d := s.depts[slot]
		if !d.disabled && d.perms.has(pid) {
			out = append(out, Source{Kind: SourceDepartment, Department: d.id})
		}
	}
	if e.direct.has(pid) {
		out = append(out, Source{Kind: SourceDirect})
	}
	return out
}

// departmentsHolding lists the active departments holding p, by ID.
func (s *snapshot) departmentsHolding(p Permission) []DepartmentID {
	pid, ok := s.permIDs[p]
	if !ok {
		return nil
	}
	var out []DepartmentID
	for _, d := range s.depts {
		if d != nil && !d.disabled && d.perms.has(pid) {
			out = append(out, d.id)
		}
	}
	slices.Sort(out)
	return out
}

// departmentsGiving lists the active departments through which staff
// member id holds p, by ID.
func (s *snapshot) departmentsGiving(id StaffID, p Permission) []DepartmentID {
	e := s.staffEntry(id)
	if e == nil {
		return nil
	}
	var out []DepartmentID
	for _, src := range s.sources(e, p) {
		if src.Kind == SourceDepartment {
			out = append(out, src.Department)
		}
	}
	slices.Sort(out)
	return out
}

// EffectivePermissions lists every permission staff member id holds with
// its sources, in catalog order: what an admin screen shows. A full-access
// account holds every catalog permission. A disabled account holds none.
func (s *Service) EffectivePermissions(id StaffID) []EffectivePermission {
	snap := s.snap.Load()
	e := snap.staffEntry(id)
	if e == nil || e.disabled {
		return nil
	}
	var all bitset
	for _, slot := range e.depts {
		if d := snap.depts[slot]; !d.disabled {
			d.perms.each(func(p permID) { all = all.with(p) })
		}
	}
	e.direct.each(func(p permID) { all = all.with(p) })
	var perms []Permission
	if e.full {
		perms = s.catalog.Permissions()
		for _, p := range s.ordered(snap, all) {
			if !slices.Contains(perms, p) {
				perms = append(perms, p)
			}
		}
	} else {
		perms = s.ordered(snap, all)
	}
	out := make([]EffectivePermission, 0, len(perms))
	for _, p := range perms {
		srcs := snap.sources(e, p)
		out = append(out, EffectivePermission{
			Permission: p,
			Sources:    srcs,
			Editable:   slices.ContainsFunc(srcs, func(s Source) bool { return s.Kind == SourceDirect }),
		})
	}
	return out
}

func compareSource(a, b Source) int {
	if a.Kind != b.Kind {
		return int(a.Kind) - int(b.Kind)
	}
	return int(a.Department - b.Department)
}

// String renders a holder for reports.
func (h Holder) String() string { return fmt.Sprintf("staff %s (%v)", h.Staff, h.Sources) }
