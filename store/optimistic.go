package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"github.com/billingrbac/billingrbac/rbac"
)

var _ rbac.OptimisticStore = (*Store)(nil)

// Attempt implements rbac.OptimisticStore on PostgreSQL: fn runs on a Tx
// that holds no lock and reads outside any transaction; the rules and
// the change-log entry it records go to the database in one autocommitted
// statement that increments the version row only if it is still at
// version, the change there has hash prev and the conflicts of duties are
// those fn's effect check read (schema version 18's billingrbac_stale
// raises otherwise and the statement writes nothing). One round trip, no
// BEGIN, lock statement or COMMIT of their own.
//
// Reads are sound without the lock: a read sees the database at version
// or later, and the statement commits only if it is still at version, so
// every read saw that version. Anything but a read, and rules the entry's
// statement cannot carry (temporary ones, more than 64), make Attempt
// return ErrNeedsLock without writing. So does an error of fn's taken on
// the conflicts of duties the last write left when they have changed
// since (the statement checks them on a commit, this on a refusal).
//
// On SQLite a write takes the database's write lock whatever it does,
// and the driver cannot send several writes as one statement: Attempt is
// Update whose lock statement increments the version row only if the
// database is at version with hash prev (and the conflicts of duties
// remembered from the last write), so it reads neither the head nor the
// duties; ErrHeadMoved otherwise.
func (s *Store) Attempt(ctx context.Context, version int64, prev string, fn func(rbac.Tx) error) error {
	if s.dialect != dialectPostgres {
		return s.attemptLocked(ctx, version, prev, fn)
	}
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	g := &readOnlyPool{pool: sqlDB}
	db := s.db.WithContext(ctx).Session(&gorm.Session{Context: ctx, NewDB: true})
	db.Statement.ConnPool = g
	t := &tx{s: s, db: db, ctx: ctx, version: version + 1, prev: prev, guard: g, duties: s.remembered(version)}
	remembered := t.duties
	err = fn(t)
	switch {
	case g.refused.Load():
		return fmt.Errorf("store: %w: %s", rbac.ErrNeedsLock, g.what())
	case err != nil && ctx.Err() == nil && deadConn(err):
		// fn only read (anything else is refused): nothing was written,
		// and the locked path begins its transaction again on another
		// connection.
		s.sawDeadConn()
		return fmt.Errorf("store: %w: %v", rbac.ErrNeedsLock, err)
	case err != nil && remembered != "" && !s.dutiesStill(ctx, remembered):
		// A refusal taken on the conflicts of duties the last write
		// left, which rows written behind the library's back have
		// changed without a version: the lock reads them.
		return fmt.Errorf("store: %w: %w", rbac.ErrNeedsLock, err)
	case err != nil:
		return err
	case t.commit == "" || len(t.pending.add)+len(t.pending.remove) > 0:
		return fmt.Errorf("store: %w: nothing recorded", rbac.ErrNeedsLock)
	}
	if err := s.execPgx(ctx, t.commit, t.commitArgs); err != nil {
		var pe *pgconn.PgError
		switch {
		case errors.As(err, &pe) && pe.Code == staleCode:
			return fmt.Errorf("store: %w", rbac.ErrHeadMoved)
		case ctx.Err() == nil && pgconn.SafeToRetry(err):
			s.sawDeadConn()
			return fmt.Errorf("store: %w: %v", rbac.ErrNeedsLock, err) // nothing was sent
		case ctx.Err() == nil && serverEnded(err):
			// The server ended the session: the statement will never
			// commit, unless it did before the session ended.
			s.sawDeadConn()
			committed, cerr := s.committed(ctx, t.version, t.hash)
			switch {
			case cerr != nil:
				return fmt.Errorf("store: commit: %w (outcome unknown: %v)", mapErr(err), cerr)
			case !committed:
				return fmt.Errorf("store: %w: %v", rbac.ErrNeedsLock, err)
			}
		default:
			return fmt.Errorf("store: commit: %w", mapErr(err))
		}
	}
	s.rememberDuties(t)
	return nil
}

// execPgx sends query (with ? placeholders) through withPgx, without
// GORM's statement building and database/sql's argument conversion: a
// third of the client's CPU of a one-statement write.
func (s *Store) execPgx(ctx context.Context, query string, args []any) error {
	return s.withPgx(ctx, func(c *pgx.Conn) error {
		send := func() error {
			_, err := c.Exec(ctx, dollarParams(query), args...)
			return err
		}
		var err error
		if f := s.execFault.Load(); f != nil {
			err = (*f)(send)
		} else {
			err = send()
		}
		if err != nil && deadConn(err) {
			return fmt.Errorf("%w: %w", driver.ErrBadConn, err) // database/sql drops the connection
		}
		return err
	})
}

// attemptLocked is Attempt on SQLite.
func (s *Store) attemptLocked(ctx context.Context, version int64, prev string, fn func(rbac.Tx) error) error {
	var t *tx
	err := s.transaction(ctx, nil, func(db *gorm.DB) error {
		t = &tx{s: s, db: db, ctx: ctx, version: version + 1, prev: prev, duties: s.remembered(version)}
		q, args := s.lockAtHead(version, prev, t.duties)
		res := db.Exec(q, args...)
		switch {
		case res.Error != nil:
			return fmt.Errorf("store: lock version: %w", mapErr(res.Error))
		case res.RowsAffected != 1:
			return fmt.Errorf("store: %w", rbac.ErrHeadMoved)
		}
		if err := fn(t); err != nil {
			return err
		}
		return t.flush()
	})
	if err == nil {
		s.rememberDuties(t)
	}
	return err
}

// serverEnded reports whether err is the server's own report that it
// ended the session (FATAL admin or crash shutdown): its backend is gone,
// so a statement sent on it either committed before or never will. A
// connection that merely broke says nothing of the kind: the statement
// may still be running there.
func serverEnded(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Severity == "FATAL" && (pe.Code == "57P01" || pe.Code == "57P02")
}

// committed reports whether the change log holds the entry with hash at
// version.
func (s *Store) committed(ctx context.Context, version int64, hash string) (bool, error) {
	var hashes []string
	if err := s.db.WithContext(ctx).Raw(`SELECT hash FROM `+tableChanges+` WHERE version = ?`, version).Scan(&hashes).Error; err != nil {
		return false, err
	}
	return len(hashes) == 1 && hashes[0] == hash, nil
}

// staleCode is the SQLSTATE billingrbac_stale raises (schema version 18).
const staleCode = "BR001"

// dutiesAt is the conflicts of duties (dutiesPostgres's JSON) as they
// were at a version, for the next write's effect check: a write staged on
// that version needs no read for them, and its statement commits only if
// they are unchanged.
type dutiesAt struct {
	version int64
	json    string
}

// rememberDuties keeps the conflicts of duties a committed write read, as
// of the version it committed, unless it changed them.
func (s *Store) rememberDuties(t *tx) {
	if t.duties != "" && !t.dutiesWritten {
		s.dutiesAt.Store(&dutiesAt{version: t.version, json: t.duties})
	}
}

// remembered returns the conflicts of duties as of version, if the last
// committed write left them ("" otherwise).
func (s *Store) remembered(version int64) string {
	if d := s.dutiesAt.Load(); d != nil && d.version == version {
		return d.json
	}
	return ""
}

// dutiesStill reports whether the conflicts of duties are still json
// (false when they cannot be read).
func (s *Store) dutiesStill(ctx context.Context, json string) bool {
	var now string
	return scanRow(s.db.WithContext(ctx), `SELECT `+s.dutiesJSON(), &now) == nil && now == json
}

// lockAtHead is the lock statement of a write staged on version, on both
// dialects: the version row incremented only if the database is still
// there, with the change at version hashed prev and, when duties is not
// "", the same conflicts of duties.
func (s *Store) lockAtHead(version int64, prev, duties string) (string, []any) {
	q := lockVersion + ` AND version = ? AND COALESCE((SELECT h.hash FROM ` + tableChanges + ` h WHERE h.version = ?), '') = ?`
	args := []any{version, version, prev}
	if duties != "" {
		q += ` AND ` + s.dutiesJSON() + ` = ?`
		args = append(args, duties)
	}
	return q, args
}

// staleCheck is the optimistic statement's first part (PostgreSQL): the
// version row incremented only if the database is where the write was
// staged, as s.
func staleCheck(t *tx) (string, []any) {
	q, args := t.s.lockAtHead(t.version-1, t.prev, t.duties)
	return `s AS (` + q + ` RETURNING version), `, args
}
