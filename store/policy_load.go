package store

import (
	"context"
	"database/sql"
	"fmt"

	"gorm.io/gorm"

	"github.com/billingrbac/billingrbac/internal/policy"
	"github.com/billingrbac/billingrbac/rbac"
)

// ruleParser turns casbin_rule rows into typed rules while they are
// scanned (the cold start's load of every rule). The lines the library
// writes — staff:<id>, dept:<id> in canonical decimal, known flags,
// function and action names seen before — are parsed from the scanned
// bytes without allocating; any other line is handed to policy.FromLine,
// which gives the same rule for these and decides the others, so the
// result is the one FromLine gives for every line.
type ruleParser struct {
	depts map[string]rbac.DepartmentID // "dept:<id>" already parsed
	names map[string]string            // function and action names FromLine accepted
}

func newRuleParser() *ruleParser {
	return &ruleParser{depts: map[string]rbac.DepartmentID{}, names: map[string]string{}}
}

// rule returns the rule of one row; ok is false for the lines of other
// types (not p, g, g2).
func (p *ruleParser) rule(ptype sql.RawBytes, v [6]sql.RawBytes) (rbac.Rule, bool, error) {
	var t string
	switch string(ptype) { // compared without allocating
	case "p":
		t = "p"
	case "g":
		t = "g"
	case "g2":
		t = "g2"
	default:
		return rbac.Rule{}, false, nil
	}
	if len(v[3])+len(v[4])+len(v[5]) == 0 {
		switch {
		case t == "g" && len(v[2]) == 0:
			if id, ok := canonicalID(v[0], "staff:"); ok {
				if d, ok := p.dept(v[1]); ok {
					return rbac.MemberRule(rbac.StaffID(id), d), true, nil
				}
			}
		case t == "p":
			if sub, ok := p.subject(v[0]); ok {
				f, okf := p.names[string(v[1])]
				a, oka := p.names[string(v[2])]
				if okf && oka {
					return rbac.GrantRule(sub, rbac.Perm(rbac.Function(f), rbac.Action(a))), true, nil
				}
			}
		case t == "g2" && len(v[2]) == 0:
			if sub, ok := p.subject(v[0]); ok {
				switch string(v[1]) {
				case string(rbac.FlagFullAccess):
					return rbac.FlagRule(sub, rbac.FlagFullAccess), true, nil
				case string(rbac.FlagDisabled):
					return rbac.FlagRule(sub, rbac.FlagDisabled), true, nil
				}
			}
		}
	}
	n := len(v)
	for n > 0 && len(v[n-1]) == 0 {
		n--
	}
	vals := make([]string, n)
	for i := range vals {
		vals[i] = string(v[i])
	}
	r, err := policy.FromLine(t, vals)
	if err == nil && r.Kind == rbac.RuleGrant {
		// Remember the names FromLine accepted for the next lines.
		p.names[vals[1]], p.names[vals[2]] = vals[1], vals[2]
	}
	return r, err == nil, err
}

func (p *ruleParser) dept(b []byte) (rbac.DepartmentID, bool) {
	if d, ok := p.depts[string(b)]; ok {
		return d, true
	}
	id, ok := canonicalID(b, "dept:")
	if ok {
		p.depts[string(b)] = rbac.DepartmentID(id)
	}
	return rbac.DepartmentID(id), ok
}

func (p *ruleParser) subject(b []byte) (rbac.Subject, bool) {
	if id, ok := canonicalID(b, "staff:"); ok {
		return rbac.StaffSubject(rbac.StaffID(id)), true
	}
	d, ok := p.dept(b)
	return rbac.DepartmentSubject(d), ok
}

// canonicalID parses prefix followed by a positive decimal integer without
// leading zeros of at most 18 digits (what rbac's ID parsers accept, short
// of the overflow bound, which is left to them).
func canonicalID(b []byte, prefix string) (int64, bool) {
	if len(b) <= len(prefix) || string(b[:len(prefix)]) != prefix {
		return 0, false
	}
	d := b[len(prefix):]
	if len(d) > 18 || d[0] == '0' {
		return 0, false
	}
	var n int64
	for _, c := range d {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
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
