// Package policy translates typed rbac rules to and from Casbin's policy
// lines. It is the only place that knows the string form of a rule, as
// model.conf describes it:
//
//	p,  <subject>, <function>, <action>   rbac.RuleGrant
//	g,  staff:<id>, dept:<id>             rbac.RuleMember
//	g2, <subject>, <flag>                 rbac.RuleFlag
//
// where <subject> is "staff:<id>" or "dept:<id>".
package policy

import (
	"fmt"
	"strings"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"

	"github.com/billingrbac/billingrbac"
	"github.com/billingrbac/billingrbac/rbac"
)

// Line is one Casbin policy line: its section ("p" or "g"), its type
// ("p", "g" or "g2") and its values.
type Line struct {
	Sec, Ptype string
	Values     []string
}

const (
	staffPrefix = "staff:"
	deptPrefix  = "dept:"
)

// Subject renders a subject as Casbin sees it.
func Subject(s rbac.Subject) string { return s.String() }

// Staff renders a staff member as a Casbin request subject.
func Staff(id rbac.StaffID) string { return staffPrefix + id.String() }

// ParseSubject parses "staff:<id>" or "dept:<id>".
func ParseSubject(s string) (rbac.Subject, error) {
	switch {
	case strings.HasPrefix(s, staffPrefix):
		id, err := rbac.ParseStaffID(s[len(staffPrefix):])
		return rbac.StaffSubject(id), err
	case strings.HasPrefix(s, deptPrefix):
		id, err := rbac.ParseDepartmentID(s[len(deptPrefix):])
		return rbac.DepartmentSubject(id), err
	}
	return rbac.Subject{}, fmt.Errorf("policy: subject %q: %w", s, rbac.ErrInvalid)
}

// ToLine translates a typed rule into its Casbin line.
func ToLine(r rbac.Rule) (Line, error) {
	switch r.Kind {
	case rbac.RuleGrant:
		if err := validSubject(r.Subject); err != nil {
			return Line{}, err
		}
		return Line{"p", "p", []string{r.Subject.String(), string(r.Permission.Function), string(r.Permission.Action)}}, nil
	case rbac.RuleMember:
		if r.Subject.Staff <= 0 || r.Subject.Department != 0 || r.Department <= 0 {
			return Line{}, fmt.Errorf("policy: member rule %v: %w", r, rbac.ErrInvalid)
		}
		return Line{"g", "g", []string{r.Subject.String(), deptPrefix + r.Department.String()}}, nil
	case rbac.RuleFlag:
		if err := validSubject(r.Subject); err != nil {
			return Line{}, err
		}
		if r.Flag != rbac.FlagFullAccess && r.Flag != rbac.FlagDisabled {
			return Line{}, fmt.Errorf("policy: flag %q: %w", r.Flag, rbac.ErrInvalid)
		}
		return Line{"g", "g2", []string{r.Subject.String(), string(r.Flag)}}, nil
	}
	return Line{}, fmt.Errorf("policy: rule kind %d: %w", r.Kind, rbac.ErrInvalid)
}

func validSubject(s rbac.Subject) error {
	if (s.Staff > 0) == (s.Department > 0) || s.Staff < 0 || s.Department < 0 {
		return fmt.Errorf("policy: subject %+v: %w", s, rbac.ErrInvalid)
	}
	return nil
}

// FromLine translates a Casbin line back into a typed rule.
func FromLine(ptype string, v []string) (rbac.Rule, error) {
	bad := func() (rbac.Rule, error) {
		return rbac.Rule{}, fmt.Errorf("policy: line %s, %s: %w", ptype, strings.Join(v, ", "), rbac.ErrInvalid)
	}
	switch ptype {
	case "p":
		if len(v) != 3 {
			return bad()
		}
		sub, err := ParseSubject(v[0])
		if err != nil {
			return bad()
		}
		f, err1 := rbac.ParseFunction(v[1])
		a, err2 := rbac.ParseAction(v[2])
		if err1 != nil || err2 != nil {
			return bad()
		}
		return rbac.GrantRule(sub, rbac.Perm(f, a)), nil
	case "g":
		if len(v) != 2 {
			return bad()
		}
		sub, err1 := ParseSubject(v[0])
		dept, err2 := ParseSubject(v[1])
		if err1 != nil || err2 != nil || sub.Staff == 0 || dept.Department == 0 {
			return bad()
		}
		return rbac.MemberRule(sub.Staff, dept.Department), nil
	case "g2":
		if len(v) != 2 {
			return bad()
		}
		sub, err := ParseSubject(v[0])
		f := rbac.Flag(v[1])
		if err != nil || (f != rbac.FlagFullAccess && f != rbac.FlagDisabled) {
			return bad()
		}
		return rbac.FlagRule(sub, f), nil
	}
	return bad()
}

// NewModel returns a fresh model from model.conf.
func NewModel() (model.Model, error) {
	return model.NewModelFromString(billingrbac.Model())
}

// FromModel returns every rule in a Casbin model's policy.
func FromModel(m model.Model) ([]rbac.Rule, error) {
	var out []rbac.Rule
	for _, pt := range []struct{ sec, ptype string }{{"p", "p"}, {"g", "g"}, {"g", "g2"}} {
		ast, ok := m[pt.sec][pt.ptype]
		if !ok {
			continue
		}
		for _, line := range ast.Policy {
			r, err := FromLine(pt.ptype, line)
			if err != nil {
				return nil, err
			}
			out = append(out, r)
		}
	}
	return out, nil
}

// NewEnforcer returns a plain Casbin enforcer over model.conf holding
// rules: the reference the decision index is tested against.
func NewEnforcer(rules []rbac.Rule) (*casbin.Enforcer, error) {
	m, err := NewModel()
	if err != nil {
		return nil, err
	}
	e, err := casbin.NewEnforcer(m)
	if err != nil {
		return nil, err
	}
	for _, r := range rules {
		l, err := ToLine(r)
		if err != nil {
			return nil, err
		}
		if l.Sec == "p" {
			_, err = e.AddNamedPolicy(l.Ptype, l.Values)
		} else {
			_, err = e.AddNamedGroupingPolicy(l.Ptype, l.Values)
		}
		if err != nil {
			return nil, err
		}
	}
	return e, nil
}

// AdapterEnforcer returns a plain Casbin enforcer over model.conf that
// loads its policy from a and writes its changes through it.
func AdapterEnforcer(a persist.Adapter) (*casbin.Enforcer, error) {
	m, err := NewModel()
	if err != nil {
		return nil, err
	}
	return casbin.NewEnforcer(m, a)
}

// Enforce asks a Casbin enforcer built by NewEnforcer whether staff member
// id may perform p.
func Enforce(e *casbin.Enforcer, id rbac.StaffID, p rbac.Permission) (bool, error) {
	return e.Enforce(Staff(id), string(p.Function), string(p.Action))
}
