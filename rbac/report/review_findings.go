package report

import (
	"fmt"
	"slices"

	"github.com/billingrbac/billingrbac/rbac"
)

// Conflict is a risky combination: two permissions one person should not
// hold together (separation of duties). A review reports every active
// account, other than full-access ones, and every department holding both.
//
// The conflicts declared on the Service (rbac.Service.DeclareConflict) are
// always looked for, marked Enforced: changes that would create them are
// refused, so what their findings list predates the declaration. A
// declared conflict between departments has Between set (A and B zero)
// and lists the members of both.
type Conflict struct {
	A, B rbac.Permission
	Why  string // shown to the reviewer
	// Between names the two departments of a declared department
	// conflict.
	Between []string `json:",omitempty"`
	// Enforced is set for a conflict declared on the Service.
	Enforced bool `json:",omitempty"`
}

// DefaultConflicts returns the combinations a billing panel usually keeps
// apart. Pass your own list in ReviewOptions.Conflicts to replace it.
func DefaultConflicts() []Conflict {
	return []Conflict{
		{A: rbac.Perm(rbac.FuncInvoices, rbac.ActEdit), B: rbac.Perm(rbac.FuncPayments, rbac.ActAdd),
			Why: "changes an invoice and records its payment"},
		{A: rbac.Perm(rbac.FuncTariffs, rbac.ActEdit), B: rbac.Perm(rbac.FuncInvoices, rbac.ActEdit),
			Why: "sets prices and edits what clients are billed"},
		{A: rbac.Perm(rbac.FuncDepartments, rbac.ActEdit), B: rbac.Perm(rbac.FuncStaff, rbac.ActEdit),
			Why: "decides what a department holds and who is in it"},
		{A: rbac.Perm(rbac.FuncPayments, rbac.ActAdd), B: rbac.Perm(rbac.FuncPayments, rbac.ActDelete),
			Why: "records payments and removes them"},
	}
}

// Finding is a conflict found in the policy.
type Finding struct {
	ID string // "F-1", in the order of the conflicts
	Conflict
	Departments []string // active departments holding both themselves
	// StaffCount is how many active accounts (full access aside) combine
	// both from different sources (no one department of theirs holds
	// both: its members are covered by Departments); Staff lists the
	// first MaxListedLogins of their logins, sorted.
	StaffCount int
	Staff      []string
}

// MaxListedLogins bounds the logins a finding lists; the rest are counted
// (rbacctl matrix --perm A --perm B lists them all).
const MaxListedLogins = 300

// More is how many of the finding's staff are not listed.
func (f Finding) More() int { return f.StaffCount - len(f.Staff) }

// conflicts returns the options' conflicts with the declared permission
// conflicts merged in (marked Enforced), and the declared department
// conflicts.
func (b *builder) conflicts() ([]Conflict, []rbac.DutyConflict, error) {
	conflicts := slices.Clone(b.opts.Conflicts)
	if conflicts == nil {
		conflicts = DefaultConflicts()
	}
	declared, err := b.svc.DutyConflicts(b.ctx)
	if err != nil {
		return nil, nil, err
	}
	var depts []rbac.DutyConflict
	for _, d := range declared {
		if d.IsDepartments() {
			depts = append(depts, d)
			continue
		}
		a, c := d.Permissions[0], d.Permissions[1]
		i := slices.IndexFunc(conflicts, func(x Conflict) bool { return x.A == a && x.B == c || x.A == c && x.B == a })
		if i < 0 {
			conflicts = append(conflicts, Conflict{A: a, B: c, Why: d.Why})
			i = len(conflicts) - 1
		}
		conflicts[i].Enforced = true
		if conflicts[i].Why == "" {
			conflicts[i].Why = d.Why
		}
	}
	return conflicts, depts, nil
}

func (b *builder) findings() ([]Finding, error) {
	conflicts, deptConflicts, err := b.conflicts()
	if err != nil {
		return nil, err
	}
	cat := b.svc.Catalog()
	var out []Finding
	for _, c := range conflicts {
		if !cat.Has(c.A) || !cat.Has(c.B) {
			continue
		}
		f := Finding{Conflict: c}
		both := map[rbac.DepartmentID]bool{}
		for _, d := range b.depts {
			if d.Status == rbac.StatusActive && b.deptSet[d.ID][c.A] && b.deptSet[d.ID][c.B] {
				f.Departments = append(f.Departments, b.deptName[d.ID])
				both[d.ID] = true
			}
		}
		for _, st := range b.staff { // sorted by ID
			if st.Status != rbac.StatusActive || st.FullAccess || !b.svc.Can(st.ID, c.A) || !b.svc.Can(st.ID, c.B) ||
				slices.ContainsFunc(st.Departments, func(d rbac.DepartmentID) bool { return both[d] }) {
				continue
			}
			f.StaffCount++
			if len(f.Staff) < MaxListedLogins {
				f.Staff = append(f.Staff, st.Login)
			}
		}
		if len(f.Departments) == 0 && f.StaffCount == 0 {
			continue
		}
		f.ID = fmt.Sprintf("F-%d", len(out)+1)
		sortedLogins(f.Staff)
		out = append(out, f)
	}
	for _, d := range deptConflicts {
		f := Finding{Conflict: Conflict{Why: d.Why, Enforced: true,
			Between: []string{b.deptName[d.Departments[0]], b.deptName[d.Departments[1]]}}}
		for _, id := range b.members[d.Departments[0]] {
			if slices.Contains(b.members[d.Departments[1]], id) {
				f.StaffCount++
				if len(f.Staff) < MaxListedLogins {
					f.Staff = append(f.Staff, b.login[id])
				}
			}
		}
		if f.StaffCount == 0 {
			continue
		}
		f.ID = fmt.Sprintf("F-%d", len(out)+1)
		sortedLogins(f.Staff)
		out = append(out, f)
	}
	return out, nil
}
