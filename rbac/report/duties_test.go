package report_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/report"
)

// TestReviewDeclaredConflicts: the conflicts declared on the Service are
// looked for in every review, marked enforced, beside the options' list:
// a declared permission pair (mary holds both through Billing, from
// before the declaration) and a declared department pair (mary is in
// both).
func TestReviewDeclaredConflicts(t *testing.T) {
	in := fixture(t)
	ctx := t.Context()
	send, del := rbac.Perm(rbac.FuncInvoices, rbac.ActSend), rbac.Perm(rbac.FuncInvoices, rbac.ActDelete)
	require.NoError(t, in.Service.DeclareConflict(ctx, in.Admin, rbac.PermissionConflict(send, del, "sends and deletes")))
	require.NoError(t, in.Service.DeclareConflict(ctx, in.Admin,
		rbac.DepartmentConflict(in.DepartmentID("Billing"), in.DepartmentID("Technical support"), "")))

	r, err := report.BuildReview(ctx, in.Service, report.ReviewOptions{Conflicts: []report.Conflict{}})
	require.NoError(t, err)
	require.Len(t, r.Findings, 2)
	perm, dept := r.Findings[0], r.Findings[1]
	assert.True(t, perm.Enforced)
	assert.Equal(t, "sends and deletes", perm.Why)
	assert.Equal(t, []string{"Billing"}, perm.Departments)
	assert.True(t, dept.Enforced)
	assert.Equal(t, []string{"Technical support", "Billing"}, dept.Between, "in department ID order")
	assert.Equal(t, []string{"mary"}, dept.Staff)

	// With the default list, the declared pair is added once.
	r, err = report.BuildReview(ctx, in.Service, report.ReviewOptions{})
	require.NoError(t, err)
	n := 0
	for _, f := range r.Findings {
		if f.A == del || f.B == del {
			n++
		}
	}
	assert.Equal(t, 1, n)
}
