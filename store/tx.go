package store

import (
	"context"
	"database/sql"
	"errors"
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
	// duties are the declared conflicts of duties as the lock statement
	// read them (JSON, see dutiesColumn), until the transaction writes
	// the table (dutiesWritten): the effect check of nearly every write
	// needs them, and reading them with the lock saves a round trip.
	duties        string
	dutiesWritten bool
	// pending are rules ApplyPolicy deferred to the change-log entry's
	// statement (see deferLines).
	pending pendingLines
	// guard is the pool of an optimistic Tx (Attempt), nil in Update's:
	// RecordChange then keeps the entry's statement in commit and
	// commitArgs for Attempt to send, and hash, the entry's.
	guard      *readOnlyPool
	commit     string
	commitArgs []any
	hash       string
}

var _ rbac.Tx = (*tx)(nil)

// Update implements rbac.Store. Its first statement increments the version
// row: on PostgreSQL that takes the row lock, on SQLite (IMMEDIATE
// transactions) the database write lock, so every writer of every process
// waits for the one before it and versions never have gaps. With it the
// transaction reads the hash of the last committed change, which the next
// one chains to, and the declared conflicts of duties: on PostgreSQL in the
// same statement (RETURNING; one round trip, two when it waited for the
// lock while another write committed), on SQLite in a plain SELECT
// after it (the pure-Go driver parses every statement again, and an
// UPDATE ... RETURNING with subqueries costs more to compile than the two).
// The policy guard's triggers (schema version 16) tell the library's
// writes from foreign ones by this lock: on SQLite, the version row is
// ahead of the change log until the transaction appends its entry; on
// PostgreSQL, the writing transaction is the one that updated the version
// row (its xmin), which also holds when the rules and the entry go in one
// statement.
func (s *Store) Update(ctx context.Context, fn func(rbac.Tx) error) error {
	postgres := s.dialect == dialectPostgres
	var t *tx
	err := s.transaction(ctx, nil, func(db *gorm.DB) error {
		var lock struct {
			Version int64
			Prev    string
			Duties  string
		}
		var err error
		if postgres {
			var seen int64
			err = scanRow(db, lockPostgres, &lock.Version, &lock.Prev, &lock.Duties, &seen)
			if err == nil && seen != lock.Version-1 {
				// The statement waited for the lock while another write
				// committed: its subqueries read the snapshot taken
				// before, without that write's change and duties. Read
				// them again, now that this transaction holds the lock.
				err = scanRow(db, headPostgres, &lock.Prev, &lock.Duties)
			}
		} else if err = db.Exec(lockVersion).Error; err == nil {
			err = scanRow(db, headSQLite, &lock.Version, &lock.Prev, &lock.Duties)
		}
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: %w: "+tableState+" has no row", errSchema)
		}
		if err != nil {
			if serr := s.checkSchema(ctx); serr != nil {
				return serr
			}
			return fmt.Errorf("store: lock version: %w", mapErr(err))
		}
		if lock.Version == 0 {
			return fmt.Errorf("store: %w: "+tableState+" has no row", errSchema)
		}
		t = &tx{s: s, db: db, ctx: ctx, version: lock.Version, prev: lock.Prev, duties: lock.Duties}
		if err := fn(t); err != nil {
			return err
		}
		return t.flush() // rules deferred and no entry appended after them
	})
	if err == nil && t != nil {
		s.rememberDuties(t)
	}
	return err
}

// scanRow runs query and scans its one row into dest (sql.ErrNoRows when
// none), without GORM's reflection on a destination struct.
func scanRow(db *gorm.DB, query string, dest ...any) error {
	rows, err := db.Raw(query).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return sql.ErrNoRows
	}
	if err := rows.Scan(dest...); err != nil {
		return err
	}
	return rows.Close()
}

// The lock statements: the version row incremented, then (in the same
// statement on PostgreSQL) the new version, the previous change's hash and
// the conflicts of duties as a JSON array of dutyRow objects. On
// PostgreSQL the statement also returns the version its snapshot saw
// (seen): the subqueries of an UPDATE read the snapshot taken when it
// started, so when it waited for the row lock while another write
// committed (seen is not version-1), the hash and the duties are read
// again by headPostgres, which sees that write (TestLockAfterContention).
const (
	lockVersion = `UPDATE ` + tableState + ` SET version = version + 1 WHERE id = 1`
	headSQLite  = `SELECT s.version AS version, COALESCE(c.hash, '') AS prev, ` + dutiesSQLite + ` AS duties
	FROM ` + tableState + ` s LEFT JOIN ` + tableChanges + ` c ON c.version = s.version - 1 WHERE s.id = 1`
	// dutiesSQLite is dutiesPostgres on SQLite, where a scan of the table
	// is in the order of its IDs (INTEGER PRIMARY KEY: the rowid).
	dutiesSQLite = `(SELECT json_group_array(json_object('id', id, 'perm_a', perm_a, 'perm_b', perm_b, 'dept_a', dept_a,
		'dept_b', dept_b, 'why', why)) FROM ` + tableDutyConflicts + `)`
	lockPostgres = `UPDATE ` + tableState + ` SET version = version + 1 WHERE id = 1 RETURNING version, ` + headColumnsPostgres + `,
	(SELECT s.version FROM ` + tableState + ` s WHERE s.id = 1) AS seen`
	headPostgres        = `SELECT ` + headColumnsPostgres + ` FROM ` + tableState + ` WHERE id = 1`
	headColumnsPostgres = `COALESCE((SELECT c.hash FROM ` + tableChanges + ` c WHERE c.version = ` + tableState + `.version - 1), '') AS prev,
	` + dutiesPostgres + ` AS duties`
	// dutiesPostgres is the conflicts of duties as one JSON text, in the
	// order of their IDs, so that the same rows always give the same text
	// (Attempt's statement compares it with what the write read).
	dutiesPostgres = `(SELECT COALESCE(json_agg(json_build_object('id', id, 'perm_a', perm_a, 'perm_b', perm_b, 'dept_a', dept_a,
		'dept_b', dept_b, 'why', why) ORDER BY id), '[]')::text FROM ` + tableDutyConflicts + `)`
)

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
