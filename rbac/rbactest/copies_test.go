package rbactest_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/rbactest"
	"github.com/billingrbac/billingrbac/store"
)

// A fixture applied to a database of every backend evaluates like the
// in-memory one, and with CopiesOn its administrative expectations run on
// copies that CopyStore opens there: one per expectation, each removed.
func TestBuildOnWithCopies(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		ctx := context.Background()
		s, err := rbactest.ParseSuite([]byte(mutationFixture +
			"      - {staff: john, can: invoices:send, because: [direct grant]}\n" +
			"      - {as: hanna, may_not: {grant: {staff: john, permissions: [reports:view]}}}\n" +
			"      - {as: admin, may: {grant: {staff: hanna, permissions: [reports:view]}}, then: [{staff: hanna, can: reports:view}]}\n"))
		require.NoError(t, err)
		st, err := store.Open(ctx, testdb.DSN(t, b))
		require.NoError(t, err)
		defer st.Close()
		require.NoError(t, st.Migrate(ctx))
		in, err := rbactest.BuildOn(ctx, st, s.Fixture, rbac.Options{})
		require.NoError(t, err)
		defer in.Close()
		opened, removed := 0, 0
		in.CopiesOn(func(ctx context.Context) (*store.Store, func(), error) {
			cp, err := store.Open(ctx, testdb.DSN(t, b))
			if err == nil {
				err = cp.Migrate(ctx)
			}
			opened++
			return cp, func() { removed++ }, err
		})
		r := in.Evaluate(ctx, s)
		require.NoError(t, r.Err)
		require.Len(t, r.Tests, 1)
		assert.Empty(t, r.Tests[0].Failures)
		assert.Empty(t, r.Tests[0].Skipped)
		assert.Equal(t, 2, opened, "one copy per administrative expectation")
		assert.Equal(t, 2, removed)
	})
}
