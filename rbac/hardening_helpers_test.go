package rbac_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/billingrbac/billingrbac/rbac"
)

// fullState is everything a refused or failed write must leave unchanged:
// every row of every table (domain rows, policy rules, change log,
// version, passwords, avatars, schedules) and the in-memory decisions and
// memberships of the watched staff.
type fullState struct {
	tables    map[string][]string
	decisions string
	version   int64
}

// captureAll reads every table of e's database and every decision of the
// watched staff over the catalog.
func captureAll(t *testing.T, e *env, watch []rbac.StaffID) fullState {
	t.Helper()
	db := e.st.DB().WithContext(e.ctx)
	names, err := db.Migrator().GetTables()
	if err != nil {
		t.Fatal(err)
	}
	s := fullState{tables: map[string][]string{}, version: e.svc.Version()}
	for _, name := range names {
		if strings.HasSuffix(name, "changes") {
			// The change log only grows: its length and last entry say
			// whether anything was appended, without reading a log that
			// grows with every step of a long exploration.
			var n int64
			var last struct {
				Version int64
				Hash    string
			}
			if err := db.Table(name).Count(&n).Error; err != nil {
				t.Fatalf("read %s: %v", name, err)
			}
			if err := db.Table(name).Select("version, hash").Order("version DESC").Limit(1).Scan(&last).Error; err != nil {
				t.Fatalf("read %s: %v", name, err)
			}
			s.tables[name] = []string{fmt.Sprintf("entries=%d last=%d %s", n, last.Version, last.Hash)}
			continue
		}
		rows, err := db.Table(name).Rows()
		if err != nil {
			t.Fatalf("read %s: %v", name, err)
		}
		cols, _ := rows.Columns()
		var out []string
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for i, v := range vals {
				if bs, ok := v.([]byte); ok {
					v = string(bs)
				}
				fmt.Fprintf(&b, "%s=%v|", cols[i], v)
			}
			out = append(out, b.String())
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
		slices.Sort(out)
		s.tables[name] = out
	}
	var b strings.Builder
	for _, id := range watch {
		fmt.Fprintf(&b, "%s:", id)
		for _, p := range e.svc.Catalog().Permissions() {
			fmt.Fprintf(&b, "%t,", e.svc.Can(id, p))
		}
		fmt.Fprintf(&b, "full=%t,depts=%v;", e.svc.IsFullAccess(id), e.svc.MemberDepartments(id))
	}
	s.decisions = b.String()
	return s
}

// diff names what differs between two states, or returns "".
func (a fullState) diff(b fullState) string {
	var out []string
	if a.version != b.version {
		out = append(out, fmt.Sprintf("version %d → %d", a.version, b.version))
	}
	if a.decisions != b.decisions {
		out = append(out, "in-memory decisions")
	}
	for name, rows := range a.tables {
		if !slices.Equal(rows, b.tables[name]) {
			out = append(out, fmt.Sprintf("table %s (%d → %d rows)", name, len(rows), len(b.tables[name])))
		}
	}
	for name := range b.tables {
		if _, ok := a.tables[name]; !ok {
			out = append(out, "new table "+name)
		}
	}
	return strings.Join(out, "; ")
}
