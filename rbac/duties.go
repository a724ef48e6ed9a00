package rbac

import (
	"context"
	"errors"
	"fmt"
	"slices"
)

// OpDutyConflict records the declaration or removal of a conflict of
// duties (Before: none or the conflict removed; After: the one declared).
const OpDutyConflict Operation = "duties.conflict"

// ErrConflictOfDuties is returned by any change that would give one staff
// member both sides of a declared conflict of duties (both permissions,
// or membership of both departments): a grant, a join, a department
// gaining a permission its members would then combine, a department or
// account switched back on. The error is a *DutiesError; the change is
// not made.
var ErrConflictOfDuties = errors.New("conflict of duties")

// DutyConflict declares two permissions (such as payments:add and
// payments:approve), or two departments (Billing and Audit), that no one
// person may combine: separation of duties. Exactly one pair is set.
// Full-access accounts are outside it (they hold everything by design).
type DutyConflict struct {
	Permissions [2]Permission   `json:"permissions,omitzero"`
	Departments [2]DepartmentID `json:"departments,omitzero"`
	// Why is shown to whoever is refused and in the access review; at
	// most MaxConflictWhyBytes.
	Why string `json:"why,omitempty"`
}

// MaxConflictWhyBytes bounds DutyConflict.Why.
const MaxConflictWhyBytes = 200

// PermissionConflict declares that nobody may hold both a and b.
func PermissionConflict(a, b Permission, why string) DutyConflict {
	return DutyConflict{Permissions: [2]Permission{a, b}, Why: why}
}

// DepartmentConflict declares that nobody may be a member of both a and b.
func DepartmentConflict(a, b DepartmentID, why string) DutyConflict {
	return DutyConflict{Departments: [2]DepartmentID{a, b}, Why: why}
}

// IsDepartments reports whether c is between departments.
func (c DutyConflict) IsDepartments() bool { return c.Departments != [2]DepartmentID{} }

func (c DutyConflict) String() string {
	if c.IsDepartments() {
		return fmt.Sprintf("departments %s and %s", c.Departments[0], c.Departments[1])
	}
	return fmt.Sprintf("%s and %s", c.Permissions[0], c.Permissions[1])
}

// Same reports whether c and o declare the same pair (Why aside, in
// either order).
func (c DutyConflict) Same(o DutyConflict) bool {
	c, o = c.canonical(), o.canonical()
	return c.Permissions == o.Permissions && c.Departments == o.Departments
}

// canonical orders the pair.
func (c DutyConflict) canonical() DutyConflict {
	if p := c.Permissions; p[1].String() < p[0].String() {
		c.Permissions = [2]Permission{p[1], p[0]}
	}
	if d := c.Departments; d[1] < d[0] {
		c.Departments = [2]DepartmentID{d[1], d[0]}
	}
	return c
}

// Validate reports every bad field at once: "permissions" or
// "departments" (rules "required": neither or both pairs set, "distinct",
// "catalog": a permission the catalog lacks is checked by the Service),
// "why" ("max_length").
func (c DutyConflict) Validate() error {
	var fe fieldErrors
	c.check(&fe, nil)
	return fe.err("conflict of duties")
}

func (c DutyConflict) check(fe *fieldErrors, cat *Catalog) {
	perms := c.Permissions != [2]Permission{}
	switch {
	case perms == c.IsDepartments():
		fe.add("permissions", "required", "set exactly one pair: two permissions or two departments")
	case perms:
		for i, p := range c.Permissions {
			if _, err := ParsePermission(p.String()); err != nil {
				fe.add(fmt.Sprintf("permissions[%d]", i), "format", "is not function:action")
			} else if cat != nil && !cat.Has(p) {
				fe.add(fmt.Sprintf("permissions[%d]", i), "catalog", "%s is not in the catalog", p)
			}
		}
		if c.Permissions[0] == c.Permissions[1] {
			fe.add("permissions", "distinct", "the two permissions must differ")
		}
	default:
		for i, d := range c.Departments {
			if d <= 0 {
				fe.add(fmt.Sprintf("departments[%d]", i), "required", "must name a department")
			}
		}
		if c.Departments[0] == c.Departments[1] {
			fe.add("departments", "distinct", "the two departments must differ")
		}
	}
	if len(c.Why) > MaxConflictWhyBytes {
		fe.add("why", "max_length", "at most %d bytes", MaxConflictWhyBytes)
	}
}

// DutiesError is a change refused because it would give Staff both sides
// of Conflict. It unwraps to ErrConflictOfDuties.
type DutiesError struct {
	Op       string
	Staff    StaffID
	Conflict DutyConflict
}

func (e *DutiesError) Error() string {
	why := ""
	if e.Conflict.Why != "" {
		why = " (" + e.Conflict.Why + ")"
	}
	return fmt.Sprintf("%s: staff %s would combine %s%s: %v", e.Op, e.Staff, e.Conflict, why, ErrConflictOfDuties)
}

func (e *DutiesError) Unwrap() error { return ErrConflictOfDuties }

// DutiesStore is implemented by stores that keep conflict declarations.
type DutiesStore interface {
	DutyConflicts(ctx context.Context) ([]DutyConflict, error)
}

// DutiesTx is implemented by the Tx of stores that keep conflict
// declarations: the effect check reads them inside the change's lock.
type DutiesTx interface {
	// DutyConflicts returns every declaration, canonical (pairs in order).
	DutyConflicts() ([]DutyConflict, error)
	// AddDutyConflict stores c (canonical). Errors: ErrConflict (declared
	// already), ErrNotFound (a department that does not exist).
	AddDutyConflict(c DutyConflict) error
	// RemoveDutyConflict deletes c's pair. Errors: ErrNotFound.
	RemoveDutyConflict(c DutyConflict) error
}

// checkDuties is the separation-of-duties rule of the effect check: the
// change gives nobody both sides of a declared conflict they did not
// combine before. Declarations are read inside the change's lock, so
// every path (a grant, a join, a department's permissions, a department
// or an account switched back on, a new account) meets the ones in force.
//
// A pair is combined in two senses, and the change may create neither:
// what the account holds now or once a temporary rule's window opens
// (full access aside: taking it away is never refused), and what its
// stored grants and memberships give whatever the disabled flags and
// full access say (potential: a join to a disabled department, a grant
// to a full-access account, which would otherwise show only when the
// department is switched on or full access taken away).
func (w *txn) checkDuties(after *snapshot, eff Effect) error {
	if w.delta.Empty() {
		return nil // access does not move
	}
	dt, ok := w.raw.(DutiesTx)
	if !ok {
		return nil
	}
	cs, err := dt.DutyConflicts()
	if err != nil || len(cs) == 0 {
		return err
	}
	before, op := w.snap, string(w.change.Op)
	now := before.nowNano()
	refuse := func(id StaffID, c DutyConflict) error { return &DutiesError{Op: op, Staff: id, Conflict: c} }
	held := func(s *snapshot, id StaffID, a, b Permission) bool {
		if activeFullFlags(rowFlags(s, id)) == 1 {
			return true // holds everything; checked on what it stores
		}
		return s.heldOrPending(id, a, now) && s.heldOrPending(id, b, now)
	}
	stored := func(s *snapshot, id StaffID, a, b Permission) bool {
		p := s.potential(id)
		has := func(x Permission) bool { pid, ok := s.permIDs[x]; return ok && p.has(pid) }
		return has(a) && has(b)
	}
	// Who may come to combine a pair: whoever's access the effect moves,
	// and whoever a stored grant or membership is added for (a grant to a
	// department: each of its members), which the effect does not list
	// for a full-access account.
	cand := map[StaffID]struct{}{}
	for _, se := range eff.Staff {
		cand[se.Staff] = struct{}{}
	}
	for _, r := range w.delta.Add {
		switch {
		case r.Kind == RuleFlag:
		case r.Subject.Staff != 0:
			cand[r.Subject.Staff] = struct{}{}
		case r.Kind == RuleGrant:
			if de := after.dept(r.Subject.Department); de != nil {
				for m := range de.members.all() {
					cand[m] = struct{}{}
				}
			}
		}
	}
	for _, id := range sortedStaff(cand) {
		afterFull := activeFullFlags(rowFlags(after, id)) == 1
		for _, c := range cs {
			if c.IsDepartments() {
				continue
			}
			a, b := c.Permissions[0], c.Permissions[1]
			if !afterFull && held(after, id, a, b) && !held(before, id, a, b) ||
				stored(after, id, a, b) && !stored(before, id, a, b) {
				return refuse(id, c)
			}
		}
	}
	for _, r := range w.delta.Add {
		if r.Kind != RuleMember {
			continue
		}
		for _, c := range cs {
			d := c.Departments
			other := DepartmentID(0)
			switch r.Department {
			case d[0]:
				other = d[1]
			case d[1]:
				other = d[0]
			}
			if other != 0 && after.hasRule(MemberRule(r.Subject.Staff, other)) {
				return refuse(r.Subject.Staff, c)
			}
		}
	}
	return nil
}

// heldOrPending reports whether id holds p in s now or will when a
// temporary rule's window opens (until it ends): what the effect counts
// as gained, so a temporary grant starting tomorrow is refused today.
func (s *snapshot) heldOrPending(id StaffID, p Permission, now int64) bool {
	pid, ok := s.permIDs[p]
	if !ok {
		return false
	}
	f, row := s.grantedRow(id, now)
	if f&hotDisabled != 0 {
		return false
	}
	i := int(pid >> 6)
	return i < len(row) && row[i]&(1<<(pid&63)) != 0
}

// DeclareConflict declares a conflict of duties. From the next change on,
// nothing gives anyone both sides; those who already combine them are
// listed by DutyViolations (and the access review) for a reviewer to
// resolve. The actor needs settings:edit. Errors: ErrInvalid,
// ErrNotFound (a department), ErrConflict (declared already),
// ErrPermissionDenied.
func (s *Service) DeclareConflict(ctx context.Context, actor StaffID, c DutyConflict) error {
	return s.dutyChange(ctx, "declare conflict of duties", actor, c, true)
}

// RemoveConflict withdraws a declared conflict of duties (c's pair, in
// either order). The actor needs settings:edit. Errors: ErrInvalid,
// ErrNotFound, ErrPermissionDenied.
func (s *Service) RemoveConflict(ctx context.Context, actor StaffID, c DutyConflict) error {
	return s.dutyChange(ctx, "remove conflict of duties", actor, c, false)
}

func (s *Service) dutyChange(ctx context.Context, op string, actor StaffID, c DutyConflict, declare bool) error {
	var fe fieldErrors
	c.check(&fe, s.catalog)
	if err := fe.err(op); err != nil {
		return err
	}
	c = c.canonical()
	need := Perm(FuncSettings, ActEdit)
	if err := s.precheck(ctx, op, actor, need, 0); err != nil {
		return err
	}
	_, err := s.write(ctx, func(w *txn) error {
		if err := w.authorize(op, actor, need); err != nil {
			return err
		}
		dt, ok := w.raw.(DutiesTx)
		if !ok {
			return fmt.Errorf("%s: store keeps no conflicts of duties: %w", op, errors.ErrUnsupported)
		}
		if declare {
			if err := dt.AddDutyConflict(c); err != nil {
				return fmt.Errorf("%s: %s: %w", op, c, err)
			}
			w.record(actor, OpDutyConflict, "duties", nil, c)
			return nil
		}
		cs, err := dt.DutyConflicts()
		if err != nil {
			return err
		}
		i := slices.IndexFunc(cs, c.Same)
		if i < 0 {
			return fmt.Errorf("%s: %s: %w", op, c, ErrNotFound)
		}
		if err := dt.RemoveDutyConflict(c); err != nil {
			return fmt.Errorf("%s: %s: %w", op, c, err)
		}
		w.record(actor, OpDutyConflict, "duties", cs[i], nil)
		return nil
	})
	return err
}

// DutyConflicts returns the declared conflicts of duties.
func (s *Service) DutyConflicts(ctx context.Context) ([]DutyConflict, error) {
	ds, ok := s.store.(DutiesStore)
	if !ok {
		return nil, nil
	}
	cs, err := ds.DutyConflicts(ctx)
	if err != nil {
		return nil, fmt.Errorf("conflicts of duties: %w", err)
	}
	return cs, nil
}

// DutyViolation is a declared conflict and the staff members who combine
// both sides now, from this instance's decisions (active accounts, full
// access aside): what predates the declaration.
type DutyViolation struct {
	Conflict DutyConflict
	Staff    []StaffID // by ID
}

// DutyViolations lists, for every declared conflict, who combines both
// sides now (conflicts nobody violates are left out).
func (s *Service) DutyViolations(ctx context.Context) ([]DutyViolation, error) {
	cs, err := s.DutyConflicts(ctx)
	if err != nil {
		return nil, err
	}
	snap := s.snap.Load()
	var out []DutyViolation
	for _, c := range cs {
		v := DutyViolation{Conflict: c}
		if c.IsDepartments() {
			a, b := snap.dept(c.Departments[0]), snap.dept(c.Departments[1])
			if a != nil && b != nil {
				for m := range a.members.all() {
					if b.members.has(m) {
						v.Staff = append(v.Staff, m)
					}
				}
			}
		} else {
			for id := range snap.holdersOf(c.Permissions[0]).all() {
				if activeFullFlags(rowFlags(snap, id)) != 1 && snap.can(id, c.Permissions[1]) {
					v.Staff = append(v.Staff, id)
				}
			}
		}
		if len(v.Staff) > 0 {
			slices.Sort(v.Staff)
			out = append(out, v)
		}
	}
	return out, nil
}
