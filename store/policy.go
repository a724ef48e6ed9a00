package store

import (
	"context"
	"fmt"
	"strings"

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

// writeLines writes Casbin lines in db (a transaction): removals one
// statement a rule (deleteLine: the rows gorm-adapter's RemovePolicy
// deletes), additions as multi-row INSERTs of the rows the adapter would
// write (insertLines).
func writeLines(t *tx, add, remove []policy.Line) error {
	db := t.db.WithContext(t.ctx)
	for _, l := range remove {
		if err := deleteLine(db, l); err != nil {
			return fmt.Errorf("store: remove rule %s %v: %w", l.Ptype, l.Values, mapErr(err))
		}
	}
	return insertLines(t.ctx, t.db, t.s.chunk(), add)
}

// deleteLine deletes the rows of l as gorm-adapter's RemovePolicy does
// (ptype and each non-empty value equal; TestRemoveLinesMatchesAdapter),
// with one raw statement instead of the adapter's model and query builder.
func deleteLine(db *gorm.DB, l policy.Line) error {
	if len(l.Values) > 6 {
		return fmt.Errorf("more than 6 values")
	}
	var sb strings.Builder
	sb.WriteString("DELETE FROM " + tableCasbinRule + " WHERE ptype = ?")
	args := make([]any, 1, 7)
	args[0] = l.Ptype
	for i, v := range l.Values {
		if v != "" {
			sb.WriteString(columnsV[i])
			args = append(args, v)
		}
	}
	return db.Exec(sb.String(), args...).Error
}

var columnsV = [6]string{" AND v0 = ?", " AND v1 = ?", " AND v2 = ?", " AND v3 = ?", " AND v4 = ?", " AND v5 = ?"}
