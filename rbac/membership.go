package rbac

// IsMember reports whether staff member id belongs to department d, from
// this instance's decisions (no I/O, no allocation). Membership is
// reported whatever the department's or the staff member's status; pair it
// with Can and Department for access decisions. A temporary membership
// (AddToDepartment with a Window) counts only during its window.
func (s *Service) IsMember(id StaffID, d DepartmentID) bool {
	return s.snap.Load().isMember(id, d)
}

// MemberDepartments returns the departments staff member id belongs to,
// sorted, from this instance's decisions (no I/O): temporary memberships
// only during their window.
func (s *Service) MemberDepartments(id StaffID) []DepartmentID {
	snap := s.snap.Load()
	e := snap.staffEntry(id)
	if e == nil {
		return nil
	}
	return snap.memberDepts(e, snap.nowNano())
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
