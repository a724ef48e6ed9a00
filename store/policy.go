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
	if t.deferLines(add, remove, len(addT)+len(removeT)) {
		return nil
	}
	if err := t.flush(); err != nil {
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

// pendingLines are Casbin lines a transaction has yet to write.
type pendingLines struct{ add, remove []policy.Line }

// deferLines keeps a write's few permanent rules (no temporary ones, at most
// smallInsert lines, no line both added and removed) to send with the
// change-log entry on PostgreSQL: the rules, the entry and its
// notification in one statement, one round trip instead of two. It
// reports whether it kept them; the transaction writes them at the
// latest when it commits or reads the policy (flush).
func (t *tx) deferLines(add, remove []policy.Line, temporary int) bool {
	if t.s.dialect != dialectPostgres || temporary > 0 || len(t.pending.add)+len(t.pending.remove) > 0 ||
		len(add)+len(remove) == 0 || len(add)+len(remove) > smallInsert {
		return false
	}
	for _, l := range append(add[:len(add):len(add)], remove...) {
		if len(l.Values) > 6 {
			return false // refused where it is written
		}
	}
	keys := make(map[string]bool, len(remove))
	for _, l := range remove {
		keys[lineKey(l)] = true
	}
	for _, l := range add {
		if keys[lineKey(l)] {
			return false
		}
	}
	t.pending = pendingLines{add: add, remove: remove}
	return true
}

func lineKey(l policy.Line) string { return l.Ptype + "\x00" + strings.Join(l.Values, "\x00") }

// flush writes the deferred rules on their own.
func (t *tx) flush() error {
	p := t.pending
	if len(p.add)+len(p.remove) == 0 {
		return nil
	}
	t.pending = pendingLines{}
	return writeLines(t, p.add, p.remove)
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
	return insertLines(t.ctx, t.db, t.s.dialect == dialectPostgres, add)
}

// deleteLine deletes the rows of l as gorm-adapter's RemovePolicy does
// (ptype and each non-empty value equal; TestRemoveLinesMatchesAdapter),
// with one raw statement instead of the adapter's model and query builder.
func deleteLine(db *gorm.DB, l policy.Line) error {
	if len(l.Values) > 6 {
		return fmt.Errorf("more than 6 values")
	}
	var sb strings.Builder
	args := appendDelete(&sb, nil, l)
	return db.Exec(sb.String(), args...).Error
}

// appendDelete writes deleteLine's statement for l (at most 6 values) to
// sb and returns args with its parameters.
func appendDelete(sb *strings.Builder, args []any, l policy.Line) []any {
	sb.WriteString("DELETE FROM " + tableCasbinRule + " WHERE ptype = ?")
	args = append(args, l.Ptype)
	for i, v := range l.Values {
		if v != "" {
			sb.WriteString(columnsV[i])
			args = append(args, v)
		}
	}
	return args
}

// appendInsert writes one multi-row INSERT of lines (at most 6 values
// each) as gorm-adapter's AddPolicies stores them to sb and returns args
// with its parameters.
func appendInsert(sb *strings.Builder, args []any, lines []policy.Line) []any {
	sb.WriteString("INSERT INTO " + tableCasbinRule + " (ptype, v0, v1, v2, v3, v4, v5) VALUES ")
	for j, l := range lines {
		if j > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString("(?, ?, ?, ?, ?, ?, ?)")
		args = append(args, l.Ptype)
		for k := range 6 {
			v := ""
			if k < len(l.Values) {
				v = l.Values[k]
			}
			args = append(args, v)
		}
	}
	sb.WriteString(" ON CONFLICT DO NOTHING") // as gorm-adapter's AddPolicies
	return args
}

var columnsV = [6]string{" AND v0 = ?", " AND v1 = ?", " AND v2 = ?", " AND v3 = ?", " AND v4 = ?", " AND v5 = ?"}
