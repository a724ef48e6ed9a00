package rbac

import (
	"fmt"
	"math/bits"
	"slices"
	"sync"
)

// Can reports whether staff member id may perform p. It is answered from
// the in-memory decision index without locks or allocation. Unknown and
// disabled staff are denied; full access allows every permission, including
// those of functions registered later. With Options.MaxStaleness set, an
// instance that has not confirmed it is current for that long denies
// everything (see Lag).
func (s *Service) Can(id StaffID, p Permission) bool {
	snap := s.snap.Load()
	ok := snap.can(id, p) && !s.stale()
	if s.dlog != nil {
		s.logDecision("can", snap, id, p, ok, nil)
	}
	if s.tel != nil {
		s.tel.decided(p, ok)
	}
	return ok
}

// Check is Can returning an error: nil when allowed, otherwise a
// *DeniedError naming the missing permission (ErrPermissionDenied). A
// refusal costs about as little as Can: the explanation (which departments
// would give the permission) is built from the decisions of the moment of
// the check only when the error is formatted or its Decision asked for.
func (s *Service) Check(id StaffID, p Permission) error {
	snap := s.snap.Load()
	if snap.can(id, p) && !s.stale() {
		if s.dlog != nil {
			s.logDecision("check", snap, id, p, true, nil)
		}
		if s.tel != nil {
			s.tel.decided(p, true)
		}
		return nil
	}
	if s.tel != nil {
		s.tel.decided(p, false)
	}
	why := &deniedCheck{snap: snap, id: id, p: p, stale: s.stale()}
	if s.dlog != nil {
		s.logDecision("check", snap, id, p, false, nil)
	}
	return &DeniedError{Op: "check", Actor: id, Missing: p, check: why}
}

// deniedCheck is the explanation of a refused Check, built on first use
// from the snapshot the check read.
type deniedCheck struct {
	snap  *snapshot
	id    StaffID
	p     Permission
	once  sync.Once
	d     Decision
	stale bool // refused for staleness (Options.MaxStaleness)
}

func (c *deniedCheck) decision() *Decision {
	c.once.Do(func() {
		c.d = c.snap.explain(c.id, c.p)
		if c.d.Allowed && c.stale {
			c.d = staleDecision(c.d)
		}
	})
	return &c.d
}

// staleDecision turns an allowing decision into the refusal of an
// instance past Options.MaxStaleness.
func staleDecision(d Decision) Decision {
	return Decision{Staff: d.Staff, Permission: d.Permission, Stale: true}
}

// Explain returns the decision for id and p with every source that allows
// it, or, on a deny, the missing permission and the departments that hold
// it.
func (s *Service) Explain(id StaffID, p Permission) Decision {
	snap := s.snap.Load()
	d := snap.explain(id, p)
	if d.Allowed && s.stale() {
		d = staleDecision(d)
	}
	if s.dlog != nil {
		s.logDecision("explain", snap, id, p, d.Allowed, &d)
	}
	return d
}

func (s *snapshot) explain(id StaffID, p Permission) Decision {
	d := Decision{Staff: id, Permission: p}
	if e := s.staffEntry(id); e != nil {
		d.Sources = s.sources(e, p)
		d.Disabled = e.disabled
		d.Allowed = !e.disabled && len(d.Sources) > 0
	}
	if !d.Allowed {
		d.Sources = nil
		d.WouldGrant = s.departmentsHolding(p)
	}
	return d
}

// stale reports whether checks fail closed (Options.MaxStaleness passed
// since the instance last confirmed it is current): one atomic load.
func (s *Service) stale() bool { return s.eng != nil && s.eng.Stale() }

// sources lists why entry e holds p, ignoring whether e is disabled.
func (s *snapshot) sources(e *staffEntry, p Permission) []Source {
	pid, known := s.permIDs[p]
	return s.appendSources(nil, e, pid, known)
}

// departmentsHolding lists the active departments holding p, by ID.
func (s *snapshot) departmentsHolding(p Permission) []DepartmentID {
	pid, ok := s.permIDs[p]
	if !ok {
		return nil
	}
	var out []DepartmentID
	s.eachDept(func(d *deptEntry) {
		if !d.disabled && d.perms.has(pid) {
			out = append(out, d.id)
		}
	})
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
	return out
}

// EffectivePermissions lists every permission staff member id holds with
// its sources, in catalog order (permissions outside the catalog last):
// what an admin screen shows. A full-access account holds every catalog
// permission. A disabled account holds none. It reads the precomputed row
// of the decision index and allocates three times, whatever the size of
// the installation.
func (s *Service) EffectivePermissions(id StaffID) []EffectivePermission {
	snap := s.snap.Load()
	e := snap.staffEntry(id)
	if e == nil || e.disabled {
		return nil
	}
	ord := snap.displayOrder(s.catalog)
	if e.full {
		out := make([]EffectivePermission, 0, len(ord.full))
		srcs := make([]Source, 0, 2*len(ord.full))
		for _, p := range ord.full {
			pid, known := snap.permIDs[p]
			out, srcs = appendEffective(snap, out, srcs, e, p, pid, known)
		}
		return out
	}
	flags, row := snap.row(id)
	if flags&hotTemp != 0 { // what its temporary rules give now
		row = slices.Clone(row)
		row[len(row)-1] &^= tempMark
		snap.orTemp(row, e, snap.nowNano(), false)
	}
	n := 0
	for _, w := range row {
		n += bits.OnesCount64(w)
	}
	out := make([]EffectivePermission, 0, n)
	srcs := make([]Source, 0, n+n/2)
	for _, pid := range ord.byRank {
		if row[pid>>6]&(1<<(pid&63)) != 0 {
			out, srcs = appendEffective(snap, out, srcs, e, snap.perms[pid], pid, true)
		}
	}
	return out
}

func appendEffective(snap *snapshot, out []EffectivePermission, srcs []Source, e *staffEntry, p Permission, pid permID, known bool) ([]EffectivePermission, []Source) {
	start := len(srcs)
	srcs = snap.appendSources(srcs, e, pid, known)
	mine := srcs[start:len(srcs):len(srcs)]
	return append(out, EffectivePermission{
		Permission: p,
		Sources:    mine,
		Editable:   len(mine) > 0 && mine[len(mine)-1].Kind == SourceDirect,
	}), srcs
}

// String renders a holder for reports.
func (h Holder) String() string { return fmt.Sprintf("staff %s (%v)", h.Staff, h.Sources) }
