package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync/atomic"

	"gorm.io/gorm"

	"github.com/billingrbac/billingrbac/rbac"
)

// readOnlyPool is the connection pool of an optimistic Tx: statements
// that read (SELECT) go to the pool, each outside any transaction; any
// other is refused, and the refusal is remembered, so that Attempt
// writes nothing even when the caller swallowed the error.
type readOnlyPool struct {
	pool    *sql.DB
	refused atomic.Bool
	first   atomic.Pointer[string]
}

var _ gorm.ConnPool = (*readOnlyPool)(nil)

func (p *readOnlyPool) refuse(query string) error {
	p.refused.Store(true)
	p.first.CompareAndSwap(nil, &query)
	return fmt.Errorf("store: %w", rbac.ErrNeedsLock)
}

// what names the first statement refused.
func (p *readOnlyPool) what() string {
	q := p.first.Load()
	if q == nil {
		return ""
	}
	s, _, _ := strings.Cut(strings.TrimSpace(*q), " ")
	return s + " outside the lock"
}

// reads reports whether query only reads: a SELECT (not SELECT INTO).
func reads(query string) bool {
	q := strings.ToUpper(strings.TrimSpace(query))
	return strings.HasPrefix(q, "SELECT") && !strings.Contains(q, " INTO ")
}

func (p *readOnlyPool) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	if !reads(query) {
		return nil, p.refuse(query)
	}
	return p.pool.PrepareContext(ctx, query)
}

func (p *readOnlyPool) ExecContext(_ context.Context, query string, _ ...any) (sql.Result, error) {
	return nil, p.refuse(query)
}

func (p *readOnlyPool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if !reads(query) {
		return nil, p.refuse(query)
	}
	return p.pool.QueryContext(ctx, query, args...)
}

func (p *readOnlyPool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if !reads(query) {
		_ = p.refuse(query)
		done, cancel := context.WithCancel(ctx)
		cancel()
		return p.pool.QueryRowContext(done, query) // an error row: its context is done
	}
	return p.pool.QueryRowContext(ctx, query, args...)
}

// BeginTx refuses: an optimistic Tx runs in no transaction.
func (p *readOnlyPool) BeginTx(context.Context, *sql.TxOptions) (gorm.ConnPool, error) {
	return nil, p.refuse("BEGIN")
}
