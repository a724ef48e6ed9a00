package rbac

// DirectGrants returns the direct grants of staff member id in catalog
// order, whatever the account's status: for a disabled account they are
// what switching it back on would restore on top of its departments
// (EffectivePermissions shows nothing for it). Nil for an unknown ID or an
// account without direct grants. No I/O.
func (s *Service) DirectGrants(id StaffID) []Permission {
	snap := s.snap.Load()
	e := snap.staffEntry(id)
	if e == nil {
		return nil
	}
	return s.ordered(snap, e.direct)
}
