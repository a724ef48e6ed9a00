package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/billingrbac/billingrbac/rbac"
)

// tx implements rbac.Tx on one GORM transaction.
type tx struct {
	s       *Store
	db      *gorm.DB
	ctx     context.Context
	version int64
	prev    string // hash of the change at version-1
}

var _ rbac.Tx = (*tx)(nil)

// Update implements rbac.Store. Its first statement increments the version
// row: on PostgreSQL that takes the row lock, on SQLite (IMMEDIATE
// transactions) the database write lock, so every writer of every process
// waits for the one before it and versions never have gaps. The same
// statement reads the hash of the last committed change, which the next
// one chains to.
func (s *Store) Update(ctx context.Context, fn func(rbac.Tx) error) error {
	return s.transaction(ctx, nil, func(db *gorm.DB) error {
		var lock struct {
			Version int64
			Prev    string
		}
		if err := db.Raw(`UPDATE ` + tableState + ` SET version = version + 1 WHERE id = 1 RETURNING version,
			COALESCE((SELECT c.hash FROM ` + tableChanges + ` c WHERE c.version = ` + tableState + `.version - 1), '') AS prev`).
			Scan(&lock).Error; err != nil {
			if serr := s.checkSchema(ctx); serr != nil {
				return serr
			}
			return fmt.Errorf("store: lock version: %w", mapErr(err))
		}
		if lock.Version == 0 {
			return fmt.Errorf("store: %w: "+tableState+" has no row", errSchema)
		}
		return fn(&tx{s: s, db: db, ctx: ctx, version: lock.Version, prev: lock.Prev})
	})
}

func (t *tx) Version() int64 { return t.version }

func (t *tx) PrevHash() string { return t.prev }

func (t *tx) now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// read runs fn in a transaction that sees one consistent state.
func (s *Store) read(ctx context.Context, fn func(db *gorm.DB) error) error {
	var opts *sql.TxOptions
	if s.dialect == dialectPostgres {
		opts = &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
	}
	return s.transaction(ctx, opts, fn)
}
