package store

import (
	"context"

	"github.com/billingrbac/billingrbac/rbac"
)

// LoadPolicyViaAdapterForTest exposes the reference loader to tests.
func (s *Store) LoadPolicyViaAdapterForTest(ctx context.Context) ([]rbac.Rule, error) {
	return loadPolicyViaAdapter(ctx, s.db)
}

// ChannelFor exposes channel naming to tests.
func ChannelFor(schema string) string { return channelFor(schema) }

// DeadConn exposes the dead-connection classification to tests.
var DeadConn = deadConn

// MigrateToForTest applies the migrations up to version v only: a
// database as an older release left it.
func (s *Store) MigrateToForTest(ctx context.Context, v int) error { return s.migrateTo(ctx, v) }
