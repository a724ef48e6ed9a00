package report

import (
	"fmt"
	"slices"

	"github.com/billingrbac/billingrbac/rbac"
)

// Conflict is a risky combination: two permissions one person should not
// hold together (separation of duties). A review reports every active
// account, other than full-access ones, and every department holding both.
type Conflict struct {
	A, B rbac.Permission
	Why  string // shown to the reviewer
}

// DefaultConflicts returns the combinations a billing panel usually keeps
// apart. Pass your own list in ReviewOptions.Conflicts to replace it.
func DefaultConflicts() []Conflict {
	return []Conflict{
		{rbac.Perm(rbac.FuncInvoices, rbac.ActEdit), rbac.Perm(rbac.FuncPayments, rbac.ActAdd),
			"changes an invoice and records its payment"},
		{rbac.Perm(rbac.FuncTariffs, rbac.ActEdit), rbac.Perm(rbac.FuncInvoices, rbac.ActEdit),
			"sets prices and edits what clients are billed"},
		{rbac.Perm(rbac.FuncDepartments, rbac.ActEdit), rbac.Perm(rbac.FuncStaff, rbac.ActEdit),
			"decides what a department holds and who is in it"},
		{rbac.Perm(rbac.FuncPayments, rbac.ActAdd), rbac.Perm(rbac.FuncPayments, rbac.ActDelete),
			"records payments and removes them"},
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

func (b *builder) findings() []Finding {
	conflicts := b.opts.Conflicts
	if conflicts == nil {
		conflicts = DefaultConflicts()
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
	return out
}
