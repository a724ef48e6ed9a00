package store

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"
)

// SchemaVersion is the schema version this package's code expects: the
// number of the last migration file.
func SchemaVersion() int {
	ms := migrationSets[dialectSQLite]
	return ms[len(ms)-1].version
}

// versionTable is created before the versions are read. The first
// migration creates it too (IF NOT EXISTS, the same text), so that goose
// alone builds a database the library opens.
const versionTable = `CREATE TABLE IF NOT EXISTS billingrbac_schema (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`

// Migrate brings the schema to SchemaVersion: it runs each migration file
// (see MigrationsFS) whose version billingrbac_schema does not list, in
// order, one transaction per file; each file records its own version
// there. It is safe to run again and, on PostgreSQL, from several
// instances at once.
func (s *Store) Migrate(ctx context.Context) error { return s.migrateTo(ctx, SchemaVersion()) }

// migrateTo applies the migrations up to version upTo.
func (s *Store) migrateTo(ctx context.Context, upTo int) error {
	return s.apply(ctx, migrationSets[s.dialect], upTo)
}

// apply runs the migrations of ms up to version upTo that are not
// recorded yet.
func (s *Store) apply(ctx context.Context, ms []migration, upTo int) error {
	db := s.db.WithContext(ctx)
	if err := db.Exec(versionTable).Error; err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	for _, m := range ms {
		if m.version > upTo {
			break
		}
		err := db.Transaction(func(tx *gorm.DB) error {
			if s.dialect == dialectPostgres {
				// One migrator at a time across instances.
				if err := tx.Exec(`LOCK TABLE billingrbac_schema IN EXCLUSIVE MODE`).Error; err != nil {
					return err
				}
			}
			var n int64
			if err := tx.Raw(`SELECT COUNT(*) FROM billingrbac_schema WHERE version = ?`, m.version).Scan(&n).Error; err != nil {
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
			if err := tx.Raw(`SELECT COUNT(*) FROM billingrbac_schema WHERE version = ?`, m.version).Scan(&n).Error; err != nil {
				return err
			}
			if n != 1 {
				return fmt.Errorf("the file does not record version %d in billingrbac_schema (it must end with INSERT INTO billingrbac_schema ...)", m.version)
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
	err := s.db.WithContext(ctx).Raw(`SELECT COALESCE(MAX(version), 0) FROM billingrbac_schema`).Scan(&v).Error
	if err != nil && ctx.Err() != nil {
		// A cancelled write is not a missing schema.
		return fmt.Errorf("store: check schema: %w", ctx.Err())
	}
	if err != nil || v != SchemaVersion() {
		return fmt.Errorf("store: %w: database at version %d, code expects %d: run Migrate", errSchema, v, SchemaVersion())
	}
	return nil
}
