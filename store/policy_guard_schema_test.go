package store_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/store"
)

// TestPolicyGuardAcrossSchemas: the policy guard counts a foreign write
// in the installation whose table it changed, whatever the writer's
// search_path: here a session of another installation (another schema
// of the same database) deletes a rule of the first by its qualified
// name. The first installation's count rises (its instances notice and
// reload); the other's does not.
func TestPolicyGuardAcrossSchemas(t *testing.T) {
	ctx := context.Background()
	dsn := testdb.DSN(t, testdb.Postgres) // the other installation's schema
	var rnd [4]byte
	_, _ = rand.Read(rnd[:])
	schema := "lib_" + hex.EncodeToString(rnd[:])
	t.Cleanup(func() {
		admin := testdb.Open(t, dsn)
		_ = admin.DB().Exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE").Error
	})
	lib := testdb.OpenWith(t, dsn, store.Options{Schema: schema})
	require.NoError(t, lib.Migrate(ctx))
	other := testdb.Open(t, dsn)
	require.NoError(t, other.Migrate(ctx))

	grant := rbac.GrantRule(rbac.StaffSubject(7), rbac.Perm("invoices", "view"))
	require.NoError(t, lib.Update(ctx, func(tx rbac.Tx) error {
		if err := tx.ApplyPolicy(rbac.PolicyDelta{Add: []rbac.Rule{grant}}); err != nil {
			return err
		}
		return tx.RecordChange(rbac.Change{Version: tx.Version(), Op: rbac.OpStaffGrant, Hash: "h1"})
	}))
	require.NoError(t, other.DB().Exec(`DELETE FROM `+schema+`.`+store.CasbinRuleTable+` WHERE v0 = 'staff:7'`).Error)
	rules, _, err := lib.LoadPolicy(ctx)
	require.NoError(t, err)
	require.Empty(t, rules, "the rule is gone")
	n, err := lib.ForeignPolicyWrites(ctx)
	require.NoError(t, err)
	assert.EqualValues(t, 1, n, "the installation whose rule was deleted counts it")
	n, err = other.ForeignPolicyWrites(ctx)
	require.NoError(t, err)
	assert.Zero(t, n, "the writer's own installation does not")
}
