package policy_test

import (
	"errors"
	"testing"

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
		if err != nil {
			t.Fatalf("ToLine(%v): %v", r, err)
		}
		got := append([]string{l.Ptype}, l.Values...)
		if len(got) != len(want[i]) {
			t.Fatalf("ToLine(%v) = %v, want %v", r, got, want[i])
		}
		for j := range got {
			if got[j] != want[i][j] {
				t.Fatalf("ToLine(%v) = %v, want %v", r, got, want[i])
			}
		}
		back, err := policy.FromLine(l.Ptype, l.Values)
		if err != nil || back != r {
			t.Fatalf("FromLine(%v) = %v, %v; want %v", got, back, err, r)
		}
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
		if _, err := policy.FromLine(b.ptype, b.v); !errors.Is(err, rbac.ErrInvalid) {
			t.Errorf("FromLine(%s, %v) err = %v, want ErrInvalid", b.ptype, b.v, err)
		}
	}
	if _, err := policy.ToLine(rbac.Rule{Kind: rbac.RuleGrant, Subject: rbac.Subject{Staff: 1, Department: 2}}); !errors.Is(err, rbac.ErrInvalid) {
		t.Errorf("ToLine with two subjects: err = %v", err)
	}
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
	if err != nil {
		t.Fatal(err)
	}
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
		if err != nil || got != c.want {
			t.Errorf("Enforce(%d, %s) = %v, %v; want %v", c.id, c.p, got, err, c.want)
		}
	}
}
