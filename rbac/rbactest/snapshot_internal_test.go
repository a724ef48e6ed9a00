package rbactest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/billingrbac/billingrbac/rbac"
)

// The snapshot a refusal is compared against sees a change made behind
// the Service's back (a row) as well as one of the decisions, so "refused
// but it changed something" cannot pass unnoticed.
func TestSnapshotSeesRowsAndDecisions(t *testing.T) {
	ctx := context.Background()
	in, err := Build(ctx, Fixture{Staff: []FixtureStaff{{Login: "john", Departments: []string{defaultSales}}}}, optsForTest())
	require.NoError(t, err)
	defer in.Close()
	before, err := in.snapshot(ctx)
	require.NoError(t, err)
	again, err := in.snapshot(ctx)
	require.NoError(t, err)
	require.Equal(t, before, again, "a snapshot is deterministic")

	require.NoError(t, in.Store.DB().Exec("UPDATE billingrbac_staff SET email = 'x@example.com' WHERE login = 'john'").Error)
	rows, err := in.snapshot(ctx)
	require.NoError(t, err)
	assert.NotEqual(t, before, rows)
	assert.Contains(t, diff(before, rows), "x@example.com")

	john := in.StaffID("john")
	require.NoError(t, in.Service.Grant(ctx, in.Admin, john, mustPerm(t, "reports:view")))
	after, err := in.snapshot(ctx)
	require.NoError(t, err)
	assert.Contains(t, diff(rows, after), "+ decision john: reports:view by [direct grant]")
}
func optsForTest() rbac.Options { return rbac.Options{} }

func mustPerm(t *testing.T, s string) rbac.Permission {
	t.Helper()
	p, err := rbac.ParsePermission(s)
	require.NoError(t, err)
	return p
}
