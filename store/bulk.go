package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
	"gorm.io/gorm"

	"github.com/billingrbac/billingrbac/internal/policy"
	"github.com/billingrbac/billingrbac/rbac"
)

// Bulk writes: INSERTs in bounded chunks, for rbac.Import (staff rows)
// and for every write's policy rules (casbin rule rows, see writeLines).
// Up to smallInsert rows go as one multi-row VALUES list (on SQLite 64
// rows a statement: the pure-Go driver binds each parameter by searching
// the whole argument list for its ordinal, so a statement costs the
// square of its parameters). More go as one array parameter a column on
// PostgreSQL (unnest, insertLineArrays) and as one JSON array parameter on
// SQLite (json_each, bulk_sqlite.go), 5,000 rows a statement.
const keyChunk = 500 // values of an IN (...) list

var _ rbac.BulkTx = (*tx)(nil)

// CreateStaffBatch implements rbac.BulkTx: one INSERT ... RETURNING per
// chunk; IDs are matched back by login (unique), not by the order of the
// returned rows, which SQL does not promise.
func (t *tx) CreateStaffBatch(staff []rbac.Staff, hashes []string) error {
	now := t.now()
	switch {
	case t.s.dialect == dialectPostgres:
		return t.createStaffArrays(staff, hashes, now)
	case len(staff) > smallInsert:
		return t.createStaffJSON(staff, hashes, now)
	case len(staff) == 0:
		return nil
	}
	at := micros(now)
	var sb strings.Builder
	args := make([]any, 0, len(staff)*7)
	sb.WriteString("INSERT INTO " + tableStaff + " (login, full_name, email, phone, password_hash, created_at, updated_at) VALUES ")
	for j := range staff {
		st := &staff[j]
		name, err := encodeText(st.FullName)
		if err != nil {
			return err
		}
		if j > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString("(?, ?, ?, ?, ?, ?, ?)")
		args = append(args, st.Login, name, st.Email, st.Phone, hashes[j], at, at)
	}
	sb.WriteString(" RETURNING id, login")
	rows, err := t.db.Raw(sb.String(), args...).Rows()
	if err != nil {
		return mapErr(err)
	}
	return matchIDs(rows, staff, now)
}

// createStaffArrays inserts staff rows on PostgreSQL from one array
// parameter a column (unnest), in chunks of pgArrayChunk rows: a handful
// of parameters whatever the rows, where a VALUES list binds 7 a row.
func (t *tx) createStaffArrays(staff []rbac.Staff, hashes []string, now time.Time) error {
	at := micros(now)
	for i := 0; i < len(staff); i += pgArrayChunk {
		part := staff[i:min(i+pgArrayChunk, len(staff))]
		cols := make([]pgTextArray, 5)
		for c := range cols {
			cols[c] = make(pgTextArray, len(part))
		}
		for j := range part {
			name, err := encodeText(part[j].FullName)
			if err != nil {
				return err
			}
			cols[0][j], cols[1][j], cols[2][j], cols[3][j], cols[4][j] = part[j].Login, name, part[j].Email, part[j].Phone, hashes[i+j]
		}
		rows, err := t.db.Raw(`INSERT INTO `+tableStaff+` (login, full_name, email, phone, password_hash, created_at, updated_at)
			SELECT l, n, e, p, h, ?, ? FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[]) AS t (l, n, e, p, h)
			RETURNING id, login`, at, at, cols[0].param(), cols[1].param(), cols[2].param(), cols[3].param(), cols[4].param()).Rows()
		if err != nil {
			return mapErr(err)
		}
		if err := matchIDs(rows, part, now); err != nil {
			return err
		}
	}
	return nil
}

// matchIDs reads the (id, login) rows an INSERT returned into part.
func matchIDs(rows *sql.Rows, part []rbac.Staff, now time.Time) error {
	ids := make(map[string]int64, len(part))
	for rows.Next() {
		var id int64
		var login string
		if err := rows.Scan(&id, &login); err != nil {
			rows.Close()
			return mapErr(err)
		}
		ids[login] = id
	}
	err := rows.Err()
	rows.Close()
	if err != nil {
		return mapErr(err)
	}
	for j := range part {
		id, ok := ids[part[j].Login]
		if !ok {
			return fmt.Errorf("store: create staff %q: no ID returned", part[j].Login)
		}
		part[j].ID = rbac.StaffID(id)
		part[j].CreatedAt, part[j].UpdatedAt = now, now
	}
	return nil
}

// pgArrayChunk bounds the rows of one unnest INSERT (its arrays are
// built in memory).
const pgArrayChunk = 5000

// smallInsert: up to this many lines, PostgreSQL gets them too as one
// multi-row VALUES insert, cheaper than encoding and unnesting seven
// arrays for one rule (a single write's rules, usually one).
const smallInsert = 64

// pgTextArray is a column of rows for a text[] parameter.
type pgTextArray []string

// param is a as a text[] parameter, which pgx sends in PostgreSQL's
// binary array format. A []string itself would be expanded by GORM into a
// list of parameters, and a driver.Valuer giving the array's text literal
// is parsed back by pgx before it can encode it (that parse cost more CPU
// than the rest of a bulk insert's encoding).
func (a pgTextArray) param() pgtype.Array[string] {
	return pgtype.Array[string]{Elements: a, Dims: []pgtype.ArrayDimension{{Length: int32(len(a)), LowerBound: 1}}, Valid: true}
}

// StaffIDsByLogin implements rbac.BulkTx.
func (t *tx) StaffIDsByLogin(logins []string) (map[string]rbac.StaffID, error) {
	return staffIDsWhere(t.db, "login", "login", logins)
}

// StaffIDsByEmail implements rbac.BulkTx (the staff_email_ci index).
func (t *tx) StaffIDsByEmail(emails []string) (map[string]rbac.StaffID, error) {
	low := make([]string, len(emails))
	for i, e := range emails {
		low[i] = strings.ToLower(e)
	}
	return staffIDsWhere(t.db, "LOWER(email)", "LOWER(email) <> '' AND LOWER(email)", low)
}

// staffIDsWhere returns id by col for the rows whose where-expression is
// among keys.
func staffIDsWhere(db *gorm.DB, col, where string, keys []string) (map[string]rbac.StaffID, error) {
	out := make(map[string]rbac.StaffID)
	for i := 0; i < len(keys); i += keyChunk {
		part := keys[i:min(i+keyChunk, len(keys))]
		rows, err := db.Raw("SELECT id, "+col+" FROM "+tableStaff+" WHERE "+where+" IN ?", part).Rows()
		if err != nil {
			return nil, mapErr(err)
		}
		for rows.Next() {
			var id int64
			var k string
			if err := rows.Scan(&id, &k); err != nil {
				rows.Close()
				return nil, mapErr(err)
			}
			out[k] = rbac.StaffID(id)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, mapErr(err)
		}
	}
	return out, nil
}

// insertLines inserts Casbin lines into the casbin rule table the way
// gorm-adapter's AddPolicies stores them (ptype, v0..v5, empty strings for
// the unused values; TestInsertLinesMatchesAdapter proves it), without the
// adapter's per-rule model objects: up to smallInsert lines as one
// multi-row VALUES insert, more through unnest (PostgreSQL) or json_each
// (SQLite).
func insertLines(ctx context.Context, db *gorm.DB, postgres bool, lines []policy.Line) error {
	db = db.WithContext(ctx)
	switch {
	case len(lines) > smallInsert && postgres:
		return insertLineArrays(db, lines)
	case len(lines) > smallInsert:
		return insertLinesJSON(db, lines)
	case len(lines) == 0:
		return nil
	}
	for _, l := range lines {
		if len(l.Values) > 6 {
			return fmt.Errorf("store: rule %s %v: more than 6 values", l.Ptype, l.Values)
		}
	}
	var sb strings.Builder
	sb.Grow(80 + len(lines)*24)
	args := appendInsert(&sb, make([]any, 0, len(lines)*7), lines)
	if err := db.Exec(sb.String(), args...).Error; err != nil {
		return fmt.Errorf("store: add %d rules: %w", len(lines), mapErr(err))
	}
	return nil
}

// insertLineArrays is insertLines on PostgreSQL: one array parameter a
// column (unnest), pgArrayChunk rows a statement.
func insertLineArrays(db *gorm.DB, lines []policy.Line) error {
	for i := 0; i < len(lines); i += pgArrayChunk {
		part := lines[i:min(i+pgArrayChunk, len(lines))]
		cols := make([]pgTextArray, 7)
		for c := range cols {
			cols[c] = make(pgTextArray, len(part))
		}
		for j, l := range part {
			if len(l.Values) > 6 {
				return fmt.Errorf("store: rule %s %v: more than 6 values", l.Ptype, l.Values)
			}
			cols[0][j] = l.Ptype
			for k, v := range l.Values {
				cols[1+k][j] = v
			}
		}
		err := db.Exec(`INSERT INTO `+tableCasbinRule+` (ptype, v0, v1, v2, v3, v4, v5)
			SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
			ON CONFLICT DO NOTHING`, cols[0].param(), cols[1].param(), cols[2].param(), cols[3].param(), cols[4].param(), cols[5].param(), cols[6].param()).Error
		if err != nil {
			return fmt.Errorf("store: add %d rules: %w", len(part), mapErr(err))
		}
	}
	return nil
}
