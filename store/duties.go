package store

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"gorm.io/gorm"

	"github.com/billingrbac/billingrbac/rbac"
)

var (
	_ rbac.DutiesStore = (*Store)(nil)
	_ rbac.DutiesTx    = (*tx)(nil)
)

type dutyRow struct {
	ID    int64   `json:"id"`
	PermA *string `json:"perm_a"`
	PermB *string `json:"perm_b"`
	DeptA *int64  `json:"dept_a"`
	DeptB *int64  `json:"dept_b"`
	Why   string  `json:"why"`
}

const dutySelect = `SELECT id, perm_a, perm_b, dept_a, dept_b, why FROM ` + tableDutyConflicts + ` ORDER BY id`

func readDuties(db *gorm.DB) ([]rbac.DutyConflict, error) {
	var rows []dutyRow
	if err := db.Raw(dutySelect).Scan(&rows).Error; err != nil {
		return nil, mapErr(err)
	}
	return dutiesOf(rows)
}

// dutiesOf returns the conflicts of rows, in the order of their IDs.
func dutiesOf(rows []dutyRow) ([]rbac.DutyConflict, error) {
	slices.SortFunc(rows, func(a, b dutyRow) int { return cmp.Compare(a.ID, b.ID) })
	out := make([]rbac.DutyConflict, 0, len(rows))
	for _, r := range rows {
		c := rbac.DutyConflict{Why: r.Why}
		switch {
		case r.PermA != nil && r.PermB != nil:
			a, err := rbac.ParsePermission(*r.PermA)
			if err != nil {
				return nil, fmt.Errorf("store: conflict of duties: %w", err)
			}
			b, err := rbac.ParsePermission(*r.PermB)
			if err != nil {
				return nil, fmt.Errorf("store: conflict of duties: %w", err)
			}
			c.Permissions = [2]rbac.Permission{a, b}
		case r.DeptA != nil && r.DeptB != nil:
			c.Departments = [2]rbac.DepartmentID{rbac.DepartmentID(*r.DeptA), rbac.DepartmentID(*r.DeptB)}
		default:
			return nil, fmt.Errorf("store: conflict of duties with neither pair")
		}
		out = append(out, c)
	}
	return out, nil
}

// dutiesJSON is the expression of the conflicts of duties as one JSON
// text in the order of their IDs, in the store's dialect.
func (s *Store) dutiesJSON() string {
	if s.dialect == dialectPostgres {
		return dutiesPostgres
	}
	return dutiesSQLite
}

// DutyConflicts implements rbac.DutiesStore.
func (s *Store) DutyConflicts(ctx context.Context) ([]rbac.DutyConflict, error) {
	return readDuties(s.db.WithContext(ctx))
}

// DutyConflicts implements rbac.DutiesTx: as the lock statement read
// them, or from the table once this transaction wrote it.
func (t *tx) DutyConflicts() ([]rbac.DutyConflict, error) {
	if !t.dutiesWritten && t.duties == "" {
		// An Attempt's Tx without them remembered: read them as the lock
		// statement does, for the next write to reuse (and, on
		// PostgreSQL, for Attempt's statement to check).
		if err := scanRow(t.db, `SELECT `+t.s.dutiesJSON(), &t.duties); err != nil {
			return nil, fmt.Errorf("store: conflicts of duties: %w", mapErr(err))
		}
	}
	if t.dutiesWritten || t.duties == "" {
		return readDuties(t.db)
	}
	return t.s.decodeDuties(t.duties)
}

// decodedDuties is a JSON text of the conflicts of duties (dutiesJSON's)
// and what it decodes to.
type decodedDuties struct {
	json      string
	conflicts []rbac.DutyConflict
}

// decodeDuties returns the conflicts of duties of a dutiesJSON text. The
// text of the last call is kept decoded, as consecutive writes read the
// same one; the result is the caller's own.
func (s *Store) decodeDuties(text string) ([]rbac.DutyConflict, error) {
	if d := s.decoded.Load(); d != nil && d.json == text {
		return slices.Clone(d.conflicts), nil
	}
	var rows []dutyRow
	if err := json.Unmarshal([]byte(text), &rows); err != nil {
		return nil, fmt.Errorf("store: conflicts of duties: %w", err)
	}
	out, err := dutiesOf(rows)
	if err != nil {
		return nil, err
	}
	s.decoded.Store(&decodedDuties{json: text, conflicts: out})
	return slices.Clone(out), nil
}

// AddDutyConflict implements rbac.DutiesTx.
func (t *tx) AddDutyConflict(c rbac.DutyConflict) error {
	t.dutiesWritten = true
	if c.IsDepartments() {
		for _, d := range c.Departments {
			if _, err := t.Department(d); err != nil {
				return err
			}
		}
		return mapErr(t.db.Exec(`INSERT INTO `+tableDutyConflicts+` (dept_a, dept_b, why, created_at) VALUES (?, ?, ?, ?)`,
			int64(c.Departments[0]), int64(c.Departments[1]), c.Why, micros(t.now())).Error)
	}
	return mapErr(t.db.Exec(`INSERT INTO `+tableDutyConflicts+` (perm_a, perm_b, why, created_at) VALUES (?, ?, ?, ?)`,
		c.Permissions[0].String(), c.Permissions[1].String(), c.Why, micros(t.now())).Error)
}

// RemoveDutyConflict implements rbac.DutiesTx.
func (t *tx) RemoveDutyConflict(c rbac.DutyConflict) error {
	t.dutiesWritten = true
	if c.IsDepartments() {
		return affectedOne(t.db.Exec(`DELETE FROM `+tableDutyConflicts+` WHERE dept_a = ? AND dept_b = ?`,
			int64(c.Departments[0]), int64(c.Departments[1])))
	}
	return affectedOne(t.db.Exec(`DELETE FROM `+tableDutyConflicts+` WHERE perm_a = ? AND perm_b = ?`,
		c.Permissions[0].String(), c.Permissions[1].String()))
}
