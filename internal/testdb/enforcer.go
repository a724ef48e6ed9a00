package testdb

import (
	"context"
	"testing"

	"github.com/casbin/casbin/v2"
	gormadapter "github.com/casbin/gorm-adapter/v3"

	"github.com/billingrbac/billingrbac/internal/policy"
	"github.com/billingrbac/billingrbac/store"
)

// StoredEnforcer loads everything stored in the casbin rule table (staff and client
// rules) into a plain Casbin enforcer over model.conf, through
// gorm-adapter's own LoadPolicy: the reference answer tests compare with.
func StoredEnforcer(tb testing.TB, st *store.Store) *casbin.Enforcer {
	tb.Helper()
	db := st.DB().WithContext(context.Background())
	gormadapter.TurnOffAutoMigrate(db)
	a, err := gormadapter.NewAdapterByDBUseTableName(db, "", store.CasbinRuleTable)
	if err != nil {
		tb.Fatal(err)
	}
	e, err := policy.AdapterEnforcer(a)
	if err != nil {
		tb.Fatal(err)
	}
	return e
}
