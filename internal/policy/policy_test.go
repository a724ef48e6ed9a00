package policy_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/billingrbac/billingrbac/internal/policy"
	"github.com/billingrbac/billingrbac/rbac"
)

func TestRoundTrip(t *testing.T) {
	rules := []rbac.Rule{
		rbac.GrantRule(rbac.DepartmentSubject(3), rbac.Perm(rbac.FuncInvoices, rbac.ActView)),
		rbac.GrantRule(rbac.StaffSubject(7), rbac.Perm(rbac.FuncInvoices, rbac.ActSend)),
		rbac.MemberRule(7, 3),
		rbac.FlagRule(rbac.StaffSubject(7), rbac.FlagFullAccess),
		rbac.FlagRule(rbac.StaffSubject(9), rbac.FlagDisabled),
		rbac.FlagRule(rbac.DepartmentSubject(3), rbac.FlagDisabled),
	}
	want := [][]string{
		{"p", "dept:3", "invoices", "view"},
		{"p", "staff:7", "invoices", "send"},
		{"g", "staff:7", "dept:3"},
		{"g2", "staff:7", "full-access"},
		{"g2", "staff:9", "disabled"},
		{"g2", "dept:3", "disabled"},
	}
	for i, r := range rules {
		l, err := policy.ToLine(r)
		require.NoError(t, err, "ToLine(%v)", r)
		assert.Equal(t, want[i], append([]string{l.Ptype}, l.Values...), "ToLine(%v)", r)
		back, err := policy.FromLine(l.Ptype, l.Values)
		require.NoError(t, err, "FromLine(%v)", want[i])
		assert.Equal(t, r, back, "FromLine(%v)", want[i])
	}
}

func TestRejectsBadLines(t *testing.T) {
	bad := []struct {
		ptype string
		v     []string
	}{
		{"p", []string{"staff:x", "invoices", "view"}},
		{"p", []string{"staff:1", "Invoices", "view"}},
		{"p", []string{"user:1", "invoices", "view"}},
		{"p", []string{"staff:1", "invoices"}},
		{"g", []string{"dept:1", "dept:2"}},
		{"g", []string{"staff:1", "staff:2"}},
		{"g2", []string{"staff:1", "root"}},
		{"g3", []string{"staff:1", "dept:2"}},
		{"p", []string{"staff:01", "invoices", "view"}},
		{"p", []string{"staff:-1", "invoices", "view"}},
	}
	for _, b := range bad {
		_, err := policy.FromLine(b.ptype, b.v)
		assert.ErrorIs(t, err, rbac.ErrInvalid, "FromLine(%s, %v)", b.ptype, b.v)
	}
	_, err := policy.ToLine(rbac.Rule{Kind: rbac.RuleGrant, Subject: rbac.Subject{Staff: 1, Department: 2}})
	assert.ErrorIs(t, err, rbac.ErrInvalid, "ToLine with two subjects")
}

// The Casbin model itself: flags, membership and disabled departments.
func TestModelSemantics(t *testing.T) {
	view := rbac.Perm(rbac.FuncInvoices, rbac.ActView)
	e, err := policy.NewEnforcer([]rbac.Rule{
		rbac.GrantRule(rbac.DepartmentSubject(1), view),
		rbac.MemberRule(10, 1),
		rbac.MemberRule(11, 1),
		rbac.FlagRule(rbac.StaffSubject(11), rbac.FlagDisabled),
		rbac.FlagRule(rbac.StaffSubject(12), rbac.FlagFullAccess),
		rbac.GrantRule(rbac.DepartmentSubject(2), view),
		rbac.FlagRule(rbac.DepartmentSubject(2), rbac.FlagDisabled),
		rbac.MemberRule(13, 2),
	})
	require.NoError(t, err)
	for _, c := range []struct {
		id   rbac.StaffID
		p    rbac.Permission
		want bool
	}{
		{10, view, true},
		{11, view, false},                       // disabled staff
		{12, rbac.Perm("anything", "at"), true}, // full access
		{13, view, false},                       // disabled department
		{14, view, false},                       // unknown
	} {
		got, err := policy.Enforce(e, c.id, c.p)
		if assert.NoError(t, err) {
			assert.Equal(t, c.want, got, "Enforce(%d, %s)", c.id, c.p)
		}
	}
}
