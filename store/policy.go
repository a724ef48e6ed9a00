package store

import (
	"context"
	"fmt"

	gormadapter "github.com/casbin/gorm-adapter/v3"
	"gorm.io/gorm"

	"github.com/billingrbac/billingrbac/internal/policy"
	"github.com/billingrbac/billingrbac/rbac"
)

// adapter returns a gorm-adapter bound to db (a transaction or the pool),
// with its auto-migration off: the schema is ours (see Migrate).
func adapter(ctx context.Context, db *gorm.DB) (*gormadapter.Adapter, error) {
	db = db.WithContext(ctx)
	gormadapter.TurnOffAutoMigrate(db)
	a, err := gormadapter.NewAdapterByDBUseTableName(db, "", tableCasbinRule)
	if err != nil {
		return nil, fmt.Errorf("store: policy adapter: %w", err)
	}
	return a, nil
}

// ApplyPolicy implements rbac.Tx through gorm-adapter bound to the
// transaction; temporary rules go to their own table (see
// temporaryMigration). Removals come first, so a rule replaced by itself
// with another window moves between the tables.
func (t *tx) ApplyPolicy(d rbac.PolicyDelta) error {
	addP, addT := splitTemporary(d.Add)
	removeP, removeT := splitTemporary(d.Remove)
	add, err := policy.Lines(addP)
	if err != nil {
		return err
	}
	remove, err := policy.Lines(removeP)
	if err != nil {
		return err
	}
	db := t.db.WithContext(t.ctx)
	for _, r := range removeT {
		if err := removeTemporary(db, r); err != nil {
			return err
		}
	}
	if err := writeLines(t, add, remove); err != nil {
		return err
	}
	for _, r := range addT {
		if err := addTemporary(db, r); err != nil {
			return err
		}
	}
	return nil
}

// writeLines writes Casbin lines in db (a transaction): removals one by
// one through gorm-adapter bound to it (its batch removal swallows
// errors), additions as multi-row INSERTs of the rows the adapter would
// write (insertLines).
func writeLines(t *tx, add, remove []policy.Line) error {
	ctx, db := t.ctx, t.db
	if len(remove) > 0 {
		a, err := adapter(ctx, db)
		if err != nil {
			return err
		}
		for _, l := range remove {
			if err := a.RemovePolicyCtx(ctx, l.Sec, l.Ptype, l.Values); err != nil {
				return fmt.Errorf("store: remove rule %s %v: %w", l.Ptype, l.Values, err)
			}
		}
	}
	return insertLines(ctx, db, t.s.chunk(), add)
}
