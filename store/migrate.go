package store

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"gorm.io/gorm"
)

// SchemaVersion is the schema version this package's code expects: the
// number of the last migration file.
func SchemaVersion() int { return migrationSets[dialectSQLite].last() }

// versionTable is created before the versions are read. The baseline
// creates it too (IF NOT EXISTS, the same text), so that goose alone
// builds a database the library opens.
const versionTable = "CREATE TABLE IF NOT EXISTS " + tableSchema + " (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"

// Migrate brings the schema to SchemaVersion, one transaction per file,
// each file recording its version(s) in billingrbac_schema. A new
// database runs the files MigrationsFS exports: the baseline, then the
// migrations after it. A database that recorded any version already (one
// migrated by an earlier release) runs instead the migrations it lacks of
// the history the baseline sums up, then those after it; both end with
// the same schema. Migrate is safe to run again and, on PostgreSQL, from
// several instances at once.
func (s *Store) Migrate(ctx context.Context) error { return s.migrateTo(ctx, SchemaVersion()) }

// migrateTo applies the migrations up to version upTo.
func (s *Store) migrateTo(ctx context.Context, upTo int) error {
	return s.apply(ctx, migrationSets[s.dialect], upTo, false)
}

// apply runs the migrations of ms up to version upTo that are not
// recorded yet; history makes a new database take the history instead of
// the baseline too.
func (s *Store) apply(ctx context.Context, ms migrationSet, upTo int, history bool) error {
	if err := s.createSchema(ctx); err != nil {
		return err
	}
	db := s.db.WithContext(ctx)
	if err := db.Exec(versionTable).Error; err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	var recorded int64
	if err := db.Raw(`SELECT COUNT(*) FROM ` + tableSchema).Scan(&recorded).Error; err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	plan := ms.current
	if recorded > 0 || history || upTo < ms.current[0].version {
		plan = append(slices.Clip(ms.history), ms.current[1:]...)
	}
	for _, m := range plan {
		if m.version > upTo {
			break
		}
		err := db.Transaction(func(tx *gorm.DB) error {
			if s.dialect == dialectPostgres {
				// One migrator at a time across instances.
				if err := tx.Exec(`LOCK TABLE ` + tableSchema + ` IN EXCLUSIVE MODE`).Error; err != nil {
					return err
				}
			}
			// Recorded since (another instance took the baseline): done.
			var n int64
			if err := tx.Raw(`SELECT COUNT(*) FROM `+tableSchema+` WHERE version = ?`, m.version).Scan(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			for _, stmt := range m.stmts {
				if err := tx.Exec(stmt).Error; err != nil {
					return fmt.Errorf("%s: %w", firstLine(stmt), err)
				}
			}
			// The file records itself, so that goose's path records it too.
			if err := tx.Raw(`SELECT COUNT(*) FROM `+tableSchema+` WHERE version BETWEEN ? AND ?`, m.from, m.version).Scan(&n).Error; err != nil {
				return err
			}
			if want := int64(m.version - m.from + 1); n != want {
				return fmt.Errorf("the file records %d of versions %d to %d in %s, want all (it must end with INSERT INTO %s ...)",
					n, m.from, m.version, tableSchema, tableSchema)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("store: migrate to version %d (%s): %w", m.version, m.file, err)
		}
	}
	return nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// checkSchema returns an error naming the problem when the schema is not
// at SchemaVersion.
func (s *Store) checkSchema(ctx context.Context) error {
	var v int
	err := s.db.WithContext(ctx).Raw(`SELECT COALESCE(MAX(version), 0) FROM ` + tableSchema).Scan(&v).Error
	if err != nil && ctx.Err() != nil {
		// A cancelled write is not a missing schema.
		return fmt.Errorf("store: check schema: %w", ctx.Err())
	}
	if err != nil || v != SchemaVersion() {
		return fmt.Errorf("store: %w: database at version %d, code expects %d: run Migrate", errSchema, v, SchemaVersion())
	}
	return nil
}
