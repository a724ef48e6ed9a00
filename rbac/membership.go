package rbac

import "slices"

// IsMember reports whether staff member id belongs to department d, from
// this instance's decisions (no I/O, no allocation). Membership is
// reported whatever the department's or the staff member's status; pair it
// with Can and Department for access decisions.
func (s *Service) IsMember(id StaffID, d DepartmentID) bool {
	return s.snap.Load().hasRule(MemberRule(id, d))
}

// MemberDepartments returns the departments staff member id belongs to,
// sorted, from this instance's decisions (no I/O).
func (s *Service) MemberDepartments(id StaffID) []DepartmentID {
	snap := s.snap.Load()
	e := snap.staffEntry(id)
	if e == nil {
		return nil
	}
	out := make([]DepartmentID, 0, len(e.depts))
	for _, slot := range e.depts {
		out = append(out, snap.deptAt(slot).id)
	}
	slices.Sort(out)
	return out
}

// IsFullAccess reports whether staff member id has the full-access flag
// and is not disabled, from this instance's decisions.
func (s *Service) IsFullAccess(id StaffID) bool {
	e := s.snap.Load().staffEntry(id)
	return e != nil && e.full && !e.disabled
}

// DepartmentDisabled reports whether department d is disabled, from this
// instance's decisions (no I/O). A department unknown to the decisions is
// not reported disabled: use Department to know whether it exists.
func (s *Service) DepartmentDisabled(d DepartmentID) bool {
	de := s.snap.Load().dept(d)
	return de != nil && de.disabled
}
