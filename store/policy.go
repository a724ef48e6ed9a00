package store

import (
	"context"
	"database/sql"
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

// loadPolicy reads the staff policy (p, g and g2 lines) straight from the
// casbin_rule table that gorm-adapter writes. It reads the same rows as the
// adapter's LoadPolicy (TestFastLoadMatchesAdapter proves it) without
// building a Casbin model first. The values are scanned without copying
// (sql.RawBytes) and the lines the library writes are parsed in place
// (fastRule); anything else goes through policy.FromLine, which accepts or
// refuses it as before. Lines of other types (the client domain's) are
// left to their owners.
func loadPolicy(ctx context.Context, db *gorm.DB) ([]rbac.Rule, error) {
	var n int64
	if err := db.WithContext(ctx).Raw(`SELECT COUNT(*) FROM ` + tableCasbinRule).Scan(&n).Error; err != nil {
		return nil, fmt.Errorf("store: load policy: %w", err)
	}
	rows, err := db.WithContext(ctx).Raw(`SELECT ptype, COALESCE(v0, ''), COALESCE(v1, ''), COALESCE(v2, ''),
		COALESCE(v3, ''), COALESCE(v4, ''), COALESCE(v5, '') FROM ` + tableCasbinRule + ` ORDER BY id`).Rows()
	if err != nil {
		return nil, fmt.Errorf("store: load policy: %w", err)
	}
	defer rows.Close()
	out := make([]rbac.Rule, 0, n)
	var ptype sql.RawBytes
	var v [6]sql.RawBytes
	p := newRuleParser()
	for rows.Next() {
		if err := rows.Scan(&ptype, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]); err != nil {
			return nil, fmt.Errorf("store: load policy: %w", err)
		}
		r, ok, err := p.rule(ptype, v)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, r)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: load policy: %w", err)
	}
	return out, nil
}

// loadPolicyViaAdapter loads the staff policy through gorm-adapter's
// LoadPolicy into a Casbin model: the reference loadPolicy is tested
// against.
func loadPolicyViaAdapter(ctx context.Context, db *gorm.DB) ([]rbac.Rule, error) {
	a, err := adapter(ctx, db)
	if err != nil {
		return nil, err
	}
	m, err := policy.NewModel()
	if err != nil {
		return nil, err
	}
	if err := a.LoadPolicyCtx(ctx, m); err != nil {
		return nil, fmt.Errorf("store: load policy: %w", err)
	}
	return policy.FromModel(m)
}

// LoadPolicy implements rbac.Store: the rules and the version, read in one
// consistent snapshot.
func (s *Store) LoadPolicy(ctx context.Context) ([]rbac.Rule, int64, error) {
	if err := s.checkSchema(ctx); err != nil {
		return nil, 0, err
	}
	var rules []rbac.Rule
	var version int64
	err := s.read(ctx, func(db *gorm.DB) error {
		if err := db.Raw(`SELECT version FROM ` + tableState + ` WHERE id = 1`).Scan(&version).Error; err != nil {
			return err
		}
		var err error
		if rules, err = loadPolicy(ctx, db); err != nil {
			return err
		}
		rules, err = loadTemporary(ctx, db, rules)
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("store: load policy: %w", err)
	}
	return rules, version, nil
}

func (t *tx) LoadPolicy() ([]rbac.Rule, error) {
	rules, err := loadPolicy(t.ctx, t.db)
	if err != nil {
		return nil, err
	}
	return loadTemporary(t.ctx, t.db, rules)
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
