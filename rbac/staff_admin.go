package rbac

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// CreateStaff creates a staff member, puts them in their departments and
// sets their flags, in one transaction. The actor needs staff:add, must hold
// every permission of the departments given and, to create a full-access
// account, have full access. A password given is checked against the
// password policy (field "password") and stored as a hash. Errors:
// ErrInvalid, ErrNotFound (a department), ErrConflict (login, e-mail or
// subject taken: also a *ValidationError with rule "unique"),
// ErrPermissionDenied, ErrPasswordsDisabled (a password under
// AccountOptions.SSOOnly).
func (s *Service) CreateStaff(ctx context.Context, actor StaffID, in NewStaff) (Staff, error) {
	const op = "create staff"
	if in.Password != "" && s.acct.ssoOnly {
		return Staff{}, fmt.Errorf("%s: %w", op, ErrPasswordsDisabled)
	}
	var fe fieldErrors
	in.validate(&fe, s.acct.region)
	if in.Password != "" {
		s.acct.policy.check(&fe, "password", in.Password, Staff{Login: in.Login, Email: in.Email, FullName: in.FullName})
	}
	if err := fe.err(op); err != nil {
		return Staff{}, err
	}
	var hash string
	if in.Password != "" {
		// Refuse cheaply before hashing (see precheck); the flow decides.
		if err := s.precheck(ctx, op, actor, Perm(FuncStaff, ActAdd), 0); err != nil {
			return Staff{}, err
		}
		if err := s.precheckGive(ctx, op, actor, in.Departments, in.FullAccess); err != nil {
			return Staff{}, err
		}
		var err error
		if hash, err = s.acct.hash(ctx, in.Password); err != nil {
			return Staff{}, fmt.Errorf("%s: %w", op, err)
		}
	}
	var out Staff
	_, err := s.write(ctx, func(w *txn) error {
		if err := w.authorize(op, actor, Perm(FuncStaff, ActAdd)); err != nil {
			return err
		}
		if err := w.checkUnique(op, 0, in.Login, in.Email, in.Subject); err != nil {
			return err
		}
		for _, d := range in.Departments {
			if _, err := w.tx.Department(d); err != nil {
				return fmt.Errorf("%s: department %s: %w", op, d, err)
			}
		}
		st := Staff{Login: in.Login, FullName: in.FullName, Email: in.Email, Phone: in.Phone, Subject: in.Subject}
		if err := w.tx.CreateStaff(&st); err != nil {
			return fmt.Errorf("%s %q: %w", op, in.Login, err)
		}
		if hash != "" {
			if err := w.tx.SetPasswordHash(st.ID, hash); err != nil {
				return fmt.Errorf("%s %q: %w", op, in.Login, err)
			}
			stored, err := w.tx.StaffMember(st.ID)
			if err != nil {
				return fmt.Errorf("%s %q: %w", op, in.Login, err)
			}
			st.UpdatedAt = stored.UpdatedAt
		}
		sub := StaffSubject(st.ID)
		for _, d := range in.Departments {
			w.add(MemberRule(st.ID, d))
		}
		w.setFlag(sub, FlagFullAccess, in.FullAccess)
		w.setFlag(sub, FlagDisabled, in.Status == StatusDisabled)
		st.Departments = sortedDepartments(in.Departments)
		st.FullAccess = in.FullAccess
		st.Status = in.Status
		w.record(actor, OpStaffCreate, sub.String(), nil, st)
		out = st
		return nil
	})
	return out, err
}

func sortedDepartments(ids []DepartmentID) []DepartmentID {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}

// UpdateStaff changes a staff member's profile, full access, status,
// departments and direct grants, in one change. The actor needs
// staff:edit; departments and grants follow the rules of AddToDepartment
// and Grant (the actor holds everything the member gains or is given); changing the login, e-mail, phone or external
// subject (which give control of the account) or switching it back on needs every permission
// the account holds; only a full-access actor may change a full-access
// account or give full access; nobody changes their own full access or
// status; the last active full-access account cannot be disabled or lose
// full access. Errors: ErrInvalid, ErrNotFound, ErrConflict,
// ErrPermissionDenied (and ErrLastFullAccess).
func (s *Service) UpdateStaff(ctx context.Context, actor StaffID, id StaffID, in StaffUpdate) (Staff, error) {
	const op = "update staff"
	var fe fieldErrors
	in.validate(&fe, s.acct.region)
	if err := fe.err(op); err != nil {
		return Staff{}, err
	}
	var grants []Permission
	if in.Grants != nil {
		var err error
		if grants, err = s.permissionSet(op, *in.Grants); err != nil {
			return Staff{}, err
		}
	}
	var out Staff
	_, err := s.write(ctx, func(w *txn) error {
		if err := w.authorize(op, actor, Perm(FuncStaff, ActEdit)); err != nil {
			return err
		}
		st, err := w.tx.StaffMember(id)
		if err != nil {
			return fmt.Errorf("%s %s: %w", op, id, err)
		}
		fillStaff(w.snap, &st)
		before := st
		sub := StaffSubject(id)
		var login, email string
		if in.Login != nil && *in.Login != st.Login {
			login = *in.Login
		}
		if in.Email != nil && !strings.EqualFold(*in.Email, st.Email) {
			email = *in.Email
		}
		var subject ExternalSubject
		if in.Subject != nil && *in.Subject != st.Subject {
			subject = *in.Subject
		}
		if err := w.checkUnique(op, id, login, email, subject); err != nil {
			return err
		}
		if in.FullAccess != nil && *in.FullAccess != st.FullAccess {
			st.FullAccess = *in.FullAccess
			w.setFlag(sub, FlagFullAccess, st.FullAccess)
		}
		if in.Status != nil && *in.Status != st.Status {
			st.Status = *in.Status
			w.setFlag(sub, FlagDisabled, st.Status == StatusDisabled)
		}
		if in.Login != nil {
			st.Login = *in.Login
		}
		if in.FullName != nil {
			st.FullName = in.FullName
		}
		if in.Email != nil {
			st.Email = *in.Email
		}
		if in.Phone != nil {
			st.Phone = *in.Phone
		}
		if in.Departments != nil {
			if err := w.setMemberships(op, id, *in.Departments); err != nil {
				return err
			}
			st.Departments = slices.Clone(*in.Departments)
		}
		if in.Grants != nil {
			w.setGrants(id, grants)
		}
		if in.Subject != nil {
			st.Subject = *in.Subject
		}
		if err := w.tx.UpdateStaff(&st); err != nil {
			return fmt.Errorf("%s %s: %w", op, id, err)
		}
		w.record(actor, OpStaffUpdate, sub.String(), before, st)
		out = st
		return nil
	})
	return out, err
}

// DeleteStaff deletes a staff member with their memberships and grants.
// The actor needs staff:delete and may not delete themselves; only a
// full-access actor deletes a full-access account, and never the last
// active one. Errors: ErrNotFound, ErrPermissionDenied (and
// ErrLastFullAccess).
func (s *Service) DeleteStaff(ctx context.Context, actor StaffID, id StaffID) error {
	const op = "delete staff"
	_, err := s.write(ctx, func(w *txn) error {
		if err := w.authorize(op, actor, Perm(FuncStaff, ActDelete)); err != nil {
			return err
		}
		st, err := w.tx.StaffMember(id)
		if err != nil {
			return fmt.Errorf("%s %s: %w", op, id, err)
		}
		fillStaff(w.snap, &st)
		for _, r := range w.snap.rulesOfStaff(id) {
			w.remove(r)
		}
		if err := w.tx.DeleteStaff(id); err != nil {
			return fmt.Errorf("%s %s: %w", op, id, err)
		}
		w.record(actor, OpStaffDelete, StaffSubject(id).String(), st, nil)
		return nil
	})
	return err
}

// AddToDepartment puts staff member id in department d: they inherit its
// permissions. The actor needs staff:edit and must hold every permission
// the member gains; nobody adds themselves. Adding a member again is a no-op. Errors:
// ErrNotFound, ErrPermissionDenied.
//
// With a window (at most one; see Until and Window) the membership is
// temporary: it gives d's permissions only during the window, and every
// instance stops counting it at its end without a further change. Adding
// again replaces the window; adding without one makes it permanent. A
// window that is not valid for a new rule (window.until missing, not
// after window.from, not in the future) fails with ErrInvalid.
func (s *Service) AddToDepartment(ctx context.Context, actor, id StaffID, d DepartmentID, window ...Window) error {
	var win Window
	var fe fieldErrors
	switch len(window) {
	case 0:
	case 1:
		win = window[0]
		win.check(&fe, "window", s.now())
	default:
		fe.add("window", "max_count", "at most one window")
	}
	if err := fe.err("add to department"); err != nil {
		return err
	}
	return s.membership(ctx, actor, id, d, true, win)
}

// RemoveFromDepartment takes staff member id out of department d. Same
// rules as AddToDepartment, except that the actor need not hold d's
// permissions.
func (s *Service) RemoveFromDepartment(ctx context.Context, actor, id StaffID, d DepartmentID) error {
	return s.membership(ctx, actor, id, d, false, Window{})
}

func (s *Service) membership(ctx context.Context, actor, id StaffID, d DepartmentID, join bool, win Window) error {
	op, kind := "add to department", OpStaffJoin
	if !join {
		op, kind = "remove from department", OpStaffLeave
	}
	_, err := s.writeRules(ctx, func(w *txn) error {
		if err := w.staffPrivilegeChange(op, actor, id); err != nil {
			return err
		}
		if _, err := w.tx.Department(d); err != nil {
			return fmt.Errorf("%s %s: %w", op, d, err)
		}
		if join {
			if e := w.snap.staffEntry(id); e != nil && e.departments() >= MaxDepartmentsPerStaff && !w.has(MemberRule(id, d)) {
				var fe fieldErrors
				fe.add("departments", "max_count", "at most %d departments per staff member", MaxDepartmentsPerStaff)
				return fe.err(op)
			}
			w.add(MemberRule(id, d).Within(win))
		} else {
			w.remove(MemberRule(id, d))
		}
		if w.delta.Empty() {
			return nil
		}
		w.record(actor, kind, StaffSubject(id).String(), nil, map[string]DepartmentID{"department": d})
		return nil
	})
	return err
}

// staffPrivilegeChange authorizes a change of id's privileges by actor.
func (w *txn) staffPrivilegeChange(op string, actor, id StaffID) error {
	if err := w.authorize(op, actor, Perm(FuncStaff, ActEdit)); err != nil {
		return err
	}
	if err := w.staffRow(id); err != nil {
		return fmt.Errorf("%s: staff %s: %w", op, id, err)
	}
	return nil
}

// StaffMember returns a staff member with departments and flags from this
// instance's decisions. Errors: ErrNotFound.
func (s *Service) StaffMember(ctx context.Context, id StaffID) (Staff, error) {
	st, err := s.store.StaffMember(ctx, id)
	if err != nil {
		return Staff{}, fmt.Errorf("staff %s: %w", id, err)
	}
	fillStaff(s.snap.Load(), &st)
	return st, nil
}

// StaffMembers lists staff members by ID.
func (s *Service) StaffMembers(ctx context.Context) ([]Staff, error) {
	all, err := s.store.StaffMembers(ctx)
	if err != nil {
		return nil, fmt.Errorf("staff: %w", err)
	}
	snap := s.snap.Load()
	for i := range all {
		fillStaff(snap, &all[i])
	}
	return all, nil
}

func fillStaff(snap *snapshot, st *Staff) {
	st.Departments, st.FullAccess, st.Status = nil, false, StatusActive
	e := snap.staffEntry(st.ID)
	if e == nil {
		return
	}
	if ds := snap.memberDepts(e, snap.nowNano()); len(ds) > 0 {
		st.Departments = ds
	}
	st.FullAccess = e.full
	if e.disabled {
		st.Status = StatusDisabled
	}
}

// setMemberships makes depts the whole set of id's departments. A
// temporary membership of a department in depts stays as it is.
func (w *txn) setMemberships(op string, id StaffID, depts []DepartmentID) error {
	for _, r := range w.snap.rulesOfStaff(id) {
		if r.Kind == RuleMember && !slices.Contains(depts, r.Department) {
			w.remove(r)
		}
	}
	for _, d := range depts {
		if !w.has(MemberRule(id, d)) {
			if _, err := w.tx.Department(d); err != nil {
				return fmt.Errorf("%s: department %s: %w", op, d, err)
			}
			w.add(MemberRule(id, d))
		}
	}
	return nil
}

// setGrants makes perms the whole set of id's direct grants. A temporary
// grant of a permission in perms stays as it is.
func (w *txn) setGrants(id StaffID, perms []Permission) {
	for _, r := range w.snap.rulesOfStaff(id) {
		if r.Kind == RuleGrant && !slices.Contains(perms, r.Permission) {
			w.remove(r)
		}
	}
	for _, p := range perms {
		if r := GrantRule(StaffSubject(id), p); !w.has(r) {
			w.add(r)
		}
	}
}
