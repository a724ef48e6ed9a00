package store

import (
	"database/sql"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/billingrbac/billingrbac/internal/policy"
	"github.com/billingrbac/billingrbac/rbac"
)

// Temporary rules (a direct grant or a membership with an rbac.Window)
// are kept out of casbin_rule, in a table of their own holding the same
// line values and the window in Unix nanoseconds. A plain Casbin enforcer
// loaded from casbin_rule by gorm-adapter therefore never sees them: it
// fails closed (denies) instead of granting a temporary rule forever. The
// rbac decision index reads both tables and compares the window with its
// clock. The table: billingrbac_temporary_rules.

// temporaryQuery reads every temporary rule in the order they were
// written.
const temporaryQuery = `SELECT ptype, v0, v1, v2, valid_from, valid_until FROM ` + tableTemporaryRules + ` ORDER BY id`

// scanTemporary hands every temporary rule of rows (temporaryQuery's,
// through database/sql or pgx) to push. The caller closes rows and checks
// their error.
func scanTemporary(rows interface {
	Next() bool
	Scan(dest ...any) error
}, push func(rbac.Rule) error) error {
	for rows.Next() {
		var ptype string
		var v [3]string
		var from sql.NullInt64
		var until int64
		if err := rows.Scan(&ptype, &v[0], &v[1], &v[2], &from, &until); err != nil {
			return fmt.Errorf("store: load temporary rules: %w", err)
		}
		n := len(v)
		for n > 0 && v[n-1] == "" {
			n--
		}
		r, err := policy.FromLine(ptype, v[:n])
		if err != nil {
			return err
		}
		w := rbac.Window{Until: time.Unix(0, until)}
		if from.Valid {
			w.From = time.Unix(0, from.Int64)
		}
		if err := push(r.Within(w)); err != nil {
			return err
		}
	}
	return nil
}

// temporaryLine returns the table's key of a temporary rule.
func temporaryLine(r rbac.Rule) (ptype string, v [3]string, err error) {
	l, err := policy.ToLine(r)
	if err != nil {
		return "", v, err
	}
	if len(l.Values) > len(v) {
		return "", v, fmt.Errorf("store: temporary rule %v: %w", r, rbac.ErrInvalid)
	}
	copy(v[:], l.Values)
	return l.Ptype, v, nil
}

// removeTemporary deletes a temporary rule, whatever its window.
func removeTemporary(db *gorm.DB, r rbac.Rule) error {
	ptype, v, err := temporaryLine(r)
	if err != nil {
		return err
	}
	if err := db.Exec(`DELETE FROM `+tableTemporaryRules+` WHERE ptype = ? AND v0 = ? AND v1 = ? AND v2 = ?`,
		ptype, v[0], v[1], v[2]).Error; err != nil {
		return fmt.Errorf("store: remove temporary rule %v: %w", r, err)
	}
	return nil
}

// addTemporary stores a temporary rule with its window.
func addTemporary(db *gorm.DB, r rbac.Rule) error {
	ptype, v, err := temporaryLine(r)
	if err != nil {
		return err
	}
	var from *int64
	if !r.Window.From.IsZero() {
		f := r.Window.From.UnixNano()
		from = &f
	}
	if err := db.Exec(`INSERT INTO `+tableTemporaryRules+` (ptype, v0, v1, v2, valid_from, valid_until) VALUES (?, ?, ?, ?, ?, ?)`,
		ptype, v[0], v[1], v[2], from, r.Window.Until.UnixNano()).Error; err != nil {
		return fmt.Errorf("store: add temporary rule %v: %w", r, mapErr(err))
	}
	return nil
}

// splitTemporary separates the temporary rules of rs from the permanent
// ones.
func splitTemporary(rs []rbac.Rule) (permanent, temporary []rbac.Rule) {
	for _, r := range rs {
		if r.Window.IsZero() {
			permanent = append(permanent, r)
		} else {
			temporary = append(temporary, r)
		}
	}
	return permanent, temporary
}
