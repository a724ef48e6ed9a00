package store

import (
	"context"
	"fmt"
)

// ForeignPolicyWrites implements rbac.ForeignWriteCounter: how many
// statements (PostgreSQL) or rows (SQLite) changed the stored policy (the
// Casbin table and the temporary rules) outside the library's change flow,
// as the database's triggers counted them (schema versions 14 and 15).
func (s *Store) ForeignPolicyWrites(ctx context.Context) (int64, error) {
	var n int64
	if err := s.db.WithContext(ctx).Raw(`SELECT foreign_writes FROM ` + tablePolicyGuard + ` WHERE id = 1`).Scan(&n).Error; err != nil {
		return 0, fmt.Errorf("store: foreign policy writes: %w", mapErr(err))
	}
	return n, nil
}

// ForeignPolicyWrites implements rbac.ForeignWriteCounterTx.
func (t *tx) ForeignPolicyWrites() (int64, error) {
	var n int64
	if err := t.db.Raw(`SELECT foreign_writes FROM ` + tablePolicyGuard + ` WHERE id = 1`).Scan(&n).Error; err != nil {
		return 0, fmt.Errorf("store: foreign policy writes: %w", mapErr(err))
	}
	return n, nil
}
