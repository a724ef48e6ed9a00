package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"
)

// Connection health. After a PostgreSQL restart, a failover or an
// idle-session killer, every pooled connection is dead, and the first
// statement on one fails (57P01, 08006, "conn closed"). Two things keep
// that from reaching the caller:
//
//   - A pooled connection is pinged before reuse when it has been idle for
//     over a second (pgx's default) or since the store last saw a
//     connection die (its listener's or a pooled one's): database/sql
//     discards one that fails the ping and takes another or a new one.
//   - A transaction whose BEGIN fails on a dead connection is begun again,
//     once: nothing was sent that the server could have performed. Once
//     BEGIN succeeded nothing is ever retried, since the caller's function
//     may have written.

// shouldPing is the pool's health check (stdlib.OptionShouldPing).
func (s *Store) shouldPing(_ context.Context, p stdlib.ShouldPingParams) bool {
	if p.IdleDuration > time.Second {
		return true
	}
	// Idle since before the last sign of trouble: it may be dead.
	suspect := s.suspect.Load()
	return suspect != 0 && time.Now().Add(-p.IdleDuration).UnixNano() <= suspect
}

// sawDeadConn records a sign that the server dropped connections.
func (s *Store) sawDeadConn() { s.suspect.Store(time.Now().UnixNano()) }

// deadConn reports whether err says the connection was dead, not that
// the server refused the statement.
func deadConn(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, net.ErrClosed) {
		return true
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		// 57P01 admin_shutdown, 57P02 crash_shutdown, class 08
		// connection_exception.
		return pg.Code == "57P01" || pg.Code == "57P02" || strings.HasPrefix(pg.Code, "08")
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	// "conn closed", "conn busy" and write failures before anything was
	// sent.
	return pgconn.SafeToRetry(err)
}

// begin starts a transaction, again once if the first attempt failed on
// a dead connection.
func (s *Store) begin(ctx context.Context, opts *sql.TxOptions) (*gorm.DB, error) {
	var o []*sql.TxOptions
	if opts != nil {
		o = append(o, opts)
	}
	tx := s.db.WithContext(ctx).Begin(o...)
	if tx.Error != nil && ctx.Err() == nil && deadConn(tx.Error) {
		s.sawDeadConn()
		tx = s.db.WithContext(ctx).Begin(o...)
	}
	return tx, tx.Error
}

// transaction runs fn in one transaction begun by begin: committed when fn
// returns nil, rolled back when it returns an error or panics.
func (s *Store) transaction(ctx context.Context, opts *sql.TxOptions, fn func(db *gorm.DB) error) (err error) {
	tx, err := s.begin(ctx, opts)
	if err != nil {
		return err
	}
	done := false
	defer func() {
		if !done {
			tx.Rollback()
		}
	}()
	if err := fn(tx); err != nil {
		return err
	}
	done = true
	return tx.Commit().Error
}
