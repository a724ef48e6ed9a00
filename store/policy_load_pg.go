package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/billingrbac/billingrbac/rbac"
)

// streamPostgres is StreamPolicy on PostgreSQL: the same queries in the
// same read-only, repeatable-read snapshot, run on the pgx connection
// beneath database/sql so each row's values are read as the bytes that
// arrived. Through database/sql every value would first be copied into a
// new string: seventeen million of them at a million staff, most of a
// cold start's garbage. A connection found dead at the start is dropped
// and the read tried once more on another, as begin does.
func (s *Store) streamPostgres(ctx context.Context, batch func([]rbac.Rule) error) (int64, error) {
	version, err := s.streamPostgresOnce(ctx, batch)
	if err != nil && errors.Is(err, driver.ErrBadConn) && ctx.Err() == nil {
		s.sawDeadConn()
		version, err = s.streamPostgresOnce(ctx, batch)
	}
	return version, err
}

func (s *Store) streamPostgresOnce(ctx context.Context, batch func([]rbac.Rule) error) (int64, error) {
	var version int64
	err := s.withPgx(ctx, func(c *pgx.Conn) error {
		tx, err := c.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
		if err != nil {
			if deadConn(err) {
				return fmt.Errorf("%w: %w", driver.ErrBadConn, err)
			}
			return err
		}
		defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit
		if err := tx.QueryRow(ctx, `SELECT version FROM `+tableState+` WHERE id = 1`).Scan(&version); err != nil {
			return err
		}
		push, flush := batcher(batch)
		rows, err := tx.Query(ctx, ruleQuery)
		if err != nil {
			return err
		}
		p := newRuleParser()
		var v [6]sql.RawBytes
		for rows.Next() {
			raw := rows.RawValues()
			for i := range v {
				v[i] = raw[1+i]
			}
			r, ok, err := p.rule(raw[0], v)
			if err == nil && ok {
				err = push(r)
			}
			if err != nil {
				rows.Close()
				return err
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		trows, err := tx.Query(ctx, temporaryQuery)
		if err != nil {
			return err
		}
		err = scanTemporary(trows, push)
		trows.Close()
		if err == nil {
			err = trows.Err()
		}
		if err == nil {
			err = flush()
		}
		if err != nil {
			return err
		}
		return tx.Commit(ctx)
	})
	if err != nil {
		return 0, fmt.Errorf("store: load policy: %w", err)
	}
	return version, nil
}
