package store

import (
	"context"
	"strings"

	"github.com/billingrbac/billingrbac/rbac"
)

// StaffPage implements rbac.Store: staff rows ordered by ID after
// q.After, among q.IDs when given, whose login, e-mail or full name (as
// stored, JSON included) holds q.Search ignoring case. The match is
// inclusive, never exact: the caller checks the values.
func (s *Store) StaffPage(ctx context.Context, q rbac.StaffRowQuery) ([]rbac.Staff, error) {
	db := s.db.WithContext(ctx).Select(staffColumns).Where("id > ?", int64(q.After))
	if q.IDs != nil {
		if len(q.IDs) == 0 {
			return nil, nil
		}
		ids := make([]int64, len(q.IDs))
		for i, id := range q.IDs {
			ids[i] = int64(id)
		}
		db = db.Where("id IN ?", ids)
	}
	// SQLite's LOWER and LIKE fold ASCII only: a search with other letters
	// is left to the caller's own check (rbac filters every row it gets).
	if q.Search != "" && (s.dialect == dialectPostgres || isASCII(q.Search)) {
		pat := "%" + likeEscaper.Replace(strings.ToLower(q.Search)) + "%"
		db = db.Where(`LOWER(login) LIKE ? ESCAPE '\' OR LOWER(email) LIKE ? ESCAPE '\' OR LOWER(full_name) LIKE ? ESCAPE '\'`, pat, pat, pat)
	}
	var rows []staffRow
	if err := db.Order("id").Limit(q.Limit).Find(&rows).Error; err != nil {
		return nil, mapErr(err)
	}
	out := make([]rbac.Staff, 0, len(rows))
	for _, r := range rows {
		st, err := r.staff()
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// likeEscaper escapes LIKE's wildcards with the ESCAPE character '\'.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
