package store

import (
	"context"
	"io/fs"

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

// ParseMigrationForTest exposes the migration file parser to tests.
func ParseMigrationForTest(src string) ([]string, error) { return parseMigration(src) }

// MigrateFSForTest runs the migration files of fsys (at its root) as
// Migrate runs the embedded ones.
func (s *Store) MigrateFSForTest(ctx context.Context, fsys fs.FS) error {
	ms, err := readMigrationSet(fsys, ".", "")
	if err != nil {
		return err
	}
	return s.apply(ctx, ms, ms.last(), false)
}

// MigrateHistoryForTest migrates a new database through the history
// instead of the baseline, as a database an earlier release migrated
// went, up to version v.
func (s *Store) MigrateHistoryForTest(ctx context.Context, v int) error {
	return s.apply(ctx, migrationSets[s.dialect], v, true)
}

// BaselineForTest is the version of the baseline MigrationsFS starts with.
var BaselineForTest = migrationSets[dialectSQLite].current[0].version

// LoseProbesForTest sends the listener's probe to another channel, as a
// transaction-mode pooler loses notifications.
func (s *Store) LoseProbesForTest() { s.probeChannel = s.channel + "_nowhere" }

// BackendPIDForTest returns the PostgreSQL backend running tx.
func BackendPIDForTest(t rbac.Tx) (int, error) {
	var pid int
	err := t.(*tx).db.Raw(`SELECT pg_backend_pid()`).Scan(&pid).Error
	return pid, err
}

// SetExecFaultForTest makes the store send its optimistic statements
// through f (nil: directly), which may call send or not and return any
// error.
func (s *Store) SetExecFaultForTest(f func(send func() error) error) {
	if f == nil {
		s.execFault.Store(nil)
		return
	}
	s.execFault.Store(&f)
}
