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
	names map[string]string // function and action names FromLine accepted
}

func newRuleParser() *ruleParser {
	return &ruleParser{names: map[string]string{}}
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
	id, ok := canonicalID(b, "dept:")
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

// streamBatch is how many rules a load hands over at a time: a million
// staff's policy is never held as one slice of rules.
const streamBatch = 4096

// streamPolicy reads the staff policy (p, g and g2 lines) straight from
// the casbin_rule table that gorm-adapter writes, then the temporary
// rules, and hands them to batch streamBatch at a time (the slice is
// reused: batch must not keep it). It reads the same rows as the
// adapter's LoadPolicy (TestFastLoadMatchesAdapter proves it) without
// building a Casbin model first. The values are scanned without copying
// (sql.RawBytes) and the lines the library writes are parsed in place
// (ruleParser); anything else goes through policy.FromLine, which accepts
// or refuses it as before. Lines of other types (the client domain's) are
// left to their owners.
func streamPolicy(ctx context.Context, db *gorm.DB, batch func([]rbac.Rule) error) error {
	push, flush := batcher(batch)
	if err := streamRules(ctx, db, push); err != nil {
		return err
	}
	rows, err := db.WithContext(ctx).Raw(temporaryQuery).Rows()
	if err != nil {
		return fmt.Errorf("store: load temporary rules: %w", err)
	}
	defer rows.Close()
	if err := scanTemporary(rows, push); err != nil {
		return err
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: load temporary rules: %w", err)
	}
	return flush()
}

// batcher returns push, which gathers rules and hands them to batch
// streamBatch at a time, and flush, which hands over the rest.
func batcher(batch func([]rbac.Rule) error) (push func(rbac.Rule) error, flush func() error) {
	buf := make([]rbac.Rule, 0, streamBatch)
	push = func(r rbac.Rule) error {
		buf = append(buf, r)
		if len(buf) < cap(buf) {
			return nil
		}
		err := batch(buf)
		buf = buf[:0]
		return err
	}
	flush = func() error {
		if len(buf) == 0 {
			return nil
		}
		return batch(buf)
	}
	return push, flush
}

// ruleQuery reads every casbin_rule row in the order they were written.
const ruleQuery = `SELECT ptype, COALESCE(v0, ''), COALESCE(v1, ''), COALESCE(v2, ''),
	COALESCE(v3, ''), COALESCE(v4, ''), COALESCE(v5, '') FROM ` + tableCasbinRule + ` ORDER BY id`

func streamRules(ctx context.Context, db *gorm.DB, push func(rbac.Rule) error) error {
	rows, err := db.WithContext(ctx).Raw(ruleQuery).Rows()
	if err != nil {
		return fmt.Errorf("store: load policy: %w", err)
	}
	defer rows.Close()
	var ptype sql.RawBytes
	var v [6]sql.RawBytes
	p := newRuleParser()
	for rows.Next() {
		if err := rows.Scan(&ptype, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]); err != nil {
			return fmt.Errorf("store: load policy: %w", err)
		}
		r, ok, err := p.rule(ptype, v)
		if err != nil {
			return err
		}
		if ok {
			if err := push(r); err != nil {
				return err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: load policy: %w", err)
	}
	return nil
}

// collect returns a batch callback appending to *rules.
func collect(rules *[]rbac.Rule) func([]rbac.Rule) error {
	return func(b []rbac.Rule) error {
		*rules = append(*rules, b...)
		return nil
	}
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
	var rules []rbac.Rule
	version, err := s.StreamPolicy(ctx, collect(&rules))
	if err != nil {
		return nil, 0, err
	}
	return rules, version, nil
}

// StreamPolicy implements rbac.PolicyStreamer: LoadPolicy's rules, read in
// the same consistent snapshot, handed to batch a few thousand at a time
// while they are read (the slice is reused between calls). An error from
// batch ends the read and is returned.
func (s *Store) StreamPolicy(ctx context.Context, batch func([]rbac.Rule) error) (int64, error) {
	if err := s.checkSchema(ctx); err != nil {
		return 0, err
	}
	if s.dialect == dialectPostgres {
		return s.streamPostgres(ctx, batch)
	}
	var version int64
	err := s.read(ctx, func(db *gorm.DB) error {
		if err := db.Raw(`SELECT version FROM ` + tableState + ` WHERE id = 1`).Scan(&version).Error; err != nil {
			return err
		}
		return streamPolicy(ctx, db, batch)
	})
	if err != nil {
		return 0, fmt.Errorf("store: load policy: %w", err)
	}
	return version, nil
}

func (t *tx) LoadPolicy() ([]rbac.Rule, error) {
	var rules []rbac.Rule
	if err := t.StreamPolicy(collect(&rules)); err != nil {
		return nil, err
	}
	return rules, nil
}

// StreamPolicy implements rbac.TxPolicyStreamer: LoadPolicy in batches,
// with the rules this transaction wrote, those ApplyPolicy deferred to the
// change-log entry's statement included (written first).
func (t *tx) StreamPolicy(batch func([]rbac.Rule) error) error {
	if err := t.flush(); err != nil {
		return err
	}
	return streamPolicy(t.ctx, t.db, batch)
}
