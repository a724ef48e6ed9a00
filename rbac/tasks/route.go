package tasks

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/billingrbac/billingrbac/rbac"
)

// Rule routes tasks to a department: by processing module (Module set) or
// by product type (ProductType set). Exactly one of the two is set.
// Matching ignores case. Several rules for the same module or product type
// are tried in order: the later ones are backups for a department that is
// deleted or disabled.
type Rule struct {
	Module      string
	ProductType string
	Department  rbac.DepartmentID
}

func (r Rule) String() string {
	if r.Module != "" {
		return "module " + r.Module + " → department " + r.Department.String()
	}
	return "product type " + r.ProductType + " → department " + r.Department.String()
}

// Skip is a routing candidate that was passed over, and why.
type Skip struct {
	Route      Route
	Department rbac.DepartmentID
	Reason     string // "does not exist", "is disabled"
}

func (s Skip) String() string {
	return fmt.Sprintf("%s department %s %s", s.Route, s.Department, s.Reason)
}

// routing is one immutable set of routing rules.
type routing struct {
	rules []Rule
	def   rbac.DepartmentID
}

// SetRouting replaces the routing rules and the default department, for
// tasks generated afterwards. Rules name departments by ID and are not
// checked against the departments now: a rule to a department deleted or
// disabled later is skipped when routing. Errors: rbac.ErrInvalid (a rule
// with both or neither of module and product type, a duplicate, a bad ID).
func (s *Service) SetRouting(rules []Rule, def rbac.DepartmentID) error {
	rt, err := newRouting(rules, def, "set routing")
	if err != nil {
		return err
	}
	s.routing.Store(rt)
	return nil
}

// Routing returns the routing rules and the default department.
func (s *Service) Routing() ([]Rule, rbac.DepartmentID) {
	rt := s.routing.Load()
	return slices.Clone(rt.rules), rt.def
}

func newRouting(rules []Rule, def rbac.DepartmentID, op string) (*routing, error) {
	var fe fieldErrors
	checkRules(&fe, rules, def)
	if err := fe.err(op); err != nil {
		return nil, err
	}
	rt := &routing{rules: make([]Rule, len(rules)), def: def}
	for i, r := range rules {
		rt.rules[i] = Rule{Module: strings.TrimSpace(r.Module), ProductType: strings.TrimSpace(r.ProductType), Department: r.Department}
	}
	return rt, nil
}

func checkRules(fe *fieldErrors, rules []Rule, def rbac.DepartmentID) {
	seen := map[string]bool{}
	for i, r := range rules {
		field := fmt.Sprintf("routes[%d]", i)
		mod, pt := strings.TrimSpace(r.Module), strings.TrimSpace(r.ProductType)
		if (mod == "") == (pt == "") {
			fe.add(field, "one_of", "set exactly one of module and product type")
		}
		if r.Department <= 0 {
			fe.add(field+".department", "required", "must be a department id")
		}
		k := strings.ToLower("m:"+mod+"|p:"+pt) + "|d:" + r.Department.String()
		if seen[k] {
			fe.add(field, "unique", "%s is routed twice", r)
		}
		seen[k] = true
	}
	if def < 0 {
		fe.add("default_department", "format", "must not be negative")
	}
}

// route picks the department of a new task: the explicit department, the
// first rule for the module, the first rule for the product type, the
// default department; the first that exists and is active wins.
func (s *Service) route(ctx context.Context, in *NewTask) (rbac.Department, Route, error) {
	type cand struct {
		route Route
		id    rbac.DepartmentID
	}
	rt := s.routing.Load()
	var cands []cand
	if in.Department != 0 {
		cands = append(cands, cand{RouteExplicit, in.Department})
	}
	if in.Module != "" {
		for _, r := range rt.rules {
			if r.Module != "" && strings.EqualFold(r.Module, in.Module) {
				cands = append(cands, cand{RouteModule, r.Department})
			}
		}
	}
	if in.Service.ProductType != "" {
		for _, r := range rt.rules {
			if r.ProductType != "" && strings.EqualFold(r.ProductType, in.Service.ProductType) {
				cands = append(cands, cand{RouteProductType, r.Department})
			}
		}
	}
	if rt.def != 0 {
		cands = append(cands, cand{RouteDefault, rt.def})
	}
	rerr := &RouteError{}
	for _, c := range cands {
		d, err := s.rbac.Department(ctx, c.id)
		switch {
		case errors.Is(err, rbac.ErrNotFound):
			rerr.Skipped = append(rerr.Skipped, Skip{c.route, c.id, "does not exist"})
			continue
		case err != nil:
			return rbac.Department{}, "", fmt.Errorf("generate task: route: %w", err)
		case d.Status != rbac.StatusActive:
			rerr.Skipped = append(rerr.Skipped, Skip{c.route, c.id, "is disabled"})
			continue
		}
		for _, sk := range rerr.Skipped {
			s.log.Warn("billingrbac: task routing skipped a department", "route", string(sk.Route), "department", int64(sk.Department), "reason", sk.Reason)
		}
		return d, c.route, nil
	}
	return rbac.Department{}, "", rerr
}
