package rbac_test

import (
	"slices"
	"testing"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
)

func TestMembershipFromTheIndex(t *testing.T) {
	e := newEnv(t, testdb.SQLite)
	a := e.dept("Alpha", pInvoicesView)
	b := e.dept("Beta", pInvoicesView)
	empty := e.dept("Empty") // no rules at all
	ann := e.staff("ann", b, a)
	bob := e.staff("bob")

	if !e.svc.IsMember(ann, a) || !e.svc.IsMember(ann, b) || e.svc.IsMember(ann, empty) || e.svc.IsMember(bob, a) {
		t.Error("IsMember")
	}
	if got := e.svc.MemberDepartments(ann); !slices.Equal(got, []rbac.DepartmentID{min(a, b), max(a, b)}) {
		t.Errorf("MemberDepartments(ann) = %v", got)
	}
	if got := e.svc.MemberDepartments(bob); got != nil {
		t.Errorf("MemberDepartments(bob) = %v", got)
	}
	if !e.svc.IsFullAccess(e.admin) || e.svc.IsFullAccess(ann) {
		t.Error("IsFullAccess")
	}
	off := rbac.StatusDisabled
	if _, err := e.svc.UpdateDepartment(e.ctx, e.admin, a, rbac.DepartmentUpdate{Status: &off}); err != nil {
		t.Fatal(err)
	}
	if !e.svc.DepartmentDisabled(a) || e.svc.DepartmentDisabled(b) || e.svc.DepartmentDisabled(empty) || e.svc.DepartmentDisabled(9999) {
		t.Error("DepartmentDisabled")
	}
	if !e.svc.IsMember(ann, a) {
		t.Error("membership of a disabled department is still membership")
	}
	if err := e.svc.RemoveFromDepartment(e.ctx, e.admin, ann, b); err != nil {
		t.Fatal(err)
	}
	if e.svc.IsMember(ann, b) || !slices.Equal(e.svc.MemberDepartments(ann), []rbac.DepartmentID{a}) {
		t.Error("after leaving b")
	}
}
