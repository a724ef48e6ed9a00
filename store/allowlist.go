package store

import (
	"context"
	"fmt"
	"net/netip"
	"strings"

	"github.com/billingrbac/billingrbac/rbac"
)

var (
	_ rbac.SignInPolicyStore = (*Store)(nil)
	_ rbac.SignInPolicyTx    = (*tx)(nil)
)

type policyRow struct {
	StaffID             *int64
	DepartmentID        *int64
	RequireSecondFactor bool
	Networks            string // prefixes, space-separated
}

func (r policyRow) policy() (rbac.Subject, rbac.SignInPolicy, error) {
	var sub rbac.Subject
	switch {
	case r.StaffID != nil:
		sub = rbac.StaffSubject(rbac.StaffID(*r.StaffID))
	case r.DepartmentID != nil:
		sub = rbac.DepartmentSubject(rbac.DepartmentID(*r.DepartmentID))
	}
	p := rbac.SignInPolicy{RequireSecondFactor: r.RequireSecondFactor}
	for _, f := range strings.Fields(r.Networks) {
		n, err := netip.ParsePrefix(f)
		if err != nil {
			return sub, p, fmt.Errorf("store: sign-in policy of %s: %w", sub, err)
		}
		p.Networks = append(p.Networks, n)
	}
	return sub, p, nil
}

const policyColumns = `SELECT staff_id, department_id, require_second_factor, networks FROM ` + tableSigninPolicies

// SignInPolicies implements rbac.SignInPolicyStore.
func (s *Store) SignInPolicies(ctx context.Context) (map[rbac.Subject]rbac.SignInPolicy, error) {
	var rows []policyRow
	if err := s.db.WithContext(ctx).Raw(policyColumns).Scan(&rows).Error; err != nil {
		return nil, mapErr(err)
	}
	out := make(map[rbac.Subject]rbac.SignInPolicy, len(rows))
	for _, r := range rows {
		sub, p, err := r.policy()
		if err != nil {
			return nil, err
		}
		out[sub] = p
	}
	return out, nil
}

func policyWhere(sub rbac.Subject) (string, int64) {
	if sub.Department != 0 {
		return "department_id = ?", int64(sub.Department)
	}
	return "staff_id = ?", int64(sub.Staff)
}

// SignInPolicyOf implements rbac.SignInPolicyTx.
func (t *tx) SignInPolicyOf(sub rbac.Subject) (rbac.SignInPolicy, error) {
	where, id := policyWhere(sub)
	var rows []policyRow
	if err := t.db.Raw(policyColumns+" WHERE "+where, id).Scan(&rows).Error; err != nil {
		return rbac.SignInPolicy{}, mapErr(err)
	}
	if len(rows) == 0 {
		return rbac.SignInPolicy{}, nil
	}
	_, p, err := rows[0].policy()
	return p, err
}

// SetSignInPolicy implements rbac.SignInPolicyTx.
func (t *tx) SetSignInPolicy(sub rbac.Subject, p rbac.SignInPolicy) error {
	if sub.Department != 0 {
		if _, err := t.Department(sub.Department); err != nil {
			return err
		}
	} else if _, err := t.StaffMember(sub.Staff); err != nil {
		return err
	}
	where, id := policyWhere(sub)
	if err := t.db.Exec("DELETE FROM "+tableSigninPolicies+" WHERE "+where, id).Error; err != nil {
		return mapErr(err)
	}
	if p.IsZero() {
		return nil
	}
	nets := make([]string, len(p.Networks))
	for i, n := range p.Networks {
		nets[i] = n.String()
	}
	var staff, dept *int64
	if sub.Department != 0 {
		dept = &id
	} else {
		staff = &id
	}
	return mapErr(t.db.Exec(`INSERT INTO `+tableSigninPolicies+` (staff_id, department_id, require_second_factor, networks) VALUES (?, ?, ?, ?)`,
		staff, dept, p.RequireSecondFactor, strings.Join(nets, " ")).Error)
}
