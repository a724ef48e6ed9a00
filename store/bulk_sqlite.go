package store

import (
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/billingrbac/billingrbac/internal/policy"
	"github.com/billingrbac/billingrbac/rbac"
)

// SQLite's bulk inserts take their rows as one JSON array parameter,
// unpacked by json_each, sqliteJSONChunk rows a statement: the SQLite
// analogue of PostgreSQL's unnest. A multi-row VALUES list is limited to
// 64 rows by the driver's binding (quadratic in the parameters) and is
// parsed again by the driver for every statement; one parameter binds at
// once, and one statement text is parsed once per chunk.
const sqliteJSONChunk = 5000

// insertLinesJSON is insertLines on SQLite for more than smallInsert
// lines: the rows gorm-adapter's AddPolicies stores (ptype, v0..v5, empty
// strings for the unused values), ON CONFLICT DO NOTHING as it does.
func insertLinesJSON(db *gorm.DB, lines []policy.Line) error {
	for i := 0; i < len(lines); i += sqliteJSONChunk {
		part := lines[i:min(i+sqliteJSONChunk, len(lines))]
		rows := make([][7]string, len(part))
		for j, l := range part {
			if len(l.Values) > 6 {
				return fmt.Errorf("store: rule %s %v: more than 6 values", l.Ptype, l.Values)
			}
			rows[j][0] = l.Ptype
			copy(rows[j][1:], l.Values)
		}
		arg, err := json.Marshal(rows)
		if err != nil {
			return err
		}
		err = db.Exec(`INSERT INTO `+tableCasbinRule+` (ptype, v0, v1, v2, v3, v4, v5)
			SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'),
				json_extract(value, '$[3]'), json_extract(value, '$[4]'), json_extract(value, '$[5]'), json_extract(value, '$[6]')
			FROM json_each(?) WHERE true
			ON CONFLICT DO NOTHING`, string(arg)).Error
		if err != nil {
			return fmt.Errorf("store: add %d rules: %w", len(part), mapErr(err))
		}
	}
	return nil
}

// createStaffJSON is CreateStaffBatch on SQLite: one INSERT ... RETURNING
// a chunk, its rows one JSON array parameter.
func (t *tx) createStaffJSON(staff []rbac.Staff, hashes []string, now time.Time) error {
	at := micros(now)
	for i := 0; i < len(staff); i += sqliteJSONChunk {
		part := staff[i:min(i+sqliteJSONChunk, len(staff))]
		rows := make([][5]string, len(part))
		for j := range part {
			name, err := encodeText(part[j].FullName)
			if err != nil {
				return err
			}
			rows[j] = [5]string{part[j].Login, name, part[j].Email, part[j].Phone, hashes[i+j]}
		}
		arg, err := json.Marshal(rows)
		if err != nil {
			return err
		}
		res, err := t.db.Raw(`INSERT INTO `+tableStaff+` (login, full_name, email, phone, password_hash, created_at, updated_at)
			SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'),
				json_extract(value, '$[3]'), json_extract(value, '$[4]'), ?, ?
			FROM json_each(?) WHERE true
			RETURNING id, login`, at, at, string(arg)).Rows()
		if err != nil {
			return mapErr(err)
		}
		if err := matchIDs(res, part, now); err != nil {
			return err
		}
	}
	return nil
}
